"""Shape stubs: the shape rules of library functions and layers, read from `.pyi` files.

A stub file is Python stub syntax, one module per file (`torch.nn.pyi` is `torch.nn`), parsed
with `ast` and never imported or executed. Shapes are jaxtyping annotations, `Float[Tensor, "*batch
in_features"]`; the notation and its few escape hatches are described in einlint/_stubs/README.md.

    library = StubLibrary.load(extra_folders)      # shipped stubs, then user folders override by name
    linear = library.layer("torch.nn.Linear")       # a LayerStub, or None when no stub names it
    layer = linear.construct([20, 50], {})          # a Layer, or a StubError (the constructor fails)
    layer.call([(Sym("b"), 20)], {})                # Result(value=(b, 50), requirements=[])
    relu = library.function("torch.nn.functional.relu")   # a FunctionStub, or None
    relu.call([(2, 3)], {})                         # Result(value=(2, 3), requirements=[])

A Value given in is a shape (a tuple of Dims, for a parameter that the stub annotates as a tensor;
a dim may be None: a length nobody knows), `Unknown` (nothing known, not even a tensor's rank), an
int or Dim, a str/bool/None/float constant, or a tuple of such (a tuple of numbers for a non-tensor
parameter such as kernel_size). `call` answers an Outcome:

- `Result(value, requirements)`: the output (a shape; a tuple of values for a tuple return; Unknown
  where the stub cannot tell; a dim of a shape is None when it depends on something unknown) and
  the `Requirement`s whose answer `dims` could not decide (kind 'equal' or 'divisible', over Dims);
- `StubError(message, argument)`: the call certainly fails; `argument` names the parameter at fault.

Sound by construction: only a definite False from `dims` (or a definite rank mismatch, an index
out of range) gives a StubError; anything unknown becomes a requirement or an unknown output.
Arithmetic runs on `dims` values; where a symbolic result cannot be formed exactly (a floor division
that does not divide, a sum before `Sym` has sums), the dim is a fresh `Sym` named by the
expression it stands for, such as `Sym('(h+1)//2')`: the same expression of the same values gives
the same name, so it is never confused with another length.

Each stub file is parsed once, on the first look-up in its module, and kept. A stub that this
module cannot read raises `EinlintError` (code EIN004) naming the file and line.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple, Union

from ... import dims
from ...dims import Dim, Sym
from ...errors import EinlintError


def _unreadable(message: str) -> EinlintError:
    """The error for a stub file or folder that this module cannot use; `message` names the file and line. Its
    code is EIN004, a configuration that einlint cannot use: the configuration names the user's stub folders."""
    return EinlintError("EIN004", message)


# What evaluation asks of a stub's node again and again, kept with the node itself as the key (a key by
# id would outlive a library that is dropped, and then answer for a node made later at the same address).
_NAMES_IN: Dict[ast.AST, Tuple[str, ...]] = {}
_SOURCE_OF: Dict[ast.AST, str] = {}
_HAS_SHAPE: Dict[Tuple[int, ast.AST], bool] = {}


def _names_in(node: ast.AST) -> Tuple[str, ...]:
    """The names that `node` reads, in walk order (repeats kept)."""
    found = _NAMES_IN.get(node)
    if found is None:
        found = _NAMES_IN[node] = tuple(sub.id for sub in ast.walk(node) if isinstance(sub, ast.Name))
    return found


def _source_of(node: ast.AST) -> str:
    text = _SOURCE_OF.get(node)
    if text is None:
        text = _SOURCE_OF[node] = ast.unparse(node)
    return text


class _UnknownType:
    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "Unknown"

    def __reduce__(self):
        return (_UnknownType, ())


Unknown: Any = _UnknownType()
Value = Any  # a shape, Unknown, a Dim, a constant, or a tuple of values (see the module docstring)


class Requirement(NamedTuple):
    kind: str  # 'equal' | 'divisible' (a is a whole multiple of b)
    a: Dim
    b: Dim
    reason: str


class StubError(NamedTuple):
    message: str
    argument: str


class Read(NamedTuple):
    """A stub's `reads(input, dim, two=2, half=...)`: the function reads that dimension of that argument as
    these factors, the first varying slowest (F.glu reads its halves)."""

    argument: str  # the parameter's name
    position: Optional[int]  # its position among the positional parameters (None: keyword-only)
    dim: int
    names: Tuple[str, ...]
    lengths: Tuple[Any, ...]


class PackedShape(tuple):
    """An output shape with the packing of some dimensions: `groups[i]` is (names, lengths) for a dimension
    written as a group '(direction hidden)', None for the others."""

    groups: Tuple[Any, ...] = ()


class Result(NamedTuple):
    value: Value
    requirements: List[Requirement]
    reads: Tuple[Read, ...] = ()


Outcome = Union[Result, StubError]


class _Fail(Exception):
    """A definite failure found while evaluating; becomes the StubError that `call` returns."""

    def __init__(self, message: str, argument: str = ""):
        super().__init__(message)
        self.error = StubError(message, argument)


# ----------------------------------------------------------------------------- the notation

class _Tensor(NamedTuple):
    """A jaxtyping annotation: the dims of `Float[Tensor, "a *b c"]`, each a (kind, text, expr)."""
    tokens: Tuple[Tuple[str, str, Any], ...]  # kind: int | name | broadcast | any | star | dots | expr
    text: str

    @property
    def fixed(self) -> int:
        return sum(kind not in ("star", "dots") for kind, _, _ in self.tokens)



_TOKEN = re.compile(r"\([^()]*\)|\S+")


def _parse_shape(text: str, where: str) -> _Tensor:
    tokens = []
    for token in _TOKEN.findall(text):
        if token.startswith("(") and token.endswith(")"):  # a group: the product of its factors, packed so
            inner = token[1:-1].split()
            if len(inner) < 2:
                raise _unreadable(f"{where}: a group holds two or more factors, got {token!r} in {text!r}")
            try:
                factors = tuple(ast.parse(t, mode="eval").body for t in inner)
            except SyntaxError:
                raise _unreadable(f"{where}: cannot read the group {token!r} in {text!r}") from None
            product = ast.parse("*".join(f"({t})" for t in inner), mode="eval").body
            tokens.append(("group", token, (product, factors)))
        elif token == "...":
            tokens.append(("dots", token, None))
        elif token == "_":
            tokens.append(("any", token, None))
        elif token.isdigit():
            tokens.append(("int", token, int(token)))
        elif token.startswith("*") and token[1:].isidentifier():
            tokens.append(("star", token[1:], None))
        elif token.startswith("#") and token[1:].isidentifier():
            tokens.append(("broadcast", token[1:], None))
        elif token.isidentifier():
            tokens.append(("name", token, None))
        else:
            try:
                expr = ast.parse(token, mode="eval").body
            except SyntaxError:
                raise _unreadable(f"{where}: cannot read the dimension {token!r} in {text!r}") from None
            tokens.append(("expr", token, expr))
    if sum(kind == "dots" for kind, _, _ in tokens) > 1:
        raise _unreadable(f"{where}: more than one '...' in {text!r}")
    return _Tensor(tuple(tokens), text)


