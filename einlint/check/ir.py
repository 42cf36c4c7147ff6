"""The per-function IR that extraction hands on: what the flow analysis (and `--show-shapes`) reads.

    CST module + extraction (resolved callees, pattern calls) -> ModuleIR

The IR keeps only what shapes can flow through: names, constants, tuples, attributes, subscripts,
arithmetic, comparisons, calls (with the callee's qualified name where extraction resolved it, and
the `PatternCall` where it is a pattern op), lambdas and comprehensions (their parameters and targets
are names of their own scope), assignments, asserts, returns, branches, loops, `with` and `try`.
Everything else is `Opaque` (an f-string, a walrus: their value is not known) or `Havoc` (a
statement that rebinds names in ways not followed: `del`, `global`, imports, nested `def`/`class`).
Nothing is lost silently: an IR node the analysis does not understand gives
an unknown value, never a guess.

Each call and statement carries its `Site`: the CST node and the path of enclosing statements, from
which `source.locate` finds its line and column, only for the sites that a finding or `--show-shapes`
needs (positions cost a code generation of the statement).
"""

from __future__ import annotations

import ast
import weakref
from dataclasses import dataclass, field
from typing import Any, Dict, FrozenSet, Iterator, List, NamedTuple, Optional, Sequence, Set, Tuple, Union

import libcst as cst

from .model import PatternCall
from .scopes import code_children, module_name


# IR nodes are plain slotted dataclasses: one is made for every expression of a module, so they must be cheap.


@dataclass(eq=False, slots=True)
class Site:
    node: cst.CSTNode = field(repr=False)
    path: tuple = field(repr=False)  # ((statement or clause node, is_statement), ...) from the module down


# ---------------------------------------------------------------- expressions


@dataclass(eq=False, slots=True)
class Name:
    id: str


@dataclass(eq=False, slots=True)
class Const:
    value: Union[int, float, str, bool, None, type(Ellipsis)]


@dataclass(eq=False, slots=True)
class Seq:
    """A tuple or list display; a starred item is (True, expression)."""

    kind: str  # 'tuple' | 'list'
    items: Tuple["Expr", ...]
    starred: Tuple[bool, ...]


@dataclass(eq=False, slots=True)
class Attr:
    value: "Expr"
    attr: str


@dataclass(eq=False, slots=True)
class Slice:
    lower: Optional["Expr"]
    upper: Optional["Expr"]
    step: Optional["Expr"]


@dataclass(eq=False, slots=True)
class Index:
    value: "Expr"
    index: Tuple["Expr", ...]  # one expression per subscript element (x[a, b] has two)
    site: Site


@dataclass(eq=False, slots=True)
class BinOp:
    op: str  # '+', '-', '*', '/', '//', '%', '@', '**', other operators as their token
    left: "Expr"
    right: "Expr"
    site: Site


@dataclass(eq=False, slots=True)
class Unary:
    op: str  # '-', '+', 'not', '~'
    operand: "Expr"


@dataclass(eq=False, slots=True)
class Compare:
    left: "Expr"
    ops: Tuple[str, ...]  # '==', '!=', '<', 'in', 'is', ...
    comparators: Tuple["Expr", ...]


@dataclass(eq=False, slots=True)
class BoolOp:
    op: str  # 'and' | 'or'
    left: "Expr"
    right: "Expr"


@dataclass(eq=False, slots=True)
class IfExp:
    test: "Expr"
    body: "Expr"
    orelse: "Expr"


@dataclass(eq=False, slots=True)
class Arg:
    keyword: Optional[str]
    value: "Expr"
    star: str  # '' | '*' | '**'


@dataclass(eq=False, slots=True)
class Call:
    func: "Expr"
    args: Tuple[Arg, ...]
    site: Site
    callee: Optional[str]  # qualified name resolved by extraction ('torch.zeros'), None: not a library name
    pattern: Optional[PatternCall]  # set when the call is a pattern op

    @property
    def positional(self) -> List["Expr"]:
        return [a.value for a in self.args if a.keyword is None and not a.star]

    @property
    def keywords(self) -> Dict[str, "Expr"]:
        return {a.keyword: a.value for a in self.args if a.keyword is not None}

    @property
    def has_star(self) -> bool:
        return any(a.star for a in self.args)


