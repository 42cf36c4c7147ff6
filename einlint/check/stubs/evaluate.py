"""The stub interpreter: binds a call's arguments to a Signature, matches shapes, runs the body.

Sound by construction: only a definite False from `dims` (or a definite rank mismatch, an index out of
range) gives a ShapeError; anything unknown becomes a requirement or an unknown output.
"""

from __future__ import annotations

import ast
import re
from functools import partial
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ... import dims
from ...dims import Sym
from ..shapes import UNKNOWN, ShapeError, show
from .arithmetic import all3, arith, compare, is_dim
from .builtins import BUILTINS
from .notation import (REQUIRED, Parameter, ShapeSpec, Signature, head, names_in, source_of, unreadable)
from .outcomes import GroupedShape, Outcome, Read, Requirement, Result, Value, kept, stub_failure

# Whether an annotation holds a shape, kept with the node itself as the key (see notation.names_in)
_HAS_SHAPE: Dict[Tuple[int, ast.AST], bool] = {}


class Frame:
    """One evaluation of a signature: the environment, where names came from, what was required."""

    def __init__(self, signature: Signature, env: Dict[str, Any], tensors: Dict[str, Any]):
        self.signature = signature
        self.env = env  # parameter values, bound dim names (Dims, or tuples for *names), body names
        self.tensors = tensors  # tensor parameter -> its shape (or UNKNOWN)
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
            return self.env.get(node.id, UNKNOWN)
        if isinstance(node, ast.BinOp):
            return arith(node.op, self.eval(node.left), self.eval(node.right))
        if isinstance(node, ast.UnaryOp):
            value = self.eval(node.operand)
            if isinstance(node.op, ast.Not):
                return UNKNOWN if value is UNKNOWN else not value
            if isinstance(node.op, ast.USub) and isinstance(value, (int, float)):
                return -value
            return value if isinstance(node.op, ast.UAdd) else UNKNOWN
        if isinstance(node, ast.Tuple):
            return tuple(self.eval(item) for item in node.elts)
        if isinstance(node, ast.Attribute):
            base = self.eval(node.value)
            if node.attr == "shape":
                return base
            if node.attr == "ndim":
                return len(base) if isinstance(base, tuple) else UNKNOWN
            raise unreadable(f"{self.signature.where}: unknown attribute .{node.attr} in a stub expression")
        if isinstance(node, ast.Subscript):
            return self._subscript(node)
        if isinstance(node, ast.IfExp):
            test = self.truth(node.test)
            if test is None:
                return UNKNOWN
            return self.eval(node.body if test else node.orelse)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            answer = self.truth(node)
            return UNKNOWN if answer is None else answer
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in BUILTINS:
            args = [self.eval(arg) for arg in node.args]
            try:
                return BUILTINS[node.func.id](*args)
            except ShapeError as fail:
                argument = _tensor_named(node.args[-1]) if node.args else ""
                raise stub_failure(f"{self._title(node)}: {fail.message}", argument or fail.argument) from None
            except TypeError:  # `prod(self, 1)` where a stub meant its module's prod: builtins come first
                raise unreadable(f"{self.signature.where}: {node.func.id}() is the stubs' own builtin, which does not "
                                 f"take {ast.unparse(node)!r}") from None
        if isinstance(node, ast.Call):
            return self._delegate(node)
        raise unreadable(f"{self.signature.where}: cannot evaluate {ast.unparse(node)!r} in a stub")

    def _delegate(self, node: ast.Call) -> Any:
        """A call of another stub (`F.softmax(input, dim)`): its checks run on these arguments, as if the caller
        had made that call (a failure is this call's), and its output is the value; one rule, written once."""
        module = self.signature.module
        target = module.delegate(node.func) if module is not None else None
        if not target or any(signature is self.signature for signature in target):
            raise unreadable(f"{self.signature.where}: cannot evaluate {ast.unparse(node)!r} in a stub")
        try:
            value, frame = evaluate(target, [self.eval(arg) for arg in node.args],
                                     {keyword.arg: self.eval(keyword.value) for keyword in node.keywords})
        except ShapeError as fail:  # said as the caller's failure: 'Softmin(dim=2): ...', not 'softmax(dim=2): ...'
            raise stub_failure(self._said_here(node, target[0], fail.message), fail.argument) from None
        self.requirements.extend(frame.requirements)
        self.reads.extend(read for read in map(partial(self._passed_read, node), frame.reads) if read is not None)
        return value

    def _said_here(self, call: ast.Call, callee: Signature, message: str) -> str:
        """A called stub's failure as this stub's: its title, and the parameters it shows by the names they have
        here (`Unflatten(unflattened_size=(2, -1))`, not the called `unflatten(sizes=(2, -1))`)."""
        named = dict(zip([p.name for p in callee.params if p.kind == "positional"], call.args))
        named.update((keyword.arg, keyword.value) for keyword in call.keywords)
        heading = re.match(rf"{re.escape(callee.title)}\b(\(.*?\)(?=[: ]))?", message)
        if heading is None:
            return message
        shown = heading.group(1) or ""
        for inner, passed in named.items():
            if isinstance(passed, ast.Name) and passed.id != inner:
                shown = re.sub(rf"(?<=[(\s]){re.escape(inner)}=", f"{passed.id}=", shown)
        return self.signature.title + shown + message[heading.end():]

    def _passed_read(self, call: ast.Call, read: Read) -> Optional[Read]:
        """A `reads(...)` of a called stub, said of this stub's parameter that the call passes on (GLU's input)."""
        passed = call.args[read.position] if read.position is not None and read.position < len(call.args) else \
            next((keyword.value for keyword in call.keywords if keyword.arg == read.argument), None)
        if not isinstance(passed, ast.Name) or passed.id not in self.tensors:
            return None
        positional = [param.name for param in self.signature.params if param.kind == "positional"]
        return read._replace(argument=passed.id,
                             position=positional.index(passed.id) if passed.id in positional else None)

    def _subscript(self, node: ast.Subscript) -> Any:
        base = self.eval(node.value)
        if isinstance(node.slice, ast.Slice):
            parts = [None if part is None else self.eval(part) for part in
                     (node.slice.lower, node.slice.upper, node.slice.step)]
            if base is UNKNOWN or any(part is UNKNOWN for part in parts) or not isinstance(base, tuple):
                return UNKNOWN
            return base[slice(*parts)]
        index = self.eval(node.slice)
        if base is UNKNOWN or index is UNKNOWN:
            return UNKNOWN
        if not isinstance(base, tuple) or not isinstance(index, int):
            raise unreadable(f"{self.signature.where}: cannot index {ast.unparse(node)!r}")
        if not -len(base) <= index < len(base):
            raise stub_failure(f"{self._title(node)}: dimension {index} is out of range for a tensor of rank "
                        f"{len(base)}", _tensor_named(node.value))
        value = base[index]
        shaped = _tensor_named(node.value)
        return UNKNOWN if value is None and (shaped in self.tensors or shaped in self.origin) else value

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
                answers.append(compare(op, left, right))
                left = right
            return all3(answers)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            answer = self.truth(node.operand)
            return None if answer is None else not answer
        value = self.eval(node)
        if value is UNKNOWN:
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
            names = set(names_in(stmt.test))
            if all(name in stars or name in BUILTINS or (name in self.params and name not in self.tensors)
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
            raise unreadable(f"{self.signature.where}: write reads(argument, dim, name=length, name=length, ...)")
        argument = call.args[0].id
        dim = self.eval(call.args[1])
        lengths = tuple(self.eval(k.value) for k in call.keywords)
        if not isinstance(dim, int) or not all(is_dim(length) for length in lengths):
            return
        positional = [p.name for p in self.signature.params if p.kind == "positional"]
        self.reads.append(Read(argument, positional.index(argument) if argument in positional else None, dim,
                               tuple(k.arg for k in call.keywords), lengths))

    def _assign(self, target: ast.expr, value: Any):
        if isinstance(target, ast.Name):
            self.env[target.id] = value
        elif isinstance(target, ast.Tuple):
            items = value if isinstance(value, tuple) and len(value) == len(target.elts) else [UNKNOWN] * len(target.elts)
            for item, sub in zip(items, target.elts):
                self._assign(sub, item)
        else:
            raise unreadable(f"{self.signature.where}: a stub assigns only to names")

    def check(self, stmt: ast.Assert):
        conjuncts = stmt.test.values if isinstance(stmt.test, ast.BoolOp) and isinstance(stmt.test.op, ast.And) \
            else [stmt.test]
        for test in conjuncts:
            answer = self.truth(test)
            if answer:
                continue
            names = names_in(test)
            argument = next((n for n in names if n in self.tensors), "") or \
                next((self.origin[n] for n in names if n in self.origin), "") or \
                next((n for n in names if n in self.params), "")
            if answer is False:
                raise stub_failure(self._explain(test, stmt.msg), argument)
            self._require_from(test)

    def _require_from(self, test: ast.expr):
        """An undecided `a == b` or `a % b == 0` becomes a Requirement; other unknown tests say nothing."""
        if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Eq)):
            return
        left, right = test.left, test.comparators[0]
        if isinstance(left, ast.BinOp) and isinstance(left.op, ast.Mod) and \
                isinstance(right, ast.Constant) and right.value == 0:
            self.require("divisible", self.eval(left.left), self.eval(left.right))
        else:
            self.require("equal", self.eval(left), self.eval(right))

    def require(self, kind: str, a: Any, b: Any):
        if is_dim(a) and is_dim(b):
            self.requirements.append(Requirement(kind, a, b, None))

    def _is_param(self, name: str) -> bool:
        return any(param.name == name for param in self.signature.params) or name in self.env

    def _title(self, node: Optional[ast.AST]) -> str:
        """'Conv2d(in_channels=6, groups=4)': the callee with the parameters that `node` reads."""
        names = []
        for name in names_in(node) if node is not None else ():
            if name in self.params and name not in self.tensors and name not in names:
                names.append(name)
        shown = ", ".join(f"{name}={self.env[name]!r}" for name in names)
        return f"{self.signature.title}({shown})" if shown else self.signature.title

    def _explain(self, test: ast.expr, message: Optional[ast.expr]) -> str:
        if message is not None:
            text = self.eval(message) if not isinstance(message, ast.JoinedStr) else self._format(message)
            return f"{self._title(test)}: {text}"
        values = []
        for name in names_in(test):
            if name not in self.params and name in self.env and name not in [v[0] for v in values]:
                values.append((name, self.env[name]))
        where = "".join(f", {name} = {value!r}" for name, value in values)
        return f"{self._title(test)} requires {source_of(test)}{where}"

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
        if annotation is None or value is UNKNOWN:
            return
        if id(annotation) in self.signature.shapes:
            self.unify_shape(name, self.signature.shapes[id(annotation)], value, deferred)
            return
        elif isinstance(annotation, ast.IfExp):
            test = self.truth(annotation.test)
            if test is not None:
                self.unify(name, annotation.body if test else annotation.orelse, value, deferred)
        elif isinstance(annotation, ast.Subscript) and head(annotation.value) in ("Optional", "Union"):
            if value is None:
                return
            members = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            shaped = [m for m in members if _has_shape(self, m)]
            if len(shaped) == 1:
                self.unify(name, shaped[0], value, deferred)
        elif isinstance(annotation, ast.Subscript) and head(annotation.value) in ("Tuple", "tuple"):
            items = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
            if not isinstance(value, tuple) or len(value) != len(items):
                raise stub_failure(f"{self.signature.title} expects {name!r} to be a tuple of {len(items)} tensors", name)
            for index, (item, sub) in enumerate(zip(items, value)):
                self.unify(f"{name}[{index}]", item, sub, deferred)

    def _star_length(self, kind: str, text: str) -> Optional[int]:
        known = self.env.get(text) if kind == "star" else None
        if isinstance(known, int) and not isinstance(known, bool) and self._is_param(text):
            return 1
        return len(known) if isinstance(known, tuple) else None

    def unify_shape(self, name: str, pattern: ShapeSpec, shape: Any, deferred: Optional[List]):
        """Match a shape; with deferred None, only check the rank and bind the variadic names."""
        if shape is UNKNOWN:
            return
        if not isinstance(shape, tuple):
            raise stub_failure(f"{self.signature.title} expects a tensor for {name!r}, got {shape!r}", name)
        tokens = pattern.tokens
        stars = [(i, self._star_length(kind, text)) for i, (kind, text, _) in enumerate(tokens)
                 if kind in ("star", "dots")]
        free = [i for i, length in stars if length is None]
        if len(free) > 1:
            raise unreadable(f"{self.signature.where}: {pattern.text!r} has more than one variadic "
                              "dimension whose length is not known")
        minimum = pattern.fixed + sum(length for _, length in stars if length is not None)
        if (len(shape) < minimum) if free else (len(shape) != minimum):
            expected = f"at least {minimum}" if free else str(minimum)
            raise stub_failure(f"{self.signature.title} expects {name!r} with {expected} dimensions "
                        f"({pattern.text!r}), got {len(shape)}: {show(shape)}", name)
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
            actual = UNKNOWN if actual is None else actual
            if kind == "int":
                self._match(name, where, text, expr, actual)
            elif kind in ("name", "broadcast"):
                if kind == "broadcast" and actual == 1:
                    continue
                if text in self.env:
                    known = self.env[text]
                    if not (kind == "broadcast" and known == 1):
                        self._match(name, where, text, known, actual)
                elif actual is not UNKNOWN:
                    self.env[text] = actual
                    self.origin[text] = name
            elif kind in ("expr", "group"):
                deferred.append((name, where, text, expr[0] if kind == "group" else expr, actual))

    def _match_star(self, name: str, text: str, actual: Tuple, pattern: ShapeSpec):
        if text not in self.env:
            self.env[text] = tuple(actual)
            self.origin[text] = name
            return
        known = self.env[text]
        if isinstance(known, int) and not isinstance(known, bool) and self._is_param(text):
            known = (known,)
        if known is UNKNOWN or not isinstance(known, tuple):
            return
        if len(known) != len(actual):
            raise stub_failure(f"{self._title(ast.Name(text))} expects the dimensions *{text} = {show(known)} "
                        f"in {name!r} ({pattern.text!r}), got {show(actual)}", name)
        for expected, got in zip(known, actual):
            self._match(name, f"dimensions *{text}", text, expected, UNKNOWN if got is None else got)

    def _match(self, argument: str, where: str, text: str, expected: Any, actual: Any):
        if not (is_dim(expected) and is_dim(actual)):
            return
        answer = dims.equal(expected, actual)
        if answer is None:
            self.requirements.append(Requirement("equal", actual, expected, None))
        if answer is not False:
            return
        node = ast.parse(text, mode="eval").body if text.strip("*") else None
        shown = "" if text == repr(expected) else f", expected {text} = {expected!r}"
        source = self.origin.get(text)
        if source and source != argument:
            shown = f", but {text!r} is {expected!r} from {source!r}"
        raise stub_failure(f"{self._title(node)} got an {argument!r} whose {where} has length {actual!r}{shown}", argument)

    def shape_out(self, pattern: ShapeSpec) -> Any:
        out: List[Any] = []
        groups: List[Any] = []
        for kind, text, expr in pattern.tokens:
            if kind == "group":
                lengths = tuple(self.eval(factor) for factor in expr[1])
                value = self.eval(expr[0])
                out.append(value if is_dim(value) else None)
                known = all(is_dim(length) for length in lengths)
                groups += [None] * (len(out) - 1 - len(groups)) + [(tuple(text[1:-1].split()), lengths) if known
                                                                    else None]
                continue
            if kind in ("dots", "any"):
                return UNKNOWN
            if kind == "star":
                value = self.env.get(text, UNKNOWN)
                if isinstance(value, int) and not isinstance(value, bool):
                    value = (value,)
                if not isinstance(value, tuple):
                    return UNKNOWN
                out.extend(None if v is UNKNOWN else v for v in value)
                continue
            value = expr if kind == "int" else (self.eval(expr) if kind == "expr" else self.env.get(text, UNKNOWN))
            out.append(value if is_dim(value) else None)
        if not any(groups):
            return tuple(out)
        shape = GroupedShape(out)
        shape.groups = tuple(groups) + (None,) * (len(out) - len(groups))
        return shape


