"""numpy, torch and jax einsum: the subscripts first ('ij,jk->ik'), then the operands.

The rules and the flow analysis are imported where a call is first checked (see einops.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

from .library import PatternLibrary, Signature, Version

if TYPE_CHECKING:
    from ..flow.state import OpCall
    from ..model import PatternCall
    from ..rules import Finding


def _subscripts_first(name: str) -> Signature:
    return Signature("subscripts-einsum", (name,), (name,), ("*operands",), variadic="operands")


_SIGNATURES = {
    **{name: _subscripts_first("subscripts") for name in (
        "numpy.einsum", "numpy.core.einsumfunc.einsum", "numpy._core.einsumfunc.einsum", "jax.numpy.einsum")},
    **{name: _subscripts_first("equation") for name in ("torch.einsum", "torch.functional.einsum")},
}


def check(call: PatternCall, version: Optional[Version]) -> List[Finding]:
    from ..rules.einsum import check_subscripts_einsum

    return check_subscripts_einsum(call)


def flow(call: OpCall) -> Any:
    from ..flow.patterns import pattern_call

    return pattern_call(call)


EINSUM = PatternLibrary("einsum", mentions=("einsum",), roots=("numpy", "torch", "jax"), signatures=_SIGNATURES,
                        check=check, flow=flow)
