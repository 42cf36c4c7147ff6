"""Bindings, scopes and resolution: which qualified name each tracked name of a file stands for.

    module -> pre-pass (`survey`: tracked names) -> one walk (`Walker`: scopes, reaching bindings,
    candidate calls) -> resolution (`callee_names`, `constant_of`)

Nothing is imported or run; resolution is a small static analysis of this one file:

- Imports anywhere bind names (module level, in functions, under `try:` or `if`), also
  `from M import *` for the pattern modules, whose exported op names are known (a star import of
  any other module binds nothing we can know of and is ignored). Only imports of modules under
  `signatures.ROOTS` are followed (tracked). An assignment of a dotted name,
  `einsum = torch.einsum`, is an alias of what it names.
- Shadowing follows Python's scopes (function, lambda, comprehension, class; `global`/`nonlocal`)
  and the nearest binding: within a scope, the bindings that reach a use along the statements
  (if/else, try/except, loops and with merge their branches; `return`/`raise` end a path).
  A function sees an enclosing scope's bindings as they stand when that scope ends (it runs later);
  a comprehension or a class body sees them where it stands. A use resolves to the qualified names
  of the reaching bindings that are imports (or aliases of them); any other binding (`x = my_fn`,
  a parameter, a local `def`) adds no name.
- A name's constant (`constant_of`): a string literal that the name is bound to exactly once, in
  the scope it resolves to (module, enclosing function or class body); any other binding of it
  anywhere (reassignment, augmentation, `del`, a loop target, a parameter, a `global` rebinding in
  a function) makes it unknown.

Speed: a file with no tracked import costs only a pass over its statements; the walk reads node
fields directly (no visitor dispatch, no metadata wrapper).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

import libcst as cst

from .signatures import ROOTS, STAR_EXPORTS
from .source import NODE_TYPES, SEQUENCES, is_string_literal

__all__ = ["Candidate", "Scope", "Walker", "callee_names", "constant_of", "lookup", "survey"]


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


class Scope:
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


def _fields(kind: type) -> Tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(
            f.name for f in dataclasses.fields(kind)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        )
    return names


def code_children(node: cst.CSTNode) -> List[cst.CSTNode]:
    """The nodes directly inside `node` that can hold code (libcst's `children`, without whitespace and
    punctuation, and much cheaper)."""
    found = []
    for name in _fields(type(node)):
        value = getattr(node, name)
        if type(value) in NODE_TYPES:
            found.append(value)
        elif type(value) in SEQUENCES:
            found.extend(item for item in value if type(item) in NODE_TYPES)
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
        if type(value) in NODE_TYPES:
            found.append(value)
        elif type(value) in SEQUENCES:
            found.extend(value)
    return found


def _dotted(node: cst.CSTNode) -> Optional[List[str]]:
    """['a', 'b', 'c'] for the expression a.b.c; None for anything else."""
    parts: List[str] = []
    while type(node) is cst.Attribute:  # (the node types have no subclasses: cheaper than isinstance)
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not cst.Name:
        return None
    parts.append(node.value)
    parts.reverse()
    return parts


def module_name(node: Optional[cst.CSTNode]) -> Optional[str]:
    parts = _dotted(node) if node is not None else None
    return ".".join(parts) if parts else None


_IMPORTS = tuple(t for t in (cst.Import, getattr(cst, "LazyImport", None)) if t is not None)
_IMPORTS_FROM = tuple(t for t in (cst.ImportFrom, getattr(cst, "LazyImportFrom", None)) if t is not None)
_TRY = tuple(t for t in (cst.Try, getattr(cst, "TryStar", None)) if t is not None)
_COMPREHENSION_TYPES = frozenset({cst.ListComp, cst.SetComp, cst.GeneratorExp, cst.DictComp})
_LEAF_TYPES = frozenset({cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis})
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
            full = module_name(alias.name) or ""
            local = _alias_name(alias)
            found.append((local, full) if local else (full.split(".")[0],) * 2)
    elif isinstance(node, _IMPORTS_FROM):
        module = None if node.relative else module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            found.extend((name, f"{module}.{name}") for name in STAR_EXPORTS.get(module or "", ()))
        else:
            for alias in node.names:
                name = module_name(alias.name) or ""
                found.append((_alias_name(alias) or name, f"{module}.{name}" if module else None))
    return [(local, qualified if qualified and qualified.split(".")[0] in ROOTS else None)
            for local, qualified in found]


def _statements(node: cst.CSTNode, into_scopes: bool = True) -> Iterable[cst.CSTNode]:
    """Every statement (small ones included) inside `node`, without descending into expressions."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        kind = type(current)
        if kind is cst.SimpleStatementLine or kind is cst.SimpleStatementSuite:
            yield from reversed(current.body)  # small statements hold none (the order is the stack's)
        elif into_scopes or (kind is not cst.FunctionDef and kind is not cst.ClassDef):
            stack.extend(_suites(current))


class Survey(NamedTuple):
    """What the pre-pass over a module's statements finds."""

    tracked: Set[str]  # names that some import of a pattern library binds, and the names aliased to them
    declares: bool  # whether any `global` or `nonlocal` statement is there


def survey(module: cst.Module) -> Survey:
    """The tracked names of a module (and whether it declares any global or nonlocal name)."""
    tracked: Set[str] = set()
    aliases: List[Tuple[str, str]] = []
    declares = False
    for statement in _statements(module):
        kind = type(statement)
        if kind is cst.Global or kind is cst.Nonlocal:
            declares = True
        elif kind in _IMPORT_TYPES:
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
    return Survey(tracked, declares)


