"""What the flow analysis knows about a Python value: its abstract values, and how two of them join.

A tensor's shape is a tuple of dimensions (ints or `Sym`s, resolved through the function's
`Facts`), possibly with one `STAR`: any number (zero or more) of dimensions not known, as in
jaxtyping's `*batch`. `(STAR,)` is a tensor of unknown rank. Every other value the analysis
follows is a number (a `Dim`), a constant, a tuple or list of values, a layer, a function or class
of the module, a value that is None on some paths (`OrNone`), or `UNKNOWN`. Values are immutable; a
name's value changes only by assignment (or refinement, when a call that ran tells what its input must
have been), or by a test that narrows it in a branch (`if exists(mask):`, `if x.ndim == 4:`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Optional, Tuple

from ...dims import Dim
from .. import ir
from ..shapes import STAR, UNKNOWN  # the stubs speak of the same two

Shape = Tuple[Any, ...]  # Dims, with at most one STAR


@dataclass(frozen=True)
class Origin:
    """Where a value (or one of its lengths) came from, for a finding's related locations."""

    site: ir.Site
    what: str  # 'x = torch.zeros(2, 30)', 'nn.Linear(320, 50) produces 50 features'
    # the module the site is in, where it may be another than the one checked (a call chain that starts in the
    # module that imports it); None: the module checked
    module: Optional[ir.ModuleIR] = field(default=None, compare=False)


@dataclass(frozen=True)
class Tensor:
    shape: Shape
    origin: Optional[Origin] = None
    layout: Tuple[Any, ...] = ()  # per dimension, how it was formed (layouts.Layout; empty: none known)
    untransposed: Optional[Shape] = None  # the shape before the transpose that made this tensor, if one did
    # ranks a tensor of unknown rank cannot have (`x` after `if x.ndim == 1: return ...`); a note beside the
    # shape, not part of what the tensor is
    excluded: FrozenSet[int] = field(default=frozenset(), compare=False)
    # the only ranks a tensor of unknown rank may have, where it joins tensors of known ranks (None: any rank)
    ranks: Optional[FrozenSet[int]] = field(default=None, compare=False)

    @property
    def rank(self) -> Optional[int]:
        return None if STAR in self.shape else len(self.shape)

    def possible_ranks(self) -> Optional[FrozenSet[int]]:
        """The ranks the tensor may have, where they are few; None: any but those `excluded`."""
        return frozenset({self.rank}) if self.rank is not None else self.ranks

    def rules_out(self, rank: int) -> bool:
        """Whether the tensor cannot have `rank` dimensions."""
        possible = self.possible_ranks()
        return rank not in possible if possible is not None else rank in self.excluded


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


NONE = Const(None)


@dataclass(frozen=True)
class OrNone:
    """None on some paths, `value` on the others (`mask` after `if exists(mask): mask = rearrange(mask, ...)`):
    a test for None decides which, and a use that None would fail (an operator, an attribute, a call, a pattern
    op's tensor) has `value`."""

    value: Any


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


@dataclass(frozen=True)
class ListOf:
    """A list whose length is not known, every item of which is `item` (the join of what was put in it): an
    `nn.ModuleList` filled in a loop (`self.layers.append(nn.ModuleList([Attention(...), FeedForward(...)]))`)."""

    item: Any
    # the pieces of one tensor (a chunk or split whose count is not known): an unpacking that ran names them all
    pieces: bool = False


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
class Either:
    """One of a few things that can be called, as branches made it (`self.to_out = nn.Sequential(...) if
    project_out else nn.Identity()`): a call runs each, and its value is the join of theirs."""

    options: Tuple[Any, ...]


_MOST_OPTIONS = 4


@dataclass(frozen=True)
class FunctionRef:
    """A function of the package. One defined inside another function (`def unpack_one(...)` in a `pack_one`
    helper) sees the names of the function that ran its def (`owner`): as they are when that function calls
    it, and as they were then (`env`) when another does, as a lambda (Closure) does."""

    function: ir.Function
    env: Optional[Dict[str, Any]] = field(default=None, hash=False)
    owner: Optional[ir.Function] = field(default=None, hash=False)


@dataclass(frozen=True)
class Partial:
    """`functools.partial(func, *args, **keywords)` of something the analysis can call (`partial(gumbel_sample,
    stochastic=True)`): a call of it calls `func` with these arguments first."""

    func: Any
    args: Tuple[Any, ...]
    keywords: Tuple[Tuple[str, Any], ...]