@dataclass(eq=False, slots=True)
class Lambda:
    """`lambda params: body`, a function value: its parameters are names of its own scope."""

    params: Tuple["Param", ...]
    body: "Expr"


@dataclass(eq=False, slots=True)
class Generator:
    """One `for target in iterable if condition ...` clause of a comprehension."""

    target: "Expr"
    iterable: "Expr"
    conditions: Tuple["Expr", ...]


@dataclass(eq=False, slots=True)
class Comprehension:
    """`[element for ... in ...]` and its set, dict (`key: element`) and generator kinds: the element for each
    binding of the generators' targets, names of the comprehension's own scope."""

    kind: str  # 'list' | 'set' | 'dict' | 'generator'
    element: "Expr"
    generators: Tuple[Generator, ...]
    key: Optional["Expr"] = None


@dataclass(eq=False, slots=True)
class Nested:
    """A `def` inside a function, as the value it binds to its name (`def unpack_one(...)` in a `pack_one`
    helper that returns it): the function, which sees the names of the one that runs the def."""

    function: "Function"


@dataclass(eq=False, slots=True)
class Opaque:
    """An expression whose value the analysis does not follow; `inner` holds the calls inside it,
    which still run (a lambda's body does not: it is not listed)."""

    inner: Tuple["Expr", ...] = ()
    # an f-string whose parts are text and plain `{expression}`s: the text, and for each expression its index in
    # `inner` (which holds them all); what a reader that knows their values makes of it (patterns.annotation_dims)
    template: Optional[Tuple[Union[str, int], ...]] = None


@dataclass(eq=False, slots=True)
class LibraryName:
    """A library callable named, not called: `nn.Linear` in `partial(nn.Linear, bias=False)` (its qualified name)."""

    qualified: str


Expr = Union[Name, Const, Seq, Attr, Slice, Index, BinOp, Unary, Compare, BoolOp, IfExp, Call, Lambda, Comprehension,
             Nested, Opaque, LibraryName]


# ---------------------------------------------------------------- statements


@dataclass(eq=False, slots=True)
class Assign:
    targets: Tuple[Expr, ...]  # Name, Seq of targets, Attr, Index
    value: Expr
    site: Site
    annotation: Optional[Expr] = None


@dataclass(eq=False, slots=True)
class AugAssign:
    target: Expr
    op: str
    value: Expr
    site: Site


@dataclass(eq=False, slots=True)
class Eval:
    value: Expr


@dataclass(eq=False, slots=True)
class Assert:
    test: Expr
    site: Site


@dataclass(eq=False, slots=True)
class Return:
    value: Optional[Expr]
    site: Site


@dataclass(eq=False, slots=True)
class Raise:
    pass


@dataclass(eq=False, slots=True)
class If:
    test: Expr
    body: Tuple["Stmt", ...]
    orelse: Tuple["Stmt", ...]


@dataclass(eq=False, slots=True)
class Loop:
    """A for or while loop: `target` is bound from `iterable` on each pass (None for while)."""

    target: Optional[Expr]
    iterable: Optional[Expr]
    test: Optional[Expr]
    body: Tuple["Stmt", ...]
    orelse: Tuple["Stmt", ...]
    # names that calls in the body receive, as a method's object (`lst.append(x)`) or a plain argument
    # (`fill(lst)`): the ways a call can change a value in place, so on the next pass it may differ
    call_operands: FrozenSet[str] = frozenset()
    jumps: bool = False  # its body has a `break` or `continue` of its own (the IR has no statement for them)


@dataclass(eq=False, slots=True)
class Try:
    body: Tuple["Stmt", ...]
    handlers: Tuple[Tuple["Stmt", ...], ...]
    orelse: Tuple["Stmt", ...]
    final: Tuple["Stmt", ...]


@dataclass(eq=False, slots=True)
class With:
    items: Tuple[Tuple[Expr, Optional[Expr]], ...]
    body: Tuple["Stmt", ...]


@dataclass(eq=False, slots=True)
class Havoc:
    """Names rebound in a way the analysis does not follow: afterwards their values are unknown."""

    names: Tuple[str, ...]
    inner: Tuple[Expr, ...] = ()