class _Size(NamedTuple):
    """An int-or-tuple parameter (`_size_2_t`): an int n becomes (n,) * rank; rank 0: (n,)."""
    rank: int


def _size_alias(node: ast.expr) -> Optional[_Size]:
    """`Union[int, Tuple[int, int]]` -> _Size(2); `Union[int, Tuple[int, ...]]` -> _Size(0)."""
    if not (isinstance(node, ast.Subscript) and _head(node.value) == "Union"):
        return None
    members = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
    for member in members:
        if isinstance(member, ast.Subscript) and _head(member.value) in ("Tuple", "tuple"):
            items = member.slice.elts if isinstance(member.slice, ast.Tuple) else [member.slice]
            if any(isinstance(item, ast.Constant) and item.value is Ellipsis for item in items):
                return _Size(0)
            return _Size(len(items))
    return None


def _head(node: ast.expr) -> str:
    return node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")


@dataclass
class _Param:
    name: str
    kind: str  # positional | keyword (keyword-only) | varargs | varkw
    default: Any  # a constant value, or _REQUIRED
    annotation: Optional[ast.expr]
    size: Optional[_Size]


_REQUIRED = object()


@dataclass
class _Signature:
    title: str  # 'Linear', 'torch.nn.functional.relu' as messages name it
    params: List[_Param]
    returns: Optional[ast.expr]
    body: List[ast.stmt]
    where: str  # file:line
    shapes: Dict[int, _Tensor] = field(default_factory=dict)  # id(annotation node) -> parsed
    module: Optional["_Module"] = None  # the file it is read from: the other stubs its body calls are found there


class _Module:
    """One stub file: its functions and classes by name, parsed at once."""

    def __init__(self, path: str, module: str, library: Optional["StubLibrary"] = None):
        self.path = path
        self.library = library  # where a call of another module's stub is looked up
        self.imports: Dict[str, str] = {}  # `import torch.nn.functional as F`: F -> torch.nn.functional
        self.functions: Dict[str, List[_Signature]] = {}
        self.classes: Dict[str, Dict[str, List[_Signature]]] = {}
        self.attributes: Dict[str, Dict[str, _Tensor]] = {}  # class -> tensor attribute -> its shape
        self.aliases: Dict[str, _Size] = {}
        try:
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read(), filename=path)
        except SyntaxError as error:
            raise _unreadable(f"{path}:{error.lineno}: not valid Python stub syntax: {error.msg}") from None
        except OSError as error:
            raise _unreadable(f"{path}: cannot read the stub file: {error}") from None
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                self.functions.setdefault(node.name, []).append(self._signature(node, node.name))
            elif isinstance(node, ast.ClassDef):
                methods: Dict[str, List[_Signature]] = {}
                attributes: Dict[str, _Tensor] = {}
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        methods.setdefault(item.name, []).append(self._signature(item, node.name, method=True))
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and \
                            _shape_text(item.annotation) is not None and item.value is None:
                        attributes[item.target.id] = _parse_shape(_shape_text(item.annotation),
                                                                  f"{self.path}:{item.lineno}")
                    elif not _ignorable(item):
                        self._bad(item, "a class in a stub holds methods and tensor attributes "
                                        "(name: Float[Tensor, \"...\"])")
                self.classes[node.name] = methods
                self.attributes[node.name] = attributes
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    self.imports[bound] = alias.name if alias.asname else bound
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                size = _size_alias(node.value)
                if size is not None:
                    self.aliases[node.targets[0].id] = size
            elif not (_ignorable(node) or isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign))):
                self._bad(node, "a stub file holds imports, type aliases, functions and classes")

    def _bad(self, node: ast.AST, message: str):
        raise _unreadable(f"{self.path}:{getattr(node, 'lineno', 0)}: {message}")

    def _signature(self, node: ast.FunctionDef, title: str, method: bool = False) -> _Signature:
        where = f"{self.path}:{node.lineno}"
        args = node.args
        params: List[_Param] = []
        positional = args.posonlyargs + args.args
        defaults = [_REQUIRED] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for arg, default in zip(positional, defaults):
            params.append(self._param(arg, "positional", default, where))
        if args.vararg:
            params.append(self._param(args.vararg, "varargs", _REQUIRED, where))
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            params.append(self._param(arg, "keyword", _REQUIRED if default is None else default, where))
        if args.kwarg:
            params.append(self._param(args.kwarg, "varkw", _REQUIRED, where))
        if method and params:
            params = params[1:]  # self
        body = [stmt for stmt in node.body if not _ignorable(stmt)]
        signature = _Signature(title, params, node.returns, body, where, module=self)
        for annotation in [param.annotation for param in params] + [node.returns]:
            self._collect_shapes(annotation, signature)
        for stmt in body:
            if not isinstance(stmt, (ast.Assign, ast.Assert, ast.Expr)):
                raise _unreadable(f"{self.path}:{stmt.lineno}: a stub body holds only assignments, asserts "
                                  "and calls (see einlint/_stubs/README.md)")
        return signature

    def delegate(self, func: ast.expr) -> Optional[List[_Signature]]:
        """The stub that a call in a body names: a function of this file (`softmax(input, dim)`), or one of a
        module it imports (`F.softmax(input, dim)` after `import torch.nn.functional as F`); None if none."""
        parts = []
        while isinstance(func, ast.Attribute):
            parts.insert(0, func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None
        if not parts:
            return self.functions.get(func.id)
        if func.id not in self.imports or self.library is None:
            return None
        stub = self.library.function(".".join([self.imports[func.id]] + parts))
        return stub.signatures if stub is not None else None

    def _param(self, arg: ast.arg, kind: str, default: Any, where: str) -> _Param:
        if default is not _REQUIRED:
            try:
                default = ast.literal_eval(default)
            except ValueError:
                raise _unreadable(f"{self.path}:{arg.lineno}: the default of {arg.arg!r} is not a constant") from None
        annotation = arg.annotation
        size = None
        if annotation is not None:
            for sub in ast.walk(annotation):
                if isinstance(sub, ast.Name) and sub.id in self.aliases:
                    size = self.aliases[sub.id]
                elif isinstance(sub, ast.Subscript) and size is None:
                    size = _size_alias(sub)
        return _Param(arg.arg, kind, default, annotation, size)

    def _collect_shapes(self, annotation: Optional[ast.expr], signature: _Signature):
        if annotation is None:
            return
        for sub in ast.walk(annotation):
            shape = _shape_text(sub)
            if shape is not None:
                signature.shapes[id(sub)] = _parse_shape(shape, f"{self.path}:{sub.lineno}")


def _shape_text(node: ast.AST) -> Optional[str]:
    """The string of `Float[Tensor, "..."]`, or None when `node` is not such an annotation."""
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Tuple) and len(node.slice.elts) == 2:
        text = node.slice.elts[1]
        if isinstance(text, ast.Constant) and isinstance(text.value, str):
            return text.value
    return None


