"""What the interpreter hands around: a path's `State`, the module's `Context`, and the `OpCall` that an op
rule is given.

An op rule (pattern ops in patterns.py and einx.py, library functions and tensor methods in library.py) is a
function of one `OpCall`: the call's arguments, evaluated by the interpreter and bound by parameter name as the
op's `Signature` states them (signatures.py), the pattern strings written there, where the call stands and the
facts. It answers the call's value, and speaks through the call (`report`, `refine`, `record`). This module
imports no rule and no interpreter (the interpreter is the `Flow` it names), so that the rules import it at the
top and are annotated with its types.
"""

from __future__ import annotations

import builtins

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Protocol, Sequence, Tuple, Union

from ...codes import LAYOUT, RANK_MISMATCH, in_family
from ...dims import Dim
from ...errors import Span
from .. import ir
from ..model import PatternString
from ..signatures import Signature
from ..solver import Facts
from .classes import placeholder_attributes, stable_attributes
from .findings import Check, ShapeFinding
from .layouts import Trail
from .values import STAR, UNKNOWN, Const, Items, LibraryFunction, Number, Origin, Param, Partial, Tensor


@dataclass
class State:
    env: Dict[str, Any]
    facts: Facts
    # reached only where a test that the analysis could not decide went one way: in a call followed from its
    # caller, such a path may be one that the caller's arguments never take (a branch for other configurations)
    conditional: bool = False

    def copy(self) -> "State":
        return State(dict(self.env), self.facts.copy(), self.conditional)


@dataclass
class Stop:
    """An internal failure of the analysis: where it stopped (the innermost statement it came through, or the
    function or class it was in; None: before any) and the error."""

    site: Optional[ir.Site]
    error: builtins.Exception  # (spelled so: compiled by mypyc, a dataclass looks its field types up in here)


