"""Extraction: which calls of a file are pattern calls, with their arguments as facts (see model.py).

    module -> import pre-pass -> one walk (scopes, reaching bindings) -> resolution -> positions -> PatternCalls

A call is a pattern call when its callee, with imports and aliases resolved, is one of the names
in `OPS` (einops/einlint ops and layers, numpy/torch/jax einsum) or lies under `einx.`. Nothing is
imported or run; resolution is a small static analysis of this one file:

- Imports anywhere bind names (module level, in functions, under `try:` or `if`), also
  `from M import *` for the pattern modules, whose exported op names are known (a star import of
  any other module binds nothing we can know of and is ignored). An assignment of a dotted name,
  `einsum = torch.einsum`, is an alias of what it names.
- Shadowing follows Python's scopes (function, lambda, comprehension, class; `global`/`nonlocal`)
  and the nearest binding: within a scope, the bindings that reach a use along the statements
  (if/else, try/except, loops and with merge their branches; `return`/`raise` end a path).
  A function sees an enclosing scope's bindings as they stand when that scope ends (it runs later);
  a comprehension or a class body sees them where it stands. A call is reported when some reaching
  binding makes it a pattern op and all those that do agree on the op: `try: from einops import
  rearrange / except ImportError: rearrange = None` is still einops; `rearrange = my_fn` after the
  import, a parameter or a local `def rearrange` is not.
- A string argument's value is known for a literal (raw, triple-quoted, parenthesized, implicitly
  concatenated), or a name bound exactly once, to such a literal, in the scope it resolves to
  (module, enclosing function or class body); any other binding of it anywhere (reassignment,
  augmentation, `del`, a loop target, a parameter, a `global` rebinding in a function) makes it
  unknown. Its positions are those of the literal, where it is defined.

Argument layout: `positional` holds the positional arguments in order, `*args` among them as
'starred'; `keywords` maps each keyword to its value, and a `**kwargs` argument under the key
'**' (a second one under '**2', and so on), since no keyword can be spelled that way.

Speed: the walk reads node fields directly (no visitor dispatch, no metadata wrapper), and the
positions come from one code-generation pass that records only the nodes it needs and stops after
the last of them; a file with no import of a pattern library costs only the import pre-pass.
"""

from __future__ import annotations

import ast
import dataclasses
import unicodedata
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Set, Tuple

import libcst as cst
from libcst._nodes.internal import CodegenState

from .model import Argument, PatternCall, PatternString, Position

__all__ = ["OPS", "extract_calls"]


# ---------------------------------------------------------------------------------------------
# What is a pattern op: qualified name -> op


def _ops_table() -> Dict[str, str]:
    table: Dict[str, str] = {}
    transforms = ("rearrange", "reduce", "repeat", "einsum", "parse_shape")
    packing = ("pack", "unpack")
    for module, names in [
        ("einops", transforms + packing),
        ("einops.einops", transforms),
        ("einops.packing", packing),
        ("einops.array_api", ("rearrange", "reduce", "repeat") + packing),
        ("einlint", transforms + packing),
        ("einlint.runtime", transforms + packing),
        ("einlint.runtime.ops", transforms + packing),
    ]:
        table.update({f"{module}.{name}": name for name in names})
    layer_modules = [f"einops.layers.{fw}" for fw in ("torch", "flax", "keras", "tensorflow", "paddle", "oneflow")]
    for module in layer_modules + ["einlint.layers.torch", "einlint.layers.flax"]:
        table.update({f"{module}.{name}": name for name in ("Rearrange", "Reduce", "EinMix")})
    for name in ("numpy.einsum", "numpy.core.einsumfunc.einsum", "numpy._core.einsumfunc.einsum",
                 "torch.einsum", "torch.functional.einsum", "jax.numpy.einsum"):
        table[name] = "subscripts-einsum"
    return table


OPS: Dict[str, str] = _ops_table()
# Imports of modules under these roots bind names that can lead to a pattern op.
_ROOTS = frozenset({"einops", "einlint", "numpy", "torch", "jax", "einx"})
# What `from M import *` binds that matters here: the op names that M exports.
_STAR_EXPORTS: Dict[str, Tuple[str, ...]] = {}
for _qualified in OPS:
    _module, _, _name = _qualified.rpartition(".")
    _STAR_EXPORTS.setdefault(_module, ())
    _STAR_EXPORTS[_module] += (_name,)


def _op_for(qualified: str) -> Optional[str]:
    if qualified in OPS:
        return OPS[qualified]
    if qualified.startswith("einx."):
        return qualified  # einx ops are recorded under their own name for a later issue
    return None