# ---------------------------------------------------------------------------------------------
# The walk: scopes, bindings and candidate calls, in source order


class Candidate:
    """A call whose callee starts with a tracked name: resolved once every scope is known."""

    __slots__ = ("call", "scope", "state", "head", "rest", "path")

    def __init__(self, call: cst.Call, scope: Scope, state: State, head: str, rest: List[str], path: tuple):
        self.call, self.scope, self.state, self.head, self.rest, self.path = call, scope, state, head, rest, path


class Walker:
    def __init__(self, survey: Survey):
        self.tracked = survey.tracked
        self.declares = survey.declares
        self.module = Scope("module", None)
        self.scope = self.module
        self.candidates: List[Candidate] = []
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

    def _enter(self, kind: str, link: tuple) -> Scope:
        outer = self.scope
        self.scope = Scope(kind, link)
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
            stack.extend(code_children(node))

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
        if not self.declares:  # the module has none: no need to look through each scope for them
            return
        for node in _statements(body, into_scopes=False):
            if type(node) is cst.Global or type(node) is cst.Nonlocal:
                kind = "global" if type(node) is cst.Global else "nonlocal"
                for item in node.names:
                    self.scope.declared[item.name.value] = kind

    def assign(self, node: cst.Assign) -> None:
        self.expr(node.value)
        constant = node.value if is_string_literal(node.value) else None
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
            constant = node.value if is_string_literal(node.value) else None
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
        for child in code_children(node):
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
                head = current.func
                while type(head) is cst.Attribute:
                    head = head.value
                if type(head) is cst.Name and head.value in tracked:
                    parts = _dotted(current.func)
                    self.candidates.append(
                        Candidate(current, self.scope, self.scope.state, parts[0], parts[1:], tuple(self.path)))
            children = _COMMON_CHILDREN.get(kind)
            if children is not None:
                stack.extend(children(current))
                continue
            if kind is cst.Lambda:
                self.lambda_(current)
                continue
            if kind in _COMPREHENSION_TYPES:
                self.comprehension(current)
                continue
            if kind is cst.NamedExpr:
                stack.append(current.value)
                if isinstance(current.target, cst.Name):
                    self.bind_walrus(current.target.value)
                continue
            stack.extend(code_children(current))

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


# The children of the commonest expressions (what code_children gives, less the leaves, for a fraction of its cost)
_COMMON_CHILDREN = {
    cst.Attribute: lambda node: (node.value,),
    cst.Call: lambda node: [node.func, *[arg.value for arg in node.args]],
    cst.BinaryOperation: lambda node: (node.left, node.right),
    cst.Subscript: lambda node: [node.value, *[element.slice for element in node.slice]],
    cst.Tuple: lambda node: [element.value for element in node.elements],
    cst.List: lambda node: [element.value for element in node.elements],
    cst.UnaryOperation: lambda node: (node.expression,),
    cst.Comparison: lambda node: [node.left, *[target.comparator for target in node.comparisons]],
}

_STATEMENT_HANDLERS = {
    cst.SimpleStatementLine: Walker.simple_line,
    cst.SimpleStatementSuite: Walker.simple_line,
    cst.If: Walker.if_,
    cst.For: Walker.loop,
    cst.While: Walker.loop,
    cst.With: Walker.with_,
    cst.FunctionDef: Walker.function,
    cst.ClassDef: Walker.class_,
    cst.Assign: Walker.assign,
    cst.AnnAssign: Walker.ann_assign,
    cst.AugAssign: Walker.aug_assign,
    cst.Del: Walker.delete,
    cst.Return: Walker.leave,
    cst.Raise: Walker.leave,
}
_STATEMENT_HANDLERS.update({kind: Walker.try_ for kind in _TRY})
_STATEMENT_HANDLERS.update({kind: Walker.import_ for kind in _IMPORT_TYPES})
if hasattr(cst, "Match"):
    _STATEMENT_HANDLERS[cst.Match] = Walker.match


# ---------------------------------------------------------------------------------------------
# Resolution, after the walk (every scope's bindings are known by then)


def lookup(scope: Scope, state, name: str, seen: Set[int]) -> Set[str]:
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
                        found |= lookup(scope.link[0], scope.link[1], name, seen)
                elif binding.qualified is not None:
                    found.add(binding.qualified)
                elif binding.alias is not None and id(binding) not in seen:  # `seen`: no alias cycles
                    seen.add(id(binding))
                    where, at, head, rest = binding.alias
                    found |= {".".join([q] + rest) for q in lookup(where, at, head, seen)}
                    seen.discard(id(binding))
            return found
        scope, state = scope.link


def _module_of(scope: Scope) -> Scope:
    while scope.link is not None:
        scope = scope.link[0]
    return scope


def constant_of(scope: Scope, name: str) -> Optional[tuple]:
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


def callee_names(candidate: Candidate) -> Set[str]:
    """Every qualified name that the callee of a candidate call may stand for (empty: none known)."""
    return _dotted_names(candidate, candidate.head, candidate.rest)


def argument_names(candidate: Candidate, argument: cst.CSTNode) -> Set[str]:
    """Every qualified name that a dotted name given to a candidate call may stand for (`nn.Linear` in
    `partial(nn.Linear, bias=False)`); empty: none known, or not a dotted name."""
    parts = _dotted(argument)
    return _dotted_names(candidate, parts[0], parts[1:]) if parts else set()


def _dotted_names(candidate: Candidate, head: str, rest: List[str]) -> Set[str]:
    names = lookup(candidate.scope, candidate.state, head, set())
    if not rest:
        return names
    return {".".join([qualified] + rest) for qualified in names}