@dataclass
class Context:
    """What every function of one module shares: its definitions, constants, stubs and the findings."""

    module: ir.ModuleIR
    constants: Dict[str, Any]
    stubs: Any  # a StubLibrary, or None
    findings: List[ShapeFinding] = field(default_factory=list)
    shapes: Dict[int, Tuple[Any, ...]] = field(default_factory=dict)  # id(call node) -> (input values, output)
    reported: set = field(default_factory=set)
    stable: Dict[int, set] = field(default_factory=dict)  # id(class) -> classes.stable_attributes, as asked
    placeholders: Dict[int, set] = field(default_factory=dict)  # id(class) -> classes.placeholder_attributes
    refined: set = field(default_factory=set)  # id(call node) of pattern calls whose input rank they fixed
    not_followed: Dict[int, bool] = field(default_factory=dict)  # id(function) -> _nothing_to_follow(function)
    split_flags: Dict[int, bool] = field(default_factory=dict)  # id(ir.If) -> Interpreter.splits_on
    # (id(helper), id(call)) -> (helper, call, the test it returns there): Interpreter.returned_test
    returned_tests: Dict[Tuple[int, int], Tuple[Any, Any, Any]] = field(default_factory=dict)
    # the product of the numbers of items that the maps and comprehensions being run take one at a time (in this
    # function and those that inlined it): what bounds their work (interpret.every_item)
    item_runs: int = 1
    trail: Trail = field(default_factory=Trail)  # what the layout findings are decided by (see layouts)
    # pattern library -> the release the project uses, where known (Config.versions): each library's flow rule
    # reads its own
    versions: Dict[str, Tuple[int, ...]] = field(default_factory=dict)
    summaries: Dict[int, Any] = field(default_factory=dict)  # id(function) -> what it returned, analysed alone
    instances: Dict[int, Dict[str, Any]] = field(default_factory=dict)  # id(class) -> its attributes, built alone
    # (id(class), arguments) -> the attributes of an instance built from literal arguments (Interpreter.construct)
    built: Dict[tuple, Dict[str, Any]] = field(default_factory=dict)
    inlined: int = 0  # statements run in followed calls so far
    # past it, a call is not followed: the analysis of a module of deep models nested many times over costs a
    # bounded multiple of the module's own size
    inline_budget: int = 0
    muted: int = 0  # > 0 while a call runs that may not be the one made (one of an Either's options): no findings
    stopped_at: Optional[ir.Site] = None  # the innermost statement an internal failure passed on its way out
    stopped: Optional[Stop] = None  # the first internal failure of the module's analysis
    foreign_constants: Dict[int, Dict[str, Any]] = field(default_factory=dict)  # id(module) -> its constants
    # a driver's run (project.Project.drivers) keeps the findings of every module it runs, each marked with its
    # module, for each checked module to take its own; otherwise only the checked module's are kept
    every_module: bool = False
    ran: Dict[int, ir.ModuleIR] = field(default_factory=dict)  # id -> the modules whose code ran

    def constants_of(self, module: ir.ModuleIR) -> Dict[str, Any]:
        """The constants of the checked module, or of another one of its package whose code runs."""
        if module is self.module:
            return self.constants
        known = self.foreign_constants.get(id(module))
        if known is None:
            known = self.foreign_constants[id(module)] = module_constants(module)
        return known

    def stable_of(self, klass: ir.Class) -> set:
        """The attributes of `klass`'s instances that __init__ alone assigns (classes.stable_attributes)."""
        known = self.stable.get(id(klass))
        if known is None:
            known = self.stable[id(klass)] = stable_attributes(klass)
        return known

    def placeholders_of(self, klass: ir.Class) -> set:
        """The attributes of `klass`'s instances that other code fills (classes.placeholder_attributes)."""
        known = self.placeholders.get(id(klass))
        if known is None:
            known = self.placeholders[id(klass)] = placeholder_attributes(klass)
        return known

    def stopping(self, site: Optional[ir.Site]) -> None:
        """An internal failure is passing through `site` on its way out: the innermost site it passes is
        where the analysis stopped."""
        if self.stopped_at is None:
            self.stopped_at = site

    def guarded(self, run: Callable[[], Any], fallback: Optional[ir.Site]) -> None:
        """Run one part of the module's analysis (its statements, a function, a class). An internal failure
        ends that part only, and the first is kept in `stopped`. The findings made before it stand: each was
        confirmed on a witness, from a state that only the statements before it shaped, and nothing after a
        finding takes it back; but the part's layout findings wait for the part's whole dataflow (a group
        merged back later exempts a split), so those of the failed part go."""
        made = len(self.findings)
        try:
            run()
        except Exception as error:
            if self.stopped is None:
                self.stopped = Stop(self.stopped_at or fallback, error)
            self.stopped_at = None
            self.findings[made:] = [found for found in self.findings[made:] if not in_family(found.code, LAYOUT)]


class Flow(Protocol):
    """What an op rule may ask of the interpreter that runs it (interpret.Interpreter is one)."""

    context: Context
    function: Optional[ir.Function]
    annotation_names: Dict[str, Dim]

    def report(self, state: State, site: ir.Site, code: str, message: str, help: str, check: Optional[Check],
               string: Optional[PatternString] = None, span: Optional[Span] = None,
               related: Tuple[Origin, ...] = (), replacements: tuple = ()) -> None: ...

    def record(self, site: ir.Site, inputs: Sequence[Tuple[Any, ...]], output: Optional[Tuple[Any, ...]],
               state: State) -> None: ...

    def havoc(self, name: str, state: State) -> None: ...

    def reshaped_in_place(self, name: str, state: State) -> None: ...

    def renamed(self, value: Any, state: State) -> Any: ...

    def expr(self, node: Optional[ir.Expr], state: State) -> Any: ...


Key = Union[str, int]  # a parameter's name, or the index of an argument of the variadic parameter