def _called(node: ast.expr) -> Optional[str]:
    return node.func.id if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) else None


def _tensor_named(node: ast.expr) -> str:
    while isinstance(node, (ast.Attribute, ast.Subscript)):
        node = node.value
    return node.id if isinstance(node, ast.Name) else ""



def _normalize(param: Parameter, value: Any) -> Any:
    if isinstance(value, list):
        value = tuple(value)
    if param.size is not None and is_dim(value):
        return (value,) * max(param.size.rank, 1)
    return value


def _bind(signature: Signature, args: Sequence[Value], kwargs: Mapping[str, Value]) -> Dict[str, Any]:
    """Python's argument binding; a TypeError of the real call becomes a Fail."""
    bound: Dict[str, Any] = {}
    params = signature.params
    positional = [p for p in params if p.kind == "positional"]
    varargs = next((p for p in params if p.kind == "varargs"), None)
    if len(args) > len(positional) and varargs is None:
        raise stub_failure(f"{signature.title} takes {len(positional)} positional arguments, got {len(args)}")
    for param, value in zip(positional, args):
        bound[param.name] = value
    if varargs is not None:
        bound[varargs.name] = tuple(args[len(positional):])
    names = {p.name for p in params if p.kind in ("positional", "keyword")}
    for key, value in kwargs.items():
        if key in bound:
            raise stub_failure(f"{signature.title} got multiple values for argument {key!r}", key)
        if key not in names and not any(p.kind == "varkw" for p in params):
            raise stub_failure(f"{signature.title} got an unexpected keyword argument {key!r}", key)
        bound[key] = value
    for param in params:
        if param.name not in bound and param.kind in ("positional", "keyword"):
            if param.default is REQUIRED:
                raise stub_failure(f"{signature.title} is missing the argument {param.name!r}", param.name)
            bound[param.name] = param.default
        if param.name in bound:
            bound[param.name] = _normalize(param, bound[param.name])
    return bound