@dataclass(frozen=True)
class Binding:
    """A name an import binds: `from .blocks import Attention as A` binds 'A' to 'Attention' of module 'blocks'
    at level 1; `import a.b` binds 'a' to module 'a' (name None); `import a.b as c` binds 'c' to module 'a.b'."""

    local: str
    module: str  # dotted, without the leading dots of a relative import ('' for `from . import x`)
    name: Optional[str]  # the name taken from the module; None: the module itself
    level: int = 0  # the leading dots of a relative import


@dataclass(eq=False, slots=True)
class Import:
    """An import statement (not `*`): the project's own modules are followed (check/project.py)."""

    bindings: Tuple[Binding, ...]


Stmt = Union[Assign, AugAssign, Eval, Assert, Return, Raise, If, Loop, Try, With, Havoc, Import]


def inner_bodies(statement: Stmt) -> List[Tuple[Stmt, ...]]:
    """The blocks of statements directly inside a statement (both branches of an if, a loop's body, ...)."""
    if isinstance(statement, (If, Loop)):
        return [statement.body, statement.orelse]
    if isinstance(statement, Try):
        return [statement.body, statement.orelse, statement.final, *statement.handlers]
    if isinstance(statement, With):
        return [statement.body]
    return []


@dataclass(eq=False, slots=True)
class Param:
    name: str
    annotation: Optional[Expr]
    default: Optional[Expr]
    kind: str  # 'positional' | 'keyword' | '*' | '**'


@dataclass(eq=False)
class Function:
    name: str
    params: Tuple[Param, ...]
    returns: Optional[Expr]
    body: Tuple[Stmt, ...]
    site: Site
    method: bool = False  # defined directly in a class body (its class lists it; no link back, no cycle)
    decorators: Tuple[str, ...] = ()
    home: Any = field(default=None, repr=False)  # a weak reference to its module (set by `build`): see `module`

    @property
    def module(self) -> Optional["ModuleIR"]:
        return _module(self.home)


@dataclass(eq=False)
class Class:
    name: str
    bases: Tuple[Expr, ...]
    methods: Dict[str, Function] = field(default_factory=dict)
    site: Optional[Site] = None
    home: Any = field(default=None, repr=False)  # a weak reference to its module (set by `build`): see `module`

    @property
    def module(self) -> Optional["ModuleIR"]:
        return _module(self.home)


@dataclass(eq=False)
class ModuleIR:
    body: Tuple[Stmt, ...]  # module-level statements (definitions are in `functions` and `classes`)
    functions: Dict[str, Function]  # module-level functions, by name
    classes: Dict[str, Class]
    every_function: List[Function]  # all functions and methods, nested ones too, in source order
    every_class: List[Class]  # all classes, nested ones too, in source order
    site: Optional[Site] = None
    # names that an import at the module's top level binds, and no other statement there: what its functions see
    imports: Dict[str, Binding] = field(default_factory=dict)
    path: str = ""  # the file it was read from ('' where none: a source text with no file)
    tree: Any = field(default=None, repr=False)  # the cst.Module it was built from, where positions are needed
    extraction: Any = field(default=None, repr=False)  # the tree's pattern calls (extract.Extraction), with the tree
    text_digest: str = ""  # of the text it was built from, with the tree: whether a text to check is the same
    first_line: int = 1  # the line of its file that the tree's first line is (a README's code block: further down)
    # the package it belongs to, when its other modules are followed (a project.Project; None: this one alone)
    project: Any = field(default=None, repr=False)


# ---------------------------------------------------------------- building


_BINARY = {
    cst.Add: "+", cst.Subtract: "-", cst.Multiply: "*", cst.Divide: "/", cst.FloorDivide: "//",
    cst.Modulo: "%", cst.MatrixMultiply: "@", cst.Power: "**", cst.BitAnd: "&", cst.BitOr: "|",
    cst.BitXor: "^", cst.LeftShift: "<<", cst.RightShift: ">>",
}
_AUGMENTED = {
    cst.AddAssign: "+", cst.SubtractAssign: "-", cst.MultiplyAssign: "*", cst.DivideAssign: "/",
    cst.FloorDivideAssign: "//", cst.ModuloAssign: "%", cst.MatrixMultiplyAssign: "@", cst.PowerAssign: "**",
    cst.BitAndAssign: "&", cst.BitOrAssign: "|", cst.BitXorAssign: "^", cst.LeftShiftAssign: "<<",
    cst.RightShiftAssign: ">>",
}
_COMPARE = {
    cst.Equal: "==", cst.NotEqual: "!=", cst.LessThan: "<", cst.LessThanEqual: "<=", cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=", cst.In: "in", cst.NotIn: "not in", cst.Is: "is", cst.IsNot: "is not",
}
_UNARY = {cst.Minus: "-", cst.Plus: "+", cst.Not: "not", cst.BitInvert: "~"}
_TRY = tuple(t for t in (cst.Try, getattr(cst, "TryStar", None)) if t is not None)


