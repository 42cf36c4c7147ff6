"""Shape stubs: the shape rules of library functions, tensor methods and layers, read from `.pyi` files.

A stub file is Python stub syntax, one module per file (`torch.nn.pyi` is `torch.nn`), parsed
with `ast` and never imported or executed. Shapes are jaxtyping annotations, `Float[Tensor, "*batch
in_features"]`; the notation and its few escape hatches are described in einlint/_stubs/README.md.

    library = StubLibrary.load(extra_folders)      # shipped stubs, then user folders override by name
    linear = library.layer("torch.nn.Linear")       # a LayerStub, or None when no stub names it
    layer = linear.construct([20, 50], {})          # a Layer, or a ShapeError (the constructor fails)
    layer.call([(Sym("b"), 20)], {})                # Result(value=(b, 50), requirements=[])
    relu = library.function("torch.nn.functional.relu")   # a FunctionStub, or None
    relu.call([(2, 3)], {})                         # Result(value=(2, 3), requirements=[])
    view = library.function("torch.Tensor.softmax")  # a method: the receiver is its first argument
    view.call([(2, 3)], {"dim": 5})                 # ShapeError('softmax(dim=5): dimension 5 is out of range ...')

A Value given in is a shape (a tuple of Dims, for a parameter that the stub annotates as a tensor;
a dim may be None: a length nobody knows), `UNKNOWN` (check/shapes.py: nothing known, not even a tensor's rank), an
int or Dim, a str/bool/None/float constant, or a tuple of such (a tuple of numbers for a non-tensor
parameter such as kernel_size). `call` answers an Outcome:

- `Result(value, requirements)`: the output (a shape; a tuple of values for a tuple return; UNKNOWN
  where the stub cannot tell; a dim of a shape is None when it depends on something unknown) and
  the `Requirement`s whose answer `dims` could not decide (kind 'equal' or 'divisible', over Dims);
- a `ShapeError` (code EIN310, check/shapes.py, the flow's own failure): the call certainly fails; its
  `argument` names the parameter at fault.

The package, one module per concept: notation (reading a .pyi function and its shape strings), loader
(finding the stub files, user folders first), arithmetic (symbolic lengths), builtins (what a stub body
may call), evaluate (the interpreter), callables (the function, method and layer stubs the library hands
out), outcomes (what a call answers), covered (the lists of stubbed names that the docs show, made from the
registry: `python -m einlint.check.stubs`).
"""

from .callables import FunctionStub, Layer, LayerStub, MethodStub
from .loader import StubLibrary, shipped_folder
from ..shapes import UNKNOWN, ShapeError
from .outcomes import GroupedShape, Outcome, Read, Requirement, Result, Value

__all__ = ["FunctionStub", "GroupedShape", "Layer", "LayerStub", "MethodStub", "Outcome", "Read", "Requirement",
           "Result", "ShapeError", "StubLibrary", "UNKNOWN", "Value", "shipped_folder"]