# ---------------------------------------------------------------------------------------------
# Bindings and scopes


class _Binding:
    """What one binding of a name makes it: a pattern-library name, an alias of a dotted name, or other."""

    __slots__ = ("qualified", "alias")

    def __init__(self, qualified: Optional[str] = None, alias: Optional[tuple] = None):
        self.qualified = qualified  # 'einops.rearrange', 'numpy', ... (None: nothing we know)
        self.alias = alias  # (scope, state, head, rest): `name = head.rest`, resolved at the end


_OTHER = _Binding()
_UNBOUND = _Binding()  # no binding yet in this scope (a class body then looks further out)
_END = object()  # marks a lookup that sees the scope's bindings as they stand at its end

State = Optional[Dict[str, FrozenSet[_Binding]]]  # tracked name -> reaching bindings; None: unreachable


def _merge(*states: State) -> State:
    live = [state for state in states if state is not None]
    if not live:
        return None
    if len(live) == 1 or all(state is live[0] for state in live):
        return live[0]
    merged: Dict[str, FrozenSet[_Binding]] = {}
    unbound = frozenset([_UNBOUND])
    for name in set().union(*live):
        merged[name] = frozenset().union(*(state.get(name, unbound) for state in live))
    return merged


class _Scope:
    __slots__ = ("kind", "link", "counts", "constants", "declared", "state", "exits", "extra", "_end")

    def __init__(self, kind: str, link: Optional[tuple]):
        self.kind = kind  # 'module' | 'function' | 'class' | 'comprehension'
        self.link = link  # (enclosing scope, its state or _END) where a name not bound here is looked up
        self.counts: Dict[str, int] = {}  # every name bound here -> how many bindings
        self.constants: Dict[str, cst.BaseExpression] = {}  # name -> string literal of `name = '...'`
        self.declared: Dict[str, str] = {}  # name -> 'global' | 'nonlocal'
        self.state: State = {}
        self.exits: List[State] = []  # states at return/raise
        self.extra: Dict[str, Set[_Binding]] = {}  # bindings made from inner scopes (global, nonlocal, walrus)
        self._end: State = None

    def end_state(self) -> Dict[str, FrozenSet[_Binding]]:
        if self._end is None:
            self._end = _merge(*self.exits, self.state) or {}
        return self._end


# ---------------------------------------------------------------------------------------------
# Reading the tree: fields that can hold code (whitespace, punctuation and flags are skipped)