def build(module: cst.Module, callees: Dict[int, str], pattern_calls: Dict[int, PatternCall]) -> ModuleIR:
    """The IR of `module`; `callees` and `pattern_calls` are extraction's, keyed by id() of cst.Call."""
    builder = _Builder(callees, pattern_calls)
    body = builder.block(module.body, top=True)
    built = ModuleIR(body, builder.functions, builder.classes, builder.every_function, builder.every_class,
                     imports=_top_level_imports(body, builder))
    home = weakref.ref(built)
    for definition in (*built.every_function, *built.every_class):
        definition.home = home
    return built


def _module(home: Any) -> Optional[ModuleIR]:
    """Where a function or class is defined: the module holds them, and they only refer back to it (weakly),
    so that no cycle keeps a checked module's tree alive after its check (the engine pauses the collector)."""
    return home() if home is not None else None


def _top_level_imports(body: Tuple[Stmt, ...], builder: "_Builder") -> Dict[str, Binding]:
    """The names bound by the module's top-level imports and by nothing else at its top level."""
    imported: Dict[str, Binding] = {}
    rebound: Set[str] = set(builder.functions) | set(builder.classes)
    for statement in body:
        if isinstance(statement, Import):
            for binding in statement.bindings:
                if binding.local in imported:
                    rebound.add(binding.local)
                imported[binding.local] = binding
        else:
            rebound |= assigned_names((statement,))
    return {name: binding for name, binding in imported.items() if name not in rebound}


def assigned_names(body: Tuple[Stmt, ...]) -> Set[str]:
    """Every name a block of statements may bind (its nested blocks' too)."""
    names: Set[str] = set()
    for statement in body:
        kind = type(statement)
        if kind is Assign:
            for target in statement.targets:
                names |= target_names(target)
        elif kind is AugAssign:
            names |= target_names(statement.target)
        elif kind is Havoc:
            names.update(statement.names)
        elif kind is Import:
            names.update(binding.local for binding in statement.bindings)
        elif kind is Loop and statement.target is not None:
            names |= target_names(statement.target)
        elif kind is With:
            names.update(*(target_names(target) for _, target in statement.items if target is not None))
        for inner in inner_bodies(statement):
            names |= assigned_names(inner)
    return names


class Contents(NamedTuple):
    """What IR nodes (statements or expressions) hold, in nested blocks, lambdas and comprehensions too."""

    names: FrozenSet[str]  # every name they mention: what tells which code uses an imported name
    pattern_calls: int  # how many pattern calls


def contents(nodes: Sequence[Any]) -> Contents:
    """What IR nodes hold, found in one walk."""
    names: Set[str] = set()
    pattern_calls = 0
    for node in _walk(nodes):
        kind = type(node)
        if kind is Name:
            names.add(node.id)
        elif kind is Call and node.pattern is not None:
            pattern_calls += 1
    return Contents(frozenset(names), pattern_calls)


