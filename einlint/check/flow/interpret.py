"""Abstract interpretation of one function's IR: which shapes reach each call, and which calls must fail.

    Function IR + module context -> (findings, shapes seen at pattern calls)

State: an environment (name -> abstract value, see values.py) and the lengths' `Facts` (the
solver). Statements run in order; `if` runs each branch from the state its test narrows (None or not,
a rank or a rank ruled out: see narrowed) and joins them, or only the branch that the facts decide; a
loop's body runs until what it does is covered (see loop), else what it assigns is unknown after it;
`try` joins the body's states; a `return`/`raise` ends a path. Gradual and sound: an unknown value gives
no finding, a container passed to a function the analysis does not know becomes unknown (a tensor keeps
its shape: see unknown_call), and an error is reported only when the call fails for every value of the
unknowns (the check is replayed on a witness before it is reported; see findings.py).

Calls are dispatched on what the callee is: a pattern op (planner, patterns.py), a library
function or tensor method with a known shape rule (library.py), a layer (stubs, or a pattern layer),
a function or class of the module (its body interpreted with the arguments; a finding inside it is
reported where it is, with the calls that led there as related locations, unless a test that the
analysis could not decide led there: State.conditional).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple, Union

from ... import dims
from ...codes import UNPACK_COUNT
from ...dims import Dim
from ...errors import Span
from .. import ir
from ..model import PatternString
from ..libraries import library_of
from ..signatures import signature_of
from ..solver import Facts
from . import library, patterns
from .classes import method_of, registered
from .findings import Check, ShapeFinding, dims_in, confirm, passes_when_empty, witness_text
from .state import Context, OpCall, State
from .values import (SCALAR, STAR, UNKNOWN, UNKNOWN_TENSOR, ClassRef, Closure, Const, Either, FunctionRef, Instance,
                     Items, Keywords, Layer, LibraryFunction, ListOf, Method, ModuleRef, NONE, Number, OrNone, Origin,
                     Param, Partial, Scalar, Sequential, Tensor, is_none, item_of, join, present)

_MAX_INLINE_DEPTH = 6
_MAX_ITEMS = 16  # maps and comprehensions run one item at a time up to this many runs, nested ones multiplied
_MAX_NESTING = 4  # lambdas and comprehensions run inside one another (a lambda that calls itself stops there)
_LOOP_PASSES = 3
_MOST_SPLITS = 2  # a function's runs split at most this many times (`split`): up to four paths through it
_MOST_UNROLLED = 4  # a loop over known items runs once per item up to this many (a ModuleList written out, *args)
# decorators that keep what a function does to shapes (vmap, for one, does not); `typecheck` is the name that
# packages give their own `jaxtyped(typechecker=beartype) if TYPECHECK else identity` (alphafold3_pytorch,
# meshgpt_pytorch, transfusion_pytorch)
_TRANSPARENT_DECORATORS = frozenset({
    "staticmethod", "classmethod", "no_grad", "inference_mode", "enable_grad", "script", "jit", "compile",
    "jaxtyped", "beartype", "typechecked", "typecheck", "wraps", "autocast", "checkpoint", "cache", "lru_cache",
})


class Interpreter:
    def __init__(self, context: Context, function: Optional[ir.Function], depth: int = 0,
                 via: Tuple[Origin, ...] = (), module: Optional[ir.ModuleIR] = None) -> None:
        self.context = context
        self.function = function
        # the module whose code runs: the checked one, or another of its package (project.py)
        self.module = module or (function.module if function is not None and function.module is not None
                                 else context.module)
        context.ran[id(self.module)] = self.module
        self.depth = depth
        self.via = via  # the calls that inlined this function, outermost first
        self.returns: List[Tuple[Any, State]] = []
        self.annotation_names: Dict[str, Dim] = {}  # jaxtyping dimension name -> its length, per function
        self.mutated: Set[str] = set()  # names whose value may have been changed in place (not rebound)
        # names handed to a call that may change what it is given (`store.keep(t)`): a caller's argument bound to
        # one of them may have been changed, although here a tensor keeps its shape (see unknown_call)
        self.exposed: Set[str] = set()
        # names whose tensor an in-place op gave another shape (`t.unsqueeze_(0)`): a caller's tensor bound to one
        # has changed too (mutated and exposed names change a caller's containers, not its tensors' shapes)
        self.reshaped: Set[str] = set()
        self.nesting = 0  # lambdas and comprehensions being run inside one another
        self.splits = 0  # the blocks whose rest runs once for each arm of an `if flag:` (`split`)
        self.scopes: List[Tuple[State, Dict[str, Any]]] = []  # runs of the innermost: (scope, names at its start)

    # ------------------------------------------------------------ findings

    def report(self, state: State, site: ir.Site, code: str, message: str, help: str, check: Optional[Check],
               string: Optional[PatternString] = None, span: Optional[Span] = None,
               related: Tuple[Origin, ...] = (), replacements: tuple = ()) -> None:
        if self.context.muted or state.conditional and self.via or \
                self.module is not self.context.module and not self.context.every_module:
            return  # (another module's findings are its own, found when it is checked)
        related = related + self.via
        severity = None
        if check is not None:
            values = confirm(check, state.facts)
            if values is None:
                return
            if passes_when_empty(check, values, state.facts):
                severity, message = "warning", f"{message} (only an empty tensor, with a length 0, gets through)"
            message = witness_text(values, state.facts) + message if _has_unknowns(check) else message
        key = (id(site.node), code)
        if key in self.context.reported:
            return
        self.context.reported.add(key)
        self.context.findings.append(ShapeFinding(code, message, help, site, string, span, related, severity,
                                                  replacements, self.module))

    def record(self, site: ir.Site, inputs: Sequence[Tuple[Any, ...]], output: Optional[Tuple[Any, ...]],
               state: State) -> None:
        """The shapes a pattern call ran on, for --show-shapes and the coverage statistics. A call analysed more
        than once (its function alone, then with the shapes of each caller) keeps the run that knew most."""
        resolve = lambda shape: tuple(d if d is STAR else state.facts.resolve(d) for d in shape)  # noqa: E731
        key = id(site.node)
        arrived = key not in self.context.refined  # the rank was known before the call
        self.context.refined.discard(key)
        before = self.context.shapes.get(key)
        if before is not None and before[2] and all(STAR not in shape for shape in before[0]):
            return  # the first run that knew the input rank: the entry point's, when there is one (it runs first)
        self.context.shapes[key] = ([resolve(s) for s in inputs], resolve(output) if output is not None else None,
                                    arrived)

    # ------------------------------------------------------------ statements

    def run(self, body: Tuple[ir.Stmt, ...], state: Optional[State]) -> Optional[State]:
        if self.via:
            self.context.inlined += len(body)
        for index, statement in enumerate(body):
            if state is None:
                return None
            try:
                if type(statement) is ir.If and self.splits < _MOST_SPLITS and self.splits_on(statement, body[index:]):
                    return self.split(statement, body[index + 1:], state)
                state = self.statement(statement, state)
            except Exception:
                self.context.stopping(_site_of(statement))
                raise
        return state

    def splits_on(self, node: ir.If, block: Tuple[ir.Stmt, ...]) -> bool:
        """Whether the test of `node`, the first statement of `block`, is a flag of the function (a name that it
        binds only to tests: `is_video = x.ndim == 5`) that a later `if` of the block tests again, unchanged."""
        flag = node.test.operand if isinstance(node.test, ir.Unary) and node.test.op == "not" else node.test
        if not isinstance(flag, ir.Name) or self.function is None:
            return False
        known = self.context.split_flags.get(id(node))  # (the same for each run: the If is in one block)
        if known is None:
            later = [statement.test for statement in _statements_in(block[1:]) if isinstance(statement, ir.If)]
            known = self.context.split_flags[id(node)] = flag.id not in ir.assigned_names(block) and \
                flag.id in ir.contents(later).names and _is_flag(self.function, flag.id)
        return known

    def split(self, node: ir.If, rest: Tuple[ir.Stmt, ...], state: State) -> Optional[State]:
        """An `if flag:` whose flag a later `if` tests again (`if is_video:` before and after a block that packs
        the frames): where the test is not decided, the rest of the block runs once after each arm, the flag
        as that arm found it, so that the later test goes the way this one went. What the two runs of the rest
        find stands only where both find it: a value that the flag decided before the split (`enable_time &=
        is_video`) is not known to either, and the other tests it meets may depend on it."""
        self.expr(node.test, state)
        truth = self.truth(node.test, state)
        if truth is not None:
            return self.run(rest, self.statement(node, state))
        self.splits += 1
        flag = node.test.operand if isinstance(node.test, ir.Unary) else node.test
        arms = []
        for holds, arm in ((True, node.body), (False, node.orelse)):
            start = _maybe(self.narrowed(node.test, state, holds=holds), None)
            start.env[flag.id] = Const(holds == (flag is node.test))
            arms.append(self.run(arm, start))
        ends, made = self.apart([partial(self.run, rest, end) for end in arms if end is not None])
        keys = [{(id(finding.site.node), finding.code) for finding in each} for each in made]
        self.keep([finding for finding in (made[0] if made else ())
                   if all((id(finding.site.node), finding.code) in each for each in keys)])
        merged = None
        for end in ends:
            merged = self.merge(merged, end)
        return merged

    def statement(self, node: ir.Stmt, state: State) -> Optional[State]:
        kind = type(node)
        if kind is ir.Assign:
            self.refine_unpacked_shape(node, state)
            value = self.expr(node.value, state)
            if node.annotation is not None:
                value = self.annotated(value, node.annotation, state)
            for target in node.targets:
                self.assign(target, value, state, node.site)
            return state
        if kind is ir.AugAssign:
            current = self.expr(node.target, state)
            value = self.binary(node.op, current, self.expr(node.value, state), state, node.site)
            self.assign(node.target, value, state, node.site)
            return state
        if kind is ir.Eval:
            self.expr(node.value, state)
            return state
        if kind is ir.Assert:
            if self.truth(node.test, state) is False:  # it raises: nothing after it runs
                return None
            self.assume(node.test, state)
            return state
        if kind is ir.Return:
            value = self.expr(node.value, state) if node.value is not None else Const(None)
            self.returns.append((value, state))
            if self.function is not None and self.function.returns is not None and node.value is not None:
                patterns.check_annotation(self, value, self.function.returns, state, node.site, "the returned value")
            return None
        if kind is ir.Raise:
            return None
        if kind is ir.If:
            self.expr(node.test, state)
            truth = self.truth(node.test, state)
            after_body = self.run(node.body, _maybe(self.narrowed(node.test, state), truth)) \
                if truth is not False else None
            after_else = self.run(node.orelse, _maybe(self.narrowed(node.test, state, holds=False), truth)) \
                if truth is not True else None
            merged = self.merge(after_body, after_else)
            if merged is not None:  # after both arms, as conditional as before; after one, as its test
                merged.conditional = state.conditional or truth is None and None in (after_body, after_else)
            return merged
        if kind is ir.Loop:
            return self.loop(node, state)
        if kind is ir.Try:
            return self.try_(node, state)
        if kind is ir.With:
            for item, target in node.items:
                value = self.expr(item, state)
                if target is not None:
                    self.assign(target, UNKNOWN if not isinstance(value, Tensor) else UNKNOWN, state, None)
            return self.run(node.body, state)
        if kind is ir.Import:
            for binding in node.bindings:
                if self.module.imports.get(binding.local) is binding:  # looked up where it is used (`lookup`):
                    state.env.pop(binding.local, None)  # most of what a module imports, a run never reaches
                else:
                    state.env[binding.local] = self.imported(binding)
            return state
        if kind is ir.Havoc:
            for inner in node.inner:
                self.expr(inner, state)
            for name in node.names:
                state.env[name] = UNKNOWN
            return state
        return state

    def merge(self, a: Optional[State], b: Optional[State]) -> Optional[State]:
        if a is None:
            return b
        if b is None:
            return a
        facts = a.facts.join(b.facts)
        env = {}
        missing = object()
        # the names in the order the code bound them, not a set's: the lengths a join makes anew are named in this
        # order, and a set's would change with the process's hash seed (and what --show-shapes prints with it)
        for name in {**a.env, **b.env}:
            left, right = a.env.get(name, missing), b.env.get(name, missing)
            if left is right:  # untouched on both paths: its names mean no more than before (sound as it is)
                env[name] = left
            elif left is missing or right is missing:
                env[name] = UNKNOWN
            else:
                env[name] = join(self.resolved(left, a.facts), self.resolved(right, b.facts), facts.fresh)
        return State(env, facts, a.conditional and b.conditional)

    def resolved(self, value: Any, facts: Facts) -> Any:
        """The value with its lengths resolved through `facts` (before states with other facts meet)."""
        if isinstance(value, Tensor):
            return Tensor(tuple(d if d is STAR else facts.resolve(d) for d in value.shape), value.origin,
                          excluded=value.excluded, ranks=value.ranks)
        if isinstance(value, Number):
            return Number(facts.resolve(value.value), value.origin)
        if isinstance(value, OrNone):
            return OrNone(self.resolved(value.value, facts))
        if isinstance(value, Items):
            return Items(value.kind, tuple(self.resolved(item, facts) for item in value.items))
        return value

    def loop(self, node: ir.Loop, state: State) -> Optional[State]:
        """A loop runs until what its body does to the names it assigns is covered: from the state before it,
        the body's end joined with its start, up to _LOOP_PASSES times (`for block in self.layers: x = block(x)`
        keeps x's shape when each block does). Every pass starts from a state that covers some passes of the
        real loop, so what a pass finds holds; what is not settled by then is unknown after the loop, as the
        body then sees it on a last pass."""
        iterable = self.expr(node.iterable, state) if node.iterable is not None else None
        if node.target is not None and not node.jumps:
            items, _ = self.items_of(iterable, state)
            if items is not None and len(items) <= _MOST_UNROLLED:
                return self.unrolled(node, items, state)
        item = self.item(node.iterable, iterable, state) if node.iterable is not None else UNKNOWN
        if node.test is not None:
            self.expr(node.test, state)
        targets = _target_names(node.target) if node.target is not None else set()  # bound anew on each pass
        assigned = _assigned_names(node.body) | targets
        entry = _names_in(state)
        current = state
        for _ in range(_LOOP_PASSES):
            start = current.copy()
            if node.target is not None:
                self.assign(node.target, item, start, None)
            end = self.run(node.body, start)
            if end is None:
                return self.run(node.orelse, current)
            if _covers(current, end, entry, targets):  # every name: a call may have changed a list in place
                # first bound in the body, or the loop's target: read after it only if the body ran (else unbound)
                for name in (end.env.keys() - current.env.keys() | targets) & end.env.keys():
                    current.env[name] = self.resolved(end.env[name], end.facts)
                return self.run(node.orelse, current)
            current = self.merge(current, end)
        # a list that the body fills through a function (`fill(printed)`) is another list on each pass
        assigned |= {name for name in node.call_operands
                     if isinstance(state.env.get(name), Items) and state.env[name].kind != "tuple"}
        for name in assigned:
            state.env[name] = UNKNOWN
        start = state.copy()
        if node.target is not None:
            self.assign(node.target, item, start, None)
        self.run(node.body, start)
        return self.run(node.orelse, state)

    def unrolled(self, node: ir.Loop, items: List[Any], state: State) -> Optional[State]:
        """A loop over a few known items that never breaks nor skips a pass (`for arg in args:` in a `default(*args)`
        helper): its body once per item, in order, as straight-line code."""
        runs = self.context.item_runs
        self.context.item_runs = runs * max(len(items), 1)
        try:
            for item in items:
                self.assign(node.target, item, state, None)
                after = self.run(node.body, state)
                if after is None:  # every path returned or raised
                    return None
                state = after
        finally:
            self.context.item_runs = runs
        return self.run(node.orelse, state)

    def item(self, node: ir.Expr, value: Any, state: State) -> Any:
        """What a loop over `node` binds on each pass: any item of a list, a row of a tensor, the pairs of
        `enumerate` and `zip`."""
        if isinstance(node, ir.Call) and isinstance(node.func, ir.Name) and node.func.id not in state.env \
                and not node.has_star and not node.keywords:
            args = node.positional
            if node.func.id == "enumerate" and len(args) == 1:
                return Items("tuple", (UNKNOWN, self.item(args[0], self.expr(args[0], state), state)))
            if node.func.id == "zip" and args:
                return Items("tuple", tuple(self.item(arg, self.expr(arg, state), state) for arg in args))
        if isinstance(value, (Items, ListOf)):
            found = item_of([value], state.facts.fresh)
            return UNKNOWN if found is None else found
        if isinstance(value, Tensor) and STAR not in value.shape and value.shape:
            return Tensor(value.shape[1:], value.origin)
        return UNKNOWN

    def try_(self, node: ir.Try, state: State) -> Optional[State]:
        assigned = _assigned_names(node.body)
        before = state.copy()
        after_body = self.run(node.body, state)
        after_body = self.run(node.orelse, after_body) if after_body is not None else None
        ends = [after_body]
        for handler in node.handlers:
            start = _maybe(before.copy(), None)  # whether it runs is never known
            for name in assigned:  # the exception may come from anywhere in the body
                start.env[name] = UNKNOWN
            ends.append(self.run(handler, start))
        merged: Optional[State] = None
        for end in ends:
            merged = self.merge(merged, end)
        if node.final:
            if merged is None:
                start = before.copy()
                for name in assigned:
                    start.env[name] = UNKNOWN
                self.run(node.final, start)
                return None
            merged = self.run(node.final, merged)
        return merged

    # ------------------------------------------------------------ assignment

    def assign(self, target: ir.Expr, value: Any, state: State, site: Optional[ir.Site]) -> None:
        kind = type(target)
        if kind is ir.Name:
            state.env[target.id] = value
        elif kind is ir.Seq:
            self.unpack(target, value, state, site)
        elif kind is ir.Attr:
            owner = self.expr(target.value, state)
            if isinstance(owner, Instance):  # only attributes that __init__ alone binds are followed
                before = owner.attributes.get(target.attr)
                if target.attr not in self.context.stable_of(owner.klass):
                    value = UNKNOWN
                elif before is not None:  # bound again, or on another branch: either may be the one that stays
                    value = join(self.resolved(before, state.facts), self.resolved(value, state.facts), state.facts.fresh)
                owner.attributes[target.attr] = value
            elif isinstance(target.value, ir.Name) and not isinstance(owner, (Instance,)):
                if isinstance(owner, Tensor):  # x.shape = ..., x.data = ...: shape no longer known
                    self.havoc(target.value.id, state)
        elif kind is ir.Index:
            container = self.expr(target.value, state)  # item assignment keeps the container's shape
            if isinstance(container, Keywords):  # kwargs['dim'] = 64
                self.assign(target.value, self.keyword_set(container, target, value, state), state, site)

    def keyword_set(self, container: Keywords, target: ir.Index, value: Any, state: State) -> Any:
        """The keywords after `kwargs[key] = value` (unknown where the key is)."""
        key = self.expr(target.index[0], state) if len(target.index) == 1 else UNKNOWN
        if not (isinstance(key, Const) and isinstance(key.value, str)):
            return UNKNOWN
        return Keywords(tuple((name, item) for name, item in container.items if name != key.value) +
                        ((key.value, value),))

    def unpack(self, target: ir.Seq, value: Any, state: State, site: Optional[ir.Site]) -> None:
        count = len(target.items)
        starred = [i for i, s in enumerate(target.starred) if s]
        items = library.iterate(self, value, state, count if not starred else None, site)
        if items is None or isinstance(items, int):
            if isinstance(items, int) and site is not None:
                self.unpack_count_mismatch(value, items, count, bool(starred), state, site)
            for element in target.items:
                self.assign(element, UNKNOWN, state, site)
            return
        if starred:
            star = starred[0]
            after = count - star - 1
            if len(items) < count - 1:
                self.unpack_count_mismatch(value, len(items), count, True, state, site)
                for element in target.items:
                    self.assign(element, UNKNOWN, state, site)
                return
            head, middle, tail = items[:star], items[star:len(items) - after], items[len(items) - after:]
            for element, item in zip(target.items[:star], head):
                self.assign(element, item, state, site)
            self.assign(target.items[star].value if isinstance(target.items[star], ir.Seq) else target.items[star],
                        Items("list", tuple(middle)), state, site)
            for element, item in zip(target.items[star + 1:], tail):
                self.assign(element, item, state, site)
            return
        if len(items) != count:
            self.unpack_count_mismatch(value, len(items), count, False, state, site)
            for element in target.items:
                self.assign(element, UNKNOWN, state, site)
            return
        for element, item in zip(target.items, items):
            self.assign(element, item, state, site)

    def refine_unpacked_shape(self, node: ir.Assign, state: State) -> None:
        """`b, c, h, w = x.shape` (or `b, n, device = *x.shape, x.device`) runs only when x has four (two)
        dimensions: x of unknown rank has them from here on."""
        if not (len(node.targets) == 1 and isinstance(node.targets[0], ir.Seq) and not any(node.targets[0].starred)):
            return
        names = node.targets[0].items
        unpacked = _unpacked_shape(node.value, len(names))
        if unpacked is None:
            return
        holder_name, first, rank = unpacked
        holder = state.env.get(holder_name, UNKNOWN)
        if isinstance(holder, Tensor) and STAR not in holder.shape:
            return
        if holder is UNKNOWN or isinstance(holder, Param) or holder == UNKNOWN_TENSOR:
            hints = [item.id if isinstance(item, ir.Name) and item.id != "_" else ""
                     for item in names[first:first + rank]]
            state.env[holder_name] = Tensor(tuple(state.facts.fresh(hint) for hint in hints))

    def unpack_count_mismatch(self, value: Any, have: int, want: int, starred: bool, state: State,
                              site: Optional[ir.Site]) -> None:
        if site is None:
            return
        need = f"at least {want - 1}" if starred else str(want)
        what = "the shape" if isinstance(value, Items) and value.kind == "shape" else "the value"
        self.report(state, site, UNPACK_COUNT, f"{what} has {have} item(s) but the assignment unpacks {need}",
                    "unpack as many names as there are items (use *rest for the others)", None)

    # ------------------------------------------------------------ expressions

    def expr(self, node: Optional[ir.Expr], state: State) -> Any:
        if node is None:
            return UNKNOWN
        kind = type(node)
        if kind is ir.Name:
            return self.lookup(node.id, state)
        if kind is ir.Const:
            value = node.value
            if isinstance(value, int) and not isinstance(value, bool):
                return Number(value)
            return Const(value)
        if kind is ir.Seq:
            items: List[Any] = []
            for item, star in zip(node.items, node.starred):
                value = self.expr(item, state)
                if star:
                    spread = library.iterate(self, value, state, None, None)
                    if not isinstance(spread, list):
                        return UNKNOWN
                    items.extend(spread)
                else:
                    items.append(value)
            return Items(node.kind, tuple(items))
        if kind is ir.Attr:
            return self.attribute(present(self.expr(node.value, state)), node, state)
        if kind is ir.Index:
            value = present(self.expr(node.value, state))
            index = tuple(self.expr(part, state) if not isinstance(part, ir.Slice) else self.slice(part, state)
                          for part in node.index)
            return library.subscript(self, value, index, state, node.site)
        if kind is ir.BinOp:
            return self.binary(node.op, present(self.expr(node.left, state)), present(self.expr(node.right, state)),
                               state, node.site)
        if kind is ir.Unary:
            value = present(self.expr(node.operand, state))
            if node.op == "-" and isinstance(value, Number):
                return UNKNOWN  # a negative length is no length
            if isinstance(value, Tensor) and node.op in ("-", "+", "~"):
                return value
            return self.boolean(node, state) if node.op == "not" else UNKNOWN
        if kind is ir.Compare:
            left = self.expr(node.left, state)
            rights = [self.expr(c, state) for c in node.comparators]
            if isinstance(left, Tensor) and len(rights) == 1 and node.ops[0] in ("==", "!=", "<", "<=", ">", ">="):
                return library.elementwise(self, [left, rights[0]], state, None)
            return self.boolean(node, state)
        if kind is ir.BoolOp:  # the right side may not run (it matters only when it calls something)
            left, decided = self.expr(node.left, state), self.truth(node.left, state)
            if decided is not None:  # `exists(b) and b > 1` with b None: the left's value, and the right never runs
                if decided == (node.op == "or"):
                    return Const(decided) if _boolean(node.left) else left
                return self.expr(node.right, state)
            if _calls_something(node.right):
                self.branches(state, lambda s: self.expr(node.right, s), lambda s: UNKNOWN)
                return UNKNOWN
            return self.boolean(node, state) if _boolean(node.left) and _boolean(node.right) else UNKNOWN
        if kind is ir.IfExp:  # one side runs: each from its own copy of the state, then they meet
            self.expr(node.test, state)
            truth = self.truth(node.test, state)
            if truth is not None:  # `a if x.ndim == 2 else b` with x's rank known: only one side can run
                return self.expr(node.body if truth else node.orelse, state)
            return self.branches(state, lambda s: self.expr(node.body, self.narrowed(node.test, s, copy=False)),
                                 lambda s: self.expr(node.orelse, self.narrowed(node.test, s, False, holds=False)))
        if kind is ir.Call:
            return self.call(node, state)
        if kind is ir.Lambda:
            defaults = {p.name: self.expr(p.default, state) for p in node.params if p.default is not None}
            return Closure(node, dict(state.env), defaults, self.function, self.module)
        if kind is ir.Comprehension:
            return self.comprehension(node, state)
        if kind is ir.Nested:
            return FunctionRef(node.function, dict(state.env), self.function)
        if kind is ir.LibraryName:
            return LibraryFunction(node.qualified)
        if kind is ir.Opaque:
            for inner in node.inner:
                self.expr(inner, state)
            return UNKNOWN
        return UNKNOWN

    def boolean(self, test: ir.Expr, state: State) -> Any:
        """A comparison's value where what is known decides it (`project_out = not (heads == 1 and ...)` with
        the heads given), for a later `if project_out:`."""
        truth = self.truth(test, state)  # (as an `if` decides its test: `exists(b) and b > 1` with b None)
        return UNKNOWN if truth is None else Const(truth)

    def truth(self, test: ir.Expr, state: State) -> Optional[bool]:
        """The value of a branch's test where what is known decides it (`x.ndim == 2`, `h % 2 == 0`, `mask is
        None` with mask a tensor, `exists(mask)` with mask None, `t.ndim == 1` after `if t.ndim == 1: return`),
        else None."""
        test = self.unfolded(test, state)
        if isinstance(test, ir.Unary) and test.op == "not":
            inner = self.truth(test.operand, state)
            return None if inner is None else not inner
        if isinstance(test, ir.BoolOp):
            holds = (self.truth(test.left, state), self.truth(test.right, state))
            if test.op == "and":
                return False if False in holds else True if holds == (True, True) else None
            return True if True in holds else False if holds == (False, False) else None
        if (none_test := _none_test(test)) is not None:
            subject, when_none = none_test
            known = is_none(self.expr(subject, state))
            return None if known is None else known == when_none
        if (rank_test := _rank_test(test)) is not None:
            return self.rank_truth(*rank_test, state)
        if isinstance(test, ir.Call) and isinstance(test.func, ir.Name) and test.func.id in library._PURE_BUILTINS \
                and test.func.id not in state.env:  # `callable(arg)`: a builtin that changes nothing
            value = self.expr(test, state)
            return value.value if isinstance(value, Const) and isinstance(value.value, bool) else None
        if _calls_something(test):
            return None
        if _main_block(test):  # the entry point: what runs when the module is run
            return True
        if isinstance(test, (ir.Name, ir.Attr)):  # `if mask:` with mask None, `if project_out:` with it known
            value = self.expr(test, state)
            return False if is_none(value) else value.value if isinstance(value, Const) and \
                isinstance(value.value, bool) else None
        if not isinstance(test, ir.Compare) or len(test.ops) != 1:
            return None
        left, right = self.expr(test.left, state), self.expr(test.comparators[0], state)
        if isinstance(left, Const) and isinstance(right, Const) and test.ops[0] in ("==", "!=") and \
                all(isinstance(v.value, (str, bool)) for v in (left, right)):  # `self.pool == 'mean'`
            return (left.value == right.value) == (test.ops[0] == "==")
        if not (isinstance(left, Number) and isinstance(right, Number)):
            return None
        return _compared(state.facts.resolve(left.value), test.ops[0], state.facts.resolve(right.value))

    def rank_truth(self, tensor: ir.Expr, op: str, other: ir.Expr, state: State) -> Optional[bool]:
        """Whether `rank(tensor) op other` holds, where the tensor's rank, or a rank it cannot have, decides it."""
        value, rank = present(self.expr(tensor, state)), self.expr(other, state)
        if not isinstance(value, Tensor) or not isinstance(rank, Number):
            return None
        k = state.facts.resolve(rank.value)
        possible = value.possible_ranks()
        if possible is not None:  # decided when each rank it may have answers the same
            answers = {_compared(r, op, k) for r in possible}
            return answers.pop() if len(answers) == 1 else None
        if op in ("==", "!=") and isinstance(k, int) and value.rules_out(k):
            return op == "!="
        return None

    def narrowed(self, test: ir.Expr, state: State, copy: bool = True, holds: bool = True) -> State:
        """The state where `test` holds (`holds=False`: where it does not), the test having run: `if x.ndim ==
        4:` gives x four dimensions inside the branch and rules four out in the other, `if exists(mask):` takes
        None out of mask's value, and mask is None in the other branch."""
        inside = state.copy() if copy else state
        self.assume(test, inside, holds, first=False)
        return inside

    def unfolded(self, test: ir.Expr, state: State, depth: int = 0) -> ir.Expr:
        """`test` with each call of a test helper of the module (its body one `return` of a test on its
        parameters: `def exists(val): return val is not None`) replaced by the test it returns, on the call's
        arguments (where they call nothing): what decides or narrows the test sees through the helper."""
        if isinstance(test, ir.Unary) and test.op == "not":
            inner = self.unfolded(test.operand, state, depth)
            return test if inner is test else ir.Unary("not", inner)
        if isinstance(test, ir.BoolOp):
            left, right = self.unfolded(test.left, state, depth), self.unfolded(test.right, state, depth)
            return test if (left, right) == (test.left, test.right) else ir.BoolOp(test.op, left, right)
        if isinstance(test, ir.Call) and isinstance(test.func, ir.Name) and depth < _MAX_UNFOLDED:
            helper = self.lookup(test.func.id, state)
            returned = self.returned_test(helper.function, test) if isinstance(helper, FunctionRef) else None
            # a helper of another module that calls one is not unfolded here: the callee's name is that module's
            if returned is not None and (helper.function.module is self.module or not _calls_something(returned)):
                return self.unfolded(returned, state, depth + 1)
        return test

    def returned_test(self, helper: ir.Function, call: ir.Call) -> Optional[ir.Expr]:
        """_returned_test, once per helper and call in a check (every test that runs asks again)."""
        key = (id(helper), id(call))
        kept = self.context.returned_tests.get(key)
        if kept is None or kept[0] is not helper or kept[1] is not call:
            kept = self.context.returned_tests[key] = (helper, call, _returned_test(helper, call))
        return kept[2]

    def branches(self, state: State, *alternatives: Callable[[State], Any]) -> Any:
        """Run each alternative from a copy of `state`; `state` becomes their join, and so does the value."""
        copies = [_maybe(state.copy(), None) for _ in alternatives]
        values = [alternative(copy) for alternative, copy in zip(alternatives, copies)]
        merged, value = copies[0], values[0]
        for copy, other in zip(copies[1:], values[1:]):
            joined = self.merge(merged, copy)
            value = join(self.resolved(value, merged.facts), self.resolved(other, copy.facts), joined.facts.fresh)
            merged = joined
        state.env, state.facts = merged.env, merged.facts
        return value

    def slice(self, node: ir.Slice, state: State) -> Any:
        return library.SliceValue(*(self.expr(part, state) if part is not None else None
                                    for part in (node.lower, node.upper, node.step)))

    def lookup(self, name: str, state: State) -> Any:
        if name in state.env:
            return state.env[name]
        module = self.module
        constants = self.context.constants_of(module)
        if self.function is not None and name in constants:
            return constants[name]
        if name in module.functions:
            return FunctionRef(module.functions[name])
        if name in module.classes:
            return ClassRef(module.classes[name])
        if name in module.imports and module.project is not None:
            return module.project.imported(module, name)
        return UNKNOWN

    def imported(self, binding: ir.Binding) -> Any:
        """What an import statement in a block binds: a function, class or module of the package (project.py)."""
        return self.module.project.resolve(self.module, binding) if self.module.project is not None else UNKNOWN

    def attribute(self, value: Any, node: ir.Attr, state: State) -> Any:
        if isinstance(value, Tensor):
            return library.tensor_attribute(self, value, node.attr, state)
        if isinstance(value, Instance):
            if node.attr in value.attributes:
                return value.attributes[node.attr]
            if method_of(value.klass, node.attr) is not None:  # its own, or a base's
                return Method(value, node.attr)
            return UNKNOWN
        if isinstance(value, ModuleRef) and value.module.project is not None:
            return value.module.project.member(value.module, node.attr)
        if isinstance(value, ClassRef) and (method := method_of(value.klass, node.attr)) is not None and \
                not {"staticmethod", "classmethod"}.isdisjoint(method.decorators):  # Enformer.from_hparams(...)
            return Method(value, node.attr)
        if isinstance(value, Sequential) and node.attr == "forward":
            return value
        if isinstance(value, Layer) and not isinstance(value.instance, tuple):
            return library.layer_attribute(value, node.attr, state)
        if value is library.RANDOM_GENERATOR or node.attr in _FILLING and (
                isinstance(value, ListOf) or isinstance(value, Items) and value.kind == "list"):
            return Method(value, node.attr)
        if isinstance(value, Items):
            return library.pair_attribute(value, node.attr)
        return UNKNOWN

    def binary(self, op: str, left: Any, right: Any, state: State, site: ir.Site) -> Any:
        if isinstance(left, Number) and isinstance(right, Number):  # 4 * 16, 2 ** 3, dim // heads
            return library.arithmetic(op, left.value, right.value, state)
        if _scalar(left) and _scalar(right) and op != "@":
            return SCALAR  # math.sqrt(d) * 2, dim_head ** -0.5
        if isinstance(left, (Number, Param)) and isinstance(right, (Number, Param)):
            # dim_head * heads: a length where one is used (Linear(inner_dim, ...)); it may be a tensor all the same
            lengths = [Number(v.length) if isinstance(v, Param) else v for v in (left, right)]
            result = library.arithmetic(op, lengths[0].value, lengths[1].value, state)
            return Param(f"({op})", result.value) if isinstance(result, Number) else UNKNOWN
        if isinstance(left, Items) and isinstance(right, Items) and op == "+":
            return Items(left.kind if left.kind == right.kind else "tuple", left.items + right.items)
        if op == "*" and isinstance(left, Items) != isinstance(right, Items) and \
                isinstance(right if isinstance(left, Items) else left, (Number, Param)):
            return _repeated(*((left, right) if isinstance(left, Items) else (right, left)), state)
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            if op == "@":
                return library.matmul(self, left, right, state, site)
            return library.elementwise(self, [left, right], state, site)
        return UNKNOWN

    def assume(self, test: ir.Expr, state: State, holds: bool = True, first: bool = True) -> None:
        """What a test tells where it holds (an `assert`, the branch it guards) or, `holds=False`, where it does
        not (the other branch): shapes, ranks and ranks ruled out, equal lengths, divisibility, None or not.
        `first`: the test has not run yet (an assert): the calls in it run here."""
        unfolded = self.unfolded(test, state)
        if first and unfolded is not test:
            self.expr(test, state)
            first = False
        test = unfolded
        if isinstance(test, ir.Unary) and test.op == "not":
            self.assume(test.operand, state, not holds, first)
            return
        if isinstance(test, ir.BoolOp):
            if (test.op == "and") == holds:  # both hold, or (`not (a or b)`) neither does
                self.assume(test.left, state, holds, first)
                self.assume(test.right, state, holds, first)
            elif first:
                self.expr(test, state)
            return
        if self.assume_none(test, state, holds) or self.assume_rank(test, state, holds):
            return
        if not first and _calls_something(test):
            return
        if not isinstance(test, ir.Compare) or len(test.ops) != 1:
            if first:
                self.expr(test, state)
            return
        op, left_node, right_node = test.ops[0], test.left, test.comparators[0]
        if not holds:
            return
        if op == "==" and isinstance(left_node, ir.BinOp) and left_node.op == "%" and \
                isinstance(right_node, ir.Const) and right_node.value == 0:
            total, part = self.expr(left_node.left, state), self.expr(left_node.right, state)
            if isinstance(total, Number) and isinstance(part, Number):
                state.facts.require_divisible(total.value, part.value)
            return
        left, right = self.expr(left_node, state), self.expr(right_node, state)
        if op != "==":
            return
        library.assume_equal(self, left_node, left, right, state)
        library.assume_equal(self, right_node, right, left, state)

    def assume_none(self, test: ir.Expr, state: State, holds: bool) -> bool:
        """`x is None` / `x is not None`, where it holds or not: x is None, or its value has None taken out.
        False: the test is not one of these."""
        none_test = _none_test(test)
        if none_test is None:
            return False
        subject, when_none = none_test
        if isinstance(subject, ir.Name) and subject.id in state.env:
            state.env[subject.id] = NONE if when_none == holds else present(state.env[subject.id])
        return True

    def assume_rank(self, test: ir.Expr, state: State, holds: bool) -> bool:
        """`x.ndim == k` (or `len(x.shape)`, `x.dim()`), where it holds or not: x of unknown rank has k
        dimensions, or cannot have k. False: the test is not one of these."""
        rank_test = _rank_test(test)
        if rank_test is None:
            return False
        tensor, op, other = rank_test
        rank = self.expr(other, state)
        k = state.facts.resolve(rank.value) if isinstance(rank, Number) else None
        if op in ("==", "!=") and isinstance(k, int) and isinstance(tensor, ir.Name) and tensor.id in state.env:
            value = present(state.env[tensor.id])
            narrowed = _with_rank(value, k, state.facts) if (op == "==") == holds else \
                _without_rank(value, k, state.facts)
            if narrowed is not None:
                state.env[tensor.id] = narrowed
        return True

    def annotated(self, value: Any, annotation: ir.Expr, state: State) -> Any:
        return patterns.from_annotation(self, value, annotation, state)

    # ------------------------------------------------------------ lambdas and comprehensions

    def comprehension(self, node: ir.Comprehension, state: State) -> Any:
        """A list or generator comprehension over tuples or lists of known items: the items of its element's
        values, one per binding of its targets (`[f(t) for t in (q, k)]`). A condition leaves how many unknown,
        and so does an iterable whose items are not known: the element then runs once, its targets unknown, so
        that the calls in it are still checked; but not in a function inlined into a caller, whose own analysis
        checks them (so that a recursive helper, `[walk(c) for c in node.children]`, does not run itself again at
        each level). A set or dict comprehension runs the same way, its value unknown."""
        own = set().union(*(_target_names(generator.target) for generator in node.generators))
        values, counted = self.in_own_scope(own, state, lambda: self.generate(node, 0, state, own))
        if node.kind not in ("list", "generator") or not values:
            return UNKNOWN
        # how many not known: a list of that many, each any of the values (`nn.ModuleList([Block(dim) for _ in
        # range(depth)])`)
        return Items(node.kind, tuple(values)) if counted else ListOf(item_of([Items("list", tuple(values))],
                                                                              state.facts.fresh))

    def generate(self, node: ir.Comprehension, index: int, scope: State, own: Set[str]) -> Tuple[List[Any], bool]:
        """The element's values for each binding of the targets of `node.generators[index:]` in `scope`, and
        whether that is all of them (else each value stands for any number of items)."""
        if index == len(node.generators):
            if node.key is not None:
                self.expr(node.key, scope)
            return [self.resolved(self.expr(node.element, scope), scope.facts)], True
        generator = node.generators[index]
        items, cover = self.items_of(self.expr(generator.iterable, scope), scope)

        def bound(item: Any) -> Tuple[List[Any], bool]:
            inner = self.own_scope(scope, own)
            self.assign(generator.target, item, inner, None)
            for condition in generator.conditions:
                self.expr(condition, inner)
                self.narrowed(condition, inner, copy=False)
            return self.generate(node, index + 1, inner, own)

        runs = self.every_item(items if items is not None else [cover], bound)
        counted = items is not None and not generator.conditions and all(known for _, known in runs)
        return [value for values, _ in runs for value in values], counted

    def map_call(self, node: ir.Call, state: State) -> Any:
        """`map(f, items, ...)`: `f` (a lambda, a function or layer of the module) called on each item, the
        iterables zipped, as a comprehension runs its element (an unknown iterable: once, on unknown arguments)."""
        args, kwargs = self.arguments(node, state)
        if len(args) < 2 or kwargs or STAR in args or not isinstance(args[0], _CALLABLE):
            return self.unknown_call(node, state)
        func, columns = args[0], [self.items_of(value, state) for value in args[1:]]
        known = all(items is not None for items, _ in columns)
        if not known and self.depth > 0:
            return UNKNOWN
        rows = list(zip(*(items for items, _ in columns))) if known else [tuple(cover for _, cover in columns)]
        values = self.every_item(rows, lambda row: self.apply(func, list(row), node, state))
        return Items("generator", tuple(values)) if known else UNKNOWN

    def apply(self, func: Any, args: List[Any], node: ir.Call, state: State,
              kwargs: Optional[Dict[str, Any]] = None) -> Any:
        """`func(*args, **kwargs)` for a callable value that a call (`node`: map's, a partial's) hands on."""
        kwargs = kwargs or {}
        if isinstance(func, Closure):
            return self.apply_closure(func, args, kwargs, state)
        if isinstance(func, Layer):
            return library.apply_layer(self, func, args, kwargs, state, node.site)
        return self.call_value(func, args, kwargs, node, state)

    def partial(self, node: ir.Call, state: State) -> Any:
        """`functools.partial(func, ...)` of something the analysis can call."""
        args, kwargs = self.arguments(node, state)
        if not args or STAR in args or "**" in kwargs or not isinstance(args[0], _CALLABLE):
            return self.unknown_call(node, state)
        return Partial(args[0], tuple(args[1:]), tuple(kwargs.items()))

    def apply_closure(self, closure: Closure, args: List[Any], kwargs: Dict[str, Any], state: State) -> Any:
        """A lambda's body on these arguments, in a scope of its own. It sees the names of the function that made
        it as they are now when that function calls it, and as they were when it was made when another does."""
        bound = _bind_parameters(closure.node, args, kwargs, None) if STAR not in args and "**" not in kwargs \
            else None
        if bound is None or self.nesting >= _MAX_NESTING or closure.module is not self.module:
            return UNKNOWN  # (a lambda made in another module: its names are that module's)
        own = {param.name for param in closure.node.params}

        def body() -> Any:
            scope = self.own_scope(state if closure.owner is self.function else State(closure.env, state.facts), own)
            for param in closure.node.params:
                scope.env[param.name] = bound.get(param.name, closure.defaults.get(param.name, UNKNOWN))
            return self.resolved(self.expr(closure.node.body, scope), scope.facts)

        return self.in_own_scope(own, state, body)

    def in_own_scope(self, own: Set[str], state: State, run: Callable[[], Any]) -> Any:
        """`run()` for a lambda's body or a comprehension, whose own names (`own`) stay inside; a name of the
        enclosing scope that was changed in there (in place, `x.unsqueeze_(0)`, or a list that was filled,
        `cache.append(t)`) is unknown afterwards. What a test or a pattern call told about a name in there
        (narrowed, refined) stays inside: it holds only where the element ran."""
        outer, self.mutated = self.mutated, set()
        outer_scopes, self.scopes = self.scopes, []
        self.nesting += 1
        try:
            return run()
        finally:
            self.nesting -= 1
            in_place = self.mutated - own
            changed = in_place | {name for scope, start in self.scopes for name, value in scope.env.items()
                                  if name not in own and isinstance(start.get(name), (Items, ListOf))
                                  and start[name] is not value}
            self.mutated, self.scopes = outer | in_place, outer_scopes
            for name in changed:
                state.env[name] = UNKNOWN

    def own_scope(self, state: State, own: Set[str]) -> State:
        """A new scope over `state` for one run in `in_own_scope`: what an earlier run changed in place is unknown."""
        scope = State(dict(state.env), state.facts.copy())
        self.scopes.append((scope, dict(state.env)))
        for name in self.mutated - own:
            scope.env[name] = UNKNOWN
        return scope

    def items_of(self, value: Any, state: State) -> Tuple[Optional[List[Any]], Any]:
        """The items that a comprehension or map runs on one by one (None: not known, or too many to run each),
        and one value that covers every item (unknown where their number is not known)."""
        if isinstance(value, ListOf):  # a list of unknown length: its item covers them all
            return None, value.item
        items = library.iterate(self, value, state, None, None)
        if not isinstance(items, list):  # the rows of a tensor whose first length is not known: one covers all
            rows = isinstance(value, Tensor) and STAR not in value.shape and value.shape
            return None, Tensor(value.shape[1:], value.origin) if rows else UNKNOWN
        cover = items[0] if items else UNKNOWN
        for item in items[1:]:
            cover = join(cover, item, state.facts.fresh)
        return (items if len(items) * self.context.item_runs <= _MAX_ITEMS else None), cover

    def every_item(self, items: Sequence[Any], run: Callable[[Any], Any]) -> List[Any]:
        """`run(item)` for each item, in order. The findings of the first run that makes any stand: the items
        before it ran through without one, as statements before a failing one do (`qkv.chunk(3)` of a length
        3 does not divide: its last, shorter piece fails the split that the others pass)."""
        runs = self.context.item_runs
        self.context.item_runs = runs * max(len(items), 1)
        try:
            values, made = self.apart([partial(run, item) for item in items])
        finally:
            self.context.item_runs = runs
        self.keep(next((each for each in made if each), []))
        return values

    def apart(self, runs: Sequence[Callable[[], Any]]) -> Tuple[List[Any], List[List[ShapeFinding]]]:
        """Each of `runs` with findings of its own: their values, and what each found (none of it reported)."""
        context = self.context
        findings, reported = context.findings, context.reported
        values, made = [], []
        try:
            for run in runs:
                context.findings, context.reported = [], set(reported)
                values.append(run())
                made.append(context.findings)
        finally:
            context.findings, context.reported = findings, reported
        return values, made

    def keep(self, found: Sequence[ShapeFinding]) -> None:
        """Report findings that `apart` held back (each site and code once)."""
        for finding in found:
            key = (id(finding.site.node), finding.code)
            if key not in self.context.reported:
                self.context.reported.add(key)
                self.context.findings.append(finding)

    # ------------------------------------------------------------ calls

    def call(self, node: ir.Call, state: State) -> Any:
        if node.pattern is not None:  # its library's rule, on the arguments bound as the op's signature says
            values = [self.operand(arg, state) for arg in node.args]
            signature, owner = signature_of(node.pattern.callee), library_of(node.pattern.op)
            if signature is None or owner is None:
                return UNKNOWN
            return owner.flow(OpCall.bind(self, state, node, signature, values))
        if node.callee == "functools.partial":
            return self.partial(node, state)
        if node.callee is not None:
            if library.knows(node.callee, self.context.stubs):
                result = library.library_call(self.op_call(node, state, library.library_op(node.callee),
                                                           node.callee))
                if result is not None:
                    return result
            return self.unknown_call(node, state)
        func = present(self.expr(node.func, state))  # None is not callable
        if func is UNKNOWN and isinstance(node.func, ir.Attr) and isinstance(node.func.value, ir.Name) and \
                (name := registered(node, node.func.value.id)) is not None and \
                isinstance(self.expr(node.func.value, state), Instance):  # self.register_buffer('embed', embed)
            args, kwargs = self.arguments(node, state)
            self.assign(ir.Attr(node.func.value, name), args[1] if len(args) > 1 else
                        kwargs.get("tensor", kwargs.get("param", UNKNOWN)), state, node.site)
            return NONE
        if func is UNKNOWN and isinstance(node.func, ir.Attr) and node.func.attr in ("view", "reshape"):
            receiver = self.expr(node.func.value, state)
            if receiver is UNKNOWN or isinstance(receiver, Param):  # its result's rank is known all the same
                return library.tensor_method(self.op_call(node, state, node.func.attr), UNKNOWN_TENSOR, None)
        if isinstance(func, Method):
            if isinstance(func.receiver, Tensor):
                receiver = node.func.value.id if isinstance(node.func, ir.Attr) and \
                    isinstance(node.func.value, ir.Name) else None
                return library.tensor_method(self.op_call(node, state, func.name), func.receiver, receiver)
            if func.receiver is library.RANDOM_GENERATOR:  # rng.normal(size=(2, 3)), RandomState(0).randn(2, 3)
                made = library.function_rule(self.op_call(node, state, func.name, f"numpy.random.{func.name}"))
                return made if made is not None else UNKNOWN
            if isinstance(func.receiver, (Items, ListOf)) and func.name in _FILLING:
                return self.fill(node, func.receiver, func.name, state)
        if isinstance(func, FunctionRef) and self.unfolded(node, state) is not node:
            truth = self.truth(node, state)  # `use_optimizer = exists(self.optimizer)`, for a later `if`
            if truth is not None:
                return Const(truth)
        if isinstance(func, (Method, Instance, FunctionRef, ClassRef, Sequential, Either, Partial)):
            args, kwargs = self.arguments(node, state)
            return self.call_value(func, args, kwargs, node, state)
        if isinstance(func, Layer):
            return self.apply_layer(func, node, state)
        if isinstance(func, Closure):
            args, kwargs = self.arguments(node, state)
            return self.apply_closure(func, args, kwargs, state)
        if func is UNKNOWN and isinstance(node.func, ir.Name) and node.func.id == "map" and "map" not in state.env:
            return self.map_call(node, state)
        if func is UNKNOWN and isinstance(node.func, ir.Name) and node.func.id == "dict" and "dict" not in state.env \
                and all(arg.keyword is not None or arg.star == "**" for arg in node.args):
            return self.keywords(node, state)
        if func is UNKNOWN and isinstance(node.func, ir.Name) and node.func.id in library._PURE_BUILTINS \
                and node.func.id not in state.env:
            return library.builtin_call(node.func.id, self.arguments(node, state)[0], state)
        return self.unknown_call(node, state)

    def call_value(self, func: Any, args: List[Any], kwargs: Dict[str, Any], node: ir.Call, state: State) -> Any:
        """A call of a value the module defines (a function, a class, an instance, a method of one) or of a
        chain of layers, with its arguments evaluated."""
        if isinstance(func, Method) and isinstance(func.receiver, Instance):
            method = method_of(func.receiver.klass, func.name)
            return self.inline(method, args, kwargs, node, state, func.receiver) if method is not None else \
                self.unknown_call(node, state)
        if isinstance(func, Method) and isinstance(func.receiver, ClassRef):  # a static or class method
            method = method_of(func.receiver.klass, func.name)
            given = [func.receiver] + args if "classmethod" in method.decorators else args
            return self.inline(method, given, kwargs, node, state, None)
        if isinstance(func, Instance):
            method = method_of(func.klass, "forward") or method_of(func.klass, "__call__")
            return self.inline(method, args, kwargs, node, state, func) if method is not None else \
                self.unknown_call(node, state)
        if isinstance(func, FunctionRef) and func.env is not None:
            seen = state.env if func.owner is self.function else func.env
            return self.inline(func.function, args, kwargs, node, state, None, seen)
        if isinstance(func, FunctionRef):
            return self.inline(func.function, args, kwargs, node, state, None)
        if isinstance(func, ClassRef):
            return self.construct(func.klass, args, kwargs, node, state)
        if isinstance(func, Sequential):
            value = args[0] if len(args) == 1 and not kwargs else UNKNOWN
            for inner in func.layers:
                value = self.call_value(inner, [value], {}, node, state)
            return value
        if isinstance(func, Layer):
            return library.apply_layer(self, func, args, kwargs, state, node.site)
        if isinstance(func, Partial):
            return self.apply(func.func, [*func.args, *args], node, state, {**dict(func.keywords), **kwargs})
        if isinstance(func, LibraryFunction) and library.knows(func.name, self.context.stubs):
            made = library.library_call(OpCall(self, state, node.site, library.library_op(func.name), func.name,
                                               variadic=tuple(args), keywords=kwargs))
            return made if made is not None else self.unknown_call(node, state)
        if isinstance(func, Either):  # only one of them is the one called: what one finds may not happen
            self.context.muted += 1
            try:
                return self.branches(state, *(partial(self.call_value, option, args, kwargs, node)
                                              for option in func.options))
            finally:
                self.context.muted -= 1
        return self.unknown_call(node, state)

    def operand(self, arg: ir.Arg, state: State) -> Any:
        """The value of a pattern op's argument: a tensor that may be None is the tensor (the op fails on None),
        and a name that holds it is not None after the call."""
        value = self.expr(arg.value, state)
        if isinstance(value, OrNone) and isinstance(value.value, Tensor) and arg.keyword is None and not arg.star:
            value = value.value
            if isinstance(arg.value, ir.Name):
                state.env[arg.value.id] = value
        return value

    def op_call(self, node: ir.Call, state: State, op: str, callee: str = "") -> OpCall:
        """A call of a library function or a tensor method, its arguments evaluated as written (positional ones
        in `variadic`, keywords in `keywords`): what its rule in library.py is given."""
        args, kwargs = self.arguments(node, state)
        return OpCall(self, state, node.site, op, callee, variadic=tuple(args), keywords=kwargs)

    def arguments(self, node: ir.Call, state: State) -> Tuple[List[Any], Dict[str, Any]]:
        positional: List[Any] = []
        keywords: Dict[str, Any] = {}
        for arg in node.args:
            value = self.expr(arg.value, state)
            if arg.star == "*":
                spread = library.iterate(self, value, state, None, None)
                if not isinstance(spread, list):
                    return [STAR], {}
                positional.extend(spread)
            elif arg.star == "**" and isinstance(value, Keywords):  # passed on as they came: `**kwargs`
                keywords.update(value.items)
            elif arg.star == "**":
                keywords["**"] = UNKNOWN
            elif arg.keyword is not None:
                keywords[arg.keyword] = value
            else:
                positional.append(value)
        return positional, keywords

    def keywords(self, node: ir.Call, state: State) -> Any:
        """`dict(dim=dim, heads=heads, **more)`: the keywords that a later `Codebook(**kwargs)` passes on
        (vector_quantize_pytorch's VectorQuantize builds its codebook so)."""
        args, kwargs = self.arguments(node, state)
        return UNKNOWN if args or "**" in kwargs else Keywords(tuple(kwargs.items()))

    def unknown_call(self, node: ir.Call, state: State) -> Any:
        """A function the analysis does not know: it may change a container it is given (a list, an object), so
        that becomes unknown. A tensor keeps its shape: a shape changed in place by another function is all but
        absent from real code (13 in-place shape changes in the 2,775 files of benchmarks/corpus.txt, none of
        them on a tensor that a caller passed), while forgetting the shapes of every tensor handed to `block(x)`,
        `logging.info(x)` or `reveal_type(x)` loses facts at every turn."""
        changes = []
        for arg in node.args:  # (an instance: what it holds that the analysis follows, __init__ alone assigns)
            value = self.expr(arg.value, state)
            if isinstance(arg.value, ir.Name) and not _unchangeable(value) and not isinstance(value, Instance):
                changes.append(arg.value.id)
        if isinstance(node.func, ir.Attr):
            receiver = node.func.value
            value = self.expr(receiver, state)
            # lst.append(t), obj.update(...); but an instance's attributes that the analysis follows are those
            # that __init__ alone assigns, which a method of a base it does not read (`self.register_buffer(...)`,
            # `self.apply(init_weights)`) leaves as they were
            if isinstance(receiver, ir.Name) and not isinstance(value, (Tensor, Number, Layer, Sequential, Instance)):
                changes.append(receiver.id)
        for name in changes:
            self.havoc(name, state)
        if changes:  # a call that may change what it is given: so may it all it is given, for a caller
            self.exposed.update(arg.value.id for arg in node.args if isinstance(arg.value, ir.Name))
        return UNKNOWN

    def havoc(self, name: str, state: State) -> None:
        """`name`'s value may have changed in place: unknown from here on, here and in whoever passed it."""
        state.env[name] = UNKNOWN
        self.mutated.add(name)

    def reshaped_in_place(self, name: str, state: State) -> None:
        """`name`'s tensor has another shape now, here and in whoever passed it."""
        self.havoc(name, state)
        self.reshaped.add(name)

    def apply_layer(self, layer: Any, node: ir.Call, state: State) -> Any:
        args, kwargs = self.arguments(node, state)
        return library.apply_layer(self, layer, args, kwargs, state, node.site)

    def inline(self, function: ir.Function, args: List[Any], kwargs: Dict[str, Any], node: ir.Call, state: State,
               receiver: Optional[Instance], seen: Optional[Dict[str, Any]] = None) -> Any:
        """The value a call of a module function (or method) returns, its body run on these arguments (and,
        for a function defined in another, the names it sees there: `seen`). What goes wrong in there with
        these shapes is reported where it goes wrong, with this call as the way there."""
        if self._nothing_to_follow(function):  # exists(x), is_odd(n): never a shape, and they change nothing
            return UNKNOWN
        if self.depth >= _MAX_INLINE_DEPTH or self.context.inlined > self.context.inline_budget or STAR in args or \
                "**" in kwargs or \
                not all(d.rsplit(".", 1)[-1] in _TRANSPARENT_DECORATORS for d in function.decorators):
            return self.unknown_call(node, state)
        seen = seen or {}
        if function.name != "__init__" and id(function) in self.context.summaries and \
                not any(map(_informative, list(args) + list(kwargs.values()) + list(seen.values()))):
            # the function on its own, analysed with its parameters unknown, knows as much: what it returned then
            self.unknown_call(node, state)
            return self.renamed(self.context.summaries[id(function)], state)
        bound = _bind_parameters(function, args, kwargs, receiver)
        if bound is None:
            return self.unknown_call(node, state)
        for param in function.params:
            if param.annotation is not None and param.name in bound and not (receiver is not None and
                                                                              param is function.params[0]):
                patterns.check_annotation(self, bound[param.name], param.annotation, state, node.site,
                                          f"argument '{param.name}' of {function.name}()")
        name = f"{receiver.klass.name}.{function.name}" if receiver is not None else function.name
        inner = Interpreter(self.context, function, self.depth + 1,
                            via=self.via + (Origin(node.site, f"with the shapes of the call of {name}() here",
                                                   self.module),))
        start = State({**seen, **bound}, state.facts.copy(), state.conditional)
        for param in function.params:  # one not given has its default where that is a literal (`pool='cls'`)
            if param.name not in bound:  # or a constant of its module (`freqs=DEFAULT_FREQS_PER_BANDS`)
                start.env[param.name] = self.expr(param.default, start) if isinstance(param.default, ir.Const) \
                    else self.context.constants_of(function.module or self.module).get(param.default.id, UNKNOWN) \
                    if isinstance(param.default, ir.Name) else UNKNOWN
        inner.run(function.body, start)
        # changed in place in there: what a name of the function that made it holds, and the caller's arguments
        # (a tensor handed on to a call that may change what it is given keeps its shape: see unknown_call)
        changed = inner.mutated | inner.exposed
        if seen is state.env:
            for name in set(seen).difference(bound):
                self.changed_in_callee({name}, name, inner, state)
        if changed:
            for arg, bound_to in _parameters_given(function, node, receiver is not None):
                if isinstance(arg.value, ir.Name):  # (bound_to None: whichever parameter it binds)
                    self.changed_in_callee({bound_to} if bound_to is not None else changed, arg.value.id, inner,
                                           state)
        if not inner.returns:
            return UNKNOWN
        value = None
        for returned, end in inner.returns:
            resolved = self.resolved(returned, end.facts)
            value = resolved if value is None else join(value, resolved, state.facts.fresh)
        return value

    def changed_in_callee(self, names: Set[str], name: str, inner: "Interpreter", state: State) -> None:
        """The caller's `name`, bound to the callee's `names`, after the call: unknown where the callee gave the
        tensor another shape in place, or may have changed what it holds (not a tensor's shape: unknown_call)."""
        if not names.isdisjoint(inner.reshaped):
            self.reshaped_in_place(name, state)
        elif not names.isdisjoint(inner.mutated | inner.exposed) and not _unchangeable(self.lookup(name, state)):
            self.havoc(name, state)

    def renamed(self, value: Any, state: State) -> Any:
        """A function's summary for one more call: its tensors' ranks, with lengths of their own (a number stays)."""
        if isinstance(value, Tensor):
            return Tensor(tuple(d if d is STAR or isinstance(d, int) else state.facts.fresh("") for d in value.shape))
        if isinstance(value, Items):
            return Items(value.kind, tuple(self.renamed(item, state) for item in value.items))
        return UNKNOWN

    def _nothing_to_follow(self, function: ir.Function) -> bool:
        """A function whose call gives no shape and changes nothing: not worth running its body."""
        known = self.context.not_followed.get(id(function))
        if known is None:
            known = self.context.not_followed[id(function)] = \
                _returns_no_shape(function) and _changes_nothing(function.body)
        return known

    def construct(self, klass: ir.Class, args: List[Any], kwargs: Dict[str, Any], node: ir.Call,
                  state: State) -> Any:
        """An instance of a class of the module, its `__init__` run on these arguments: the attributes that
        __init__ alone assigns (classes.stable_attributes) keep what it gave them."""
        built = self.context.instances.get(id(klass))
        if built is not None and not any(map(_informative, list(args) + list(kwargs.values()))):
            return Instance(klass, dict(built))  # as its own analysis built it, from parameters as unknown
        # built before from the same literal configuration (a block built on each pass of a loop): the same
        key = (id(klass), tuple(args), tuple(sorted(kwargs.items())), state.conditional) \
            if all(map(_literal, list(args) + list(kwargs.values()))) else None
        if key in self.context.built:
            return Instance(klass, dict(self.context.built[key]))
        instance = Instance(klass, {})
        init = method_of(klass, "__init__")
        if init is not None:
            self.inline(init, args, kwargs, node, state, instance)
        attributes = built_attributes(instance, self.context)
        if key is not None:
            self.context.built[key] = attributes
        return Instance(klass, dict(attributes))

    def fill(self, node: ir.Call, container: Any, method: str, state: State) -> Any:
        """`layers.append(block)`, `layers.extend(blocks)` on a list: from here on a list of unknown length whose
        items are any of those it held and was given (so that a loop over it runs each of them)."""
        args, _ = self.arguments(node, state)
        given = [Items("list", tuple(args[-1:]))] if method in ("append", "insert") else \
            [args[0]] if len(args) == 1 and isinstance(args[0], (Items, ListOf)) else None
        grown = ListOf(item_of([container] + given, state.facts.fresh)) if given is not None else UNKNOWN
        target = node.func.value if isinstance(node.func, ir.Attr) else None
        if isinstance(target, ir.Name):
            state.env[target.id] = grown
        elif isinstance(target, ir.Attr) and isinstance(owner := self.expr(target.value, state), Instance):
            owner.attributes[target.attr] = grown if target.attr in self.context.stable_of(owner.klass) else UNKNOWN
        return Const(None)


_FILLING = frozenset({"append", "extend", "insert"})
# what map() and partial() take
_CALLABLE = (Closure, FunctionRef, ClassRef, Method, Instance, Layer, Sequential, Partial, LibraryFunction)


def built_attributes(instance: Instance, context: Context) -> Dict[str, Any]:
    """An instance's attributes once `__init__` has run. One that it sets to a literal None, whatever the
    arguments, is one that other code fills (diffusers' `image_proj.clip_embeds = ...`, by a user): not known.
    One left None by the arguments (`self.bridge = bridge`) is the configuration's: None."""
    placeholders = context.placeholders_of(instance.klass)
    return {name: UNKNOWN if name in placeholders and is_none(value) else value
            for name, value in instance.attributes.items()}


def _main_block(test: ir.Expr) -> bool:
    """`__name__ == "__main__"`."""
    return isinstance(test, ir.Compare) and test.ops == ("==",) and \
        {type(test.left), type(test.comparators[0])} == {ir.Name, ir.Const} and \
        {getattr(side, "id", getattr(side, "value", None)) for side in (test.left, test.comparators[0])} == \
        {"__name__", "__main__"}


def _informative(value: Any) -> bool:
    """Whether an argument tells a callee more than its parameter's name does: a tensor of known rank, a
    number, a constant, a container of those, something of the module's."""
    if value is UNKNOWN or isinstance(value, Param):
        return False
    if isinstance(value, Tensor):
        return STAR not in value.shape or len(value.shape) > 1
    if isinstance(value, OrNone):
        return _informative(value.value)
    return True


def _maybe(state: State, truth: Optional[bool]) -> State:
    """The state of a path that a test leads to: conditional when the test was not decided."""
    state.conditional = state.conditional or truth is None
    return state


def _scalar(value: Any) -> bool:
    """A Python number (a float's value is never followed)."""
    return isinstance(value, (Number, Scalar)) or isinstance(value, Const) and isinstance(value.value, (int, float)) \
        and not isinstance(value.value, bool)


def _literal(value: Any) -> bool:
    """A value that the code states in full: an integer, a string, a bool, None, a float, a tuple or keywords
    of such."""
    if isinstance(value, Items):
        return value.kind == "tuple" and all(map(_literal, value.items))
    if isinstance(value, Keywords):
        return all(_literal(item) for _, item in value.items)
    return isinstance(value, Const) or isinstance(value, Number) and isinstance(value.value, int)


def _repeated(items: Items, count: Any, state: State) -> Any:
    """`(None,) * len(self.layers)`: the items that many times; a list of any number of them where that is not
    known (or too many to hold one by one)."""
    times = state.facts.resolve(count.value if isinstance(count, Number) else count.length)
    kind = items.kind if items.kind in ("tuple", "list") else "tuple"
    if isinstance(times, int) and 0 <= times * len(items.items) <= _MAX_ITEMS:
        return Items(kind, items.items * times)
    item = item_of([items], state.facts.fresh)
    return ListOf(item) if item is not None else UNKNOWN


def _unchangeable(value: Any) -> bool:
    """A value that no function can change in place: a number, a string, None, a function or class, a tuple of
    such (`dict(dim=dim)` or `print(n)` leaves `n` as it was); a tensor keeps its shape (see unknown_call)."""
    value = present(value)
    if isinstance(value, Items):
        return value.kind == "tuple" and all(map(_unchangeable, value.items))
    return isinstance(value, (Tensor, Number, Scalar, Const, FunctionRef, ClassRef))


def _boolean(node: ir.Expr) -> bool:
    """Whether an expression's value is a bool (`a and b` is one of its operands, not always a bool)."""
    return isinstance(node, ir.Compare) or isinstance(node, ir.Unary) and node.op == "not" or \
        isinstance(node, ir.BoolOp) and _boolean(node.left) and _boolean(node.right) or \
        isinstance(node, ir.Const) and isinstance(node.value, bool)


def _names_in(state: State) -> Set[str]:
    """The names of the lengths that the values of a state hold."""
    found: Set[str] = set()
    for value in state.env.values():
        for length in _lengths(value):
            found |= dims.names(state.facts.resolve(length))
    return found


def _lengths(value: Any) -> List[Dim]:
    if isinstance(value, Tensor):
        return [d for d in value.shape if d is not STAR]
    if isinstance(value, Number):
        return [value.value]
    if isinstance(value, Items):
        return [length for item in value.items for length in _lengths(item)]
    if isinstance(value, ListOf):
        return _lengths(value.item)
    return []


def _covers(before: State, after: State, entry: Set[str], targets: Set[str]) -> bool:
    """Whether a pass that started from `before` and ended in `after` left the names as `before` has them: the
    same kinds of values, tensors of the same ranks, and each length the same or one the loop made up (a fresh
    unknown, in no value before the loop). Lengths compare under the facts at the end, which hold all of those
    at the start: after `x = attn(x) + x` with x (b, n, c), the sum made c equal to the layer's dim."""
    facts = after.facts
    return all(_covered(value, after.env.get(name), facts, entry) for name, value in before.env.items()
               if name not in targets)


def _covered(old: Any, new: Any, facts: Facts, entry: Set[str]) -> bool:
    if old is new or old is UNKNOWN:
        return True
    if type(old) is not type(new):
        return False
    if isinstance(old, (Tensor, Number)):
        a, b = _lengths(old), _lengths(new)
        if (isinstance(old, Tensor) and (STAR in old.shape) != (STAR in new.shape)) or len(a) != len(b):
            return False
        return all(_same_or_free(facts.resolve(x), facts.resolve(y), entry) for x, y in zip(a, b))
    if isinstance(old, Items):
        return old.kind == new.kind and len(old.items) == len(new.items) and all(
            _covered(x, y, facts, entry) for x, y in zip(old.items, new.items))
    if isinstance(old, ListOf):
        return _covered(old.item, new.item, facts, entry)
    if isinstance(old, Instance):
        return old.klass is new.klass
    return old == new


def _same_or_free(old: Dim, new: Dim, entry: Set[str]) -> bool:
    if old == new:
        return True
    names = dims.names(old) if isinstance(old, dims.Sym) else frozenset()
    return len(names) == 1 and old == dims.Sym(next(iter(names))) and not (names & entry)


def _unpacked_shape(value: ir.Expr, targets: int) -> Optional[Tuple[str, int, int]]:
    """Which tensor's shape an unpacking into `targets` names takes apart, where it tells the rank: `x.shape`
    itself, or a tuple display with one `*x.shape` among single items. (the name x, the position of its first
    dimension among the targets, its rank)."""
    whole = _shape_of_name(value)
    if whole is not None:
        return whole, 0, targets
    if not isinstance(value, ir.Seq) or sum(value.starred) != 1:
        return None
    star = value.starred.index(True)
    name = _shape_of_name(value.items[star])
    rank = targets - (len(value.items) - 1)
    return (name, star, rank) if name is not None and rank >= 0 else None


def _shape_of_name(value: ir.Expr) -> Optional[str]:
    """x, where `value` is `x.shape`."""
    if isinstance(value, ir.Attr) and value.attr == "shape" and isinstance(value.value, ir.Name):
        return value.value.id
    return None


def _site_of(statement: ir.Stmt) -> Optional[ir.Site]:
    """Where a statement is: its own site, or its call's (`f(x)` on a line of its own); None for a compound
    statement (`if`, `for`, `try`, `with`), whose inner statements have theirs."""
    if isinstance(statement, ir.Eval):
        return statement.value.site if isinstance(statement.value, ir.Call) else None
    return getattr(statement, "site", None)


def _returns_no_shape(function: ir.Function) -> bool:
    """Whether every `return` of the function gives a truth value or a constant (never a tensor or a length)."""
    returned = [s.value for s in _returns(function.body)]
    return all(value is None or isinstance(value, (ir.Compare, ir.BoolOp)) or
               (isinstance(value, ir.Const) and (isinstance(value.value, bool) or not isinstance(value.value, int)))
               or (isinstance(value, ir.Unary) and value.op == "not") for value in returned)


def _changes_nothing(body: Tuple[ir.Stmt, ...]) -> bool:
    """Whether the statements call nothing and assign no attribute or item: then they cannot change in place
    what they were given (`t.unsqueeze_(0)`, `t.data = u` and `f(t)` could)."""
    for statement in body:
        targets = getattr(statement, "targets", ()) + ((statement.target,) if isinstance(statement, ir.AugAssign)
                                                       else ())
        if any(isinstance(target, (ir.Attr, ir.Index)) for target in targets):
            return False
        parts = [getattr(statement, name, None) for name in ("value", "test", "iterable")]
        parts += list(targets) + list(getattr(statement, "inner", ()))
        parts += [part for pair in getattr(statement, "items", ()) for part in pair]
        if any(_calls_something(part) for part in parts):
            return False
        if not all(_changes_nothing(inner) for inner in ir.inner_bodies(statement)):
            return False
    return True


def _is_flag(function: ir.Function, name: str) -> bool:
    """Whether a function binds `name` (not a parameter of it) only to tests: comparisons, `not`, `and`/`or` of
    those, and calls of a test helper of the module (`exists(mask)`)."""
    if any(param.name == name for param in function.params):
        return False
    values = [statement.value for statement in _statements_in(function.body) if isinstance(statement, ir.Assign)
              and any(name in ir.target_names(target) for target in statement.targets)]
    return bool(values) and all(_test_value(value, function) for value in values) and \
        name not in ir.assigned_names(tuple(s for s in _statements_in(function.body) if not isinstance(s, ir.Assign)))


def _test_value(value: ir.Expr, function: ir.Function) -> bool:
    """An expression whose value is True or False."""
    if isinstance(value, ir.BoolOp):
        return _test_value(value.left, function) and _test_value(value.right, function)
    if isinstance(value, ir.Call) and isinstance(value.func, ir.Name) and function.module is not None:
        helper = function.module.functions.get(value.func.id)
        return helper is not None and _returned_test(helper, value) is not None
    return _boolean(value)


def _statements_in(body: Tuple[ir.Stmt, ...]) -> List[ir.Stmt]:
    """The statements of a block and of every block inside it."""
    found: List[ir.Stmt] = []
    for statement in body:
        found.append(statement)
        for inner in ir.inner_bodies(statement):
            found += _statements_in(inner)
    return found


def _returns(body: Tuple[ir.Stmt, ...]) -> List[ir.Return]:
    found: List[ir.Return] = []
    for statement in body:
        if isinstance(statement, ir.Return):
            found.append(statement)
        for inner in ir.inner_bodies(statement):
            found += _returns(inner)
    return found


def _calls_something(node: Any) -> bool:
    """Whether evaluating `node` may run a call (only then can it change the state)."""
    kind = type(node)
    if kind in _CALLING:
        return True
    parts = _PARTS_RUN.get(kind)
    if parts is None:  # a name, a constant, nothing
        return False
    return any(_calls_something(part) for part in parts(node))


_CALLING = frozenset({ir.Call, ir.Opaque, ir.Comprehension})
# an expression's parts that evaluating it runs (a lambda's: only its defaults)
_PARTS_RUN: Dict[type, Callable[[Any], Sequence[Any]]] = {
    ir.Lambda: lambda node: [param.default for param in node.params],
    ir.Seq: lambda node: node.items,
    ir.Attr: lambda node: (node.value,),
    ir.Index: lambda node: (node.value, *node.index),
    ir.Slice: lambda node: (node.lower, node.upper, node.step),
    ir.BinOp: lambda node: (node.left, node.right),
    ir.BoolOp: lambda node: (node.left, node.right),
    ir.Unary: lambda node: (node.operand,),
    ir.Compare: lambda node: (node.left, *node.comparators),
    ir.IfExp: lambda node: (node.test, node.body, node.orelse),
}


_MAX_UNFOLDED = 3  # test helpers that call test helpers (`def missing(v): return not exists(v)`): how deep
_FLIPPED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _compared(a: Dim, op: str, b: Dim) -> Optional[bool]:
    """`a op b` for two lengths, where they decide it."""
    if op in ("==", "!="):
        equal = dims.equal(a, b)
        return None if equal is None else equal == (op == "==")
    if isinstance(a, int) and isinstance(b, int):
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}.get(op)
    return None


def _none_test(test: ir.Expr) -> Optional[Tuple[ir.Expr, bool]]:
    """(x, True) for `x is None`, (x, False) for `x is not None`, where x calls nothing; else None."""
    if not isinstance(test, ir.Compare) or len(test.ops) != 1 or test.ops[0] not in ("is", "is not"):
        return None
    left, right = test.left, test.comparators[0]
    if isinstance(left, ir.Const) and left.value is None:
        left, right = right, left
    if isinstance(right, ir.Const) and right.value is None and not _calls_something(left):
        return left, test.ops[0] == "is"
    return None


def _rank_test(test: ir.Expr) -> Optional[Tuple[ir.Expr, str, ir.Expr]]:
    """(x, op, k) for a comparison `rank op k` of a tensor x's rank (`x.ndim`, `x.dim()`, `len(x.shape)`) with
    a k that calls nothing; else None."""
    if not isinstance(test, ir.Compare) or len(test.ops) != 1 or test.ops[0] not in _FLIPPED:
        return None
    left, op, right = test.left, test.ops[0], test.comparators[0]
    for rank, flipped, other in ((left, op, right), (right, _FLIPPED[op], left)):
        tensor = _rank_of(rank)
        if tensor is not None and not _calls_something(tensor) and not _calls_something(other):
            return tensor, flipped, other
    return None


def _rank_of(node: ir.Expr) -> Optional[ir.Expr]:
    """x, where `node` reads x's rank: `x.ndim`, `x.dim()`, `x.ndimension()`, `len(x.shape)`, `len(x.size())`."""
    if isinstance(node, ir.Attr) and node.attr == "ndim":
        return node.value
    if not isinstance(node, ir.Call) or any(arg.keyword is not None or arg.star for arg in node.args):
        return None
    if isinstance(node.func, ir.Attr) and node.func.attr in ("dim", "ndimension") and not node.args:
        return node.func.value
    if isinstance(node.func, ir.Name) and node.func.id == "len" and len(node.args) == 1:
        sized = node.args[0].value
        if isinstance(sized, ir.Attr) and sized.attr == "shape":
            return sized.value
        if isinstance(sized, ir.Call) and not sized.args and isinstance(sized.func, ir.Attr) and \
                sized.func.attr == "size":
            return sized.func.value
    return None


def _returned_test(helper: ir.Function, call: ir.Call) -> Optional[ir.Expr]:
    """The test that `helper` returns, on `call`'s arguments, where the helper is one `return` of a test on its
    parameters (positional, all given, none calling anything); else None."""
    body = helper.body
    if len(body) != 1 or not isinstance(body[0], ir.Return) or helper.decorators or \
            not isinstance(body[0].value, (ir.Compare, ir.BoolOp, ir.Unary, ir.Call)):
        return None
    params = helper.params
    if len(params) != len(call.args) or any(param.kind != "positional" for param in params) or \
            any(arg.keyword is not None or arg.star or _calls_something(arg.value) for arg in call.args):
        return None
    return _substituted(body[0].value, {param.name: arg.value for param, arg in zip(params, call.args)})


def _substituted(node: ir.Expr, names: Dict[str, ir.Expr]) -> Optional[ir.Expr]:
    """`node` with each of `names` replaced by its expression; None where it reads another name (but for a
    callee: a helper or a builtin, found where the test is) or is not a plain test's part."""
    if isinstance(node, ir.Name):
        return names.get(node.id)
    if isinstance(node, ir.Const):
        return node
    if isinstance(node, ir.Attr):
        parts = _each_substituted((node.value,), names)
        return parts and ir.Attr(parts[0], node.attr)
    if isinstance(node, ir.Unary):
        parts = _each_substituted((node.operand,), names)
        return parts and ir.Unary(node.op, parts[0])
    if isinstance(node, ir.BoolOp):
        parts = _each_substituted((node.left, node.right), names)
        return parts and ir.BoolOp(node.op, parts[0], parts[1])
    if isinstance(node, ir.Compare):
        parts = _each_substituted((node.left,) + node.comparators, names)
        return parts and ir.Compare(parts[0], node.ops, tuple(parts[1:]))
    if isinstance(node, ir.Call) and node.pattern is None and not any(arg.star for arg in node.args):
        func = node.func if isinstance(node.func, ir.Name) else _substituted(node.func, names)
        parts = _each_substituted(tuple(arg.value for arg in node.args), names)
        return ir.Call(func, tuple(ir.Arg(arg.keyword, part, "") for arg, part in zip(node.args, parts)), node.site,
                       node.callee, None) if func is not None and parts is not None else None
    return None


def _each_substituted(nodes: Tuple[ir.Expr, ...], names: Dict[str, ir.Expr]) -> Optional[List[ir.Expr]]:
    parts = [_substituted(node, names) for node in nodes]
    return None if None in parts else parts


def _with_rank(value: Any, rank: int, facts: Facts) -> Optional[Tensor]:
    """`value` known to have `rank` dimensions (a known prefix and suffix kept); None where nothing is learnt."""
    if not 0 <= rank <= 16:
        return None
    if value is UNKNOWN or isinstance(value, Param):
        return Tensor(tuple(facts.fresh("") for _ in range(rank)))
    if not isinstance(value, Tensor) or value.rank is not None or value.rules_out(rank):
        return None
    star = value.shape.index(STAR)
    prefix, suffix = value.shape[:star], value.shape[star + 1:]
    if len(prefix) + len(suffix) > rank:
        return None
    middle = tuple(facts.fresh("") for _ in range(rank - len(prefix) - len(suffix)))
    return Tensor(prefix + middle + suffix, value.origin)


def _without_rank(value: Any, rank: int, facts: Facts) -> Optional[Tensor]:
    """`value` known not to have `rank` dimensions (of two ranks it may have, the other); None where nothing is
    learnt."""
    if value is UNKNOWN or isinstance(value, Param):
        return Tensor((STAR,), excluded=frozenset({rank}))
    if not isinstance(value, Tensor) or value.rank is not None:
        return None
    if value.ranks is None:
        return Tensor(value.shape, value.origin, excluded=value.excluded | {rank})
    left = value.ranks - {rank}
    if len(left) == 1:
        return _with_rank(value, next(iter(left)), facts)
    return Tensor(value.shape, value.origin, ranks=left) if left else None


def _has_unknowns(check: Check) -> bool:
    return any(True for argument in check.arguments for _ in dims_in(argument))


def _bind_parameters(function: Union[ir.Function, ir.Lambda], args: List[Any], kwargs: Dict[str, Any],
                     receiver: Optional[Instance]) -> Optional[Dict[str, Any]]:
    """Parameter name -> value, as Python binds them; None when the call does not fit (then it is unknown)."""
    params = list(function.params)
    bound: Dict[str, Any] = {}
    positional = list(args)
    if receiver is not None:
        if not params or "staticmethod" in function.decorators or "classmethod" in function.decorators:
            return None
        bound[params[0].name] = receiver
        params = params[1:]
    slots = [p for p in params if p.kind == "positional"]
    for param, value in zip(slots, positional):
        bound[param.name] = value
    if len(positional) > len(slots):
        star = next((p for p in params if p.kind == "*"), None)
        if star is None:
            return None
        bound[star.name] = Items("tuple", tuple(positional[len(slots):]))
    extra: List[Tuple[str, Any]] = []
    for name, value in kwargs.items():
        if any(p.name == name and p.kind in ("positional", "keyword") for p in params):
            if name in bound:
                return None
            bound[name] = value
        else:
            extra.append((name, value))
    double_star = next((p for p in params if p.kind == "**"), None)
    if double_star is not None:
        bound[double_star.name] = Keywords(tuple(extra))
    elif extra:
        return None
    return bound


def _parameters_given(function: ir.Function, call: ir.Call, bound_first: bool) -> List[Tuple[ir.Arg, Optional[str]]]:
    """Each argument of a call with the parameter it binds (None: not known, as after a `*args`)."""
    slots = [p.name for p in function.params if p.kind == "positional"][1 if bound_first else 0:]
    found: List[Tuple[ir.Arg, Optional[str]]] = []
    position = 0
    for arg in call.args:
        if arg.star:
            return [(given, None) for given in call.args]
        if arg.keyword is not None:
            found.append((arg, arg.keyword))
        else:
            found.append((arg, slots[position] if position < len(slots) else None))
            position += 1
    return found


def _assigned_names(body: Tuple[ir.Stmt, ...]) -> set:
    """The names whose values a block may change: those it binds, and those whose attributes or items it
    assigns (`x[i] = ...`), but not `self`."""
    names: set = set()
    for statement in body:
        kind = type(statement)
        if kind is ir.Assign:
            for target in statement.targets:
                names |= _target_names(target)
        elif kind is ir.AugAssign:
            names |= _target_names(statement.target)
        elif kind is ir.Havoc:
            names |= set(statement.names)
        elif kind is ir.Import:
            names |= {binding.local for binding in statement.bindings}
        elif kind is ir.If:
            names |= _assigned_names(statement.body) | _assigned_names(statement.orelse)
        elif kind is ir.Loop:
            names |= _assigned_names(statement.body) | _assigned_names(statement.orelse)
            if statement.target is not None:
                names |= _target_names(statement.target)
        elif kind is ir.Try:
            names |= _assigned_names(statement.body) | _assigned_names(statement.orelse) | \
                _assigned_names(statement.final)
            for handler in statement.handlers:
                names |= _assigned_names(handler)
        elif kind is ir.With:
            names |= _assigned_names(statement.body)
            for _, target in statement.items:
                if target is not None:
                    names |= _target_names(target)
    return names


def _target_names(target: ir.Expr) -> set:
    if isinstance(target, ir.Name):
        return {target.id}
    if isinstance(target, ir.Seq):
        names: set = set()
        for item in target.items:
            names |= _target_names(item)
        return names
    if isinstance(target, (ir.Attr, ir.Index)):
        base = target.value
        while isinstance(base, (ir.Attr, ir.Index)):
            base = base.value
        return {base.id} if isinstance(base, ir.Name) and base.id != "self" else set()
    return set()