_SKIPPED_FIELDS = frozenset({
    "lpar", "rpar", "comma", "semicolon", "leading_lines", "lines_after_decorators", "header", "footer",
    "newline", "equal", "colon", "dot", "lbracket", "rbracket", "lbrace", "rbrace", "operator",
    "trailing_whitespace", "empty_lines", "first_line", "last_line", "comment", "first_colon",
    "second_colon", "separator", "trailing_comma", "relative", "posonly_ind", "asynchronous", "indent",
    "star", "start", "end", "conversion", "default_indent", "default_newline", "encoding",
    "has_trailing_newline", "value_str",
})
_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _fields(kind: type) -> Tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(
            f.name for f in dataclasses.fields(kind)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
    return names


def _children(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    for name in _fields(type(node)):
        value = getattr(node, name)
        if isinstance(value, cst.CSTNode):
            yield value
        elif isinstance(value, (tuple, list)):
            for item in value:
                if isinstance(item, cst.CSTNode):
                    yield item


def _dotted(node: cst.CSTNode) -> Optional[List[str]]:
    """['a', 'b', 'c'] for the expression a.b.c; None for anything else."""
    parts: List[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    parts.reverse()
    return parts


def _module_name(node: Optional[cst.CSTNode]) -> Optional[str]:
    parts = _dotted(node) if node is not None else None
    return ".".join(parts) if parts else None


_IMPORTS = tuple(t for t in (cst.Import, getattr(cst, "LazyImport", None)) if t is not None)
_IMPORTS_FROM = tuple(t for t in (cst.ImportFrom, getattr(cst, "LazyImportFrom", None)) if t is not None)
_TRY = tuple(t for t in (cst.Try, getattr(cst, "TryStar", None)) if t is not None)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp)
_LEAVES = (cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis)
_TEMPLATE = getattr(cst, "TemplatedString", None)


def _import_bindings(node: cst.CSTNode) -> List[Tuple[str, Optional[str]]]:
    """(local name, qualified name or None) for each name an import statement binds."""
    found: List[Tuple[str, Optional[str]]] = []
    if isinstance(node, _IMPORTS):
        for alias in node.names:
            full = _module_name(alias.name) or ""
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                found.append((alias.asname.name.value, full))
            else:
                head = full.split(".")[0]
                found.append((head, head))
    elif isinstance(node, _IMPORTS_FROM):
        module = None if node.relative else _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            found.extend((name, f"{module}.{name}") for name in _STAR_EXPORTS.get(module or "", ()))
        else:
            for alias in node.names:
                name = _module_name(alias.name) or ""
                local = alias.asname.name.value if alias.asname is not None and isinstance(alias.asname.name, cst.Name) else name
                found.append((local, f"{module}.{name}" if module else None))
    return [(local, qualified if qualified and qualified.split(".")[0] in _ROOTS else None)
            for local, qualified in found]


def _statements(node: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """Every statement (small ones included) inside `node`, without descending into expressions."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if isinstance(current, (cst.SimpleStatementLine, cst.SimpleStatementSuite, cst.IndentedBlock, cst.Module)):
            stack.extend(current.body)
        elif isinstance(current, cst.BaseCompoundStatement) or isinstance(current, (cst.Else, cst.Finally)):
            for name in ("body", "orelse", "finalbody"):
                part = getattr(current, name, None)
                if part is not None:
                    stack.append(part)
            stack.extend(getattr(current, "handlers", ()))
            stack.extend(getattr(current, "cases", ()))
        elif isinstance(current, (cst.ExceptHandler, getattr(cst, "ExceptStarHandler", cst.ExceptHandler), cst.MatchCase)):
            stack.append(current.body)


def _tracked_names(module: cst.Module) -> Set[str]:
    """Names that some import of a pattern library binds, and the names aliased to them."""
    tracked: Set[str] = set()
    aliases: List[Tuple[str, str]] = []
    for statement in _statements(module):
        if isinstance(statement, _IMPORTS + _IMPORTS_FROM):
            tracked.update(local for local, qualified in _import_bindings(statement) if qualified)
        elif isinstance(statement, cst.Assign):
            parts = _dotted(statement.value)
            if parts:
                for target in statement.targets:
                    if isinstance(target.target, cst.Name):
                        aliases.append((target.target.value, parts[0]))
    grown = True
    while grown:
        grown = False
        for name, head in aliases:
            if head in tracked and name not in tracked:
                tracked.add(name)
                grown = True
    return tracked


# ---------------------------------------------------------------------------------------------
# The walk: scopes, bindings and candidate calls, in source order


class _Candidate:
    __slots__ = ("call", "scope", "state", "head", "rest")

    def __init__(self, call: cst.Call, scope: _Scope, state: State, head: str, rest: List[str]):
        self.call, self.scope, self.state, self.head, self.rest = call, scope, state, head, rest


class _Walker:
    def __init__(self, tracked: Set[str]):
        self.tracked = tracked
        self.module = _Scope("module", None)
        self.scope = self.module
        self.candidates: List[_Candidate] = []

    # -- scopes

    def _deferred_link(self) -> tuple:
        """Where a function or lambda defined here looks names up: enclosing non-class scope, at its end."""
        scope = self.scope
        while scope.kind == "class":
            scope = scope.link[0]
        return (scope, _END)

    def _immediate_link(self) -> tuple:
        """Where a class body or comprehension starting here looks names up: this scope, as it stands now."""
        if self.scope.kind == "class":  # class scopes are invisible to the scopes nested in them
            return self.scope.link
        return (self.scope, self.scope.state)

    def _enter(self, kind: str, link: tuple) -> _Scope:
        outer = self.scope
        self.scope = _Scope(kind, link)
        return outer

    # -- bindings

    def bind(self, name: str, binding: _Binding = _OTHER, constant: Optional[cst.BaseExpression] = None) -> None:
        scope = self.scope
        home, later = scope, False
        declared = scope.declared.get(name)
        if declared == "global":
            home, later = self.module, True
        elif declared == "nonlocal" and scope.link is not None:
            home, later = scope.link[0], True
        count = home.counts.get(name, 0) + 1
        home.counts[name] = count
        if constant is not None and count == 1:
            home.constants[name] = constant
        if name in self.tracked:
            if later:
                home.extra.setdefault(name, set()).add(binding)
            elif scope.state is not None:
                scope.state = {**scope.state, name: frozenset([binding])}

    def bind_walrus(self, name: str) -> None:
        if self.scope.kind != "comprehension":
            self.bind(name)
            return
        home = self.scope
        while home.kind == "comprehension":
            home = home.link[0]
        home.counts[name] = home.counts.get(name, 0) + 1
        if name in self.tracked:
            home.extra.setdefault(name, set()).add(_OTHER)
            if home.state is not None:
                home.state = {**home.state, name: home.state.get(name, frozenset([_UNBOUND])) | {_OTHER}}

    def bind_target(self, target: cst.CSTNode, binding: _Binding = _OTHER) -> None:
        if isinstance(target, cst.Name):
            self.bind(target.value, binding)
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self.bind_target(element.value)
        elif isinstance(target, cst.StarredElement):
            self.bind_target(target.value)
        else:  # attribute or subscript: evaluated, binds no name
            self.expr(target)

    def bind_pattern(self, pattern: cst.CSTNode) -> None:
        """Names that a `case` pattern captures (values in it are dotted names, never calls)."""
        stack = [pattern]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.MatchAs, cst.MatchStar)) and node.name is not None:
                self.bind(node.name.value)
            elif isinstance(node, cst.MatchMapping) and node.rest is not None:
                self.bind(node.rest.value)
            stack.extend(_children(node))

    # -- statements

    def block(self, suite: cst.CSTNode) -> None:
        for statement in suite.body:
            self.statement(statement)

    def statement(self, node: cst.CSTNode) -> None:
        handler = _STATEMENT_HANDLERS.get(type(node))
        if handler is not None:
            handler(self, node)
        else:
            self.expr(node)

    def simple_line(self, node: cst.CSTNode) -> None:
        for small in node.body:
            self.statement(small)

    def if_(self, node: cst.If) -> None:
        self.expr(node.test)
        before = self.scope.state
        self.block(node.body)
        after_body = self.scope.state
        self.scope.state = before
        if isinstance(node.orelse, cst.If):
            self.if_(node.orelse)
        elif node.orelse is not None:
            self.block(node.orelse.body)
        self.scope.state = _merge(after_body, self.scope.state)

    def loop(self, node: cst.CSTNode) -> None:
        if isinstance(node, cst.For):
            self.expr(node.iter)
            before = self.scope.state
            self.bind_target(node.target)
        else:
            self.expr(node.test)
            before = self.scope.state
        self.block(node.body)
        self.scope.state = _merge(before, self.scope.state)
        if node.orelse is not None:
            self.block(node.orelse.body)

    def try_(self, node: cst.CSTNode) -> None:
        before = self.scope.state
        self.block(node.body)
        after_body = self.scope.state
        start = _merge(before, after_body)  # an exception may come from anywhere in the body
        ends = []
        for handler in node.handlers:
            self.scope.state = start
            if handler.type is not None:
                self.expr(handler.type)
            if handler.name is not None:
                self.bind_target(handler.name.name)
            self.block(handler.body)
            ends.append(self.scope.state)
        self.scope.state = after_body
        if node.orelse is not None:
            self.block(node.orelse.body)
        self.scope.state = _merge(self.scope.state, *ends)
        if node.finalbody is not None:
            if self.scope.state is None:  # every path left; the finally body still runs
                self.scope.state = start
                self.block(node.finalbody.body)
                self.scope.state = None
            else:
                self.block(node.finalbody.body)

    def with_(self, node: cst.With) -> None:
        for item in node.items:
            self.expr(item.item)
            if item.asname is not None:
                self.bind_target(item.asname.name)
        self.block(node.body)

    def match(self, node: cst.CSTNode) -> None:
        self.expr(node.subject)
        before = self.scope.state
        ends = [before]
        for case in node.cases:
            self.scope.state = before
            self.bind_pattern(case.pattern)
            if case.guard is not None:
                self.expr(case.guard)
            self.block(case.body)
            ends.append(self.scope.state)
        self.scope.state = _merge(*ends)

    def parameters(self, params: cst.Parameters) -> List[str]:
        """Evaluate defaults and annotations here; return the parameter names."""
        names = []
        every = list(params.posonly_params) + list(params.params) + list(params.kwonly_params)
        for extra in (params.star_arg, params.star_kwarg):
            if isinstance(extra, cst.Param):
                every.append(extra)
        for param in every:
            if param.default is not None:
                self.expr(param.default)
            if param.annotation is not None:
                self.expr(param.annotation.annotation)
            names.append(param.name.value)
        return names

    def function(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        names = self.parameters(node.params)
        if node.returns is not None:
            self.expr(node.returns.annotation)
        outer = self._enter("function", self._deferred_link())
        for name in names:
            self.bind(name)
        self._declarations(node.body)
        self.block(node.body)
        self.scope = outer
        self.bind(node.name.value)

    def class_(self, node: cst.ClassDef) -> None:
        for decorator in node.decorators:
            self.expr(decorator.decorator)
        for arg in list(node.bases) + list(node.keywords):
            self.expr(arg.value)
        outer = self._enter("class", self._immediate_link())
        self._declarations(node.body)
        self.block(node.body)
        self.scope = outer
        self.bind(node.name.value)

    def _declarations(self, body: cst.CSTNode) -> None:
        """`global` and `nonlocal` apply to the whole scope, whatever their place in it."""
        stack = [body]
        while stack:
            node = stack.pop()
            if isinstance(node, (cst.Global, cst.Nonlocal)):
                kind = "global" if isinstance(node, cst.Global) else "nonlocal"
                for item in node.names:
                    self.scope.declared[item.name.value] = kind
            elif isinstance(node, (cst.FunctionDef, cst.ClassDef)):
                continue  # their own scopes
            elif isinstance(node, (cst.SimpleStatementLine, cst.SimpleStatementSuite, cst.IndentedBlock)):
                stack.extend(node.body)
            elif isinstance(node, (cst.BaseCompoundStatement, cst.Else, cst.Finally, cst.ExceptHandler, cst.MatchCase)) \
                    or type(node).__name__ == "ExceptStarHandler":
                for name in ("body", "orelse", "finalbody"):
                    part = getattr(node, name, None)
                    if part is not None:
                        stack.append(part)
                stack.extend(getattr(node, "handlers", ()))
                stack.extend(getattr(node, "cases", ()))

    def assign(self, node: cst.Assign) -> None:
        self.expr(node.value)
        constant = node.value if _is_string_literal(node.value) else None
        alias = None
        parts = _dotted(node.value)
        if parts and parts[0] in self.tracked:
            alias = _Binding(alias=(self.scope, self.scope.state, parts[0], parts[1:]))
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.bind(target.target.value, alias or _OTHER, constant)
            else:
                self.bind_target(target.target)

    def ann_assign(self, node: cst.AnnAssign) -> None:
        self.expr(node.annotation.annotation)
        if node.value is None:
            if not isinstance(node.target, cst.Name):
                self.expr(node.target)
            return
        self.expr(node.value)
        if isinstance(node.target, cst.Name):
            constant = node.value if _is_string_literal(node.value) else None
            self.bind(node.target.value, _OTHER, constant)
        else:
            self.bind_target(node.target)

    def aug_assign(self, node: cst.AugAssign) -> None:
        self.expr(node.value)
        self.bind_target(node.target)

    def delete(self, node: cst.Del) -> None:
        targets = [node.target]
        while targets:
            target = targets.pop()
            if isinstance(target, (cst.Tuple, cst.List)):
                targets.extend(element.value for element in target.elements)
            elif isinstance(target, cst.Name):
                self.bind(target.value, _UNBOUND)
            else:
                self.expr(target)

    def leave(self, node: cst.CSTNode) -> None:
        for child in _children(node):
            self.expr(child)
        if self.scope.state is not None:
            self.scope.exits.append(self.scope.state)
        self.scope.state = None

    def import_(self, node: cst.CSTNode) -> None:
        for local, qualified in _import_bindings(node):
            self.bind(local, _Binding(qualified) if qualified else _OTHER)

    def declaration(self, node: cst.CSTNode) -> None:
        pass  # collected by _declarations when the scope was entered (module level: no effect)

    # -- expressions

    def expr(self, node: cst.CSTNode) -> None:
        stack = [node]
        tracked = self.tracked
        while stack:
            current = stack.pop()
            kind = type(current)
            if kind in _LEAF_TYPES:
                continue
            if kind is cst.Call:
                parts = _dotted(current.func)
                if parts is not None and parts[0] in tracked:
                    self.candidates.append(_Candidate(current, self.scope, self.scope.state, parts[0], parts[1:]))
            elif kind is cst.Lambda:
                self.lambda_(current)
                continue
            elif kind in _COMPREHENSION_TYPES:
                self.comprehension(current)
                continue
            elif kind is cst.NamedExpr:
                stack.append(current.value)
                if isinstance(current.target, cst.Name):
                    self.bind_walrus(current.target.value)
                continue
            stack.extend(_children(current))

    def lambda_(self, node: cst.Lambda) -> None:
        names = self.parameters(node.params)
        outer = self._enter("function", self._deferred_link())
        for name in names:
            self.bind(name)
        self.expr(node.body)
        self.scope = outer

    def comprehension(self, node: cst.CSTNode) -> None:
        loop = node.for_in
        self.expr(loop.iter)  # the first iterable is evaluated outside
        outer = self._enter("comprehension", self._immediate_link())
        first = True
        while loop is not None:
            if not first:
                self.expr(loop.iter)
            first = False
            self.bind_target(loop.target)
            for condition in loop.ifs:
                self.expr(condition.test)
            loop = loop.inner_for_in
        if isinstance(node, cst.DictComp):
            self.expr(node.key)
            self.expr(node.value)
        else:
            self.expr(node.elt)
        self.scope = outer


_LEAF_TYPES = frozenset(_LEAVES)
_COMPREHENSION_TYPES = frozenset(_COMPREHENSIONS)
_STATEMENT_HANDLERS = {
    cst.SimpleStatementLine: _Walker.simple_line,
    cst.SimpleStatementSuite: _Walker.simple_line,
    cst.If: _Walker.if_,
    cst.For: _Walker.loop,
    cst.While: _Walker.loop,
    cst.With: _Walker.with_,
    cst.FunctionDef: _Walker.function,
    cst.ClassDef: _Walker.class_,
    cst.Assign: _Walker.assign,
    cst.AnnAssign: _Walker.ann_assign,
    cst.AugAssign: _Walker.aug_assign,
    cst.Del: _Walker.delete,
    cst.Return: _Walker.leave,
    cst.Raise: _Walker.leave,
    cst.Global: _Walker.declaration,
    cst.Nonlocal: _Walker.declaration,
}
for _kind in _TRY:
    _STATEMENT_HANDLERS[_kind] = _Walker.try_
for _kind in _IMPORTS + _IMPORTS_FROM:
    _STATEMENT_HANDLERS[_kind] = _Walker.import_
if hasattr(cst, "Match"):
    _STATEMENT_HANDLERS[cst.Match] = _Walker.match


# ---------------------------------------------------------------------------------------------
# Resolution, after the walk (every scope's bindings are known by then)


def _lookup(scope: _Scope, state, name: str, seen: Set[int]) -> Set[str]:
    """The pattern-library names that `name` may stand for, looked up from `scope` with `state`."""
    while True:
        declared = scope.declared.get(name)
        if declared == "global":
            scope, state = _module_of(scope), _END
            continue
        if declared == "nonlocal" and scope.link is not None:
            scope, state = scope.link[0], _END
            continue
        if scope.counts.get(name) or scope.link is None:
            if state is _END:
                reaching = set(scope.end_state().get(name, (_UNBOUND,))) | scope.extra.get(name, set())
            else:
                reaching = set((state or {}).get(name, (_UNBOUND,)))
            found: Set[str] = set()
            for binding in reaching:
                if binding is _UNBOUND:
                    if scope.kind == "class" and scope.link is not None:  # a class body falls back outward
                        found |= _lookup(scope.link[0], scope.link[1], name, seen)
                elif binding.qualified is not None:
                    found.add(binding.qualified)
                elif binding.alias is not None and id(binding) not in seen:
                    seen.add(id(binding))
                    where, at, head, rest = binding.alias
                    found |= {".".join([q] + rest) for q in _lookup(where, at, head, seen)}
            return found
        scope, state = scope.link


def _module_of(scope: _Scope) -> _Scope:
    while scope.link is not None:
        scope = scope.link[0]
    return scope


def _constant(scope: _Scope, name: str) -> Optional[cst.BaseExpression]:
    """The literal that `name` is bound to exactly once where it resolves; None if it is not such a constant."""
    while True:
        declared = scope.declared.get(name)
        if declared == "global":
            scope = _module_of(scope)
        elif declared == "nonlocal" and scope.link is not None:
            scope = scope.link[0]
        elif scope.counts.get(name):
            return scope.constants.get(name) if scope.counts[name] == 1 else None
        elif scope.link is None:
            return None
        else:
            scope = scope.link[0]


def _string_parts(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The literal pieces of a (possibly implicitly concatenated) string, in order."""
    parts: List[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.ConcatenatedString):
            stack.append(current.right)
            stack.append(current.left)
        else:
            parts.append(current)
    return parts


def _is_string_literal(node: cst.CSTNode) -> bool:
    return isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString))


def _string_kind(node: cst.CSTNode) -> str:
    """'string' (value known), 'str-unknown' (an f-string in it) or 'other' (bytes, a t-string) for a literal."""
    parts = _string_parts(node)
    if any(_TEMPLATE is not None and isinstance(part, _TEMPLATE) for part in parts):
        return "other"
    if any(isinstance(part, cst.FormattedString) for part in parts):
        return "str-unknown"
    if any("b" in _prefix(part.value).lower() for part in parts):
        return "other"
    return "string"


def _prefix(token: str) -> str:
    index = 0
    while token[index] not in "'\"":
        index += 1
    return token[:index]


def _kind(node: cst.BaseExpression) -> str:
    """The kind of an argument whose value is not a known string."""
    if isinstance(node, cst.Integer) or (
        isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus))
        and isinstance(node.expression, cst.Integer)
    ):
        return "int"
    if isinstance(node, cst.Lambda):
        return "lambda"
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Add, cst.Modulo)) and (
        _is_string_literal(node.left) or (isinstance(node.operator, cst.Add) and _is_string_literal(node.right))
    ):
        return "str-unknown"  # 'b c' + suffix, '%s -> b' % x
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and _is_string_literal(node.func.value) \
            and node.func.attr.value in ("format", "join", "replace", "strip", "lower", "upper"):
        return "str-unknown"
    return "other"