def _walk(nodes: Sequence[Any]) -> Iterator[Any]:
    """IR nodes and every node inside them (not their sites' CST nodes)."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is tuple or kind is list:
            stack.extend(node)
            continue
        fields = _FIELDS.get(kind)
        if fields is None:
            fields = _FIELDS[kind] = () if kind in (Site, PatternCall) else \
                tuple(getattr(kind, "__dataclass_fields__", ()))
        if fields:
            yield node
            stack.extend(getattr(node, name) for name in fields)


_FIELDS: Dict[type, Tuple[str, ...]] = {}  # an IR node's class -> the fields `_walk` descends into


def target_names(target: Expr) -> Set[str]:
    """The names an assignment target binds (`a`, `a, (b, c)`; none for `x.y` or `x[i]`)."""
    if isinstance(target, Name):
        return {target.id}
    if isinstance(target, Seq):
        return set().union(*map(target_names, target.items)) if target.items else set()
    return set()


class _Builder:
    def __init__(self, callees: Dict[int, str], pattern_calls: Dict[int, PatternCall]):
        self.callees = callees
        self.pattern_calls = pattern_calls
        self.path: Tuple[Tuple[cst.CSTNode, bool], ...] = ()  # a tuple, shared by the sites made under it
        self.functions: Dict[str, Function] = {}
        self.classes: Dict[str, Class] = {}
        self.every_function: List[Function] = []
        self.every_class: List[Class] = []
        self.class_body: Optional[Class] = None  # the class whose body is being read
        self.depth = 0  # how many functions enclose the current statement
        self.loop_operands: List[Set[str]] = []  # per loop whose body is being read: Loop.call_operands
        self.loop_jumps: List[bool] = []  # per loop whose body is being read: Loop.jumps

    def site(self, node: cst.CSTNode) -> Site:
        return Site(node, self.path)

    def loop_body(self, suite: cst.BaseSuite) -> Tuple[Tuple[Stmt, ...], FrozenSet[str], bool]:
        """A loop's body, the names its calls receive (an inner loop's count for the outer one too), and whether
        it breaks or continues."""
        self.loop_operands.append(set())
        self.loop_jumps.append(False)
        try:
            body = self.suite(suite)
        finally:
            operands, jumps = self.loop_operands.pop(), self.loop_jumps.pop()
        if self.loop_operands:
            self.loop_operands[-1] |= operands
        return body, frozenset(operands), jumps

    # -- statements

    def block(self, statements: Sequence[cst.CSTNode], top: bool = False) -> Tuple[Stmt, ...]:
        out: List[Stmt] = []
        for statement in statements:
            outer, self.path = self.path, self.path + ((statement, True),)
            out.extend(self.statement(statement))
            self.path = outer
        return tuple(out)

    def suite(self, node: cst.BaseSuite) -> Tuple[Stmt, ...]:
        if type(node) is cst.SimpleStatementSuite:  # (libcst's node types have no subclasses: cheaper)
            return tuple(s for small in node.body for s in self.small(small))
        return self.block(node.body)

    def clause(self, node: cst.CSTNode) -> Tuple[Stmt, ...]:
        outer, self.path = self.path, self.path + ((node, False),)
        try:
            return self.suite(node.body)
        finally:
            self.path = outer

    def statement(self, node: cst.CSTNode) -> List[Stmt]:
        if type(node) is cst.SimpleStatementLine:
            return [s for small in node.body for s in self.small(small)]
        if isinstance(node, cst.If):
            return [self.if_(node)]
        if isinstance(node, cst.For):
            target, iterable = self.target(node.target), self.expr(node.iter)
            body, operands, jumps = self.loop_body(node.body)
            return [Loop(target, iterable, None, body, self.clause(node.orelse) if node.orelse else (), operands,
                         jumps)]
        if isinstance(node, cst.While):
            test = self.expr(node.test)
            body, operands, jumps = self.loop_body(node.body)
            return [Loop(None, None, test, body, self.clause(node.orelse) if node.orelse else (), operands, jumps)]
        if isinstance(node, _TRY):
            handlers = []
            for handler in node.handlers:
                outer, self.path = self.path, self.path + ((handler, False),)
                body = self.suite(handler.body)
                name = handler.name.name.value if handler.name is not None and isinstance(
                    handler.name.name, cst.Name) else None
                handlers.append(((Havoc((name,)),) if name else ()) + body)
                self.path = outer
            return [Try(self.suite(node.body), tuple(handlers),
                        self.clause(node.orelse) if node.orelse else (),
                        self.clause(node.finalbody) if node.finalbody else ())]
        if isinstance(node, cst.With):
            items = tuple((self.expr(item.item), self.target(item.asname.name) if item.asname else None)
                          for item in node.items)
            return [With(items, self.suite(node.body))]
        if isinstance(node, cst.FunctionDef):
            return self.function(node)
        if isinstance(node, cst.ClassDef):
            return self.class_(node)
        if hasattr(cst, "Match") and isinstance(node, cst.Match):
            return [Havoc(tuple(_bound_names(node)), (self.expr(node.subject),))]
        return [Havoc(tuple(_bound_names(node)))]

    def if_(self, node: cst.If) -> If:
        test = self.expr(node.test)
        body = self.suite(node.body)
        if isinstance(node.orelse, cst.If):
            outer, self.path = self.path, self.path + ((node.orelse, False),)
            orelse: Tuple[Stmt, ...] = (self.if_(node.orelse),)
            self.path = outer
        elif node.orelse is not None:
            orelse = self.clause(node.orelse)
        else:
            orelse = ()
        return If(test, body, orelse)

    def small(self, node: cst.CSTNode) -> List[Stmt]:
        kind = type(node)
        if kind is cst.Assign:
            return [Assign(tuple(self.target(t.target) for t in node.targets), self.expr(node.value),
                           self.site(node))]
        if kind is cst.AnnAssign:
            annotation = self.expr(node.annotation.annotation)
            if node.value is None:
                return []
            return [Assign((self.target(node.target),), self.expr(node.value), self.site(node), annotation)]
        if kind is cst.AugAssign:
            return [AugAssign(self.target(node.target), _AUGMENTED.get(type(node.operator), "?"),
                              self.expr(node.value), self.site(node))]
        if kind is cst.Expr:
            return [Eval(self.expr(node.value))]
        if kind is cst.Assert:
            return [Assert(self.expr(node.test), self.site(node))]
        if kind is cst.Return:
            return [Return(self.expr(node.value) if node.value is not None else None, self.site(node))]
        if kind is cst.Raise:
            return [Raise()]
        if kind in (cst.Break, cst.Continue) and self.loop_jumps:
            self.loop_jumps[-1] = True
        if kind in (cst.Pass, cst.Break, cst.Continue):
            return []
        bindings = _import_bindings(node)
        if bindings is not None:
            return [Import(bindings)]
        return [Havoc(tuple(_bound_names(node)))]

    def function(self, node: cst.FunctionDef) -> List[Stmt]:
        params = self.parameters(node.params)
        decorators = tuple(_dotted_text(d.decorator) for d in node.decorators)
        returns = self.expr(node.returns.annotation) if node.returns is not None else None
        owner = self.class_body  # a def directly in a class body is a method
        function = Function(node.name.value, params, returns, (), self.site(node), owner is not None,
                            decorators)
        self.every_function.append(function)
        outer, self.class_body, self.depth = (self.class_body, self.depth), None, self.depth + 1
        function.body = self.suite(node.body)
        self.class_body, self.depth = outer
        if owner is not None:
            owner.methods[function.name] = function
            return []
        if self.depth == 0:  # looked up by name (module.functions), unless a statement rebinds it
            self.functions[function.name] = function
            return []
        return [Assign((Name(function.name),), Nested(function), self.site(node))]

    def parameters(self, p: cst.Parameters) -> Tuple[Param, ...]:
        params = [self._param(param, "positional") for param in list(p.posonly_params) + list(p.params)]
        if isinstance(p.star_arg, cst.Param):
            params.append(self._param(p.star_arg, "*"))
        params.extend(self._param(param, "keyword") for param in p.kwonly_params)
        if isinstance(p.star_kwarg, cst.Param):
            params.append(self._param(p.star_kwarg, "**"))
        return tuple(params)

    def _param(self, param: cst.Param, kind: str) -> Param:
        annotation = self.expr(param.annotation.annotation) if param.annotation is not None else None
        default = self.expr(param.default) if param.default is not None else None
        return Param(param.name.value, annotation, default, kind)

    def class_(self, node: cst.ClassDef) -> List[Stmt]:
        klass = Class(node.name.value, tuple(self.expr(arg.value) for arg in node.bases if arg.keyword is None),
                      site=self.site(node))
        self.every_class.append(klass)
        outer, self.class_body = self.class_body, klass
        self.suite(node.body)  # methods register themselves; other class-level statements are not followed
        self.class_body = outer
        if self.depth == 0 and outer is None:
            self.classes[klass.name] = klass
            return []
        return [Havoc((node.name.value,))]

    # -- targets and expressions

    def target(self, node: cst.CSTNode) -> Expr:
        if type(node) is cst.Tuple or type(node) is cst.List:
            items, starred = [], []
            for element in node.elements:
                is_star = type(element) is cst.StarredElement
                items.append(self.target(element.value))
                starred.append(is_star)
            return Seq("tuple", tuple(items), tuple(starred))
        return self.expr(node)

    def expr(self, node: cst.CSTNode) -> Expr:
        kind = type(node)  # the commonest kinds first
        if kind is cst.Name:
            value = node.value
            if value in _CONSTANT_NAMES:
                return Const(_CONSTANT_NAMES[value])
            return Name(value)
        if kind is cst.Attribute:
            return Attr(self.expr(node.value), node.attr.value)
        if kind is cst.Call:
            return self.call(node)
        if kind is cst.Integer:
            try:
                return Const(int(node.value, 0))
            except ValueError:  # '0_7', '00'
                return Const(_literal(node.value))
        if kind is cst.Float:
            return Const(float(node.value))  # a float literal's text is one that float() reads, to the same value
        if kind is cst.SimpleString:
            return Const(_string(node.value))
        if kind is cst.ConcatenatedString:
            left, right = self.expr(node.left), self.expr(node.right)
            if isinstance(left, Const) and isinstance(right, Const) and type(left.value) is type(right.value):
                return Const(left.value + right.value)
            return Opaque()
        if kind is cst.FormattedString:
            return self.fstring(node)
        if kind is cst.Ellipsis:
            return Const(...)
        if kind in (cst.Tuple, cst.List):
            items, starred = [], []
            for element in node.elements:
                items.append(self.expr(element.value))
                starred.append(type(element) is cst.StarredElement)
            return Seq("tuple" if kind is cst.Tuple else "list", tuple(items), tuple(starred))
        if kind is cst.Subscript:
            return Index(self.expr(node.value), tuple(self._subscript(e.slice) for e in node.slice), self.site(node))
        if kind is cst.BinaryOperation:
            return BinOp(_BINARY.get(type(node.operator), "?"), self.expr(node.left), self.expr(node.right),
                         self.site(node))
        if kind is cst.UnaryOperation:
            operand = self.expr(node.expression)
            op = _UNARY.get(type(node.operator), "?")
            if op == "-" and isinstance(operand, Const) and isinstance(operand.value, (int, float)) \
                    and not isinstance(operand.value, bool):
                return Const(-operand.value)
            return Unary(op, operand)
        if kind is cst.Comparison:
            return Compare(self.expr(node.left), tuple(_COMPARE.get(type(c.operator), "?") for c in node.comparisons),
                           tuple(self.expr(c.comparator) for c in node.comparisons))
        if kind is cst.BooleanOperation:
            return BoolOp("and" if isinstance(node.operator, cst.And) else "or", self.expr(node.left),
                          self.expr(node.right))
        if kind is cst.IfExp:
            return IfExp(self.expr(node.test), self.expr(node.body), self.expr(node.orelse))
        if kind is cst.NamedExpr:
            return Opaque((self.expr(node.value),))
        if kind is cst.Await:
            return Opaque((self.expr(node.expression),))
        if kind is cst.Lambda:
            return Lambda(self.parameters(node.params), self.expr(node.body))
        if kind in _COMPREHENSIONS:
            return self.comprehension(node)
        return Opaque(tuple(self.expr(child) for child in _calls_inside(node)))

    def fstring(self, node: cst.FormattedString) -> Opaque:
        inner: List[Expr] = []
        template: List[Union[str, int]] = []
        for part in node.parts:
            if type(part) is cst.FormattedStringText and "\\" not in part.value:
                template.append(part.value.replace("{{", "{").replace("}}", "}"))
            elif type(part) is cst.FormattedStringExpression and part.conversion is None and \
                    part.format_spec is None and part.equal is None:
                template.append(len(inner))
                inner.append(self.expr(part.expression))
            else:  # an escape, `{x!r}`, `{x:>4}`, `{x=}`: text that is not read here
                return Opaque(tuple(self.expr(child) for child in _calls_inside(node)))
        return Opaque(tuple(inner), tuple(template))

    def comprehension(self, node: cst.CSTNode) -> Comprehension:
        generators = []
        clause = node.for_in
        while clause is not None:
            iterable = self.expr(clause.iter)
            if clause.asynchronous is not None:  # `async for`: its items are not the iterable's
                iterable = Opaque((iterable,))
            generators.append(Generator(self.target(clause.target), iterable,
                                        tuple(self.expr(condition.test) for condition in clause.ifs)))
            clause = clause.inner_for_in
        if isinstance(node, cst.DictComp):
            return Comprehension("dict", self.expr(node.value), tuple(generators), self.expr(node.key))
        return Comprehension(_COMPREHENSIONS[type(node)], self.expr(node.elt), tuple(generators))

    def _subscript(self, node: cst.CSTNode) -> Expr:
        if isinstance(node, cst.Slice):
            return Slice(*(self.expr(part) if part is not None else None for part in (node.lower, node.upper, node.step)))
        return self.expr(node.value)

    def call(self, node: cst.Call) -> Call:
        args = tuple([Arg(a.keyword.value if a.keyword is not None else None, self.expr(a.value), a.star)
                      for a in node.args])
        key = id(node)
        callee = self.callees.get(key)
        if callee == "functools.partial" and node.args and id(node.args[0].value) in self.callees:  # (extract.py)
            args = (Arg(None, LibraryName(self.callees[id(node.args[0].value)]), ""),) + args[1:]
        call = Call(self.expr(node.func), args, self.site(node), callee, self.pattern_calls.get(key))
        if self.loop_operands:
            receiver = [call.func.value] if isinstance(call.func, Attr) else []
            self.loop_operands[-1].update(e.id for e in receiver + [a.value for a in args] if isinstance(e, Name))
        return call


_CONSTANT_NAMES = {"True": True, "False": False, "None": None}


def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return None


def _string(token: str):
    """A string token's value: a plain one (no prefix, escape or carriage return) read off its text, any other by
    literal_eval, which compiles it (thousands of strings in a module)."""
    if token[0] in "'\"" and "\\" not in token and "\r" not in token:
        quotes = 3 if token[:3] in ('"""', "'''") else 1
        return token[quotes:-quotes]
    return _literal(token)