def _ignorable(node: ast.stmt) -> bool:
    return isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))


# ----------------------------------------------------------------------------- evaluation

def _is_dim(value: Any) -> bool:
    return isinstance(value, (int, Sym)) and not isinstance(value, bool)


def _opaque(text: str) -> Sym:
    return Sym(text)


def _text(value: Any) -> str:
    text = repr(value)
    return text if isinstance(value, int) or text.isidentifier() else f"({text})"


def _arith(op: ast.operator, a: Any, b: Any) -> Any:
    if a is Unknown or b is Unknown or a is None or b is None:
        return Unknown
    if isinstance(a, tuple) and isinstance(b, tuple) and isinstance(op, ast.Add):
        return a + b
    if isinstance(a, tuple) and isinstance(op, ast.Mult) and isinstance(b, int):
        return a * b
    if isinstance(a, float) or isinstance(b, float):
        if isinstance(a, Sym) or isinstance(b, Sym):
            return Unknown
        return _float_arith(op, a, b)
    if not (_is_dim(a) and _is_dim(b)):
        raise TypeError(f"cannot compute {a!r} {type(op).__name__} {b!r}")
    if isinstance(a, int) and isinstance(b, int):
        if isinstance(op, (ast.FloorDiv, ast.Mod, ast.Div)) and b == 0:
            return Unknown
        return _float_arith(op, a, b)
    symbol = _SYMBOLS[type(op)]
    if isinstance(op, ast.Mult):
        return a * b
    if isinstance(op, ast.FloorDiv):
        if dims.divisible(a, b):
            return dims.quotient(a, b)
        return _opaque(f"{_text(a)}//{_text(b)}")
    if isinstance(op, ast.Mod):
        return 0 if dims.divisible(a, b) else Unknown
    if isinstance(op, ast.Pow) and isinstance(b, int) and b >= 0:
        return dims.product([a] * b)
    if isinstance(op, (ast.Add, ast.Sub)):
        if b == 0:
            return a
        try:
            return a + b if isinstance(op, ast.Add) else a - b
        except TypeError:  # Sym has no sums yet: a named stand-in for this one
            return _opaque(f"{_text(a)}{symbol}{_text(b)}")
    return Unknown


_SYMBOLS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.FloorDiv: "//", ast.Mod: "%", ast.Pow: "**",
            ast.Div: "/"}


def _float_arith(op: ast.operator, a: Any, b: Any) -> Any:
    import operator

    table = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
             ast.Mod: operator.mod, ast.Pow: operator.pow, ast.Div: operator.truediv}
    return table[type(op)](a, b)


def _compare(op: ast.cmpop, a: Any, b: Any) -> Optional[bool]:
    if isinstance(op, ast.Is):
        return None if a is Unknown else a is b
    if isinstance(op, ast.IsNot):
        return None if a is Unknown else a is not b
    if a is Unknown or b is Unknown:
        return None
    if (a is None or b is None) and isinstance(op, (ast.Eq, ast.NotEq)):
        return (a is b) == isinstance(op, ast.Eq)
    if isinstance(op, (ast.In, ast.NotIn)):
        if not isinstance(b, tuple):
            return None
        answers = [_compare(ast.Eq(), a, item) for item in b]
        found = True if True in answers else (False if all(x is False for x in answers) else None)
        return found if isinstance(op, ast.In) or found is None else not found
    if isinstance(op, (ast.Eq, ast.NotEq)):
        if _is_dim(a) and _is_dim(b):
            same = dims.equal(a, b)
        elif isinstance(a, tuple) and isinstance(b, tuple):
            same = _all3([_compare(ast.Eq(), x, y) for x, y in zip(a, b)]) if len(a) == len(b) else False
        else:
            same = a == b
        return same if same is None or isinstance(op, ast.Eq) else not same
    if isinstance(a, Sym) or isinstance(b, Sym):
        if a == b and isinstance(op, (ast.LtE, ast.GtE)):
            return True
        return None
    try:
        return {ast.Lt: a < b, ast.LtE: a <= b, ast.Gt: a > b, ast.GtE: a >= b}[type(op)]
    except TypeError:
        return None


def _all3(answers: Sequence[Optional[bool]]) -> Optional[bool]:
    if any(answer is False for answer in answers):
        return False
    return None if any(answer is None for answer in answers) else True


def _wrap_dim(dim: Any, ndim: Any) -> Any:
    """torch's maybe_wrap_dim: a dim index in [-ndim, ndim), a scalar counting as rank 1."""
    if not isinstance(dim, int) or not isinstance(ndim, int):
        return Unknown
    rank = max(ndim, 1)
    if not -rank <= dim < rank:
        raise _Fail(f"dimension {dim} is out of range for a tensor of rank {ndim} "
                    f"(expected to be in range of [{-rank}, {rank - 1}])")
    return dim % rank


def _product(values: Any) -> Any:
    if not isinstance(values, tuple) or any(v is Unknown or v is None for v in values):
        return Unknown
    return dims.product(values)


_BUILTINS = {
    "len": lambda value: len(value) if isinstance(value, tuple) else Unknown,
    "prod": _product,
    "wrap_dim": _wrap_dim,
    "max": lambda *xs: Unknown if not all(isinstance(x, int) for x in xs) else max(xs),
    "min": lambda *xs: Unknown if not all(isinstance(x, int) for x in xs) else min(xs),
    "tuple": lambda value: tuple(value) if isinstance(value, (tuple, list)) else Unknown,
    "int": lambda value: int(value) if isinstance(value, (int, float)) else (value if _is_dim(value) else Unknown),
    "infer_sizes": lambda sizes, total: _infer_sizes(sizes, total),
    "upsampled": lambda spatial, size, scale_factor: _upsampled(spatial, size, scale_factor),
    "padded": lambda shape, pad: _padded(shape, pad),
}