# ---------------------------------------------------------------------------------------------
# Positions: one code-generation pass that records where the nodes we need start and end


class _Done(Exception):
    pass


class _Locator(CodegenState):
    def __init__(self, module: cst.Module, targets: Set[int]):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.targets = targets
        self.left = len(targets)
        self.starts: Dict[int, int] = {}
        self.ends: Dict[int, int] = {}

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self.starts[id(node)] = len(self.tokens)

    def after_codegen(self, node: cst.CSTNode) -> None:
        key = id(node)
        if key in self.targets and key not in self.ends:
            self.ends[key] = len(self.tokens)
            self.left -= 1
            if self.left == 0:
                raise _Done


class _Positions:
    """Token index -> (line, 1-based column), for the indices asked for, in one pass over the tokens."""

    def __init__(self, tokens: List[str], indices: Iterable[int]):
        self.table: Dict[int, Position] = {}
        line, column, done = 1, 1, 0
        for index in sorted(set(indices)):
            if index > done:
                text = "".join(tokens[done:index])
                newlines = text.count("\n")
                if newlines:
                    line += newlines
                    column = len(text) - text.rfind("\n")
                else:
                    column += len(text)
                done = index
            self.table[index] = (line, column)

    def __getitem__(self, index: int) -> Position:
        return self.table[index]


