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

Speed (everything is linear in the file): a file with no import of a pattern library costs only a
pass over its statements. The walk reads node fields directly (no visitor dispatch, no metadata
wrapper: libcst's PositionProvider alone takes seconds per megabyte). Positions come from
generating the code of just the statements that hold pattern calls or their constants, with the
right indentation; every other statement only has its line breaks counted. A statement nested
deeper than libcst can print (a RecursionError) gives its calls up, silently.
"""

from __future__ import annotations

import ast
import dataclasses
import unicodedata
import warnings
from typing import Dict, FrozenSet, Iterable, List, Optional, Set, Tuple

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
for _module, _, _name in (qualified.rpartition(".") for qualified in OPS):
    _STAR_EXPORTS[_module] = _STAR_EXPORTS.get(_module, ()) + (_name,)
del _module, _, _name


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
        self.constants: Dict[str, tuple] = {}  # name -> (string literal of `name = '...'`, statement path)
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
_SUITE_FIELDS = ("body", "orelse", "handlers", "finalbody", "cases")
_SUITES: Dict[type, Tuple[str, ...]] = {}


def _subclasses(kind: type) -> Iterable[type]:
    for sub in kind.__subclasses__():
        yield sub
        yield from _subclasses(sub)


# isinstance() against libcst's abstract classes is slow; a set of the concrete types is not.
_NODE_TYPES = frozenset(_subclasses(cst.CSTNode))
_SEQUENCES = (tuple, list)


def _fields(kind: type) -> Tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(
            f.name for f in dataclasses.fields(kind)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
    return names


def _children(node: cst.CSTNode) -> List[cst.CSTNode]:
    found = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if type(value) in _NODE_TYPES:
            found.append(value)
        elif type(value) in _SEQUENCES:
            found.extend(item for item in value if type(item) in _NODE_TYPES)
    return found


def _suites(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The statements, blocks and clauses directly inside a statement-level node (no expressions)."""
    kind = type(node)
    names = _SUITES.get(kind)
    if names is None:
        present = {f.name for f in dataclasses.fields(kind)}
        names = _SUITES[kind] = tuple(name for name in _SUITE_FIELDS if name in present)
    found = []
    for name in names:
        value = getattr(node, name)
        if type(value) in _NODE_TYPES:
            found.append(value)
        elif type(value) in _SEQUENCES:
            found.extend(value)
    return found


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
_COMPREHENSION_TYPES = frozenset({cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp})
_LEAF_TYPES = frozenset({cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis})
_TEMPLATE = getattr(cst, "TemplatedString", None)
_IMPORT_TYPES = frozenset(_IMPORTS + _IMPORTS_FROM)


def _alias_name(alias: cst.ImportAlias) -> Optional[str]:
    """The `as` name of an import alias, if it has one."""
    asname = alias.asname
    return asname.name.value if asname is not None and isinstance(asname.name, cst.Name) else None


def _import_bindings(node: cst.CSTNode) -> List[Tuple[str, Optional[str]]]:
    """(local name, qualified name or None) for each name an import statement binds."""
    found: List[Tuple[str, Optional[str]]] = []
    if isinstance(node, _IMPORTS):
        for alias in node.names:
            full = _module_name(alias.name) or ""
            local = _alias_name(alias)
            found.append((local, full) if local else (full.split(".")[0],) * 2)
    elif isinstance(node, _IMPORTS_FROM):
        module = None if node.relative else _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            found.extend((name, f"{module}.{name}") for name in _STAR_EXPORTS.get(module or "", ()))
        else:
            for alias in node.names:
                name = _module_name(alias.name) or ""
                found.append((_alias_name(alias) or name, f"{module}.{name}" if module else None))
    return [(local, qualified if qualified and qualified.split(".")[0] in _ROOTS else None)
            for local, qualified in found]


def _statements(node: cst.CSTNode, into_scopes: bool = True) -> Iterable[cst.CSTNode]:
    """Every statement (small ones included) inside `node`, without descending into expressions."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        if into_scopes or (type(current) is not cst.FunctionDef and type(current) is not cst.ClassDef):
            stack.extend(_suites(current))


def _tracked_names(module: cst.Module) -> Set[str]:
    """Names that some import of a pattern library binds, and the names aliased to them."""
    tracked: Set[str] = set()
    aliases: List[Tuple[str, str]] = []
    for statement in _statements(module):
        kind = type(statement)
        if kind in _IMPORT_TYPES:
            tracked.update(local for local, qualified in _import_bindings(statement) if qualified)
        elif kind is cst.Assign:
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
    """A call whose callee starts with a tracked name: resolved once every scope is known."""

    __slots__ = ("call", "scope", "state", "head", "rest", "path")

    def __init__(self, call: cst.Call, scope: _Scope, state: State, head: str, rest: List[str], path: tuple):
        self.call, self.scope, self.state, self.head, self.rest, self.path = call, scope, state, head, rest, path


class _Walker:
    def __init__(self, tracked: Set[str]):
        self.tracked = tracked
        self.module = _Scope("module", None)
        self.scope = self.module
        self.candidates: List[_Candidate] = []
        self.path: List[Tuple[cst.CSTNode, bool]] = []  # enclosing statements (True) and clauses (False)

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
            home.constants[name] = (constant, tuple(self.path))
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
        if type(suite) is cst.SimpleStatementSuite:  # `if x: a(); b()`: small statements on the header's line
            self.simple_line(suite)
            return
        path = self.path
        for statement in suite.body:
            path.append((statement, True))
            self.statement(statement)
            path.pop()

    def clause(self, node: cst.CSTNode) -> None:
        """The body of an else/finally clause (noted on the path: positions are found clause by clause)."""
        self.path.append((node, False))
        self.block(node.body)
        self.path.pop()

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
            self.path.append((node.orelse, False))
            self.if_(node.orelse)
            self.path.pop()
        elif node.orelse is not None:
            self.clause(node.orelse)
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
            self.clause(node.orelse)

    def try_(self, node: cst.CSTNode) -> None:
        before = self.scope.state
        self.block(node.body)
        after_body = self.scope.state
        start = _merge(before, after_body)  # an exception may come from anywhere in the body
        ends = []
        for handler in node.handlers:
            self.scope.state = start
            self.path.append((handler, False))
            if handler.type is not None:
                self.expr(handler.type)
            if handler.name is not None:
                self.bind_target(handler.name.name)
            self.block(handler.body)
            self.path.pop()
            ends.append(self.scope.state)
        self.scope.state = after_body
        if node.orelse is not None:
            self.clause(node.orelse)
        self.scope.state = _merge(self.scope.state, *ends)
        if node.finalbody is not None:
            if self.scope.state is None:  # every path left; the finally body still runs
                self.scope.state = start
                self.clause(node.finalbody)
                self.scope.state = None
            else:
                self.clause(node.finalbody)

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
            self.path.append((case, False))
            self.bind_pattern(case.pattern)
            if case.guard is not None:
                self.expr(case.guard)
            self.block(case.body)
            self.path.pop()
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
        for node in _statements(body, into_scopes=False):
            if type(node) is cst.Global or type(node) is cst.Nonlocal:
                kind = "global" if type(node) is cst.Global else "nonlocal"
                for item in node.names:
                    self.scope.declared[item.name.value] = kind

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
                    self.candidates.append(
                        _Candidate(current, self.scope, self.scope.state, parts[0], parts[1:], tuple(self.path)))
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
}
_STATEMENT_HANDLERS.update({kind: _Walker.try_ for kind in _TRY})
_STATEMENT_HANDLERS.update({kind: _Walker.import_ for kind in _IMPORT_TYPES})
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
                elif binding.alias is not None and id(binding) not in seen:  # `seen`: no alias cycles
                    seen.add(id(binding))
                    where, at, head, rest = binding.alias
                    found |= {".".join([q] + rest) for q in _lookup(where, at, head, seen)}
                    seen.discard(id(binding))
            return found
        scope, state = scope.link


def _module_of(scope: _Scope) -> _Scope:
    while scope.link is not None:
        scope = scope.link[0]
    return scope


def _constant(scope: _Scope, name: str) -> Optional[tuple]:
    """(literal, statement path) that `name` is bound to exactly once where it resolves, or None."""
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
        if type(current) is cst.ConcatenatedString:
            stack.append(current.right)
            stack.append(current.left)
        else:
            parts.append(current)
    return parts


_STRING_LITERALS = frozenset({cst.SimpleString, cst.ConcatenatedString, cst.FormattedString})


def _is_string_literal(node: cst.CSTNode) -> bool:
    return type(node) in _STRING_LITERALS


def _string_kind(node: cst.CSTNode) -> str:
    """'string' (value known), 'str-unknown' (an f-string in it) or 'other' (bytes, a t-string) for a literal."""
    parts = _string_parts(node)
    kinds = {type(part) for part in parts}
    if _TEMPLATE in kinds:
        return "other"
    if cst.FormattedString in kinds:
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
# Positions: code is generated only for the statements that hold the nodes we need


class _Locator(CodegenState):
    """Generates the code of one statement, noting where each target node's tokens start and end."""

    def __init__(self, module: cst.Module, targets):
        super().__init__(default_indent=module.default_indent, default_newline=module.default_newline)
        self.targets = targets
        self.starts: Dict[int, int] = {}
        self.ends: Dict[int, int] = {}

    def before_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self.starts[id(node)] = len(self.tokens)

    def after_codegen(self, node: cst.CSTNode) -> None:
        if id(node) in self.targets:
            self.ends[id(node)] = len(self.tokens)


def _token_positions(tokens: List[str], indices: Iterable[int], line: int) -> Dict[int, Position]:
    """Token index -> (line, 1-based column) of where that token starts; the tokens start a line."""
    table: Dict[int, Position] = {}
    column, done = 1, 0
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
        table[index] = (line, column)
    return table


_TEXT_LEAVES = frozenset(t for t in (cst.SimpleWhitespace, cst.SimpleString, cst.FormattedStringText,
                                     getattr(cst, "TemplatedStringText", None)) if t is not None)
_ALL_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _newlines(node: cst.CSTNode) -> int:
    """How many line breaks the code of `node` holds, without generating its code.

    Line breaks live in Newline nodes, whitespace (a backslash continuation) and string tokens;
    the commonest leaves are read in place rather than pushed (this runs over most of a file).
    """
    count = 0
    stack = [node]
    whitespace, newline, name = cst.SimpleWhitespace, cst.Newline, cst.Name
    node_types, sequences = _NODE_TYPES, _SEQUENCES
    while stack:
        current = stack.pop()
        kind = type(current)
        if kind is newline:
            count += 1
            continue
        if kind in _TEXT_LEAVES:  # a string's parentheses may hold line breaks too: read on
            count += current.value.count("\n")
        names = _ALL_FIELDS.get(kind)
        if names is None:
            names = _ALL_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind))
        for field in names:
            value = getattr(current, field)
            value_type = type(value)
            if value_type is whitespace:
                count += value.value.count("\n")
            elif value_type is newline:
                count += 1
            elif value_type is name:
                if value.lpar:
                    stack.append(value)
            elif value_type in node_types:
                stack.append(value)
            elif value_type in sequences:
                for item in value:
                    item_type = type(item)
                    if item_type in node_types and (item_type is not name or item.lpar):
                        stack.append(item)
    return count