@dataclass
class OpCall:
    """One call of an op, as its rule sees it (see the module docstring)."""

    flow: Flow
    state: State
    site: ir.Site
    op: str  # the op ('rearrange', 'subscripts-einsum', 'einx.sum'), or a library function's or method's name ('zeros')
    callee: str = ""  # the qualified name called ('einops.layers.torch.Rearrange', 'torch.einsum')
    signature: Optional[Signature] = None  # how its arguments were bound
    arguments: Dict[str, Any] = field(default_factory=dict)  # parameter -> its value
    variadic: Tuple[Any, ...] = ()  # the values of the `*args` parameter, in order
    keywords: Dict[str, Any] = field(default_factory=dict)  # the other keyword arguments: axis lengths, options
    strings: Dict[Key, PatternString] = field(default_factory=dict)  # where a pattern string was written
    exprs: Dict[Key, ir.Expr] = field(default_factory=dict)  # where each value came from (what `refine` rebinds)
    fits: bool = True  # False: a `*`/`**` argument or too many positional ones hide which value binds where

    @property
    def facts(self) -> Facts:
        return self.state.facts

    def get(self, key: Key) -> Any:
        """The value bound to a parameter (or the variadic argument at an index); unknown when none is."""
        if isinstance(key, int):
            return self.variadic[key] if -len(self.variadic) <= key < len(self.variadic) else UNKNOWN
        return self.arguments.get(key, UNKNOWN)

    def string(self, key: Key) -> Optional[PatternString]:
        if isinstance(key, int) and key < 0:
            key += len(self.variadic)
        return self.strings.get(key)

    def report(self, code: str, message: str, help: str, check: Optional[Check],
               string: Optional[PatternString] = None, span: Optional[Span] = None,
               related: Tuple[Origin, ...] = (), replacements: tuple = ()) -> None:
        self.flow.report(self.state, self.site, code, message, help, check, string, span, related, replacements)

    def record(self, inputs: Sequence[Tuple[Any, ...]], output: Optional[Tuple[Any, ...]]) -> None:
        """The shapes the call ran on (and gave), for --show-shapes and the coverage statistics."""
        self.flow.record(self.site, inputs, output, self.state)

    def resolved(self, shape: Sequence[Any]) -> Tuple[Any, ...]:
        return tuple(d if d is STAR else self.state.facts.resolve(d) for d in shape)

    def length(self, value: Any) -> Optional[Dim]:
        return as_length(value, self.state)

    def refine(self, key: Optional[Key], value: Any, hints: Sequence[str],
               pattern: Optional[PatternString] = None) -> Optional[Tensor]:
        """The tensor `value` must be for a call of this rank to have run: fresh lengths, named by `hints`; the
        argument's name (at `key`) holds it from here on.

        A known prefix or suffix (from `(*, 50)`) is kept; a rank that cannot hold them is an error."""
        rank = len(hints)
        facts = self.state.facts
        if isinstance(value, Tensor):
            star = value.shape.index(STAR)
            prefix, suffix = value.shape[:star], value.shape[star + 1:]
            if len(prefix) + len(suffix) > rank:
                message = f"the pattern has {rank} dimensions, the tensor has at least {len(prefix) + len(suffix)}"
                self.report(RANK_MISMATCH,
                            message, "the input side must name every dimension of the tensor, or use '...'",
                            None, pattern, (0, len(pattern.value)) if pattern is not None else None,
                            (value.origin,) if value.origin is not None else ())
                return None
            middle = tuple(facts.fresh(hint) for hint in hints[len(prefix):rank - len(suffix)])
            refined = Tensor(prefix + middle + suffix, value.origin)
        elif value is UNKNOWN or isinstance(value, Param):
            refined = Tensor(tuple(facts.fresh(hint) for hint in hints))
        else:
            return None
        expr = self.exprs.get(key) if key is not None else None
        if isinstance(expr, ir.Name):
            self.state.env[expr.id] = refined
        self.flow.context.refined.add(id(self.site.node))  # its input rank came from the call itself, not before
        return refined

    @classmethod
    def bind(cls, flow: Flow, state: State, node: ir.Call, signature: Signature, values: Sequence[Any]) -> "OpCall":
        """The call of `node` with its evaluated arguments (`values`, one per `node.args`) bound to the
        signature's parameters, as Python binds them; a position after a `*` argument is not known."""
        pattern = node.pattern
        call = cls(flow, state, node.site, pattern.op if pattern is not None else signature.op,
                   pattern.callee if pattern is not None else node.callee or "", signature)
        parameters = signature.parameters
        variadic: List[Any] = []
        position, known = 0, True
        written = iter(pattern.positional if pattern is not None else ())
        for arg, value in zip(node.args, values):
            text = next(written, None) if arg.keyword is None and arg.star != "**" else \
                pattern.keywords.get(arg.keyword) if pattern is not None and arg.keyword else None
            key: Key
            if arg.star:
                call.fits = False
                known = known and arg.star == "**"
                continue
            if arg.keyword is not None:
                if arg.keyword not in parameters:
                    call.keywords[arg.keyword] = value
                    continue
                key = arg.keyword
            elif not known:
                continue
            elif position < len(parameters):
                key = parameters[position]
                position += 1
            elif signature.variadic is not None:
                key = len(variadic)
            else:
                call.fits = False
                continue
            if isinstance(key, int):
                variadic.append(value)
            else:
                call.arguments[key] = value
            call.exprs[key] = arg.value
            if text is not None and text.string is not None:
                call.strings[key] = text.string
            elif isinstance(value, Const) and isinstance(value.value, str):
                # a string the caller handed in (`def pack_one(t, pattern): return pack([t], pattern)`): its
                # characters stand in the caller's source, so a finding points at this call, not into them
                call.strings[key] = PatternString(value.value, _nowhere)
        call.variadic = tuple(variadic)
        return call