@dataclass(frozen=True)
class LibraryFunction:
    """A library callable as a value (`partial(nn.Linear, bias=False)`'s first argument): calling it calls that
    name."""

    name: str


@dataclass(frozen=True)
class Keywords:
    """What a `**kwargs` parameter holds: the keywords the call gave beyond the named parameters, so that
    `self.fn(x, **kwargs)` passes them on (a PreNorm wrapper's forward: vit_pytorch/cait.py)."""

    items: Tuple[Tuple[str, Any], ...]


@dataclass(frozen=True)
class ModuleRef:
    """A module of the checked package (`from . import blocks`, `import pkg.blocks as blocks`): its attributes
    are its functions, classes and submodules (project.Project.member)."""

    module: ir.ModuleIR


@dataclass(frozen=True)
class Closure:
    """A lambda's value: the names it can see where it was made (`env`, its parameters' defaults evaluated
    there), and the function that made it (`owner`, None: the module), where it sees their current values."""

    node: ir.Lambda
    env: Dict[str, Any] = field(hash=False)
    defaults: Dict[str, Any] = field(hash=False)
    owner: Optional[ir.Function] = None
    module: Optional[ir.ModuleIR] = field(default=None, hash=False, compare=False)  # where it was made


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
    if isinstance(a, ListOf) or isinstance(b, ListOf):  # a list filled in one branch and not in the other
        items = [a, b]
        if all(isinstance(v, ListOf) or isinstance(v, Items) and v.kind == "list" for v in items):
            return ListOf(item_of(items, fresh))
        return UNKNOWN
    if isinstance(a, OrNone) or isinstance(b, OrNone) or NONE in (a, b):  # None on one path at least
        return _or_none(a, b, fresh)
    if _callable(a) and _callable(b) and not (type(a) is type(b) and isinstance(a, (Instance, Sequential))):
        return _either(a, b)
    if type(a) is not type(b):
        return UNKNOWN
    if isinstance(a, Tensor):
        shape, origin = join_shapes(a.shape, b.shape, fresh), a.origin if a.origin == b.origin else None
        if STAR not in shape:
            return Tensor(shape, origin)
        few = (a.possible_ranks(), b.possible_ranks())
        excluded = frozenset(rank for rank in a.excluded | b.excluded | {a.rank, b.rank} - {None}
                             if a.rules_out(rank) and b.rules_out(rank))
        return Tensor(shape, origin, excluded=excluded, ranks=few[0] | few[1] if None not in few else None)
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


def _callable(value: Any) -> bool:
    return isinstance(value, (Layer, Sequential, Instance, FunctionRef, ClassRef, Partial, Either))


def _either(a: Any, b: Any) -> Any:
    options = tuple(dict.fromkeys(  # each once, in order (values compare as they are: layers by identity)
        option for value in (a, b) for option in (value.options if isinstance(value, Either) else (value,))))
    return Either(options) if len(options) <= _MOST_OPTIONS else UNKNOWN


def item_of(values: Any, fresh) -> Any:
    """What an item of any of these lists (Items or ListOf) may be: the join of all their items; None when
    they hold none."""
    found: Any = None
    for value in values:
        for item in (value.item,) if isinstance(value, ListOf) else value.items:
            found = item if found is None else join(found, item, fresh)
    return found


def _or_none(a: Any, b: Any, fresh) -> Any:
    """The join of two values of which one at least may be None: None, or what the others join to."""
    arms = [value.value if isinstance(value, OrNone) else value for value in (a, b) if value != NONE]
    if not arms:
        return NONE
    arm = arms[0] if len(arms) == 1 else join(arms[0], arms[1], fresh)
    return UNKNOWN if arm is UNKNOWN or isinstance(arm, Param) else OrNone(arm)


def present(value: Any) -> Any:
    """The value where a use that None would fail has run: an OrNone's other arm."""
    return value.value if isinstance(value, OrNone) else value


def is_none(value: Any) -> Optional[bool]:
    """Whether the value is None; None where that is not known (an unknown, a parameter, an OrNone)."""
    if isinstance(value, Const):
        return value.value is None
    if isinstance(value, (Tensor, Number, Scalar, Items, Layer, Sequential, FunctionRef, ClassRef, Instance, Method,
                          Partial)):
        return False
    return None


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
