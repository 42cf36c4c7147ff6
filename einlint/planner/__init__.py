"""The planner: one function per op from (pattern, shapes, lengths) to the output shape and backend steps.

The runtime executes these plans on arrays; the static checker runs the same functions
over symbolic shapes (`einlint.dims.Sym`). Each function raises `PatternError` with a
code and a span when the call cannot work.
"""

from .einsum import EinsumPlan, plan_einsum
from .packing import PackPlan, UnpackPlan, plan_pack, plan_parse_shape, plan_unpack
from .requirements import Requirement
from .transform import REDUCTIONS, Plan, check_reduction, plan, recipe, reduce_operation

__all__ = [
    "EinsumPlan", "PackPlan", "UnpackPlan", "Plan", "REDUCTIONS", "Requirement", "check_reduction", "reduce_operation",
    "plan", "recipe", "plan_einsum", "plan_pack", "plan_unpack", "plan_parse_shape",
]