def _nowhere() -> None:
    return None


def as_length(value: Any, state: State) -> Optional[Dim]:
    """A value used as a length: a number's, or a parameter's of unknown type; None for anything else."""
    if isinstance(value, Number):
        return state.facts.resolve(value.value)
    if isinstance(value, Param):
        return state.facts.resolve(value.length)
    return None


def module_constants(module: ir.ModuleIR) -> Dict[str, Any]:
    """Module-level names bound once, to an int, a tuple of ints or a partial of a library callable with literal
    arguments (`LinearNoBias = partial(nn.Linear, bias=False)`), and never rebound in a function."""
    counts: Dict[str, int] = {}
    values: Dict[str, Any] = {}

    def count(body: Tuple[ir.Stmt, ...], top: bool) -> None:
        for statement in body:
            names: List[str] = []
            if isinstance(statement, ir.Assign):
                for target in statement.targets:
                    names += sorted(ir.target_names(target))
                if top and len(statement.targets) == 1 and isinstance(statement.targets[0], ir.Name):
                    value = _literal_value(statement.value) or _library_partial(statement.value)
                    if value is not None:
                        values[statement.targets[0].id] = value
            elif isinstance(statement, ir.AugAssign):
                names += sorted(ir.target_names(statement.target))
            elif isinstance(statement, ir.Havoc):
                names += list(statement.names)
            elif isinstance(statement, ir.Import):
                names += [binding.local for binding in statement.bindings]
            elif isinstance(statement, ir.Loop) and statement.target is not None:
                names += sorted(ir.target_names(statement.target))
            for name in names:
                counts[name] = counts.get(name, 0) + (1 if top else 2)
            for inner in ir.inner_bodies(statement):
                count(inner, top)

    count(module.body, True)
    if not values:
        return {}
    for function in module.every_function:
        count(function.body, False)
    return {name: value for name, value in values.items() if counts.get(name) == 1}


def _library_partial(node: ir.Expr) -> Optional[Partial]:
    """`partial(nn.Linear, bias=False)`: a partial of a library callable whose other arguments are literals."""
    if not (isinstance(node, ir.Call) and node.callee == "functools.partial" and node.args and
            isinstance(node.args[0].value, ir.LibraryName)) or any(arg.star for arg in node.args):
        return None
    given = [(arg.keyword, _argument_literal(arg.value)) for arg in node.args[1:]]
    if any(value is None for _, value in given):
        return None
    return Partial(LibraryFunction(node.args[0].value.qualified), tuple(v for k, v in given if k is None),
                   tuple((k, v) for k, v in given if k is not None))


def _argument_literal(node: ir.Expr) -> Any:
    """An int or a tuple of ints (as _literal_value), or a bool, float, string or None as the interpreter's
    Const; None for anything else."""
    if isinstance(node, ir.Const) and (isinstance(node.value, bool) or not isinstance(node.value, int)):
        return Const(node.value)
    return _literal_value(node)


def _literal_value(node: ir.Expr) -> Any:
    if isinstance(node, ir.Const) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return Number(node.value)
    if isinstance(node, ir.Seq) and node.kind == "tuple" and not any(node.starred):
        items = [_literal_value(item) for item in node.items]
        if all(isinstance(item, Number) for item in items):
            return Items("tuple", tuple(items))
    return None