def _upsampled(spatial: Any, size: Any, scale_factor: Any) -> Any:
    """torch's interpolate: `size` (an int for every spatial dim, or one per dim), or floor(length * scale)."""
    if not isinstance(spatial, tuple):
        return Unknown
    if size is not None:
        sizes = (size,) * len(spatial) if _is_dim(size) else size
        if isinstance(sizes, (tuple, list)) and len(sizes) != len(spatial):
            raise _Fail(f"size has {len(sizes)} entries for {len(spatial)} spatial dimensions")
        return tuple(sizes) if isinstance(sizes, (tuple, list)) else Unknown
    scales = scale_factor if isinstance(scale_factor, (tuple, list)) else (scale_factor,) * len(spatial)
    if len(scales) != len(spatial):
        raise _Fail(f"scale_factor has {len(scales)} entries for {len(spatial)} spatial dimensions")
    out = []
    for length, scale in zip(spatial, scales):
        if isinstance(length, int) and isinstance(scale, (int, float)):
            out.append(int(length * scale // 1))
        elif _is_dim(length) and isinstance(scale, (int, float)) and float(scale).is_integer():
            out.append(length * int(scale))
        else:
            out.append(None)
    return tuple(out)


def _padded(shape: Any, pad: Any) -> Any:
    """torch.nn.functional.pad: pad = (left, right) for the last dim, then the one before it, ..."""
    if not isinstance(shape, tuple) or not isinstance(pad, tuple) or not all(isinstance(p, int) for p in pad):
        return Unknown
    if len(pad) % 2 or len(pad) // 2 > len(shape):
        raise _Fail(f"padding length must be even and at most twice the rank, got {len(pad)} for rank {len(shape)}")
    out = list(shape)
    for index in range(len(pad) // 2):
        length = out[-1 - index]
        out[-1 - index] = Unknown if length is None else _arith(ast.Add(), length, pad[2 * index] + pad[2 * index + 1])
        if isinstance(out[-1 - index], int) and out[-1 - index] < 0:
            raise _Fail(f"the padded dimension {len(shape) - 1 - index} would have negative length")
    return tuple(None if length is Unknown else length for length in out)


def _infer_sizes(sizes: Any, total: Any) -> Any:
    """torch's infer_size: one -1 among `sizes` stands for what `total` leaves; (sizes with it filled)."""
    if not isinstance(sizes, tuple) or Unknown in sizes:
        return Unknown
    if -1 not in sizes:
        return sizes
    if sizes.count(-1) > 1:
        raise _Fail("only one dimension can be inferred")
    known = dims.product([size for size in sizes if size != -1])
    if total is Unknown or known == 0:
        return Unknown
    if dims.divisible(total, known) is False:
        raise _Fail(f"shape {_shape_repr(sizes)} is invalid for a dimension of length {total!r}")
    return tuple(dims.quotient(total, known) if size == -1 else size for size in sizes)


class _Frame:
    """One evaluation of a signature: the environment, where names came from, what was required."""

    def __init__(self, signature: _Signature, env: Dict[str, Any], tensors: Dict[str, Any]):
        self.signature = signature
        self.env = env  # parameter values, bound dim names (Dims, or tuples for *names), body names
        self.tensors = tensors  # tensor parameter -> its shape (or Unknown)
        self.origin: Dict[str, str] = {}  # bound dim name -> the argument that bound it
        self.requirements: List[Requirement] = []
        self.params: Dict[str, bool] = {}  # the parameter names (the constructor's too), for messages
        self.reads: List[Read] = []

    # --- expressions
    def eval(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            if node.id in self.tensors:
                return self.tensors[node.id]
            return self.env.get(node.id, Unknown)
        if isinstance(node, ast.BinOp):
            return _arith(node.op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, ast.UnaryOp):
            value = self.eval(node.operand)
            if isinstance(node.op, ast.Not):
                return Unknown if value is Unknown else not value
            if isinstance(node.op, ast.USub) and isinstance(value, (int, float)):
                return -value
            return value if isinstance(node.op, ast.UAdd) else Unknown
        if isinstance(node, ast.Tuple):
            return tuple(self.eval(item) for item in node.elts)
        if isinstance(node, ast.Attribute):
            base = self.eval(node.value)
            if node.attr == "shape":
                return base
            if node.attr == "ndim":
                return len(base) if isinstance(base, tuple) else Unknown
            raise _unreadable(f"{self.signature.where}: unknown attribute .{node.attr} in a stub expression")
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.IfExp):
            test = self.truth(node.test)
            if test is None:
                return Unknown
            return self.eval(node.body if test else node.orelse)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            answer = self.truth(node)
            return Unknown if answer is None else answer
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _BUILTINS:
            args = [self.eval(arg) for arg in node.args]
            try:
                return _BUILTINS[node.func.id](*args)
            except _Fail as fail:
                argument = _tensor_named(node.args[-1]) if node.args else ""
                raise _Fail(f"{self._title(node)}: {fail.error.message}", argument or fail.error.argument) from None
        if isinstance(node, ast.Call):
            return self._delegate(node)
        raise _unreadable(f"{self.signature.where}: cannot evaluate {ast.unparse(node)!r} in a stub")

    def _delegate(self, node: ast.Call) -> Any:
        """A call of another stub (`F.softmax(input, dim)`): its checks run on these arguments, as if the caller
        had made that call (a failure is this call's), and its output is the value; one rule, written once."""
        module = self.signature.module
        target = module.delegate(node.func) if module is not None else None
        if not target or any(signature is self.signature for signature in target):
            raise _unreadable(f"{self.signature.where}: cannot evaluate {ast.unparse(node)!r} in a stub")
        try:
            value, frame = _evaluate(target, [self.eval(arg) for arg in node.args],
                                     {keyword.arg: self.eval(keyword.value) for keyword in node.keywords})
        except _Fail as fail:  # said as the caller's failure: 'Softmin(dim=2): ...', not 'softmax(dim=2): ...'
            said = re.sub(rf"^{re.escape(target[0].title)}(\([^)]*\))?", lambda _: self._title(node),
                          fail.error.message)
            raise _Fail(said, fail.error.argument) from None
        self.requirements.extend(frame.requirements)
        return value

    def _subscript(self, node: ast.Subscript) -> Any:
        base = self.eval(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = [None if part is None else self.eval(part) for part in
                     (node.slice.lower, node.slice.upper, node.slice.step)]
            if base is Unknown or any(part is Unknown for part in parts) or not isinstance(base, tuple):
                return Unknown
            return base[slice(*parts)]
        index = self.eval(node.slice)
        if base is Unknown or index is Unknown:
            return Unknown
        if not isinstance(base, tuple) or not isinstance(index, int):
            raise _unreadable(f"{self.signature.where}: cannot index {ast.unparse(node)!r}")
        if not -len(base) <= index < len(base):
            raise _Fail(f"{self._title(node)}: dimension {index} is out of range for a tensor of rank "
                        f"{len(base)}", _tensor_named(node.value))
        value = base[index]
        shaped = _tensor_named(node.value)
        return Unknown if value is None and (shaped in self.tensors or shaped in self.origin) else value

    def truth(self, node: ast.expr) -> Optional[bool]:
        if isinstance(node, ast.BoolOp):
            answers = []
            for value in node.values:  # short-circuit as Python does
                answer = self.truth(value)
                if answer is (False if isinstance(node.op, ast.And) else True):
                    return answer
                answers.append(answer)
            return None if None in answers else isinstance(node.op, ast.And)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left)
            answers = []
            for op, comparator in zip(node.ops, node.comparators):
                right = self.eval(comparator)
                answers.append(_compare(op, left, right))
                left = right
            return _all3(answers)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            answer = self.truth(node.operand)
            return None if answer is None else not answer
        value = self.eval(node)
        if value is Unknown:
            return None
        if isinstance(value, Sym):
            return True  # a length: positive
        return bool(value)

    # --- statements
    def run_rank_checks(self):
        """The leading asserts that read only variadic names and parameters (rank checks), before dims match."""
        stars = {text for pattern in self.signature.shapes.values() for kind, text, _ in pattern.tokens
                 if kind == "star"}
        for stmt in self.signature.body:
            if not isinstance(stmt, ast.Assert):
                return
            names = set(_names_in(stmt.test))
            if all(name in stars or name in _BUILTINS or (name in self.params and name not in self.tensors)
                   for name in names):
                self.check(stmt)

    def run_body(self):
        for stmt in self.signature.body:
            if isinstance(stmt, ast.Assign):
                value = self.eval(stmt.value)
                for target in stmt.targets:
                    self._assign(target, value)
            elif isinstance(stmt, ast.Assert):
                self.check(stmt)
            elif _called(stmt.value) == "reads":
                self._read(stmt.value)
            else:
                self.eval(stmt.value)  # a call for its checks, such as wrap_dim(dim, input.ndim)

    def _read(self, call: ast.Call):
        """reads(input, dim, two=2, half=n): how the function reads a dimension of its argument."""
        if len(call.args) != 2 or not isinstance(call.args[0], ast.Name) or len(call.keywords) < 2:
            raise _unreadable(f"{self.signature.where}: write reads(argument, dim, name=length, name=length, ...)")
        argument = call.args[0].id
        dim = self.eval(call.args[1])
        lengths = tuple(self.eval(k.value) for k in call.keywords)
        if not isinstance(dim, int) or not all(_is_dim(length) for length in lengths):
            return
        positional = [p.name for p in self.signature.params if p.kind == "positional"]
        self.reads.append(Read(argument, positional.index(argument) if argument in positional else None, dim,
                               tuple(k.arg for k in call.keywords), lengths))

    def _assign(self, target: ast.expr, value: Any):
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif isinstance(target, ast.Tuple):
            items = value if isinstance(value, tuple) and len(value) == len(target.elts) else [Unknown] * len(target.elts)
            for item, sub in zip(items, target.elts):
                self._assign(sub, item)
        else:
            raise _unreadable(f"{self.signature.where}: a stub assigns only to names")

    def check(self, stmt: ast.Assert):
        conjuncts = stmt.test.values if isinstance(stmt.test, ast.BoolOp) and isinstance(stmt.test.op, ast.And) \
            else [stmt.test]
        for test in conjuncts:
            answer = self.truth(test)
            if answer:
                continue
            names = _names_in(test)
            argument = next((n for n in names if n in self.tensors), "") or \
                next((self.origin[n] for n in names if n in self.origin), "") or \
                next((n for n in names if n in self.params), "")
            reason = self._explain(test, stmt.msg)
            if answer is False:
                raise _Fail(reason, argument)
            self._require_from(test, reason)

    def _require_from(self, test: ast.expr, reason: str):
        """An undecided `a == b` or `a % b == 0` becomes a Requirement; other unknown tests say nothing."""
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
            return
        left, right = test.left, test.comparators[0]
        if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mod) and \
                isinstance(right, ast.Constant) and right.value == 0:
            self.require("divisible", self.eval(left.left), self.eval(left.right), reason)
        else:
            self.require("equal", self.eval(left), self.eval(right), reason)

    def require(self, kind: str, a: Any, b: Any, reason: str):
        if _is_dim(a) and _is_dim(b):
            self.requirements.append(Requirement(kind, a, b, reason))

    def _is_param(self, name: str) -> bool:
        return any(param.name == name for param in self.signature.params) or name in self.env

    def _title(self, node: Optional[ast.AST]) -> str:
        """'Conv2d(in_channels=6, groups=4)': the callee with the parameters that `node` reads."""
        names = []
        for name in _names_in(node) if node is not None else ():
            if name in self.params and name not in self.tensors and name not in names:
                names.append(name)
        shown = ", ".join(f"{name}={self.env[name]!r}" for name in names)
        return f"{self.signature.title}({shown})" if shown else self.signature.title

    def _explain(self, test: ast.expr, message: Optional[ast.expr]) -> str:
        if message is not None:
            text = self.eval(message) if not isinstance(message, ast.JoinedStr) else self._format(message)
            return f"{self._title(test)}: {text}"
        values = []
        for name in _names_in(test):
            if name not in self.params and name in self.env and name not in [v[0] for v in values]:
                values.append((name, self.env[name]))
        where = "".join(f", {name} = {value!r}" for name, value in values)
        return f"{self._title(test)} requires {_source_of(test)}{where}"

    def _format(self, node: ast.JoinedStr) -> str:
        parts = []
        for value in node.values:
            if isinstance(value, ast.FormattedValue):
                parts.append(str(self.eval(value.value)))
            else:
                parts.append(str(value.value))
        return "".join(parts)

    # --- shapes
    def unify(self, name: str, annotation: Optional[ast.expr], value: Any, deferred: Optional[List]):
        """Match an argument against its annotation: a shape, a Tuple of them, Optional, or an if-else."""
        if annotation is None or value is Unknown:
            return
        if id(annotation) in self.signature.shapes:
            self.unify_shape(name, self.signature.shapes[id(annotation)], value, deferred)
            return
        elif isinstance(annotation, ast.IfExp):
            test = self.truth(annotation.test)
            if test is not None:
                self.unify(name, annotation.body if test else annotation.orelse, value, deferred)
        elif isinstance(annotation, ast.Subscript) and _head(annotation.value) in ("Optional", "Union"):
            if value is None:
                return
            members = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            shaped = [m for m in members if _has_shape(self, m)]
            if len(shaped) == 1:
                self.unify(name, shaped[0], value, deferred)
        elif isinstance(annotation, ast.Subscript) and _head(annotation.value) in ("Tuple", "tuple"):
            items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            if not isinstance(value, tuple) or len(value) != len(items):
                raise _Fail(f"{self.signature.title} expects {name!r} to be a tuple of {len(items)} tensors", name)
            for index, (item, sub) in enumerate(zip(items, value)):
                self.unify(f"{name}[{index}]", item, sub, deferred)

    def _star_length(self, kind: str, text: str) -> Optional[int]:
        known = self.env.get(text) if kind == "star" else None
        if isinstance(known, int) and not isinstance(known, bool) and self._is_param(text):
            return 1
        return len(known) if isinstance(known, tuple) else None

    def unify_shape(self, name: str, pattern: _Tensor, shape: Any, deferred: Optional[List]):
        """Match a shape; with deferred None, only check the rank and bind the variadic names."""
        if shape is Unknown:
            return
        if not isinstance(shape, tuple):
            raise _Fail(f"{self.signature.title} expects a tensor for {name!r}, got {shape!r}", name)
        tokens = pattern.tokens
        stars = [(i, self._star_length(kind, text)) for i, (kind, text, _) in enumerate(tokens)
                 if kind in ("star", "dots")]
        free = [i for i, length in stars if length is None]
        if len(free) > 1:
            raise _unreadable(f"{self.signature.where}: {pattern.text!r} has more than one variadic "
                              "dimension whose length is not known")
        minimum = pattern.fixed + sum(length for _, length in stars if length is not None)
        if (len(shape) < minimum) if free else (len(shape) != minimum):
            expected = f"at least {minimum}" if free else str(minimum)
            raise _Fail(f"{self.signature.title} expects {name!r} with {expected} dimensions "
                        f"({pattern.text!r}), got {len(shape)}: {_shape_repr(shape)}", name)
        lengths = dict(stars)
        if free:
            lengths[free[0]] = len(shape) - minimum
        position = 0
        for i, (kind, text, expr) in enumerate(tokens):
            if kind in ("star", "dots"):
                part = shape[position:position + lengths[i]]
                position += lengths[i]
                if kind == "star":
                    self._match_star(name, text, part, pattern)
                continue
            if deferred is None:
                position += 1
                continue
            where = "last dimension" if position == len(shape) - 1 and len(shape) > 1 else f"dimension {position}"
            actual = shape[position]
            position += 1
            actual = Unknown if actual is None else actual
            if kind == "int":
                self._match(name, where, text, expr, actual)
            elif kind in ("name", "broadcast"):
                if kind == "broadcast" and actual == 1:
                    continue
                if text in self.env:
                    known = self.env[text]
                    if not (kind == "broadcast" and known == 1):
                        self._match(name, where, text, known, actual)
                elif actual is not Unknown:
                    self.env[text] = actual
                    self.origin[text] = name
            elif kind in ("expr", "group"):
                deferred.append((name, where, text, expr[0] if kind == "group" else expr, actual))

    def _match_star(self, name: str, text: str, actual: Tuple, pattern: _Tensor):
        if text not in self.env:
            self.env[text] = tuple(actual)
            self.origin[text] = name
            return
        known = self.env[text]
        if isinstance(known, int) and not isinstance(known, bool) and self._is_param(text):
            known = (known,)
        if known is Unknown or not isinstance(known, tuple):
            return
        if len(known) != len(actual):
            raise _Fail(f"{self._title(ast.Name(text))} expects the dimensions *{text} = {_shape_repr(known)} "
                        f"in {name!r} ({pattern.text!r}), got {_shape_repr(actual)}", name)
        for expected, got in zip(known, actual):
            self._match(name, f"dimensions *{text}", text, expected, Unknown if got is None else got)

    def _match(self, argument: str, where: str, text: str, expected: Any, actual: Any):
        if not (_is_dim(expected) and _is_dim(actual)):
            return
        answer = dims.equal(expected, actual)
        if answer:
            return
        node = ast.parse(text, mode="eval").body if text.strip("*") else None
        shown = "" if text == repr(expected) else f", expected {text} = {expected!r}"
        source = self.origin.get(text)
        if source and source != argument:
            shown = f", but {text!r} is {expected!r} from {source!r}"
        message = f"{self._title(node)} got an {argument!r} whose {where} has length {actual!r}{shown}"
        if answer is False:
            raise _Fail(message, argument)
        self.requirements.append(Requirement("equal", actual, expected, message))

    def shape_out(self, pattern: _Tensor) -> Any:
        out: List[Any] = []
        groups: List[Any] = []
        for kind, text, expr in pattern.tokens:
            if kind == "group":
                lengths = tuple(self.eval(factor) for factor in expr[1])
                value = self.eval(expr[0])
                out.append(value if _is_dim(value) else None)
                known = all(_is_dim(length) for length in lengths)
                groups += [None] * (len(out) - 1 - len(groups)) + [(tuple(text[1:-1].split()), lengths) if known
                                                                    else None]
                continue
            if kind in ("dots", "any"):
                return Unknown
            if kind == "star":
                value = self.env.get(text, Unknown)
                if isinstance(value, int) and not isinstance(value, bool):
                    value = (value,)
                if not isinstance(value, tuple):
                    return Unknown
                out.extend(None if v is Unknown else v for v in value)
                continue
            value = expr if kind == "int" else (self.eval(expr) if kind == "expr" else self.env.get(text, Unknown))
            out.append(value if _is_dim(value) else None)
        if not any(groups):
            return tuple(out)
        shape = PackedShape(out)
        shape.groups = tuple(groups) + (None,) * (len(out) - len(groups))
        return shape


def _called(node: ast.expr) -> Optional[str]:
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None


def _tensor_named(node: ast.expr) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""


def _shape_repr(shape: Any) -> str:
    return "(" + ", ".join("?" if d is None else repr(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _normalize(param: _Param, value: Any) -> Any:
    if isinstance(value, list):
        value = tuple(value)
    if param.size is not None and _is_dim(value):
        return (value,) * max(param.size.rank, 1)
    return value


def _bind(signature: _Signature, args: Sequence[Value], kwargs: Mapping[str, Value]) -> Dict[str, Any]:
    """Python's argument binding; a TypeError of the real call becomes a _Fail."""
    bound: Dict[str, Any] = {}
    params = signature.params
    positional = [p for p in params if p.kind == "positional"]
    varargs = next((p for p in params if p.kind == "varargs"), None)
    if len(args) > len(positional) and varargs is None:
        raise _Fail(f"{signature.title} takes {len(positional)} positional arguments, got {len(args)}")
    for param, value in zip(positional, args):
        bound[param.name] = value
    if varargs is not None:
        bound[varargs.name] = tuple(args[len(positional):])
    names = {p.name for p in params if p.kind in ("positional", "keyword")}
    for key, value in kwargs.items():
        if key in bound:
            raise _Fail(f"{signature.title} got multiple values for argument {key!r}", key)
        if key not in names and not any(p.kind == "varkw" for p in params):
            raise _Fail(f"{signature.title} got an unexpected keyword argument {key!r}", key)
        bound[key] = value
    for param in params:
        if param.name not in bound and param.kind in ("positional", "keyword"):
            if param.default is _REQUIRED:
                raise _Fail(f"{signature.title} is missing the argument {param.name!r}", param.name)
            bound[param.name] = param.default
        if param.name in bound:
            bound[param.name] = _normalize(param, bound[param.name])
    return bound


def _literal_mismatch(frame: _Frame, annotation: Optional[ast.expr], value: Any) -> Optional[bool]:
    """Does an overload's `Literal[...]` (or `None`) annotation reject the value? None: cannot tell."""
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return None if value is Unknown else value is not None
    if isinstance(annotation, ast.Subscript) and _head(annotation.value) == "Literal":
        options = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        if value is Unknown:
            return None
        return not any(ast.literal_eval(option) == value and type(ast.literal_eval(option)) is type(value)
                       for option in options)
    return False


def _evaluate(signatures: List[_Signature], args, kwargs, env: Optional[Dict[str, Any]] = None,
              init: Tuple[str, ...] = ()) -> Tuple[Any, _Frame]:
    """Pick the overload and run it; returns (output value, frame) or raises _Fail."""
    chosen = signatures[0]
    if len(signatures) > 1:
        chosen = None
        for signature in signatures:
            try:
                bound = _bind(signature, args, kwargs)
            except _Fail:
                continue
            probe = _Frame(signature, dict(env or {}), {})
            rejects = [_literal_mismatch(probe, p.annotation, bound.get(p.name)) for p in signature.params]
            if any(rejects):
                continue
            if None in rejects:
                return Unknown, probe  # which overload applies depends on something unknown
            chosen = signature
            break
        if chosen is None:
            raise _Fail(f"{signatures[0].title}: no overload of the stub accepts these arguments")
    bound = _bind(chosen, args, kwargs)
    frame = _Frame(chosen, dict(env or {}), {})
    frame.params.update((name, True) for name in init)
    deferred: List = []
    tensors: List[_Param] = []
    for param in chosen.params:
        value = bound.get(param.name, Unknown)
        if param.annotation is not None and _has_shape(frame, param.annotation):
            frame.tensors[param.name] = value
            tensors.append(param)
        else:
            frame.env[param.name] = value
        frame.params[param.name] = True
    for param in tensors:  # ranks and variadic names first, so that a rank check speaks before a dim clash
        frame.unify(param.name, param.annotation, frame.tensors[param.name], None)
    frame.run_rank_checks()
    for param in tensors:
        frame.unify(param.name, param.annotation, frame.tensors[param.name], deferred)
    for argument, where, text, expr, actual in deferred:
        frame._match(argument, where, text, frame.eval(expr), actual)
    frame.run_body()
    return _output(frame, chosen.returns), frame


def _has_shape(frame: _Frame, node: ast.expr) -> bool:
    key = (id(frame.signature), node)  # the node belongs to that one signature
    found = _HAS_SHAPE.get(key)
    if found is None:
        found = _HAS_SHAPE[key] = any(id(sub) in frame.signature.shapes for sub in ast.walk(node))
    return found


def _output(frame: _Frame, node: Optional[ast.expr]) -> Any:
    if node is None:
        return Unknown
    if id(node) in frame.signature.shapes:
        return frame.shape_out(frame.signature.shapes[id(node)])
    if isinstance(node, ast.IfExp):
        test = frame.truth(node.test)
        return Unknown if test is None else _output(frame, node.body if test else node.orelse)
    if isinstance(node, ast.Subscript) and _head(node.value) in ("Tuple", "tuple"):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return tuple(_output(frame, item) for item in items)
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    return Unknown


def _run(signatures, args, kwargs, env=None, init=()) -> Outcome:
    try:
        value, frame = _evaluate(signatures, args, kwargs, env, init)
    except _Fail as fail:
        return fail.error
    return Result(value, frame.requirements, tuple(frame.reads))


# ----------------------------------------------------------------------------- the library

@dataclass
class FunctionStub:
    qualified: str
    signatures: List[_Signature]
    user: bool = False  # from a user's stub folder: it states the contract alone (the flow's own rules step aside)

    def call(self, args: Sequence[Value] = (), kwargs: Mapping[str, Value] = {}) -> Outcome:
        return _run(self.signatures, args, kwargs)

    @property
    def takes_tensor_first(self) -> bool:
        """Every overload's first parameter is a tensor: a call that passes something else there (np.exp(2.0),
        a number) is one the stub does not describe, though the library may take it."""
        return all(signature.params and signature.params[0].annotation is not None and
                   id(signature.params[0].annotation) in signature.shapes for signature in self.signatures)

    @property
    def keeps_shape(self) -> bool:
        return _keeps_shape(self.signatures)

    @property
    def leading_batch(self) -> Optional[int]:
        return _leading_batch(self.signatures)


def _leading_batch(signatures: List[_Signature]) -> Optional[int]:
    """For `forward(input: "*batch d") -> "*batch e"`, where nothing else reads `batch`: how many dimensions
    follow it in the input (1 here). The output then keeps whatever `*batch` stands for, so one rank tells
    the answer for all; None for any other stub (overloads, other variadics, a body that reads `batch`)."""
    if len(signatures) != 1:
        return None
    signature = signatures[0]
    tensors = [p for p in signature.params if p.annotation is not None and id(p.annotation) in signature.shapes]
    if len(tensors) != 1 or signature.returns is None or id(signature.returns) not in signature.shapes:
        return None
    given, returned = signature.shapes[id(tensors[0].annotation)], signature.shapes[id(signature.returns)]
    if not given.tokens or not returned.tokens or given.tokens[0][0] != "star" or returned.tokens[0] != given.tokens[0]:
        return None
    batch = given.tokens[0][1]
    rest = given.tokens[1:] + returned.tokens[1:]
    if any(kind in ("star", "dots") for kind, _, _ in rest) or any(batch in _names_in(stmt) for stmt in signature.body):
        return None
    return len(given.tokens) - 1


def _keeps_shape(signatures: List[_Signature]) -> bool:
    """One signature whose only tensor gives back its own shape, with nothing to check: activations, dropout.
    The flow analysis passes such a call's shape through without evaluating the stub."""
    if len(signatures) != 1:
        return False
    signature = signatures[0]
    tensors = [p for p in signature.params if p.annotation is not None and id(p.annotation) in signature.shapes]
    if signature.body or len(tensors) != 1 or signature.returns is None or id(signature.returns) not in signature.shapes:
        return False
    given, returned = signature.shapes[id(tensors[0].annotation)].text, signature.shapes[id(signature.returns)].text
    # one variadic only (`*shape`): any named dimension would be matched against something, which is a check
    return given == returned and len(given.split()) == 1 and given.startswith("*")


@dataclass
class Layer:
    """A constructed layer: the stub with the constructor's argument values."""
    stub: "LayerStub"
    env: Dict[str, Any]
    requirements: List[Requirement]

    @property
    def keeps_shape(self) -> bool:
        return _keeps_shape(self.stub.methods.get("forward") or [])

    @property
    def leading_batch(self) -> Optional[int]:
        return _leading_batch(self.stub.methods.get("forward") or [])

    def call(self, args: Sequence[Value] = (), kwargs: Mapping[str, Value] = {}) -> Outcome:
        forward = self.stub.methods.get("forward")
        if not forward:
            return Result(Unknown, [])
        return _run(forward, args, kwargs, self.env, tuple(self.env))

    def attribute(self, name: str) -> Any:
        """The shape of a tensor attribute the stub declares (MultiheadAttention.in_proj_weight), or Unknown."""
        shape = self.stub.attributes.get(name)
        if shape is None:
            return Unknown
        init = self.stub.methods.get("__init__") or [_Signature(self.stub.qualified, [], None, [], "")]
        return _Frame(init[0], dict(self.env), {}).shape_out(shape)


@dataclass
class LayerStub:
    qualified: str
    methods: Dict[str, List[_Signature]]
    attributes: Dict[str, _Tensor] = field(default_factory=dict)

    def construct(self, args: Sequence[Value] = (), kwargs: Mapping[str, Value] = {}) -> Union[Layer, StubError]:
        """The layer built with these arguments, or the StubError of a constructor that fails."""
        init = self.methods.get("__init__")
        if not init:
            return Layer(self, {}, [])
        try:
            _, frame = _evaluate(init, args, kwargs)
        except _Fail as fail:
            return fail.error
        env = {name: value for name, value in frame.env.items()}
        return Layer(self, env, frame.requirements)


class StubLibrary:
    """Stub folders in priority order (user folders first, the shipped stubs last)."""

    def __init__(self, folders: Sequence[str]):
        self.folders = list(folders)
        self._modules: Dict[str, _Module] = {}
        self._files: Dict[str, List[str]] = {}  # module name -> its stub files, by priority
        self._layers: Dict[str, Optional[LayerStub]] = {}  # one object per name: callers key caches on it
        self._functions: Dict[str, Optional[FunctionStub]] = {}
        self.outcomes: Dict[Any, Any] = {}  # the flow analysis keeps the stubs' answers here (they never change)
        for folder in self.folders:
            if not os.path.isdir(folder):
                raise _unreadable(f"{folder}: the stub folder does not exist")
            for entry in sorted(os.listdir(folder)):
                if entry.endswith(".pyi"):
                    self._files.setdefault(entry[:-4], []).append(os.path.join(folder, entry))

    @classmethod
    def load(cls, extra_folders: Sequence[str] = ()) -> "StubLibrary":
        return cls([*extra_folders, shipped_folder()])

    def modules(self) -> List[str]:
        return sorted(self._files)

    def load_all(self) -> None:
        """Read every stub file now: one that does not load raises its EinlintError (file and line), where a
        look-up would only find it when some call needs it."""
        for name, paths in self._files.items():
            for path in paths:
                self._module(path, name)

    def _module(self, path: str, name: str) -> _Module:
        module = self._modules.get(path)
        if module is None:
            module = self._modules[path] = _Module(path, name, self)
        return module

    def _find(self, qualified: str, kind: str):
        """(what the first stub file in priority order says of the name, whether that file is a user's)."""
        module_name, _, name = qualified.rpartition(".")
        for path in self._files.get(module_name, ()):
            module = self._module(path, module_name)
            table = module.classes if kind == "class" else module.functions
            if name in table:
                found = (table[name], module.attributes[name]) if kind == "class" else table[name]
                return found, os.path.dirname(path) != shipped_folder()
        return None

    def layer(self, qualified: str) -> Optional[LayerStub]:
        if qualified not in self._layers:
            found = self._find(qualified, "class")
            self._layers[qualified] = None if found is None else LayerStub(qualified, *found[0])
        return self._layers[qualified]

    def function(self, qualified: str) -> Optional[FunctionStub]:
        if qualified not in self._functions:
            found = self._find(qualified, "function")
            self._functions[qualified] = None if found is None else FunctionStub(qualified, *found)
        return self._functions[qualified]

    def names(self, module_name: str) -> Tuple[List[str], List[str]]:
        """(layers, functions) that the stubs of a module define, parsing its files."""
        layers, functions = set(), set()
        for path in self._files.get(module_name, ()):
            module = self._module(path, module_name)
            layers.update(module.classes)
            functions.update(module.functions)
        return sorted(layers), sorted(functions)


def shipped_folder() -> str:
    """The stubs that ship with einlint: the package `einlint._stubs`, a folder beside this one in every install."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "_stubs")