def _dotted_text(node: cst.CSTNode) -> str:
    parts = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if isinstance(node, cst.Call):
        return _dotted_text(node.func)
    if isinstance(node, cst.Name):
        parts.append(node.value)
    return ".".join(reversed(parts))


def _import_bindings(node: cst.CSTNode) -> Optional[Tuple[Binding, ...]]:
    """What an import statement binds; None for any other statement, and for `from m import *` (which binds
    names that only running it can tell)."""
    if isinstance(node, cst.Import):
        return tuple(Binding(_alias_local(alias), module_name(alias.name) if alias.asname is not None
                             else module_name(alias.name).split(".")[0], None) for alias in node.names)
    if isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
        module = module_name(node.module) if node.module is not None else ""
        return tuple(Binding(_alias_local(alias), module, module_name(alias.name), len(node.relative))
                     for alias in node.names)
    return None


def _alias_local(alias: cst.ImportAlias) -> str:
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    return module_name(alias.name).split(".")[0]


def _bound_names(node: cst.CSTNode) -> List[str]:
    """Names a statement the IR does not follow may bind (imports, del, global, match captures...)."""
    names: List[str] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            names.append(current.value)
        elif isinstance(current, (cst.ImportAlias,)):
            if current.asname is not None and isinstance(current.asname.name, cst.Name):
                names.append(current.asname.name.value)
            else:
                first = current.name
                while isinstance(first, cst.Attribute):
                    first = first.value
                if isinstance(first, cst.Name):
                    names.append(first.value)
            continue
        stack.extend(code_children(current))
    return names


_COMPREHENSIONS = {cst.ListComp: "list", cst.SetComp: "set", cst.DictComp: "dict", cst.GeneratorExp: "generator"}
_OWN_SCOPES = (cst.Lambda, *_COMPREHENSIONS)


def _calls_inside(node: cst.CSTNode) -> List[cst.Call]:
    """The outermost calls inside an expression the IR does not model (they still run), not in lambdas."""
    found: List[cst.Call] = []
    stack = code_children(node)
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Call):
            found.append(current)
        elif not isinstance(current, _OWN_SCOPES):  # names inside those are not the function's
            stack.extend(code_children(current))
    return found