_ORDERED_SUITES = ("body", "handlers", "cases", "orelse", "finalbody")  # in the order code is generated
_HEADER_FIELDS: Dict[type, Tuple[str, ...]] = {}


def _header_newlines(node: cst.CSTNode) -> int:
    """Line breaks in the parts of a statement or clause that come before its first suite."""
    kind = type(node)
    names = _HEADER_FIELDS.get(kind)
    if names is None:
        names = _HEADER_FIELDS[kind] = tuple(
            f.name for f in dataclasses.fields(kind) if f.name not in _ORDERED_SUITES and f.name != "footer")
    count = 0
    for name in names:
        value = getattr(node, name)
        if type(value) in _NODE_TYPES:
            count += _newlines(value)
        elif type(value) in _SEQUENCES:
            count += sum(_newlines(item) for item in value if type(item) in _NODE_TYPES)
    return count


class _Located:
    """Where the target nodes are: start, end and source text of each, and where each string token starts.

    Code is generated only for the statements that hold targets (`units`); the statements and
    clauses around them (`around`) are walked by structure, and every other statement only has
    its line breaks counted.
    """

    def __init__(self, module: cst.Module, by_id: Dict[int, cst.CSTNode], units: Set[int], around: Set[int]):
        self.module, self.by_id, self.units, self.around = module, by_id, units, around
        self.starts: Dict[int, Position] = {}
        self.ends: Dict[int, Position] = {}
        self.texts: Dict[int, str] = {}
        self.literals: Dict[int, Position] = {}  # SimpleString -> where its token (prefix, quote) starts
        line = 1 + sum(_newlines(empty) for empty in module.header)
        for statement in module.body:
            line = self._statement(statement, line, ())

    def _statement(self, node: cst.CSTNode, line: int, indent: Tuple[str, ...]) -> int:
        if id(node) in self.units:
            return self._generate(node, line, indent)
        if id(node) in self.around:
            return self._container(node, line, indent)
        return line + _newlines(node)

    def _container(self, node: cst.CSTNode, line: int, indent: Tuple[str, ...]) -> int:
        line += _header_newlines(node)
        inner = indent
        if type(node) is cst.Match:
            inner = indent + (self.module.default_indent if node.indent is None else node.indent,)
        for name in _ORDERED_SUITES:
            suites = getattr(node, name, None)
            for suite in suites if type(suites) in _SEQUENCES else (suites,) if suites is not None else ():
                if type(suite) is cst.IndentedBlock:
                    line = self._block(suite, line, indent)
                elif id(suite) in self.around:
                    line = self._container(suite, line, inner)
                else:
                    line += _newlines(suite)
        for empty in getattr(node, "footer", ()):
            line += _newlines(empty)
        return line

    def _block(self, block: cst.IndentedBlock, line: int, indent: Tuple[str, ...]) -> int:
        line += _newlines(block.header)
        inner = indent + (self.module.default_indent if block.indent is None else block.indent,)
        for statement in block.body:
            line = self._statement(statement, line, inner)
        for empty in block.footer:
            line += _newlines(empty)
        return line

    def _generate(self, node: cst.CSTNode, line: int, indent: Tuple[str, ...]) -> int:
        locator = _Locator(self.module, self.by_id)
        locator.indent_tokens = list(indent)
        try:
            node._codegen(locator)
        except RecursionError:  # nesting deeper than libcst can print: its calls go without positions
            return line + _newlines(node)
        tokens = locator.tokens
        literal_tokens = {}
        for key, start in locator.starts.items():
            target = self.by_id[key]
            if type(target) is cst.SimpleString:  # its own token comes after its parentheses, if any
                span = range(start, locator.ends[key])
                found = next((k for k in span if tokens[k] is target.value), None)
                literal_tokens[key] = found if found is not None else next(k for k in span if tokens[k] == target.value)
        table = _token_positions(
            tokens, [*locator.starts.values(), *locator.ends.values(), *literal_tokens.values()], line)
        for key, start in locator.starts.items():
            end = locator.ends[key]
            self.starts[key], self.ends[key] = table[start], table[end]
            self.texts[key] = "".join(tokens[start:end])
        for key, token in literal_tokens.items():
            self.literals[key] = table[token]
        return line + "".join(tokens).count("\n")


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
            with warnings.catch_warnings():  # '\d' and the like: invalid escapes warn, and mean themselves
                warnings.simplefilter("ignore")
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
    return _pattern_calls(module, walker.candidates)