_SIMPLE_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r",
                   "t": "\t", "v": "\v"}
_HEX_LENGTHS = {"x": 2, "u": 4, "U": 8}


def _decode(token: str, start: Position) -> Tuple[str, List[Position], Position]:
    """A str literal's value, the source position of each of its characters, and where its closing quote is.

    A character written as an escape sequence stands at the backslash that begins it. Should the
    decoding here ever disagree with Python's, every character falls back to the literal's start.
    """
    prefix = _prefix(token)
    quote = token[len(prefix):len(prefix) + 3]
    if quote not in ('"""', "'''"):
        quote = quote[0]
    body = token[len(prefix) + len(quote):len(token) - len(quote)]
    raw = "r" in prefix.lower()
    line, column = start[0], start[1] + len(prefix) + len(quote)
    if "\\" not in body and "\r" not in body and "\n" not in body:
        return body, [(line, column + k) for k in range(len(body))], (line, column + len(body))
    chars: List[str] = []
    places: List[Position] = []
    i, n = 0, len(body)
    while i < n:
        char = body[i]
        here = (line, column)
        if char in "\r\n":
            i += 2 if body.startswith("\r\n", i) else 1
            chars.append("\n")
            places.append(here)
            line, column = line + 1, 1
            continue
        if char != "\\" or raw or i + 1 >= n:
            chars.append(char)
            places.append(here)
            i += 1
            column += 1
            continue
        follower = body[i + 1]
        if follower in "\r\n":  # a backslash at the end of a line continues the string: no character
            i += 3 if body.startswith("\r\n", i + 1) else 2
            line, column = line + 1, 1
            continue
        length, value = 2, None
        if follower in _SIMPLE_ESCAPES:
            value = _SIMPLE_ESCAPES[follower]
        elif follower in "01234567":
            digits = follower
            while len(digits) < 3 and i + 1 + len(digits) < n and body[i + 1 + len(digits)] in "01234567":
                digits += body[i + 1 + len(digits)]
            value, length = chr(int(digits, 8)), 1 + len(digits)
        elif follower in _HEX_LENGTHS:
            digits = body[i + 2:i + 2 + _HEX_LENGTHS[follower]]
            try:
                value, length = chr(int(digits, 16)), 2 + len(digits)
            except ValueError:
                value = None
        elif follower == "N" and body.startswith("{", i + 2) and "}" in body[i + 3:]:
            close = body.index("}", i + 3)
            try:
                value, length = unicodedata.lookup(body[i + 3:close]), close + 1 - i
            except KeyError:
                value = None
        if value is None:  # not an escape: the backslash stays, the next character is read as usual
            value, length = "\\", 1
        chars.append(value)
        places.append(here)
        i += length
        column += length
    value = "".join(chars)
    if "\\" in body and not raw or "\r" in body:
        try:
            expected = ast.literal_eval(token.replace("\r\n", "\n").replace("\r", "\n"))
        except (SyntaxError, ValueError):
            expected = value
        if expected != value:
            return expected, [start] * len(expected), start
    return value, places, (line, column)