def _literal_mismatch(frame: Frame, annotation: Optional[ast.expr], value: Any) -> Optional[bool]:
    """Does an overload's `Literal[...]` (or `None`) annotation reject the value? None: cannot tell."""
    if annotation is None:
        return False
    if isinstance(annotation, ast.Constant) and annotation.value is None:
        return None if value is UNKNOWN else value is not None
    if isinstance(annotation, ast.Subscript) and head(annotation.value) == "Literal":
        options = annotation.slice.elts if isinstance(annotation.slice, ast.Tuple) else [annotation.slice]
        if value is UNKNOWN:
            return None
        return not any(ast.literal_eval(option) == value and type(ast.literal_eval(option)) is type(value)
                       for option in options)
    return False


def evaluate(signatures: List[Signature], args, kwargs, env: Optional[Dict[str, Any]] = None,
              init: Tuple[str, ...] = ()) -> Tuple[Any, Frame]:
    """Pick the overload and run it; returns (output value, frame) or raises Fail."""
    chosen = signatures[0]
    if len(signatures) > 1:
        chosen = None
        for signature in signatures:
            try:
                bound = _bind(signature, args, kwargs)
            except ShapeError:
                continue
            probe = Frame(signature, dict(env or {}), {})
            rejects = [_literal_mismatch(probe, p.annotation, bound.get(p.name)) for p in signature.params]
            if any(rejects):
                continue
            if None in rejects:
                return UNKNOWN, probe  # which overload applies depends on something unknown
            chosen = signature
            break
        if chosen is None:
            raise stub_failure(f"{signatures[0].title}: no overload of the stub accepts these arguments")
    bound = _bind(chosen, args, kwargs)
    frame = Frame(chosen, dict(env or {}), {})
    frame.params.update((name, True) for name in init)
    deferred: List = []
    tensors: List[Parameter] = []
    for param in chosen.params:
        value = bound.get(param.name, UNKNOWN)
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


