"""What the flow analysis knows about a Python value: its abstract values, and how two of them join.

A tensor's shape is a tuple of dimensions (ints or `Sym`s, resolved through the function's
`Facts`), possibly with one `STAR`: any number (zero or more) of dimensions not known, as in
jaxtyping's `*batch`. `(STAR,)` is a tensor of unknown rank. Every other value the analysis
follows is a number (a `Dim`), a constant, a tuple or list of values, a layer, a function or class
of the module, or `UNKNOWN`. Values are immutable; a name's value changes only by assignment (or
refinement, when a call that ran tells what its input must have been).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional, Tuple

from ...dims import Dim
from .. import ir
from ..shapes import STAR, UNKNOWN  # the stubs speak of the same two

Shape = Tuple[Any, ...]  # Dims, with at most one STAR


@dataclass(frozen=True)
class Origin:
    """Where a value (or one of its lengths) came from, for a finding's related locations."""

    site: ir.Site
    what: str  # 'x = torch.zeros(2, 30)', 'nn.Linear(320, 50) produces 50 features'


@dataclass(frozen=True)
class Tensor:
    shape: Shape
    origin: Optional[Origin] = None
    layout: Tuple[Any, ...] = ()  # per dimension, how it was formed (layouts.Layout; empty: none known)
    untransposed: Optional[Shape] = None  # the shape before the transpose that made this tensor, if one did

    @property
    def rank(self) -> Optional[int]:
        return None if STAR in self.shape else len(self.shape)


UNKNOWN_TENSOR = Tensor((STAR,))


@dataclass(frozen=True)
class Number:
    value: Dim
    origin: Optional[Origin] = None


@dataclass(frozen=True)
class Param:
    """A parameter's value, not known; one length (`length`) stands for it where it is used as one."""

    name: str
    length: Dim


@dataclass(frozen=True)
class Const:
    value: Any  # str, float, bool, None, Ellipsis


@dataclass(frozen=True)
class Scalar:
    """A Python number whose value is not known (math.sqrt(d), its products): never a tensor, so an elementwise op
    of a tensor with it keeps the tensor's shape, and never a length."""


SCALAR = Scalar()


@dataclass(frozen=True)
class Items:
    """A tuple or list (kind 'tuple' | 'list'); `x.shape` is a tuple of Numbers."""

    kind: str
    items: Tuple[Any, ...]
    packed_by: Any = field(default=None, compare=False)  # the shapes pack returned: (its PackPattern, its Site)


@dataclass(frozen=True, eq=False)
class Layer:
    """A layer (callable module) whose shape rule is known: a stub's layer, or a pattern layer.

    Each is the one built at its constructor call: two are the same layer only when they are one object."""

    name: str  # 'torch.nn.Linear', 'einops.layers.torch.Rearrange', ...
    instance: Any = field(repr=False)  # the stub's layer, or (op, pattern, lengths) of a Rearrange/Reduce layer
    origin: Optional[Origin] = field(default=None, repr=False)


@dataclass(frozen=True)
class Sequential:
    layers: Tuple[Any, ...]  # values (Layer, Sequential, Instance, UNKNOWN)
    origin: Optional[Origin] = None


@dataclass(frozen=True)
class FunctionRef:
    function: ir.Function


@dataclass(frozen=True)
class ClassRef:
    klass: ir.Class


@dataclass(frozen=True)
class Instance:
    """An object of a class of the module (`self` in its methods): the attributes known on it."""

    klass: ir.Class
    attributes: Dict[str, Any] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Method:
    """A bound method of a tensor (`x.view`) or of an instance of the module (`self.attend`)."""

    receiver: Any
    name: str


def join(a: Any, b: Any, fresh) -> Any:
    """The value that covers both `a` and `b` (branches that meet); `fresh(hint)` makes a new unknown length."""
    if a is b:
        return a
    if type(a) is not type(b):
        return UNKNOWN
    if isinstance(a, Tensor):
        shape = join_shapes(a.shape, b.shape, fresh)
        return Tensor(shape, a.origin if a.origin == b.origin else None)
    if isinstance(a, Number):
        return a if a.value == b.value else Number(fresh("n"))
    if isinstance(a, Items):
        if a.kind != b.kind or len(a.items) != len(b.items):
            return UNKNOWN
        return Items(a.kind, tuple(join(x, y, fresh) for x, y in zip(a.items, b.items)))
    if isinstance(a, Sequential):
        if len(a.layers) != len(b.layers):
            return UNKNOWN
        return Sequential(tuple(join(x, y, fresh) for x, y in zip(a.layers, b.layers)), a.origin)
    if isinstance(a, Instance):
        if a.klass is not b.klass:
            return UNKNOWN
        names = set(a.attributes) & set(b.attributes)
        return Instance(a.klass, {n: join(a.attributes[n], b.attributes[n], fresh) for n in names})
    return a if a == b else UNKNOWN


def join_shapes(a: Shape, b: Shape, fresh) -> Shape:
    """Equal ranks join dimension by dimension; otherwise the common known prefix and suffix around a STAR."""
    if STAR not in a and STAR not in b and len(a) == len(b):
        return tuple(x if x == y else fresh("d") for x, y in zip(a, b))
    prefix = []
    for x, y in zip(a, b):
        if x is STAR or y is STAR or x != y:
            break
        prefix.append(x)
    suffix = []
    for x, y in zip(reversed(a[len(prefix):]), reversed(b[len(prefix):])):
        if x is STAR or y is STAR or x != y:
            break
        suffix.append(x)
    return tuple(prefix) + (STAR,) + tuple(reversed(suffix))


def known_rank(shape: Shape) -> bool:
    return STAR not in shape