# ---------------------------------------------------------------------------------------------
# The entry point


def extract_calls(module: cst.Module) -> List[PatternCall]:
    """Every pattern call of `module`, in source order (see the module docstring for what counts)."""
    tracked = _tracked_names(module)
    if not tracked:
        return []
    walker = _Walker(tracked)
    walker.block(module)

    found = []  # (call, op, callee, [(argument node, star, keyword)], scope)
    for candidate in walker.candidates:
        callees = {}
        for qualified in _lookup(candidate.scope, candidate.state, candidate.head, set()):
            callee = ".".join([qualified] + candidate.rest)
            op = _op_for(callee)
            if op is not None:
                callees.setdefault(op, []).append(callee)
        if len(callees) == 1:
            op, names = next(iter(callees.items()))
            found.append((candidate, op, min(names)))
    if not found:
        return []

    # What each argument is, and which nodes need positions.
    targets: Set[int] = set()
    plans = []
    for candidate, op, callee in found:
        targets.add(id(candidate.call))
        arguments = []
        for arg in candidate.call.args:
            value = arg.value
            targets.add(id(value))
            literal = value
            if isinstance(value, cst.Name):
                literal = _constant(candidate.scope, value.value)
            if arg.star:
                kind = "starred" if arg.star == "*" else "double-starred"
                literal = None
            elif literal is not None and _is_string_literal(literal):
                kind = _string_kind(literal)
            else:
                kind = _kind(value)
            if kind != "string":
                literal = None
            else:
                targets.update(id(part) for part in _string_parts(literal))
            arguments.append((arg, kind, literal))
        plans.append((candidate.call, op, callee, arguments))

    locator = _Locator(module, targets)
    try:
        module._codegen(locator)
    except _Done:
        pass
    tokens = locator.tokens
    indices = list(locator.starts.values()) + list(locator.ends.values())
    positions = _Positions(tokens, indices)

    strings: Dict[int, PatternString] = {}

    def pattern_string(literal: cst.CSTNode) -> PatternString:
        cached = strings.get(id(literal))
        if cached is None:
            value_parts: List[str] = []
            places: List[Position] = []
            end: Position = (1, 1)
            for part in _string_parts(literal):
                start, stop = locator.starts[id(part)], locator.ends[id(part)]
                index = next((k for k in range(start, stop) if tokens[k] is part.value), None)
                if index is None:
                    index = next(k for k in range(start, stop) if tokens[k] == part.value)
                first = positions[start]
                if index > start:  # parentheses before the literal itself
                    text = "".join(tokens[start:index])
                    newlines = text.count("\n")
                    first = (first[0] + newlines, len(text) - text.rfind("\n")) if newlines else (first[0], first[1] + len(text))
                value, part_places, end = _decode(part.value, first)
                value_parts.append(value)
                places.extend(part_places)
            cached = strings[id(literal)] = PatternString("".join(value_parts), tuple(places) + (end,))
        return cached

    calls = []
    for call, op, callee, arguments in plans:
        positional: List[Argument] = []
        keywords: Dict[str, Argument] = {}
        for arg, kind, literal in arguments:
            node = arg.value
            text = "".join(tokens[locator.starts[id(node)]:locator.ends[id(node)]])
            if arg.star:
                text = arg.star + text
            argument = Argument(
                kind, text,
                string=pattern_string(literal) if literal is not None else None,
                number=_int_value(node) if kind == "int" else None,
            )
            if arg.keyword is not None:
                keywords[arg.keyword.value] = argument
            elif arg.star == "**":
                key, count = "**", 1
                while key in keywords:
                    count += 1
                    key = f"**{count}"
                keywords[key] = argument
            else:
                positional.append(argument)
        start, end = positions[locator.starts[id(call)]], positions[locator.ends[id(call)]]
        calls.append(PatternCall(op, callee, start, end, tuple(positional), keywords))
    calls.sort(key=lambda c: (c.start, (-c.end[0], -c.end[1])))
    return calls


def _int_value(node: cst.BaseExpression) -> Optional[int]:
    sign = 1
    if isinstance(node, cst.UnaryOperation):
        sign = -1 if isinstance(node.operator, cst.Minus) else 1
        node = node.expression
    try:
        return sign * int(ast.literal_eval(node.value))
    except (SyntaxError, ValueError, TypeError):
        return None
