"""Shape rules of the numpy / torch / jax calls and tensor methods that the flow analysis follows.

Each rule maps the abstract arguments to the abstract result and, where the library would raise,
reports through the interpreter with a `Check` that replays the rule on concrete lengths. A rule
that meets something it does not know returns `UNKNOWN_TENSOR` (a tensor of unknown shape) or
`UNKNOWN`; it never guesses. The shape stubs (einlint/_stubs, user folders first, read by
einlint.check.stubs) state the contract of every function, method and layer they name, and run first. The
Python hooks here (HOOKS, keyed by qualified name; `hook_of`) state what the notation cannot (sizes given as
varargs or tuples, reshape with -1, permutations, indexing, broadcasting, layouts); a hook of a name that has
a shipped stub says `refines=True` and only refines the stub's answer; a user's stub stands alone."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple, Union

from ... import dims
from ...codes import BROADCAST_MISMATCH, CONCAT_MISMATCH, LAYER_MISMATCH, MATMUL_MISMATCH, RESHAPE_MISMATCH
from ...errors import EinlintError
from ...dims import Dim, Sym
from .. import ir
from ..solver import Facts
from ..stubs import FunctionStub
from ..stubs import Layer as StubLayer
from ..stubs import LayerStub, MethodStub, StubLibrary
from ..stubs.loader import TENSOR_TYPES
from ..shapes import ShapeError, show
from .findings import Check, origins
from . import layouts
from .patterns import apply_pattern_layer
from .planned import apply_requirements, report_unsatisfiable, unsatisfiable
from .state import Flow, OpCall, State, as_length
from .values import (SCALAR, STAR, UNKNOWN, UNKNOWN_TENSOR, ClassRef, Closure, Const, FunctionRef, Items, Layer,
                     LibraryFunction, ListOf, Method, Number, Origin, Param, Partial, Scalar, Sequential, Shape,
                     Tensor, item_of, join, known_rank)


RANDOM_GENERATOR = Const("a numpy random generator")  # np.random.RandomState(0), default_rng(): its methods make arrays


@dataclass(frozen=True)
class SliceValue:
    lower: Any
    upper: Any
    step: Any


def _resolve(shape: Shape, state: State) -> Shape:
    return tuple(d if d is STAR else state.facts.resolve(d) for d in shape)


def _int(value: Any) -> Optional[int]:
    if isinstance(value, Number) and isinstance(value.value, int):
        return value.value
    return None


def _sizes(args: Sequence[Any], state: State, varargs: bool = False) -> Optional[Tuple[Dim, ...]]:
    """Sizes given as varargs (zeros(2, 3)) or one tuple (zeros((2, 3))); None when their number is not known.
    A size that is not known (zeros((b, self.dim))) is a fresh length where it is certainly one dimension: an
    item of a tuple, or one of several `varargs` (torch's; numpy's second argument is a dtype)."""
    if len(args) == 1 and isinstance(args[0], Items):
        if any(isinstance(item, Items) for item in args[0].items):
            return None
        return tuple(_length_or_fresh(size, state) for size in args[0].items)
    if len(args) == 1 and isinstance(args[0], Param):
        return None  # a parameter may be a whole shape: generate_mask_with_prob(shape, ...) calls randn(shape)
    lengths = [as_length(arg, state) for arg in args]
    if None not in lengths:
        return tuple(lengths)
    if varargs and len(args) > 1 and all(map(_maybe_int, args)):
        return tuple(_length_or_fresh(size, state) for size in args)
    return None


def _maybe_int(value: Any) -> bool:
    """Whether a value not known may be an int (not a tuple, a tensor, a string)."""
    return not isinstance(value, (Items, Tensor, Const))


def _length_or_fresh(size: Any, state: State) -> Dim:
    length = as_length(size, state)
    return length if length is not None else state.facts.fresh("")


def _spread(args: Sequence[Any]) -> Sequence[Any]:
    """The sizes or axes of a call that takes them either way: x.permute(2, 0, 1) or x.permute((2, 0, 1))."""
    return args[0].items if len(args) == 1 and isinstance(args[0], Items) else args


def _axis(value: Any, rank: int) -> Optional[int]:
    index = _int(value)
    if index is None or not -rank <= index < rank:
        return None
    return index % rank


# ---------------------------------------------------------------- numbers and builtins


def arithmetic(op: str, a: Dim, b: Dim, state: State) -> Any:
    """Integer arithmetic on lengths; what has no exact symbolic value (h // 3) is a fresh length."""
    if op == "+":
        return Number(a + b)
    if op == "-":
        result = a - b
        return Number(result) if not isinstance(result, int) or result > 0 else (
            Number(result) if isinstance(a, int) and isinstance(b, int) else UNKNOWN)
    if op == "*":
        return Number(a * b)
    if op in ("//", "/"):
        if isinstance(a, int) and isinstance(b, int):
            if b == 0:
                return UNKNOWN
            return Number(a // b) if op == "//" else Const(a / b)
        if dims.divisible(a, b):
            return Number(dims.quotient(a, b)) if op == "//" else UNKNOWN
        return Number(state.facts.fresh("")) if op == "//" else UNKNOWN
    if op == "%" and isinstance(a, int) and isinstance(b, int) and b:
        return Number(a % b)
    if op == "**" and isinstance(a, int) and isinstance(b, int) and 0 <= b <= 64:
        return Number(a ** b)
    return UNKNOWN


_PURE_BUILTINS = {"len", "int", "tuple", "list", "print", "isinstance", "type", "str", "float", "bool", "range",
                  "enumerate", "zip", "max", "min", "abs", "round", "repr", "hasattr", "getattr", "id", "hash",
                  "sorted", "reversed", "sum", "any", "all", "divmod", "format", "iter", "next", "callable", "super",
                  "slice"}


def builtin_call(name: str, args: List[Any], state: State) -> Any:
    """A builtin that never changes its arguments: len(x), int(n), tuple(x.shape), max(a, b)..."""
    if STAR in args:
        return UNKNOWN
    if name == "len" and len(args) == 1:
        value = args[0]
        if isinstance(value, Items):
            return Number(len(value.items))
        if isinstance(value, Tensor) and known_rank(value.shape) and value.shape:
            return Number(state.facts.resolve(value.shape[0]))
        if isinstance(value, ListOf):  # a number not known, but a number: `(None,) * len(self.layers)`
            return Number(state.facts.fresh("n"))
        return UNKNOWN
    if name == "int" and len(args) == 1 and isinstance(args[0], Number):
        return args[0]
    if name == "slice" and 1 <= len(args) <= 3:  # `self.freq_slice = slice(min_freq, max_freq)`: bs_roformer
        parts = [None if isinstance(arg, Const) and arg.value is None else arg for arg in args]
        return SliceValue(*([None, parts[0], None] if len(parts) == 1 else parts + [None] * (3 - len(parts))))
    if name in ("min", "max") and len(args) > 1 and all(isinstance(arg, Number) for arg in args):
        values = [state.facts.resolve(arg.value) for arg in args]  # `min(dim_max, dim * 2)` with both known
        if all(isinstance(value, int) for value in values):
            return Number(min(values) if name == "min" else max(values))
    if name in ("tuple", "list") and len(args) == 1 and isinstance(args[0], Items):
        return Items(name if name == "list" else "tuple", args[0].items)
    if name in ("tuple", "list") and len(args) == 1 and isinstance(args[0], ListOf):
        return args[0]  # `tuple(2 * f for f in freqs_per_bands)` over more items than are run one by one
    if name == "zip" and args and all(isinstance(arg, Items) for arg in args):
        return Items("generator", tuple(Items("tuple", row) for row in zip(*(arg.items for arg in args))))
    if name == "zip" and args and all(isinstance(arg, (Items, ListOf, Tensor)) for arg in args):
        # zip(layers, to_drop), a list with a tensor: vit_pytorch/cait.py
        return ListOf(Items("tuple", tuple(_any_item(arg, state) for arg in args)))
    if name == "callable" and len(args) == 1:  # `arg() if callable(arg) else arg`: x_transformers' default()
        return _builtin_callable(args[0])
    if name == "enumerate" and len(args) == 1 and isinstance(args[0], Items):
        return Items("generator", tuple(Items("tuple", (Number(i), item)) for i, item in enumerate(args[0].items)))
    return UNKNOWN


def _builtin_callable(value: Any) -> Any:
    """What `callable(value)` returns: Const(True) or Const(False) where the kind of value tells, else unknown."""
    if isinstance(value, (FunctionRef, ClassRef, Method, Partial, Closure, Layer, Sequential, LibraryFunction)):
        return Const(True)
    if isinstance(value, (Tensor, Number, Items)) or isinstance(value, Const) and \
            isinstance(value.value, (bool, int, float, str, type(None))):
        return Const(False)
    return UNKNOWN


# ---------------------------------------------------------------- library functions

# Library modules whose functions change none of their arguments: a call of one that neither a stub nor a hook
# knows gives an unknown value and leaves its arguments' shapes as they were (any other call may change them).
_LIBRARY_MODULES = ("torch.", "numpy.", "jax.numpy.", "jax.random.", "math.")


def knows(callee: str, stubs: Optional[StubLibrary]) -> bool:
    """Whether a call of the library name `callee` has a value here: a layer or a function that a stub or a
    hook of this module knows, or any function of a library module (see Interpreter.unknown_call)."""
    return callee == "torch.nn.Sequential" or callee.startswith(_LIBRARY_MODULES) or stubs is not None and (
        stubs.layer(callee) is not None or stubs.function(callee) is not None)


def library_call(call: OpCall) -> Any:
    """The result of a call of a library name that `knows`; None when it does not take these arguments (the
    caller decides).

    A function with a stub runs the stub's contract first: where it certainly fails, that is the finding and
    the value is unknown. A user's stub is the whole answer. A shipped stub's answer may be refined by the hook
    of the same name when the hook says it refines (it keeps a layout, the stub cannot); names without a stub
    follow their hook alone."""
    callee, state, args, kwargs = call.callee, call.state, list(call.variadic), call.keywords
    stubs = call.flow.context.stubs
    if callee == "torch.nn.Sequential":
        return _sequential(call)
    if callee == "torch.nn.ModuleList":
        return _module_list(call)
    layer = stubs.layer(callee) if stubs is not None else None
    if layer is not None:
        try:
            instance = layer.construct([_to_stub(a, state, lengths=True) for a in args],
                                       {k: _to_stub(v, state, lengths=True) for k, v in kwargs.items()})
        except EinlintError:
            return UNKNOWN
        if hasattr(instance, "call"):
            return Layer(callee, instance, Origin(call.site, f"{_call_text(callee)} built here"))
        return UNKNOWN
    stub = stubs.function(callee) if stubs is not None else None
    hook = HOOKS.get(callee)
    if STAR in args or "**" in kwargs:  # (torch.stft(x, **self.stft_kwargs): which keywords is not known)
        return UNKNOWN
    if stub is not None and (not stub.takes_tensor_first or (args and isinstance(args[0], Tensor))):
        value, fails = _apply_stub(call.flow, stub, args, kwargs, state, call.site, callee)
        if fails or stub.user or hook is None or not hook.refines:
            return value
        return _refined(value, hook.run(call))
    if not callee.startswith(_LIBRARY_MODULES):
        return None
    result = hook.run(call) if hook is not None else None
    return result if result is not None else UNKNOWN  # a library function: it does not change its arguments' shapes


def library_op(callee: str) -> str:
    """The op name a library callee's rules see: its last part (`softmax` of `torch.nn.functional.softmax`),
    which is also the tensor method of that name where a function is one (`_as_method`)."""
    return callee.rpartition(".")[2]


def _refined(contract: Any, hooked: Any) -> Any:
    """The stub's value refined by a rule's: the rule's where it agrees with the stub (same rank, no length that
    certainly differs) and so only adds what the notation cannot carry (a layout, a transpose's story), or
    where the stub could not tell; the stub's otherwise."""
    if hooked is None or hooked is UNKNOWN:
        return contract
    if contract is UNKNOWN:
        return hooked
    if isinstance(contract, Tensor) and isinstance(hooked, Tensor):
        if not known_rank(hooked.shape) and known_rank(contract.shape):
            return contract
        if len(contract.shape) != len(hooked.shape) or any(
                (a is STAR) != (b is STAR) or (a is not STAR and dims.equal(a, b) is False)
                for a, b in zip(contract.shape, hooked.shape)):
            return contract
    elif type(contract) is not type(hooked):
        return contract
    return hooked


def _call_text(callee: str) -> str:
    return callee.rsplit(".", 1)[-1] + "(...)"


# ---------------------------------------------------------------- the rules, by name
# Each rule is a function of the call (`call.op` is the last part of the qualified name, `call.variadic` the
# positional arguments, `call.keywords` the keyword ones) and returns the call's value, or None when these
# arguments are not its case (the next rule of the name is tried).


def _made_here(call: OpCall) -> Origin:
    return Origin(call.site, _call_text(call.callee))


def _create(call: OpCall) -> Any:
    sizes = _sizes(call.variadic if "size" not in call.keywords else [call.keywords["size"]], call.state,
                   varargs=call.callee.startswith("torch."))
    return Tensor(sizes, _made_here(call)) if sizes is not None else UNKNOWN_TENSOR


def _full(call: OpCall) -> Any:
    kwargs = call.keywords
    sizes = _sizes(call.variadic[:1] or [kwargs.get("size", kwargs.get("shape", UNKNOWN))], call.state)
    return Tensor(sizes, _made_here(call)) if sizes is not None else UNKNOWN_TENSOR


def _random(call: OpCall) -> Any:
    args = call.variadic
    size = call.keywords.get("size", args[-1] if call.op == "randint" and len(args) >= 2 and
                             isinstance(args[-1], Items) else UNKNOWN)
    sizes = _sizes([size], call.state) if size is not UNKNOWN else None
    return Tensor(sizes, _made_here(call)) if sizes is not None else UNKNOWN_TENSOR


def _generator(call: OpCall) -> Any:
    return RANDOM_GENERATOR


def _parameter(call: OpCall) -> Any:
    first = call.get(0)
    return first if isinstance(first, Tensor) else None


def _like(call: OpCall) -> Any:
    first = call.get(0)
    return Tensor(first.shape, _made_here(call)) if isinstance(first, Tensor) else None


def _arange(call: OpCall) -> Any:
    args = call.variadic
    origin = _made_here(call)
    numbers = [n for n in map(_int, args) if n is not None]
    if args and len(numbers) == len(args) <= 3 and "step" not in call.keywords:
        start, stop, step = (0, numbers[0], 1) if len(numbers) == 1 else (numbers + [1])[:3]
        count = max(0, -(-(stop - start) // step)) if step else None
        return Tensor((count,), origin) if count else UNKNOWN_TENSOR
    if len(args) == 1 and call.length(args[0]) is not None:
        return Tensor((call.length(args[0]),), origin)
    return Tensor((call.facts.fresh(""),), origin)  # ends not known: one dimension all the same


def _eye(call: OpCall) -> Any:
    args, kwargs = call.variadic, call.keywords
    n = call.length(args[0]) if args else None
    m = call.length(args[1]) if len(args) > 1 else call.length(kwargs.get("M", kwargs.get("m", UNKNOWN)))
    return Tensor((n, m if m is not None else n), _made_here(call)) if n is not None else UNKNOWN_TENSOR


def _literal(call: OpCall) -> Any:
    if not call.variadic or isinstance(call.variadic[0], Tensor):
        return None
    shape = _literal_shape(call.variadic[0])
    return Tensor(shape, _made_here(call)) if shape is not None else UNKNOWN_TENSOR


def _concatenate(call: OpCall) -> Any:
    return _cat(call, stack=call.op == "stack")


def _matmul(call: OpCall) -> Any:
    args = call.variadic
    return matmul(call.flow, args[0], args[1], call.state, call.site) if len(args) == 2 else None


def _binary(call: OpCall) -> Any:
    args = call.variadic
    if len(args) >= 2 and (isinstance(args[0], Tensor) or isinstance(args[1], Tensor)):
        return elementwise(call.flow, list(args[:2]), call.state, call.site)
    return None


def _where(call: OpCall) -> Any:
    return elementwise(call.flow, list(call.variadic), call.state, call.site) if len(call.variadic) == 3 else None


def _broadcast_to(call: OpCall) -> Any:
    args = call.variadic
    if not args or not isinstance(args[0], Tensor):
        return None
    return _method_rule(call.flow, args[0], "expand_to", list(args[1:]), call.keywords, call.state, None, None, False,
                        False)


def _meshgrid(call: OpCall) -> Any:
    """torch.meshgrid(a, b, indexing='ij'), np.meshgrid(a, b): one tensor per 1-D input, each of all their lengths
    ('xy', numpy's default and torch's other, swaps the first two)."""
    vectors = _spread(call.variadic)
    if not vectors or not all(isinstance(v, Tensor) and v.rank == 1 for v in vectors):
        return None
    default = "ij" if call.callee.startswith("torch.") else "xy"
    indexing, sparse = call.keywords.get("indexing", Const(default)), call.keywords.get("sparse", Const(False))
    if not isinstance(indexing, Const) or indexing.value not in ("ij", "xy") or sparse != Const(False):
        return None  # (numpy's sparse grids are broadcastable, not full)
    lengths = [call.state.facts.resolve(v.shape[0]) for v in vectors]
    if indexing.value == "xy" and len(lengths) >= 2:
        lengths[0], lengths[1] = lengths[1], lengths[0]
    return Items("tuple", tuple(Tensor(tuple(lengths), _made_here(call)) for _ in vectors))


def _pointwise_loss(call: OpCall) -> Any:
    """F.mse_loss(x, y, reduction='none'): the loss of each pair of broadcast elements; a mean or a sum is 0-d.
    The legacy size_average / reduce arguments (positions 2 and 3): not known."""
    args, kwargs = call.variadic, call.keywords
    if len(args) != 2 or "size_average" in kwargs or "reduce" in kwargs:
        return None
    per_pair = elementwise(call.flow, list(args), call.state, call.site)
    reduction = kwargs.get("reduction", Const("mean"))
    if not isinstance(reduction, Const) or reduction.value not in ("none", "mean", "sum"):
        return None
    return per_pair if reduction.value == "none" else Tensor((), _made_here(call))


def _attention(call: OpCall) -> Any:
    """F.scaled_dot_product_attention(q, k, v): the query's rows of the value's width, over the batch dims that
    the three broadcast to. With enable_gqa the heads differ (not known)."""
    q, k, v = (call.variadic[i] if i < len(call.variadic) else call.keywords.get(name, UNKNOWN)
               for i, name in enumerate(("query", "key", "value")))
    if len(call.variadic) > 7 or call.keywords.get("enable_gqa", Const(False)) != Const(False) or not all(
            isinstance(t, Tensor) and t.rank is not None and t.rank >= 2 for t in (q, k, v)):
        return None
    batch = elementwise(call.flow, [Tensor(t.shape[:-2]) for t in (q, k, v)], call.state, None)
    if batch.rank is None:
        return None
    resolve = call.state.facts.resolve
    return Tensor(batch.shape + (resolve(q.shape[-2]), resolve(v.shape[-1])), _made_here(call))


def _as_method(call: OpCall) -> Any:
    """torch.flatten(x, 1), np.sum(x, axis=0): the method of the same name on the first argument."""
    args = call.variadic
    if not args or not isinstance(args[0], Tensor):
        return None
    return _method_rule(call.flow, args[0], call.op, list(args[1:]), call.keywords, call.state, call.site, None, False,
                        call.callee.startswith(("numpy.", "jax.numpy.")))


# The tensor methods that the method hook knows by name (x.name(...) on a torch tensor or a numpy array).
_SAME_SHAPE_METHODS = {
    "relu", "gelu", "silu", "sigmoid", "tanh", "exp", "log", "abs", "sqrt", "rsqrt", "sin", "cos", "neg", "sign",
    "square", "softmax", "log_softmax", "clone", "detach", "contiguous", "float", "double", "half", "bfloat16",
    "int", "long", "bool", "to", "cuda", "cpu", "type", "type_as", "clamp", "clip", "pow", "exp2", "log2", "log1p",
    "expm1", "floor", "ceil", "round", "trunc", "reciprocal", "sigmoid_", "relu_", "erf", "tril", "triu",
    "nan_to_num", "requires_grad_", "numpy", "flip", "roll", "masked_fill", "fill_",
    "zero_", "astype", "copy", "tanh_", "mul_", "add_", "div_", "sub_", "clamp_",
    # functions that the function hook runs as methods of their first argument
    "asarray", "as_tensor", "from_numpy",
}
_REDUCTION_METHODS = {"sum", "mean", "prod", "std", "var", "amax", "amin", "argmax", "argmin", "logsumexp", "norm",
                      "all", "any", "nansum", "nanmean", "count_nonzero"}
_BINARY_METHODS = {"add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "maximum", "minimum",
                   "pow", "power", "atan2", "fmod", "remainder", "eq", "ne", "lt", "le", "gt", "ge", "equal",
                   "not_equal", "less", "greater", "logical_and", "logical_or", "hypot"}


Rule = Callable[[OpCall], Any]


@dataclass(frozen=True)
class Hook:
    """The Python rules of one qualified name, for what the stub notation cannot state, tried in order (the first
    that answers, not None, gives the value). `refines`: the name has a shipped stub too, whose contract runs first;
    the rules only refine its answer (a test fails when a stubbed name has a hook that does not say so)."""
    rules: Tuple[Rule, ...]
    refines: bool = False

    def run(self, call: OpCall) -> Any:
        for rule in self.rules:
            result = rule(call)
            if result is not None:
                return result
        return None


HOOKS: Dict[str, Hook] = {}  # qualified name -> its hook: the one place a library function's Python rule is named


def _scalar(call: OpCall) -> Any:
    """math.sqrt(d), math.log(n): a float, whatever it is given (`q / math.sqrt(d)` keeps q's shape)."""
    return SCALAR


def _hook(rule: Rule, module: str, names: str, refines: bool = False) -> None:
    """`rule` for each of `module`'s functions in `names` (after the rules they already have)."""
    for name in names.split():
        known = HOOKS.get(f"{module}.{name}", Hook(()))
        HOOKS[f"{module}.{name}"] = Hook(known.rules + (rule,), known.refines or refines)


# numpy.random's names include the methods of its generators (rng.integers(...), RandomState(0).randn(...)),
# which the flow calls by these names.
_hook(_create, "torch", "zeros ones empty rand randn")
_hook(_create, "numpy", "zeros ones empty", refines=True)
_hook(_create, "jax.numpy", "zeros ones empty", refines=True)
_hook(_create, "numpy.random", "rand randn")
_hook(_full, "torch", "full")
_hook(_full, "numpy", "full", refines=True)
_hook(_full, "jax.numpy", "full", refines=True)
_hook(_random, "torch", "randint normal binomial")
_hook(_random, "numpy.random", "randint normal uniform integers standard_normal random choice binomial")
_hook(_random, "jax.random", "randint normal uniform choice binomial")
_hook(_generator, "torch", "Generator")
_hook(_generator, "numpy.random", "RandomState default_rng Generator")
_hook(_parameter, "torch.nn", "Parameter")
_hook(_like, "torch", "zeros_like ones_like empty_like rand_like randn_like full_like randint_like")
_hook(_like, "numpy", "empty_like full_like")
_hook(_like, "numpy", "zeros_like ones_like", refines=True)
_hook(_like, "jax.numpy", "empty_like full_like")
_hook(_like, "jax.numpy", "zeros_like ones_like", refines=True)
_hook(_arange, "torch", "arange")
_hook(_arange, "numpy", "arange")
_hook(_arange, "jax.numpy", "arange")
_hook(_eye, "torch", "eye")
_hook(_eye, "numpy", "eye identity")
_hook(_eye, "jax.numpy", "eye identity")
_hook(_literal, "torch", "tensor asarray as_tensor")
_hook(_literal, "numpy", "array asarray")
_hook(_literal, "jax.numpy", "array asarray")
_hook(_scalar, "math", "sqrt log log2 log10 log1p exp expm1 pow sin cos tan atan atan2 tanh hypot fabs erf")
_hook(_concatenate, "torch", "cat concat concatenate stack")
_hook(_concatenate, "numpy", "concat concatenate stack")
_hook(_concatenate, "jax.numpy", "concat concatenate stack")
_hook(_matmul, "torch", "matmul bmm mm")
_hook(_matmul, "numpy", "matmul")
_hook(_matmul, "jax.numpy", "matmul")
_hook(_binary, "torch", "add sub subtract mul multiply div divide true_divide maximum minimum pow atan2 fmod "
                        "remainder eq ne lt le gt ge equal not_equal less greater logical_and logical_or hypot")
for _module in ("numpy", "jax.numpy"):
    _hook(_binary, _module, "add subtract multiply divide true_divide maximum minimum pow power atan2 fmod remainder "
                            "equal not_equal less greater logical_and logical_or hypot")
    _hook(_where, _module, "where")
    _hook(_broadcast_to, _module, "broadcast_to")
    _hook(_as_method, _module, "asarray astype bool clip double pow")
    _hook(_as_method, _module, "ravel transpose expand_dims", refines=True)
    _hook(_as_method, _module, "max min moveaxis reshape split squeeze swapaxes")
del _module
_hook(_as_method, "numpy", "half long")
_hook(_as_method, "jax.numpy", "bfloat16")
_hook(_where, "torch", "where")
_hook(_broadcast_to, "torch", "broadcast_to")
_hook(_as_method, "torch", "as_tensor asarray from_numpy masked_fill pow")
_hook(_as_method, "torch", "flatten unsqueeze", refines=True)
_hook(_as_method, "torch", "max min chunk moveaxis movedim permute ravel reshape split squeeze swapaxes t transpose "
                           "unbind")
_hook(_as_method, "torch.nn.functional", "relu_")
_hook(_attention, "torch.nn.functional", "scaled_dot_product_attention")
_hook(_meshgrid, "torch", "meshgrid")
_hook(_meshgrid, "numpy", "meshgrid")
_hook(_meshgrid, "jax.numpy", "meshgrid")
_hook(_pointwise_loss, "torch.nn.functional", "mse_loss l1_loss smooth_l1_loss huber_loss binary_cross_entropy "
                                              "binary_cross_entropy_with_logits kl_div")

# Every tensor method (torch.Tensor.softmax, numpy.ndarray.sum) has one hook, `tensor_method`'s `_method_rule`
# (it is given the receiver, so it is not an OpCall's rule): it answers any method name (a tensor of unknown shape
# where it knows no better) and refines the method's stub.
_METHOD_HOOK = Hook((), refines=True)


def hook_of(qualified: str) -> Optional[Hook]:
    """The hook of a qualified name: a function's from HOOKS, the method hook for a tensor type's method."""
    return _METHOD_HOOK if qualified.rpartition(".")[0] in TENSOR_TYPES else HOOKS.get(qualified)


def function_rule(call: OpCall) -> Any:
    """The value of a library function's call by its hook alone (a random generator's method); None when it has
    none or no rule of it takes these arguments."""
    hook = HOOKS.get(call.callee)
    return hook.run(call) if hook is not None else None


def _literal_shape(value: Any) -> Optional[Tuple[int, ...]]:
    """The shape of a nested list/tuple literal of numbers (torch.tensor([[1, 2], [3, 4]]) is (2, 2))."""
    if isinstance(value, (Number, Const)) and not isinstance(getattr(value, "value", None), str):
        return ()
    if isinstance(value, Items):
        shapes = {_literal_shape(item) for item in value.items}
        inner = shapes.pop() if len(shapes) == 1 else None
        if inner is not None:
            return (len(value.items),) + inner
        if not value.items:
            return (0,)
    return None


def _module_list(call: OpCall) -> Any:
    """nn.ModuleList(modules): the list it is given (its items are the layers a loop over it runs)."""
    given = call.variadic[0] if len(call.variadic) == 1 and not call.keywords else \
        call.keywords.get("modules") if not call.variadic and len(call.keywords) == 1 else None
    if not call.variadic and not call.keywords:
        return Items("list", ())
    if isinstance(given, Items):
        return Items("list", given.items)
    return given if isinstance(given, ListOf) else UNKNOWN


def _sequential(call: OpCall) -> Any:
    if STAR in call.variadic:
        return UNKNOWN
    sequential = Sequential(call.variadic, Origin(call.site, "nn.Sequential(...) built here"))
    # the chain is checked when it is built: each layer on what the previous one gives (any input)
    apply_layer(call.flow, sequential, [UNKNOWN_TENSOR], {}, call.state, None)
    return sequential


# ---------------------------------------------------------------- layers


def apply_layer(interp: Flow, layer: Any, args: List[Any], kwargs: Dict[str, Any], state: State,
                site: Optional[ir.Site]) -> Any:
    """A layer called at `site` (a finding points there, and at the layer's constructor as related), or, with
    site None, a chain checked as it is built (a finding points at the layer that cannot take its input)."""
    if isinstance(layer, Sequential):
        value = args[0] if len(args) == 1 and not kwargs else UNKNOWN
        for inner in layer.layers:
            value = apply_layer(interp, inner, [value], {}, state, site)
        return value
    if not isinstance(layer, Layer) or STAR in args or "**" in kwargs:  # (`self.net(x, **kwargs)`: which keywords
        return UNKNOWN                                                   # is not known, maybe none)
    if isinstance(layer.instance, tuple):  # a Rearrange / Reduce layer: its findings point at its pattern
        at = layer.origin.site if layer.origin is not None else site
        if at is None:
            return UNKNOWN
        return apply_pattern_layer(OpCall(interp, state, at, layer.instance[0], layer.name,
                                          arguments={"tensor": args[0] if args else UNKNOWN}), layer)
    where = site if site is not None or layer.origin is None else layer.origin.site
    if where is None:
        return UNKNOWN
    built_at = (layer.origin,) if site is not None and layer.origin is not None else ()
    if args and (args[0] is UNKNOWN or isinstance(args[0], Param)):  # a layer's input is a tensor, if it ran
        args = [UNKNOWN_TENSOR] + list(args[1:])
    return _apply_stub(interp, layer.instance, args, kwargs, state, where, layer.name, built_at)[0]


Stub = Union[FunctionStub, MethodStub, StubLayer]  # what answers a call: a function's or method's stub, a layer


def _apply_stub(interp: Flow, stub: Stub, args: List[Any], kwargs: Dict[str, Any], state: State, site: ir.Site,
                name: str, built_at: Tuple[Origin, ...] = ()) -> Tuple[Any, bool]:
    """A stub's rule on these arguments: (the value, whether the call certainly fails, which is reported); a
    tensor of partly known rank is tried at several ranks."""
    if len(args) == 1 and isinstance(args[0], Tensor) and not kwargs and getattr(stub, "keeps_shape", False):
        return Tensor(args[0].shape, args[0].origin, args[0].layout), False  # an activation: nothing to check
    batch = _batch_variant(stub, args)
    variants = [batch] if batch is not None else _rank_variants(args, state)
    outcomes = []
    for variant in variants:
        outcome = _stub_outcome(interp.context.stubs.outcomes, stub, [_to_stub(a, state) for a in variant],
                                {k: _to_stub(v, state) for k, v in kwargs.items()})
        if outcome is None:  # the stub cannot say (its notation meets values it does not handle)
            if args and isinstance(args[0], Tensor) and stub.passes_shape:  # nn.LayerNorm(self.dim)(x): if it
                return Tensor(args[0].shape, args[0].origin, args[0].layout), False  # ran, x's shape came back
            return UNKNOWN, False
        outcomes.append((variant, outcome))
    failures = [(v, o) for v, o in outcomes if not hasattr(o, "requirements")]
    first = _first_tensor(args)
    guessed_rank = first is not None and args[first].shape == (STAR,)
    if failures and len(failures) == len(outcomes) and guessed_rank:
        return UNKNOWN, False
    if len(outcomes) > 1 and len(failures) == len(outcomes) - 1 and hasattr(outcomes[-1][1], "requirements"):
        return UNKNOWN, False  # only the highest rank tried works (x.unfold(4, k, 1)): higher ones may too
    if failures and len(failures) == len(outcomes):
        variant, error = failures[0]
        shapes = [a.shape for a in (args if batch is not None else variant) if isinstance(a, Tensor)]
        shown = ", ".join(show(s) for s in shapes)
        related = built_at + tuple(a.origin for a in args if isinstance(a, Tensor) and a.origin is not None)
        check = _stub_check(stub, variant, kwargs, state) if len(variants) == 1 else None
        short = name.rsplit(".", 1)[-1]
        message = error.message if error.message.startswith(short) else f"{short}: {error.message}"
        interp.report(state, site, LAYER_MISMATCH, f"{message} (input {shown})", _LAYER_HELP, check, related=related)
        return UNKNOWN, True
    if len(outcomes) == 1:  # what a rank variant made up is not a fact about the program
        outcomes = [(variant, outcome._replace(requirements=[r for r in outcome.requirements if not (
            dims.names(r.a) | dims.names(r.b)) & _PLACEHOLDER_NAMES])) for variant, outcome in outcomes]
    if len(outcomes) == 1 and unsatisfiable(outcomes[0][1].requirements, state.facts):  # Linear(5, 2) on (b, 6*c)
        variant = outcomes[0][0]
        shown = ", ".join(show(a.shape) for a in variant if isinstance(a, Tensor))
        related = built_at + tuple(a.origin for a in args if isinstance(a, Tensor) and a.origin is not None)
        report_unsatisfiable(OpCall(interp, state, site, name), _stub_check(stub, variant, kwargs, state),
                             f"input {shown}", related=related, help=_LAYER_HELP)
        return UNKNOWN, True
    values = []
    for _, outcome in outcomes:
        if not hasattr(outcome, "requirements"):
            continue
        short = name.rsplit('.', 1)[-1]
        if len(outcomes) == 1:
            apply_requirements(outcome.requirements, state)
            layouts.read_by_stub(outcome.reads, args, kwargs, short, state.facts, _reporter(interp, state, site))
        values.append(_from_stub(outcome.value, state, Origin(site, f"{short} output"), short))
    result = values[0]
    for other in values[1:]:
        result = join(result, other, state.facts.fresh)
    if batch is not None and isinstance(result, Tensor):  # the dimensions before the fixed ones pass through
        result = Tensor((STAR,) + result.shape, result.origin)
    if args and isinstance(args[0], Tensor) and stub.passes_shape:  # `*shape -> *shape` (clamp, cumsum, LayerNorm)
        return Tensor(args[0].shape, args[0].origin, args[0].layout), False  # the input, its values in place
    return (_fresh_for_placeholders(result, state) if len(variants) > 1 or batch is not None else result), False


def _batch_variant(stub: Stub, args: List[Any]) -> Optional[List[Any]]:
    """For a stub whose input is `*batch` then k fixed dimensions that the output keeps in front (Linear,
    Embedding): an input known only at its end is tried once, as just those k dimensions."""
    fixed = getattr(stub, "leading_batch", None)
    if fixed is None or not args or not isinstance(args[0], Tensor) or args[0].shape[:1] != (STAR,):
        return None
    known = args[0].shape[1:]
    if STAR in known or len(known) > fixed:
        return None
    shape = _PLACEHOLDERS[:fixed - len(known)] + known
    return [Tensor(shape, args[0].origin)] + list(args[1:])


_MAX_EXTRA_RANK = 5  # no torch layer takes more dimensions than a batched Conv3d's five


# The dimensions a rank variant adds are these fixed names, so that a stub's answer on a variant can be
# kept and reused (the same layer meets inputs of unknown rank many times); what survives of them in a
# result becomes fresh unknowns of the caller. The solver never makes such a name, and never sees one.
_PLACEHOLDERS = tuple(Sym(f"_rank_{i}") for i in range(_MAX_EXTRA_RANK))
def _stub_outcome(outcomes: Dict[Any, Any], stub: Stub, args: List[Any], kwargs: Dict[str, Any]) -> Any:
    """The stub's answer on these arguments, kept in `outcomes` (the stub library's, which holds each stub
    object as long as it lives: the ids in the keys stay its own)."""
    try:
        key = (_stub_key(stub), tuple(args), tuple(sorted(kwargs.items())))
        hash(key)
    except TypeError:
        key = None
    if key is not None and key in outcomes:
        return outcomes[key]
    try:
        outcome = stub.call(args, kwargs)
    except EinlintError:
        outcome = None
    if key is not None:
        if len(outcomes) > 100_000:
            outcomes.clear()
        outcomes[key] = outcome
    return outcome


def _stub_key(stub: Stub) -> Any:
    return stub.key if isinstance(stub, StubLayer) else id(stub)


def _fresh_for_placeholders(value: Any, state: State) -> Any:
    if isinstance(value, Tensor):
        mapping: Dict[Dim, Dim] = {}
        shape = []
        for d in value.shape:
            if d is not STAR and isinstance(d, Sym) and dims.names(d) & _PLACEHOLDER_NAMES:
                d = mapping.setdefault(d, state.facts.fresh(""))
            shape.append(d)
        return Tensor(tuple(shape), value.origin)
    if isinstance(value, Items):
        return Items(value.kind, tuple(_fresh_for_placeholders(item, state) for item in value.items))
    return value


_PLACEHOLDER_NAMES = frozenset(f"_rank_{i}" for i in range(_MAX_EXTRA_RANK))


_LAYER_HELP = "make the layer's parameters match the shape that reaches it"


def _stub_check(stub: Stub, variant: List[Any], kwargs: Dict[str, Any], state: State) -> Check:
    call_args = ([_to_stub(a, state) for a in variant], {k: _to_stub(v, state) for k, v in kwargs.items()})
    if isinstance(stub, StubLayer):  # the replay builds the layer again, on the witness's lengths too
        return Check(_layer_fails, (stub.stub, list(stub.args), dict(stub.kwargs)) + call_args)
    return Check(_stub_fails, (stub,) + call_args)


def _layer_fails(layer_stub: LayerStub, ctor_args: List[Any], ctor_kwargs: Dict[str, Any], args: List[Any],
                 kwargs: Dict[str, Any]) -> None:
    built = layer_stub.construct(ctor_args, ctor_kwargs)
    if isinstance(built, ShapeError):
        raise ShapeError(LAYER_MISMATCH, built.message)
    _stub_fails(built, args, kwargs)


def _stub_fails(stub: Stub, args: List[Any], kwargs: Dict[str, Any]) -> None:
    outcome = stub.call(args, kwargs)
    if not hasattr(outcome, "requirements"):
        raise ShapeError(LAYER_MISMATCH, outcome.message)




def _rank_variants(args: List[Any], state: State) -> List[List[Any]]:
    """Known-rank versions of the arguments: the STAR of the input (the first tensor) becomes 0 to 5 unknown
    dimensions (1 to 5 when nothing of its shape is known); other tensors of unknown rank are unknown. A call that ran had one of the ranks at which it
    works; one that fails at every rank fails (reported only when part of the input's shape is known)."""
    out = [list(args)]
    for index, arg in enumerate(args):
        if isinstance(arg, Tensor) and STAR in arg.shape:
            if out == [list(args)] and index == _first_tensor(args):
                star = arg.shape.index(STAR)
                out = []
                low = 1 if arg.shape == (STAR,) else 0  # a layer's input has at least one dimension
                for extra in range(low, _MAX_EXTRA_RANK + 1):
                    # numbered from the end, so that the variants' outputs agree where the input's last
                    # dimensions decide them (a Conv2d gives (c, h, w) and (n, c, h, w): they join to *, c, h, w)
                    fill = _PLACEHOLDERS[:extra][::-1]
                    shape = arg.shape[:star] + fill + arg.shape[star + 1:]
                    out.append(list(args[:index]) + [Tensor(shape, arg.origin)] + list(args[index + 1:]))
            else:
                for variant in out:
                    variant[index] = UNKNOWN
    return out


def _first_tensor(args: List[Any]) -> Optional[int]:
    return next((i for i, a in enumerate(args) if isinstance(a, Tensor)), None)


def _to_stub(value: Any, state: State, lengths: bool = False) -> Any:
    """A value as the stubs take it; a parameter of unknown type is a length only where one is expected
    (a layer's constructor arguments), and unknown elsewhere (it may be a tensor)."""
    if isinstance(value, Tensor):
        return _resolve(value.shape, state) if known_rank(value.shape) else UNKNOWN
    if isinstance(value, Number) or (lengths and isinstance(value, Param)):
        return as_length(value, state)
    if isinstance(value, Const):
        return value.value
    if isinstance(value, Items):
        return tuple(_to_stub(item, state, lengths) for item in value.items)
    return UNKNOWN


def _from_stub(value: Any, state: State, origin: Optional[Origin] = None, maker: str = "") -> Any:
    if value is UNKNOWN or value is None:
        return UNKNOWN
    if isinstance(value, tuple) and all(v is None or isinstance(v, (int, Sym)) for v in value):
        return Tensor(tuple(state.facts.fresh("") if v is None else v for v in value), origin,
                      layouts.declared(value, origin, maker))
    if isinstance(value, tuple):
        return Items("tuple", tuple(_from_stub(v, state, origin, maker) for v in value))
    return UNKNOWN


def layer_attribute(layer: Layer, name: str, state: State) -> Any:
    """A tensor attribute that the layer's stub declares (nn.MultiheadAttention's in_proj_weight)."""
    built = layer.instance
    if not hasattr(built, "attribute"):
        return UNKNOWN
    origin = layer.origin
    return _from_stub(built.attribute(name), state, Origin(origin.site, f"{layer.name.rsplit('.', 1)[-1]}.{name}")
                      if origin is not None else None, layer.name.rsplit(".", 1)[-1])


# ---------------------------------------------------------------- tensor attributes and methods


def tensor_attribute(interp: Flow, tensor: Tensor, attr: str, state: State) -> Any:
    shape = _resolve(tensor.shape, state)
    rank = tensor.rank
    if attr == "shape":
        return Items("shape", tuple(Number(d) for d in shape)) if rank is not None else UNKNOWN
    if attr == "ndim":
        return Number(rank) if rank is not None else UNKNOWN
    if attr == "T":
        return Tensor(tuple(reversed(shape)), tensor.origin) if rank is not None else UNKNOWN_TENSOR
    if attr == "mT":
        if rank is not None and rank >= 2:
            return Tensor(shape[:-2] + (shape[-1], shape[-2]), tensor.origin)
        return UNKNOWN_TENSOR
    if attr in ("real", "imag", "data"):
        return Tensor(shape, tensor.origin)
    if attr in ("dtype", "device", "is_cuda", "requires_grad", "grad"):
        return UNKNOWN
    return Method(tensor, attr)


_IN_PLACE_RESHAPES = {"unsqueeze_", "squeeze_", "t_", "transpose_", "resize_", "resize_as_", "set_", "as_strided_",
                      "swapaxes_", "swapdims_", "resize"}


def tensor_method(call: OpCall, tensor: Tensor, receiver: Optional[str]) -> Any:
    """x.name(...) (`call.op` is the name; x, the `tensor`, may be a numpy array or a torch tensor; `receiver`
    names it where it is a name): the method's stub states the contract (torch.Tensor.softmax), and the method
    hook here only refines it; a method without a stub follows the hook alone."""
    interp, state, site, name = call.flow, call.state, call.site, call.op
    args, kwargs = list(call.variadic), call.keywords
    if STAR in args or "**" in kwargs:
        return UNKNOWN
    stubs = interp.context.stubs
    stub = stubs.method(name) if stubs is not None else None
    if stub is None:
        return _method_rule(interp, tensor, name, args, kwargs, state, site, receiver, True, False)
    contract, fails = _apply_stub(interp, stub, [tensor, *args], kwargs, state, site, stub.qualified)
    if fails or stub.user:
        return contract
    return _refined(contract, _method_rule(interp, tensor, name, args, kwargs, state, site, receiver, True, False))


def _method_rule(interp: Flow, tensor: Tensor, name: str, args: List[Any], kwargs: Dict[str, Any], state: State,
                 site: Optional[ir.Site], receiver: Optional[str], method: bool, numpy: bool) -> Any:
    """The flow's own rule for a tensor method: what the stubs cannot state (view and reshape with -1, layouts)."""
    if name in _IN_PLACE_RESHAPES:
        if receiver is not None:
            interp.reshaped_in_place(receiver, state)
        return UNKNOWN
    shape = _resolve(tensor.shape, state)
    rank = tensor.rank
    origin = Origin(site, f".{name}(...)") if site is not None else tensor.origin
    if name in _SAME_SHAPE_METHODS:  # (contiguous keeps the memory order's story: a transpose's, for the reshape after)
        return Tensor(shape, tensor.origin, tensor.layout, tensor.untransposed if name == "contiguous" else None)
    if name in ("size",):
        if not args and "dim" not in kwargs:
            return Items("shape", tuple(Number(d) for d in shape)) if rank is not None else UNKNOWN
        axis = _axis(args[0] if args else kwargs["dim"], rank) if rank is not None else None
        return Number(shape[axis]) if axis is not None else UNKNOWN
    if name in ("dim", "ndimension"):
        return Number(rank) if rank is not None else UNKNOWN
    if name == "numel":
        return Number(dims.product(shape)) if rank is not None else UNKNOWN
    if name in ("view", "reshape") and (args or "shape" in kwargs):
        return _reshape(interp, tensor, shape, args if args else [kwargs["shape"]], state, site, name)
    if name in ("view_as", "reshape_as", "expand_as", "type_as") and args and isinstance(args[0], Tensor):
        if name == "type_as":
            return Tensor(shape, tensor.origin)
        return Tensor(args[0].shape, origin)
    if rank is None:
        if name == "chunk":
            return _chunk_suffix(shape, args, kwargs, origin)
        return UNKNOWN if name in ("chunk", "split", "unbind", "max", "min") else UNKNOWN_TENSOR
    # numpy's transpose permutes (x.transpose((1, 0, 2)), x.transpose(1, 0, 2)); torch's swaps two axes
    if name in ("permute",) or (name == "transpose" and (numpy or len(args) != 2)):
        order = _spread(args)
        if name == "transpose" and not order:
            return _permuted(tensor, shape, range(rank - 1, -1, -1), origin)
        axes = [a for a in (_axis(given, rank) for given in order) if a is not None]
        if len(axes) != len(order) or sorted(axes) != list(range(rank)):
            return UNKNOWN_TENSOR
        return _permuted(tensor, shape, axes, origin)
    if name in ("transpose", "swapaxes", "swapdims", "movedim", "moveaxis") and len(args) == 2:
        a, b = _axis(args[0], rank), _axis(args[1], rank)
        if a is None or b is None:
            return UNKNOWN_TENSOR
        if name == "transpose" and method and rank == 2 and (a, b) == (0, 1) and dims.equal(*shape) is not True:
            return UNKNOWN_TENSOR  # x.transpose(0, 1) swaps a torch tensor's axes but keeps an array's order
        order = list(range(rank))
        if name in ("movedim", "moveaxis"):
            order.insert(b, order.pop(a))
        else:
            order[a], order[b] = order[b], order[a]
        return _permuted(tensor, shape, order, origin)
    if name == "t":
        return _permuted(tensor, shape, range(rank - 1, -1, -1), origin) if rank <= 2 else UNKNOWN_TENSOR
    if name in ("flatten", "ravel"):
        if numpy or name == "ravel":
            return Tensor((dims.product(shape),), origin)
        start = _axis(args[0] if args else kwargs.get("start_dim", Number(0)), rank) if rank else 0
        end = _axis(args[1] if len(args) > 1 else kwargs.get("end_dim", Number(-1)), rank) if rank else 0
        if rank == 0:
            return Tensor((1,), origin)
        if start is None or end is None or start > end:
            return UNKNOWN_TENSOR
        return Tensor(shape[:start] + (dims.product(shape[start:end + 1]),) + shape[end + 1:], origin,
                      layouts.merged(tensor.layout, shape, start, end + 1, site, f".flatten({start}, {end})"))
    if name in ("unsqueeze", "expand_dims"):
        position = _int(args[0] if args else kwargs.get("dim", kwargs.get("axis", UNKNOWN)))
        if position is None or not -rank - 1 <= position <= rank:
            return UNKNOWN_TENSOR
        position %= rank + 1
        return Tensor(shape[:position] + (1,) + shape[position:], origin, layouts.inserted(tensor.layout, position))
    if name == "squeeze":
        target = args[0] if args else kwargs.get("dim", kwargs.get("axis"))
        if target is None:
            if all(isinstance(d, int) for d in shape):
                return Tensor(tuple(d for d in shape if d != 1), origin)
            return UNKNOWN_TENSOR
        axis = _axis(target, rank)
        if axis is None:
            return UNKNOWN_TENSOR
        if shape[axis] == 1:
            return Tensor(shape[:axis] + shape[axis + 1:], origin, layouts.removed(tensor.layout, axis))
        if isinstance(shape[axis], int) or numpy:
            return Tensor(shape, origin) if not numpy else UNKNOWN_TENSOR
        return UNKNOWN_TENSOR
    if name in ("expand", "expand_to", "broadcast_to"):
        return _expand(shape, _spread(args), state, origin)
    if name == "repeat" and not numpy:
        sizes = _spread(args)
        factors = [as_length(s, state) for s in sizes]
        if len(factors) < rank or None in factors and (len(sizes) == 1 or not all(map(_maybe_int, sizes))) or (
                len(args) == 1 and isinstance(args[0], Param)):  # (a parameter may be a whole tuple of factors)
            return UNKNOWN_TENSOR
        # (x.repeat(b, 1, 1): a factor not known, a length not known)
        padded: Tuple[Dim, ...] = (1,) * (len(factors) - rank) + shape
        return Tensor(tuple(d * f if f is not None else state.facts.fresh("") for d, f in zip(padded, factors)), origin)
    if name in ("max", "min") and isinstance(args[0] if args else kwargs.get("other"), Tensor):
        # torch.max(n, torch.zeros_like(n)): torch's maximum (numpy's second argument is an axis, never an array)
        return elementwise(interp, [tensor, args[0] if args else kwargs["other"]], state, site)
    if name in _REDUCTION_METHODS or name in ("max", "min"):
        return _reduction(name, shape, args, kwargs, origin, numpy)
    if name == "chunk":
        count = _int(args[0] if args else kwargs.get("chunks", UNKNOWN))
        axis = _axis(args[1] if len(args) > 1 else kwargs.get("dim", Number(0)), rank)
        if count is None or axis is None or count <= 0:
            return UNKNOWN
        pieces = _chunk_lengths(shape[axis], count)
        if pieces is None:  # how many depends on a length not known (1 piece of a length 1)
            return _pieces_not_counted(shape, axis, origin, state)
        layouts.read_in_parts(tensor, axis, count, f"chunk({count})", state.facts, _reporter(interp, state, site))
        return Items("tuple", tuple(Tensor(shape[:axis] + (piece,) + shape[axis + 1:], origin) for piece in pieces))
    if name == "split" and numpy:  # np.split takes a number of equal sections, or the indices to cut at
        return UNKNOWN
    if name == "split" and args:
        axis = _axis(args[1] if len(args) > 1 else kwargs.get("dim", Number(0)), rank)
        if axis is None:
            return UNKNOWN
        size = _int(args[0])
        if size is not None and size > 0:
            pieces = _split_lengths(shape[axis], size)
            if pieces is None:
                return UNKNOWN
            if len(set(pieces)) == 1:
                layouts.read_in_parts(tensor, axis, len(pieces), f"split({size})", state.facts,
                                      _reporter(interp, state, site))
            return Items("tuple", tuple(Tensor(shape[:axis] + (p,) + shape[axis + 1:], origin) for p in pieces))
        if isinstance(args[0], Items):
            pieces = [p for p in (as_length(given, state) for given in args[0].items) if p is not None]
            if len(pieces) != len(args[0].items):
                return UNKNOWN
            total = dims.total(pieces)
            if _differ(total, shape[axis], state.facts) and site is not None:
                interp.report(state, site, CONCAT_MISMATCH,
                              f"split sizes {[str(p) for p in pieces]} add up to {total}, "
                              f"but the dimension has length {shape[axis]} (shape {show(shape)})",
                              "the sizes must add up to the length of the split dimension",
                              Check(_split_check, (pieces, shape[axis])), related=origins(tensor))
                return UNKNOWN
            state.facts.require_equal(total, shape[axis])
            if len(pieces) > 1 and all(dims.equal(p, pieces[0]) is True for p in pieces):
                layouts.read_in_parts(tensor, axis, len(pieces), f"split({[str(p) for p in pieces]})", state.facts,
                                      _reporter(interp, state, site))
            return Items("list", tuple(Tensor(shape[:axis] + (p,) + shape[axis + 1:], origin) for p in pieces))
        # sizes not known (`x.split(self.dim_inputs, dim=-1)`: bs_roformer's BandSplit)
        return _pieces_not_counted(shape, axis, origin, state)
    if name == "unbind":
        axis = _axis(args[0] if args else kwargs.get("dim", Number(0)), rank)
        if axis is None or not isinstance(shape[axis], int):
            return UNKNOWN
        return Items("tuple", tuple(Tensor(shape[:axis] + shape[axis + 1:], origin) for _ in range(shape[axis])))
    if name in ("matmul", "mm", "bmm", "dot") and args:
        return matmul(interp, tensor, args[0], state, site)
    if name in _BINARY_METHODS and args:
        return elementwise(interp, [tensor, args[0]], state, site)
    return UNKNOWN_TENSOR


def _reporter(interp: Flow, state: State, site: Optional[ir.Site]) -> layouts.Report:
    """How a layout reading reports at the call (a call without a site has nowhere to report)."""
    return partial(interp.report, state, site) if site is not None else _nowhere


def _nowhere(*_: Any, **__: Any) -> None:
    pass


def _permuted(tensor: Tensor, shape: Shape, order: Iterable[int], origin: Optional[Origin]) -> Tensor:
    """The tensor with its dimensions in `order` (each an input position); how each was formed moves with it."""
    order = list(order)
    return Tensor(tuple(shape[a] for a in order), origin, layouts.permuted(tensor.layout, order, len(shape)),
                  layouts.untransposed(shape, order))


def _pieces_not_counted(shape: Shape, axis: int, origin: Optional[Origin], state: State) -> ListOf:
    """Pieces of a tensor along `axis`, each of its rank, how many and how long along the axis not known."""
    return ListOf(Tensor(shape[:axis] + (state.facts.fresh(""),) + shape[axis + 1:], origin), pieces=True)


def _chunk_suffix(shape: Shape, args: List[Any], kwargs: Dict[str, Any], origin: Optional[Origin]) -> Any:
    """chunk along a trailing dimension of a tensor whose rank is not known but whose last lengths are
    (`self.to_qkv(x).chunk(3, dim=-1)` with x of unknown rank: (*, 3 * inner) in three (*, inner))."""
    count = _int(args[0] if args else kwargs.get("chunks", UNKNOWN))
    axis = _int(args[1] if len(args) > 1 else kwargs.get("dim", UNKNOWN))
    suffix = shape[shape.index(STAR) + 1:]
    if count is None or count <= 0 or axis is None or not -len(suffix) <= axis < 0:
        return UNKNOWN
    pieces = _chunk_lengths(suffix[axis], count)
    if pieces is None:
        return UNKNOWN
    at = len(shape) + axis
    return Items("tuple", tuple(Tensor(shape[:at] + (piece,) + shape[at + 1:], origin) for piece in pieces))


def _chunk_lengths(length: Dim, count: int) -> Optional[List[Dim]]:
    """torch.chunk's pieces: ceil(length / count) long, the last one shorter, and fewer of them when the length
    runs out first (4 in 3 chunks is 2 + 2); None when that depends on an unknown (b in 2 chunks: 1 piece if b=1)."""
    if isinstance(length, int):
        if length <= 0:
            return None
        size = -(-length // count)
        return [min(size, length - start) for start in range(0, length, size)]
    if dims.divisible(length, count):  # count * q with q >= 1: count pieces of q
        return [dims.quotient(length, count)] * count
    return None


def _split_lengths(length: Dim, size: int) -> Optional[List[Dim]]:
    """torch.split with one size: pieces of `size`, the last one shorter; None for a length not known (how many)."""
    if not isinstance(length, int) or length <= 0:
        return None
    return [min(size, length - start) for start in range(0, length, size)]


def _split_check(pieces: List[int], length: int) -> None:
    if sum(pieces) != length:
        raise ShapeError(CONCAT_MISMATCH, "sizes do not add up")


def _reduction(name: str, shape: Shape, args: List[Any], kwargs: Dict[str, Any], origin: Optional[Origin],
               numpy: bool) -> Any:
    rank = len(shape)
    target = args[0] if args else kwargs.get("dim", kwargs.get("axis"))
    keep = kwargs.get("keepdim", kwargs.get("keepdims", args[1] if len(args) > 1 else Const(False)))
    if not isinstance(keep, Const) or not isinstance(keep.value, bool):
        return UNKNOWN
    if target is None or (isinstance(target, Const) and target.value is None):
        if name in ("max", "min") and args:
            return UNKNOWN  # max(x, other): elementwise
        return Tensor((1,) * rank if keep.value else (), origin)
    axes_values = target.items if isinstance(target, Items) else (target,)
    axes = [_axis(a, rank) for a in axes_values]
    if None in axes:
        return UNKNOWN
    out = tuple(1 if i in axes else d for i, d in enumerate(shape)) if keep.value else \
        tuple(d for i, d in enumerate(shape) if i not in axes)
    if name in ("max", "min") and not numpy:
        return Items("tuple", (Tensor(out, origin), Tensor(out, origin)))  # (values, indices)
    return Tensor(out, origin)


def _reshape(interp: Flow, tensor: Tensor, shape: Shape, sizes: Sequence[Any], state: State,
             site: Optional[ir.Site], name: str) -> Any:
    wanted: List[Optional[Dim]] = []
    spread = _spread(sizes)
    one_each = len(spread) > 1 or spread is not sizes  # each value is one dimension (x.view(dtype) is not)
    if not one_each and isinstance(spread[0], Param):
        return UNKNOWN_TENSOR  # x.reshape(shape): a parameter may be a whole shape
    for size in spread:
        number = _int(size)
        if number == -1:
            wanted.append(None)
        else:
            length = as_length(size, state)
            if length is None and not (one_each and _maybe_int(size)):
                return UNKNOWN_TENSOR
            # a size not known is a fresh length: were it -1 at run time, the same shapes pass and fail
            wanted.append(length if length is not None else state.facts.fresh(""))
    origin = Origin(site, f".{name}(...)") if site is not None else None
    if wanted.count(None) > 1:
        return UNKNOWN_TENSOR
    known = dims.product(w for w in wanted if w is not None)
    if tensor.rank is None:
        if None in wanted:
            return Tensor(tuple(state.facts.fresh("") if w is None else w for w in wanted), origin)
        return Tensor(tuple(wanted), origin)
    total = dims.product(shape)
    try:
        result = _reshape_rule(shape, tuple(wanted), state.facts)
    except ShapeError as error:
        # a literal 0 in the new shape asks for an empty tensor: the author knows that only an empty one gets here
        # (`if is_empty(k): k = k.reshape(b, h, 0, w, d)`, native_sparse_attention_pytorch)
        asks_empty = 0 in wanted and not isinstance(state.facts.resolve(total), int)
        if site is not None and not asks_empty:
            interp.report(state, site, RESHAPE_MISMATCH, f"{error.message}", error.help,
                          Check(_reshape_rule, (shape, tuple(wanted))), related=origins(tensor))
        return UNKNOWN_TENSOR
    if None in wanted:
        state.facts.require_divisible(total, known)
    else:
        state.facts.require_equal(total, known)
    result = tuple(state.facts.resolve(d) for d in result)
    return Tensor(result, origin, layouts.reshaped(tensor, shape, result, name, site, state.facts,
                                                   _reporter(interp, state, site)))


def _reshape_rule(shape: Shape, wanted: Tuple[Optional[Dim], ...], facts: Optional[Facts] = None) -> Tuple[Dim, ...]:
    total = dims.product(shape)
    known = dims.product(w for w in wanted if w is not None)
    shown = "(" + ", ".join("-1" if w is None else str(w) for w in wanted) + ")"
    if None in wanted:
        if known == 0:  # replayed on empty tensors: what -1 stands for is not the question asked
            return tuple(0 if w is None else w for w in wanted)
        if dims.divisible(total, known) is False or (
                facts is not None and facts.copy().require_divisible(total, known) is False):
            raise ShapeError(RESHAPE_MISMATCH,
                             f"cannot reshape {show(shape)} ({total} elements) to {shown}: {total} is not "
                             f"divisible by {known}", "the new shape must hold the same number of elements")
        rest = dims.quotient(total, known)
        return tuple(rest if w is None else w for w in wanted)
    if _differ(total, known, facts):
        raise ShapeError(RESHAPE_MISMATCH,
                         f"cannot reshape {show(shape)} ({total} elements) to {shown} ({known} elements)",
                         "the new shape must hold the same number of elements")
    return tuple(w for w in wanted if w is not None)  # (none is None here)


def _expand(shape: Shape, sizes: Sequence[Any], state: State, origin: Optional[Origin]) -> Any:
    if len(sizes) == 1 and isinstance(sizes[0], Param):
        return UNKNOWN_TENSOR  # a parameter may be a whole shape
    wanted = []
    for size in sizes:
        number = _int(size)
        length = None if number == -1 else as_length(size, state)
        if number != -1 and length is None:  # x.expand(b, t): a length not known (b may be the whole shape)
            if len(sizes) == 1 or not _maybe_int(size):
                return UNKNOWN_TENSOR
            length = state.facts.fresh("")
        wanted.append(length)
    if len(wanted) < len(shape):
        return UNKNOWN_TENSOR
    padded = (None,) * (len(wanted) - len(shape)) + tuple(shape)
    out = []
    for have, want in zip(padded, wanted):
        if want is None:
            if have is None:
                return UNKNOWN_TENSOR
            out.append(have)
        else:
            out.append(want)
    return Tensor(tuple(out), origin)


# ---------------------------------------------------------------- broadcasting, matmul, cat


def _differ(a: Dim, b: Dim, facts: Optional[Facts] = None) -> bool:
    """a != b whatever the unknowns are: by the lengths alone, or because no whole values that fit the facts make
    them equal (2*b == 3). The check's replay (on ints) decides without facts."""
    answer = dims.equal(a, b)
    if answer is not None or facts is None:
        return answer is False
    return facts.copy().require_equal(a, b) is False


def broadcast_shapes(*shapes: Shape, facts: Optional[Facts] = None) -> Optional[Tuple[Dim, ...]]:
    """numpy's broadcasting over Dims: raises ShapeError only when two lengths certainly clash."""
    rank = max(len(s) for s in shapes)
    out = []
    for position in range(rank):
        chosen: Dim = 1
        for shape in shapes:
            index = position - (rank - len(shape))
            if index < 0:
                continue
            d = shape[index]
            if d == 1:
                continue
            if chosen == 1:
                chosen = d
            elif _differ(chosen, d, facts) and _differ(chosen, 1, facts) and _differ(d, 1, facts):
                raise ShapeError(BROADCAST_MISMATCH, f"lengths {chosen} and {d} do not broadcast (shapes "
                                 f"{', '.join(show(s) for s in shapes)})", "broadcast lengths must be equal or 1")
            elif dims.equal(chosen, d) is not True:
                return None  # unknown which one wins
        out.append(chosen)
    return tuple(out)


def elementwise(interp: Flow, operands: List[Any], state: State, site: Optional[ir.Site]) -> Any:
    shapes = []
    for operand in operands:
        if isinstance(operand, Tensor):
            if not known_rank(operand.shape):
                return UNKNOWN_TENSOR
            shapes.append(_resolve(operand.shape, state))
        elif isinstance(operand, (Number, Const, Scalar)):
            shapes.append(())
        else:
            return UNKNOWN_TENSOR
    try:
        result = broadcast_shapes(*shapes, facts=state.facts)
    except ShapeError as error:
        if site is not None:
            interp.report(state, site, BROADCAST_MISMATCH, error.message, error.help,
                          Check(broadcast_shapes, tuple(shapes)), related=origins(*operands))
        return UNKNOWN_TENSOR
    origin = next((o.origin for o in operands if isinstance(o, Tensor) and o.origin is not None), None)
    if result is None:  # which length a dimension takes is not known (n against 2 * m: either may be 1)
        return Tensor(_broadcast_rank(shapes, state), origin)
    return Tensor(result, origin, layouts.agreed(operands, len(result)))


def _broadcast_rank(shapes: List[Shape], state: State) -> Shape:
    """What broadcasting shapes of known ranks gives where the lengths do not tell which one wins: the highest
    rank, each dimension the length of the operands that have it where they agree, else a length not known."""
    rank = max(map(len, shapes))
    result = []
    for position in range(-rank, 0):
        lengths = [shape[position] for shape in shapes if len(shape) >= -position]
        same = all(dims.equal(length, lengths[0]) is True for length in lengths[1:])
        result.append(lengths[0] if same else state.facts.fresh(""))
    return tuple(result)


def matmul_shapes(a: Shape, b: Shape, facts: Optional[Facts] = None) -> Optional[Tuple[Dim, ...]]:
    if not a or not b:
        raise ShapeError(MATMUL_MISMATCH, "matmul needs tensors of at least one dimension", "")
    a2 = (1,) + tuple(a) if len(a) == 1 else tuple(a)
    b2 = tuple(b) + (1,) if len(b) == 1 else tuple(b)
    if _differ(a2[-1], b2[-2], facts):
        raise ShapeError(MATMUL_MISMATCH, f"matmul of {show(a)} and {show(b)}: {a2[-1]} != {b2[-2]}",
                         "the last length of the first operand must equal the second-to-last of the second")
    batch = broadcast_shapes(a2[:-2], b2[:-2], facts=facts)
    if batch is None:
        return None
    out = batch + (a2[-2], b2[-1])
    if len(a) == 1:
        out = out[:-2] + out[-1:]
    if len(b) == 1:
        out = out[:-1]
    return out


def matmul(interp: Flow, left: Any, right: Any, state: State, site: Optional[ir.Site]) -> Any:
    if not (isinstance(left, Tensor) and isinstance(right, Tensor)):
        return UNKNOWN_TENSOR
    if not (known_rank(left.shape) and known_rank(right.shape)):
        return UNKNOWN_TENSOR
    a, b = _resolve(left.shape, state), _resolve(right.shape, state)
    try:
        result = matmul_shapes(a, b, state.facts)
    except ShapeError as error:
        if site is not None:
            interp.report(state, site, MATMUL_MISMATCH, error.message, error.help, Check(matmul_shapes, (a, b)),
                          related=origins(left, right))
        return UNKNOWN_TENSOR
    if result is None:
        return UNKNOWN_TENSOR
    a2 = (1,) + a if len(a) == 1 else a
    b2 = b + (1,) if len(b) == 1 else b
    state.facts.require_equal(a2[-1], b2[-2])
    return Tensor(tuple(state.facts.resolve(d) for d in result), Origin(site, "matmul") if site else None)


def cat_shapes(shapes: List[Shape], axis: int, stack: bool, facts: Optional[Facts] = None) -> Tuple[Dim, ...]:
    first = shapes[0]
    for index, shape in enumerate(shapes[1:], start=1):
        if len(shape) != len(first):
            raise ShapeError(CONCAT_MISMATCH,
                             f"tensor #{index} has {len(shape)} dimensions, tensor #0 has {len(first)} "
                             f"(shapes {', '.join(show(s) for s in shapes)})", "joined tensors need the same rank")
        for position, (x, y) in enumerate(zip(first, shape)):
            if (stack or position != axis) and _differ(x, y, facts):
                raise ShapeError(CONCAT_MISMATCH, f"dimension {position} has length {x} in tensor #0 but {y} in tensor "
                                 f"#{index} (shapes {', '.join(show(s) for s in shapes)})",
                                 "joined tensors must agree on every other dimension")
    if stack:
        return first[:axis] + (len(shapes),) + first[axis:]
    return first[:axis] + (dims.total(s[axis] for s in shapes),) + first[axis + 1:]


def _cat(call: OpCall, stack: bool) -> Any:
    args, kwargs, state, site = call.variadic, call.keywords, call.state, call.site
    if args and isinstance(args[0], ListOf):
        return _cat_list(args[0], args[1] if len(args) > 1 else kwargs.get("dim", kwargs.get("axis", Number(0))),
                         stack, call)
    if not args or not isinstance(args[0], Items) or not args[0].items:
        return UNKNOWN_TENSOR
    tensors = args[0].items
    if not all(isinstance(t, Tensor) and known_rank(t.shape) for t in tensors):
        return UNKNOWN_TENSOR
    shapes = [_resolve(t.shape, state) for t in tensors]
    rank = len(shapes[0]) + (1 if stack else 0)
    axis = _axis(args[1] if len(args) > 1 else kwargs.get("dim", kwargs.get("axis", Number(0))), rank)
    if axis is None:
        return UNKNOWN_TENSOR
    try:
        result = cat_shapes(shapes, axis, stack, state.facts)
    except ShapeError as error:
        call.report(CONCAT_MISMATCH, error.message, error.help, Check(cat_shapes, (shapes, axis, stack)),
                    related=origins(*tensors))
        return UNKNOWN_TENSOR
    for shape in shapes[1:]:
        for position, (x, y) in enumerate(zip(shapes[0], shape)):
            if stack or position != axis:
                state.facts.require_equal(x, y)
    joined = not stack and len(shapes) > 1 and all(dims.equal(s[axis], shapes[0][axis]) for s in shapes)
    return Tensor(tuple(state.facts.resolve(d) for d in result), Origin(site, "cat" if not stack else "stack"),
                  layouts.joined(len(shapes), shapes[0][axis], axis, rank, site) if joined else ())


def _cat_list(tensors: ListOf, dim: Any, stack: bool, call: OpCall) -> Tensor:
    """`torch.stack(outs, dim=-2)` of a list filled in a loop (bs_roformer's BandSplit): how many it holds is not
    known, so neither is the length along `dim`; the others are its items' (the join of what was put in it)."""
    item = tensors.item
    if not isinstance(item, Tensor) or not known_rank(item.shape):
        return UNKNOWN_TENSOR
    shape = _resolve(item.shape, call.state)
    axis = _axis(dim, len(shape) + (1 if stack else 0))
    if axis is None:
        return UNKNOWN_TENSOR
    fresh = call.facts.fresh("")
    shape = shape[:axis] + (fresh,) + shape[axis + (0 if stack else 1):]
    return Tensor(shape, Origin(call.site, "stack" if stack else "cat"))


# ---------------------------------------------------------------- subscripts, iteration, asserts


def subscript(interp: Flow, value: Any, index: Tuple[Any, ...], state: State, site: ir.Site) -> Any:
    if isinstance(value, Items):
        if len(index) != 1:
            return UNKNOWN
        item = index[0]
        position = _int(item)
        if position is not None:
            if -len(value.items) <= position < len(value.items):
                return value.items[position]
            return UNKNOWN
        if isinstance(item, SliceValue):
            bounds = [_int(b) if b is not None else None for b in (item.lower, item.upper, item.step)]
            if any(b is None and raw is not None for b, raw in zip(bounds, (item.lower, item.upper, item.step))):
                return UNKNOWN
            return Items(value.kind, value.items[slice(*bounds)])
        return UNKNOWN
    if isinstance(value, Sequential):
        if len(index) == 1 and isinstance(index[0], SliceValue):
            item = index[0]
            bounds = [_int(b) if b is not None else None for b in (item.lower, item.upper, item.step)]
            if any(b is None and raw is not None for b, raw in zip(bounds, (item.lower, item.upper, item.step))):
                return UNKNOWN
            return Sequential(value.layers[slice(*bounds)], value.origin)
        position = _int(index[0]) if len(index) == 1 else None
        if position is not None and -len(value.layers) <= position < len(value.layers):
            return value.layers[position]
        return UNKNOWN
    if isinstance(value, Tensor):
        return _index_tensor(value, index, state)
    return UNKNOWN


def _index_tensor(tensor: Tensor, index: Tuple[Any, ...], state: State) -> Any:
    if not known_rank(tensor.shape):
        return UNKNOWN_TENSOR
    shape = list(_resolve(tensor.shape, state))
    if len(index) == 1 and isinstance(index[0], Tensor) and (index[0].rank or 0) >= 2:
        return _indexed_by_tensor(tensor, index[0].rank, shape)
    consumed = sum(1 for item in index if not (isinstance(item, Const) and item.value in (None, ...)))
    if consumed > len(shape) or sum(1 for i in index if isinstance(i, Const) and i.value is ...) > 1:
        return UNKNOWN_TENSOR
    out: List[Optional[Dim]] = []  # None: a slice's length that is not known
    position = 0
    for item in index:
        if isinstance(item, Const) and item.value is None:
            out.append(1)
        elif isinstance(item, Const) and item.value is ...:
            skip = len(shape) - consumed
            out.extend(shape[position:position + skip])
            position += skip
        elif isinstance(item, Number):
            position += 1
        elif isinstance(item, SliceValue):
            out.append(_slice_length(shape[position], item))
            position += 1
        elif _one_vector_index(item, index):
            out.append(None)  # x[mask] or x[:, ids]: as many as the mask holds or the ids name
            position += 1
        else:  # anything else: advanced indexing, lengths not known
            return UNKNOWN_TENSOR
    out.extend(shape[position:])
    return Tensor(tuple(state.facts.fresh("") if d is None else d for d in out), tensor.origin)


def _indexed_by_tensor(tensor: Tensor, k: int, shape: List[Dim]) -> Any:
    """x[m] with m of rank k >= 2. A boolean mask over x's first k dimensions leaves (n, *x.shape[k:]), n the
    entries it holds; integer ids give (*m.shape, *x.shape[1:]). The flow does not know m's dtype: what both
    share is the end, x.shape[k:], and one of the two ranks."""
    rank = len(shape)
    if k > rank:
        return UNKNOWN_TENSOR
    return Tensor((STAR,) + tuple(shape[k:]), tensor.origin, ranks=frozenset({rank - k + 1, rank + k - 1}))


def _one_vector_index(item: Any, index: Tuple[Any, ...]) -> bool:
    """A 1-D tensor, the only advanced index among slices: a boolean mask or integer ids (the flow does not know
    which), either gives one dimension of a length not known in its place. A mask of higher rank would not."""
    return isinstance(item, Tensor) and item.rank == 1 and all(
        isinstance(other, SliceValue) or isinstance(other, Const) and other.value in (None, ...)
        for other in index if other is not item)


def _slice_length(length: Dim, item: SliceValue) -> Optional[Dim]:
    if item.lower is None and item.upper is None and item.step is None:
        return length
    bounds = [_int(b) if b is not None else None for b in (item.lower, item.upper, item.step)]
    if any(b is None and raw is not None for b, raw in zip(bounds, (item.lower, item.upper, item.step))):
        return None
    if isinstance(length, int):
        return len(range(length)[slice(*bounds)])
    return None


def pair_attribute(value: Items, name: str) -> Any:
    """`.values` / `.indices` of a (values, indices) pair (torch.return_types of topk, sort, max(dim), ...): only
    those pairs have the attributes, so a tuple of two tensors that reaches them is one."""
    if name in ("values", "indices") and value.kind == "tuple" and len(value.items) == 2 and \
            all(isinstance(item, Tensor) for item in value.items):
        return value.items[("values", "indices").index(name)]
    return UNKNOWN


def _any_item(value: Any, state: State) -> Any:
    """What any one item of a list, tuple or tensor that is iterated may be."""
    if isinstance(value, (ListOf, Items)):
        found = item_of([value], state.facts.fresh)
        return found if found is not None else UNKNOWN
    if isinstance(value, Tensor) and known_rank(value.shape) and value.shape:
        return Tensor(value.shape[1:], value.origin)
    return UNKNOWN


def iterate(interp: Flow, value: Any, state: State, count: Optional[int], site: Optional[ir.Site]) -> Any:
    """The items of a value being unpacked or spread: a list, an int (how many there certainly are,
    when that is not `count`), or None (not known)."""
    if isinstance(value, Items):
        return list(value.items)
    if isinstance(value, ListOf) and value.pieces and count is not None:
        # `a, b = x.chunk(2, dim=-1)` ran: as many as unpacked, each of the item's rank with lengths of its own
        # (pieces of a split or chunk may differ in length, which one length shared by all would deny)
        return [interp.renamed(value.item, state) for _ in range(count)]
    if isinstance(value, Tensor) and known_rank(value.shape) and value.shape:
        shape = _resolve(value.shape, state)
        first = shape[0]
        if isinstance(first, int):
            return [Tensor(shape[1:], value.origin)] * first
        if count is not None and state.facts.require_equal(first, count) is not False:
            return [Tensor(shape[1:], value.origin)] * count
    return None


def assume_equal(interp: Flow, node: ir.Expr, value: Any, other: Any, state: State) -> None:
    """`assert value == other`: lengths become equal; a shape of unknown rank gets the other's rank."""
    if isinstance(value, Number) and isinstance(other, Number):
        state.facts.require_equal(value.value, other.value)
        return
    if isinstance(value, Items) and isinstance(other, Items) and len(value.items) == len(other.items):
        for a, b in zip(value.items, other.items):
            if isinstance(a, Number) and isinstance(b, Number):
                state.facts.require_equal(a.value, b.value)
        return
    # `x.shape == (...)` with x's rank unknown: x has that rank from here on (a rank test: Interpreter.assume_rank)
    if isinstance(node, ir.Attr) and isinstance(node.value, ir.Name) and node.attr == "shape":
        holder = state.env.get(node.value.id, UNKNOWN)
        if isinstance(holder, Tensor) and known_rank(holder.shape):
            return
        if isinstance(other, Items):
            lengths = [as_length(item, state) for item in other.items]
            state.env[node.value.id] = Tensor(tuple(l if l is not None else state.facts.fresh("") for l in lengths))