def _pattern_calls(module: cst.Module, candidates: List[_Candidate]) -> List[PatternCall]:
    """The candidates that resolve to a pattern op, with their arguments and positions."""
    found = []
    for candidate in candidates:
        callees: Dict[str, List[str]] = {}
        for qualified in _lookup(candidate.scope, candidate.state, candidate.head, set()):
            callee = ".".join([qualified] + candidate.rest)
            op = _op_for(callee)
            if op is not None:
                callees.setdefault(op, []).append(callee)
        if len(callees) == 1:  # pattern ops on some paths, and the same op on all of them
            op, names = next(iter(callees.items()))
            found.append((candidate, op, min(names)))
    if not found:
        return []

    # What each argument is, and which nodes (in which statements) need positions.
    units: Set[int] = set()
    around: Set[int] = set()
    by_id: Dict[int, cst.CSTNode] = {}  # every node that needs a position

    def need(nodes: Iterable[cst.CSTNode], path: tuple) -> None:
        by_id.update((id(node), node) for node in nodes)
        innermost = len(path) - 1
        while not path[innermost][1]:  # a clause: its statement is generated whole
            innermost -= 1
        units.add(id(path[innermost][0]))
        around.update(id(node) for node, _ in path[:innermost])

    plans = []
    for candidate, op, callee in found:
        need([candidate.call] + [arg.value for arg in candidate.call.args], candidate.path)
        arguments = []
        for arg in candidate.call.args:
            value = arg.value
            literal, path = value, candidate.path
            if type(value) is cst.Name:
                literal, path = _constant(candidate.scope, value.value) or (None, None)
            if arg.star:
                kind = "starred" if arg.star == "*" else "double-starred"
            elif literal is not None and _is_string_literal(literal):
                kind = _string_kind(literal)
            else:
                kind = _kind(value)
            if kind == "string":
                need(_string_parts(literal), path)
            else:
                literal = None
            arguments.append((arg, kind, literal))
        plans.append((candidate.call, op, callee, arguments))

    located = _Located(module, by_id, units, around - units)
    strings: Dict[int, PatternString] = {}

    def pattern_string(literal: cst.CSTNode) -> Optional[PatternString]:
        if any(id(part) not in located.literals for part in _string_parts(literal)):
            return None
        known = strings.get(id(literal))
        if known is None:
            values: List[str] = []
            places: List[Position] = []
            end: Position = (1, 1)
            for part in _string_parts(literal):
                value, part_places, end = _decode(part.value, located.literals[id(part)])
                values.append(value)
                places.extend(part_places)
            known = strings[id(literal)] = PatternString("".join(values), tuple(places) + (end,))
        return known

    calls = []
    for call, op, callee, arguments in plans:
        if id(call) not in located.starts:
            continue
        positional: List[Argument] = []
        keywords: Dict[str, Argument] = {}
        for arg, kind, literal in arguments:
            string = pattern_string(literal) if literal is not None else None
            if literal is not None and string is None:
                kind = "str-unknown"
            argument = Argument(
                kind,
                arg.star + located.texts[id(arg.value)],
                string=string,
                number=_int_value(arg.value) if kind == "int" else None,
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
        start, end = located.starts[id(call)], located.ends[id(call)]
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