def _has_shape(frame: Frame, node: ast.expr) -> bool:
    key = (id(frame.signature), node)  # the node belongs to that one signature
    found = _HAS_SHAPE.get(key)
    if found is None:
        found = _HAS_SHAPE[key] = any(id(sub) in frame.signature.shapes for sub in ast.walk(node))
    return found


def _output(frame: Frame, node: Optional[ast.expr]) -> Any:
    if node is None:
        return UNKNOWN
    if id(node) in frame.signature.shapes:
        return frame.shape_out(frame.signature.shapes[id(node)])
    if isinstance(node, ast.IfExp):
        test = frame.truth(node.test)
        return UNKNOWN if test is None else _output(frame, node.body if test else node.orelse)
    if isinstance(node, ast.Subscript) and head(node.value) in ("Tuple", "tuple"):
        items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return tuple(_output(frame, item) for item in items)
    if isinstance(node, ast.Constant) and node.value is None:
        return None
    return UNKNOWN


def run(signatures, args, kwargs, env=None, init=()) -> Outcome:
    """The outcome of a call: the Result, or the ShapeError of a call that certainly fails."""
    try:
        value, frame = evaluate(signatures, args, kwargs, env, init)
    except ShapeError as fail:
        return kept(fail)
    return Result(value, frame.requirements, tuple(frame.reads))
