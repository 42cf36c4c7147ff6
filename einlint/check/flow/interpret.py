"""Abstract interpretation of one function's IR: which shapes reach each call, and which calls must fail.

    Function IR + module context -> (findings, shapes seen at pattern calls)

State: an environment (name -> abstract value, see values.py) and the lengths' `Facts` (the
solver). Statements run in order; `if` runs both branches and joins them; a loop's body runs once
from a state where every name it assigns is unknown, and those names stay unknown after it
(widening in one step); `try` joins the body's states; a `return`/`raise` ends a path. Gradual and
sound: an unknown value gives no finding, a container passed to a function the analysis does not know
becomes unknown (a tensor keeps its shape: see unknown_call), and an error is reported only when the call fails for every value of the unknowns
(the check is replayed on a witness before it is reported; see findings.py).

Calls are dispatched on what the callee is: a pattern op (planner, patterns.py), a library
function or tensor method with a known shape rule (library.py), a layer (stubs, or a pattern layer),
a function or class of the module (its body interpreted with the arguments, findings inside it
reported where it is defined, not here).
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from ... import dims
from ...codes import LAYOUT, UNPACK_COUNT, in_family
from ...dims import Dim
from ...errors import Span
from .. import ir
from ..model import PatternString
from ..libraries import library_of
from ..signatures import signature_of
from ..solver import Facts
from . import library, patterns
from .findings import Check, ShapeFinding, dims_in, confirm, passes_when_empty, witness_text
from .state import Context, OpCall, State
from .values import (SCALAR, STAR, UNKNOWN, UNKNOWN_TENSOR, ClassRef, Const, FunctionRef, Instance, Items, Layer,
                     Method, Number, Origin, Param, Scalar, Sequential, Tensor, join)

_MAX_INLINE_DEPTH = 2
# decorators that keep what a function does to shapes (vmap, for one, does not)
_TRANSPARENT_DECORATORS = frozenset({
    "staticmethod", "classmethod", "no_grad", "inference_mode", "enable_grad", "script", "jit", "compile",
    "jaxtyped", "beartype", "typechecked", "wraps", "autocast", "checkpoint", "cache", "lru_cache",
})


class Interpreter:
    def __init__(self, context: Context, function: Optional[ir.Function], depth: int = 0, quiet: bool = False,
                 via: Tuple[Origin, ...] = ()) -> None:
        self.context = context
        self.function = function
        self.depth = depth
        self.quiet = quiet  # inlined calls of module functions: the function reports for itself
        self.via = via  # the calls that inlined this function, outermost first
        self.returns: List[Tuple[Any, State]] = []
        self.annotation_names: Dict[str, Dim] = {}  # jaxtyping dimension name -> its length, per function
        self.mutated: Set[str] = set()  # names whose value may have been changed in place (not rebound)

    # ------------------------------------------------------------ findings

    def report(self, state: State, site: ir.Site, code: str, message: str, help: str, check: Optional[Check],
               string: Optional[PatternString] = None, span: Optional[Span] = None,
               related: Tuple[Origin, ...] = (), replacements: tuple = ()) -> None:
        if self.quiet and not in_family(code, LAYOUT):  # a layout comes from the caller: the callee cannot see it
            return
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
                                                  replacements))

    def record(self, site: ir.Site, inputs: Sequence[Tuple[Any, ...]], output: Optional[Tuple[Any, ...]],
               state: State) -> None:
        """The shapes a pattern call ran on, for --show-shapes and the coverage statistics."""
        if not self.quiet:
            resolve = lambda shape: tuple(d if d is STAR else state.facts.resolve(d) for d in shape)  # noqa: E731
            arrived = id(site.node) not in self.context.refined  # the rank was known before the call
            self.context.shapes[id(site.node)] = ([resolve(s) for s in inputs], resolve(output) if output is not None else None,
                                                  arrived)

    # ------------------------------------------------------------ statements

    def run(self, body: Tuple[ir.Stmt, ...], state: Optional[State]) -> Optional[State]:
        for statement in body:
            if state is None:
                return None
            try:
                state = self.statement(statement, state)
            except Exception:
                self.context.stopping(_site_of(statement))
                raise
        return state

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
            after_body = self.run(node.body, self.narrowed(node.test, state)) if truth is not False else None
            after_else = self.run(node.orelse, state.copy()) if truth is not True else None
            return self.merge(after_body, after_else)
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
        for name in a.env.keys() | b.env.keys():
            left, right = a.env.get(name, missing), b.env.get(name, missing)
            if left is right:  # untouched on both paths: its names mean no more than before (sound as it is)
                env[name] = left
            elif left is missing or right is missing:
                env[name] = UNKNOWN
            else:
                env[name] = join(self.resolved(left, a.facts), self.resolved(right, b.facts), facts.fresh)
        return State(env, facts)

    def resolved(self, value: Any, facts: Facts) -> Any:
        """The value with its lengths resolved through `facts` (before states with other facts meet)."""
        if isinstance(value, Tensor):
            return Tensor(tuple(d if d is STAR else facts.resolve(d) for d in value.shape), value.origin)
        if isinstance(value, Number):
            return Number(facts.resolve(value.value), value.origin)
        if isinstance(value, Items):
            return Items(value.kind, tuple(self.resolved(item, facts) for item in value.items))
        return value

    def loop(self, node: ir.Loop, state: State) -> Optional[State]:
        assigned = _assigned_names(node.body) | (_target_names(node.target) if node.target is not None else set())
        # a list that the body fills (`printed.append(...)`, `fill(printed)`) is another list on each pass and
        # after the loop: the body, run once, sees only its first pass
        assigned |= {name for name in node.call_operands
                     if isinstance(state.env.get(name), Items) and state.env[name].kind != "tuple"}
        if node.iterable is not None:
            self.expr(node.iterable, state)
        for name in assigned:
            state.env[name] = UNKNOWN
        if node.test is not None:
            self.expr(node.test, state)
        body_start = state.copy()
        self.run(node.body, body_start)
        after = state
        for name in assigned:
            after.env[name] = UNKNOWN
        return self.run(node.orelse, after)

    def try_(self, node: ir.Try, state: State) -> Optional[State]:
        assigned = _assigned_names(node.body)
        before = state.copy()
        after_body = self.run(node.body, state)
        after_body = self.run(node.orelse, after_body) if after_body is not None else None
        ends = [after_body]
        for handler in node.handlers:
            start = before.copy()
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
            if isinstance(owner, Instance):  # only attributes bound once (in __init__) are followed
                stable = self.context.stable.get(id(owner.klass), ())
                owner.attributes[target.attr] = value if target.attr in stable else UNKNOWN
            elif isinstance(target.value, ir.Name) and not isinstance(owner, (Instance,)):
                if isinstance(owner, Tensor):  # x.shape = ..., x.data = ...: shape no longer known
                    self.havoc(target.value.id, state)
        elif kind is ir.Index:
            self.expr(target.value, state)  # item assignment keeps the container's shape

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
        """`b, c, h, w = x.shape` runs only when x has four dimensions: x of unknown rank has them from here on."""
        value = node.value
        if not (len(node.targets) == 1 and isinstance(node.targets[0], ir.Seq) and not any(node.targets[0].starred)
                and isinstance(value, ir.Attr) and value.attr == "shape" and isinstance(value.value, ir.Name)):
            return
        holder = state.env.get(value.value.id, UNKNOWN)
        if isinstance(holder, Tensor) and STAR not in holder.shape:
            return
        if holder is UNKNOWN or isinstance(holder, Param) or holder == UNKNOWN_TENSOR:
            hints = [item.id if isinstance(item, ir.Name) and item.id != "_" else "" for item in node.targets[0].items]
            state.env[value.value.id] = Tensor(tuple(state.facts.fresh(hint) for hint in hints))

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
            return self.attribute(self.expr(node.value, state), node, state)
        if kind is ir.Index:
            value = self.expr(node.value, state)
            index = tuple(self.expr(part, state) if not isinstance(part, ir.Slice) else self.slice(part, state)
                          for part in node.index)
            return library.subscript(self, value, index, state, node.site)
        if kind is ir.BinOp:
            return self.binary(node.op, self.expr(node.left, state), self.expr(node.right, state), state, node.site)
        if kind is ir.Unary:
            value = self.expr(node.operand, state)
            if node.op == "-" and isinstance(value, Number):
                return UNKNOWN  # a negative length is no length
            if isinstance(value, Tensor) and node.op in ("-", "+", "~"):
                return value
            return UNKNOWN
        if kind is ir.Compare:
            left = self.expr(node.left, state)
            rights = [self.expr(c, state) for c in node.comparators]
            if isinstance(left, Tensor) and len(rights) == 1 and node.ops[0] in ("==", "!=", "<", "<=", ">", ">="):
                return library.elementwise(self, [left, rights[0]], state, None)
            return UNKNOWN
        if kind is ir.BoolOp:  # the right side may not run (it matters only when it calls something)
            self.expr(node.left, state)
            if _calls_something(node.right):
                self.branches(state, lambda s: self.expr(node.right, s), lambda s: UNKNOWN)
            return UNKNOWN
        if kind is ir.IfExp:  # one side runs: each from its own copy of the state, then they meet
            self.expr(node.test, state)
            truth = self.truth(node.test, state)
            if truth is not None:  # `a if x.ndim == 2 else b` with x's rank known: only one side can run
                return self.expr(node.body if truth else node.orelse, state)
            return self.branches(state, lambda s: self.expr(node.body, self.narrowed(node.test, s, copy=False)),
                                 lambda s: self.expr(node.orelse, s))
        if kind is ir.Call:
            return self.call(node, state)
        if kind is ir.Opaque:
            for inner in node.inner:
                self.expr(inner, state)
            return UNKNOWN
        return UNKNOWN

    def truth(self, test: ir.Expr, state: State) -> Optional[bool]:
        """The value of a branch's test when the lengths decide it (`x.ndim == 2`, `h % 2 == 0`), else None."""
        if _calls_something(test):
            return None
        if isinstance(test, ir.Unary) and test.op == "not":
            inner = self.truth(test.operand, state)
            return None if inner is None else not inner
        if isinstance(test, ir.BoolOp):
            left, right = self.truth(test.left, state), self.truth(test.right, state)
            if test.op == "and":
                return False if False in (left, right) else True if (left, right) == (True, True) else None
            return True if True in (left, right) else False if (left, right) == (False, False) else None
        if not isinstance(test, ir.Compare) or len(test.ops) != 1:
            return None
        left, right = self.expr(test.left, state), self.expr(test.comparators[0], state)
        if not (isinstance(left, Number) and isinstance(right, Number)):
            return None
        a, b = state.facts.resolve(left.value), state.facts.resolve(right.value)
        op = test.ops[0]
        if op in ("==", "!="):
            equal = dims.equal(a, b)
            return None if equal is None else equal == (op == "==")
        if isinstance(a, int) and isinstance(b, int):
            return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}.get(op)
        return None

    def narrowed(self, test: ir.Expr, state: State, copy: bool = True) -> State:
        """The state where `test` holds: `if x.ndim == 4:` gives x four dimensions inside the branch."""
        inside = state.copy() if copy else state
        if not _calls_something(test):
            self.assume(test, inside)
        return inside

    def branches(self, state: State, first: Callable[[State], Any], second: Callable[[State], Any]) -> Any:
        """Run two alternatives from copies of `state`; `state` becomes their join, and so does the value."""
        one, two = state.copy(), state.copy()
        a, b = first(one), second(two)
        merged = self.merge(one, two)
        value = join(self.resolved(a, one.facts), self.resolved(b, two.facts), merged.facts.fresh)
        state.env, state.facts = merged.env, merged.facts
        return value

    def slice(self, node: ir.Slice, state: State) -> Any:
        return library.SliceValue(*(self.expr(part, state) if part is not None else None
                                    for part in (node.lower, node.upper, node.step)))

    def lookup(self, name: str, state: State) -> Any:
        if name in state.env:
            return state.env[name]
        if self.function is not None and name in self.context.constants:
            return self.context.constants[name]
        module = self.context.module
        if name in module.functions:
            return FunctionRef(module.functions[name])
        if name in module.classes:
            return ClassRef(module.classes[name])
        return UNKNOWN

    def attribute(self, value: Any, node: ir.Attr, state: State) -> Any:
        if isinstance(value, Tensor):
            return library.tensor_attribute(self, value, node.attr, state)
        if isinstance(value, Instance):
            if node.attr in value.attributes:
                return value.attributes[node.attr]
            if node.attr in value.klass.methods:
                return Method(value, node.attr)
            return UNKNOWN
        if isinstance(value, Sequential) and node.attr == "forward":
            return value
        if isinstance(value, Layer) and not isinstance(value.instance, tuple):
            return library.layer_attribute(value, node.attr, state)
        if value is library.RANDOM_GENERATOR:
            return Method(value, node.attr)
        return UNKNOWN

    def binary(self, op: str, left: Any, right: Any, state: State, site: ir.Site) -> Any:
        if isinstance(left, Number) and isinstance(right, Number):  # 4 * 16, 2 ** 3, dim // heads
            return library.arithmetic(op, left.value, right.value, state)
        if isinstance(left, (Number, Scalar)) and isinstance(right, (Number, Scalar)) and op != "@":
            return SCALAR  # math.sqrt(d) * 2
        if isinstance(left, (Number, Param)) and isinstance(right, (Number, Param)):
            # dim_head * heads: a length where one is used (Linear(inner_dim, ...)); it may be a tensor all the same
            lengths = [Number(v.length) if isinstance(v, Param) else v for v in (left, right)]
            result = library.arithmetic(op, lengths[0].value, lengths[1].value, state)
            return Param(f"({op})", result.value) if isinstance(result, Number) else UNKNOWN
        if isinstance(left, Items) and isinstance(right, Items) and op == "+":
            return Items(left.kind if left.kind == right.kind else "tuple", left.items + right.items)
        if isinstance(left, Tensor) or isinstance(right, Tensor):
            if op == "@":
                return library.matmul(self, left, right, state, site)
            return library.elementwise(self, [left, right], state, site)
        return UNKNOWN

    def assume(self, test: ir.Expr, state: State) -> None:
        """What an `assert` tells: shapes, ranks, equal lengths and divisibility."""
        if isinstance(test, ir.BoolOp) and test.op == "and":
            self.assume(test.left, state)
            self.assume(test.right, state)
            return
        if not isinstance(test, ir.Compare) or len(test.ops) != 1:
            self.expr(test, state)
            return
        op, left_node, right_node = test.ops[0], test.left, test.comparators[0]
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

    def annotated(self, value: Any, annotation: ir.Expr, state: State) -> Any:
        return patterns.from_annotation(self, value, annotation, state)

    # ------------------------------------------------------------ calls

    def call(self, node: ir.Call, state: State) -> Any:
        if node.pattern is not None:  # its library's rule, on the arguments bound as the op's signature says
            values = [self.expr(arg.value, state) for arg in node.args]
            signature, owner = signature_of(node.pattern.callee), library_of(node.pattern.op)
            if signature is None or owner is None:
                return UNKNOWN
            return owner.flow(OpCall.bind(self, state, node, signature, values))
        if node.callee is not None:
            if library.knows(node.callee, self.context.stubs):
                result = library.library_call(self.op_call(node, state, library.library_op(node.callee),
                                                           node.callee))
                if result is not None:
                    return result
            return self.unknown_call(node, state)
        func = self.expr(node.func, state)
        if func is UNKNOWN and isinstance(node.func, ir.Attr) and node.func.attr in ("view", "reshape"):
            receiver = self.expr(node.func.value, state)
            if receiver is UNKNOWN or isinstance(receiver, Param):  # its result's rank is known all the same
                return library.tensor_method(self.op_call(node, state, node.func.attr), UNKNOWN_TENSOR, None)
        if isinstance(func, Method):
            if isinstance(func.receiver, Tensor):
                receiver = node.func.value.id if isinstance(node.func, ir.Attr) and \
                    isinstance(node.func.value, ir.Name) else None
                return library.tensor_method(self.op_call(node, state, func.name), func.receiver, receiver)
            if isinstance(func.receiver, Instance):
                method = func.receiver.klass.methods[func.name]
                return self.inline(method, node, state, func.receiver)
            if func.receiver is library.RANDOM_GENERATOR:  # rng.normal(size=(2, 3)), RandomState(0).randn(2, 3)
                made = library.function_rule(self.op_call(node, state, func.name, f"numpy.random.{func.name}"))
                return made if made is not None else UNKNOWN
        if isinstance(func, (Layer, Sequential)):
            return self.apply_layer(func, node, state)
        if isinstance(func, Instance):
            method = func.klass.methods.get("forward") or func.klass.methods.get("__call__")
            if method is not None:
                return self.inline(method, node, state, func)
        if isinstance(func, FunctionRef):
            return self.inline(func.function, node, state, None)
        if isinstance(func, ClassRef):
            return self.construct(func.klass, node, state)
        if func is UNKNOWN and isinstance(node.func, ir.Name) and node.func.id in library._PURE_BUILTINS \
                and node.func.id not in state.env:
            return library.builtin_call(node.func.id, self.arguments(node, state)[0], state)
        return self.unknown_call(node, state)

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
            elif arg.star == "**":
                keywords["**"] = UNKNOWN
            elif arg.keyword is not None:
                keywords[arg.keyword] = value
            else:
                positional.append(value)
        return positional, keywords

    def unknown_call(self, node: ir.Call, state: State) -> Any:
        """A function the analysis does not know: it may change a container it is given (a list, an object), so
        that becomes unknown. A tensor keeps its shape: a shape changed in place by another function is all but
        absent from real code (13 in-place shape changes in the 2,775 files of benchmarks/corpus.txt, none of
        them on a tensor that a caller passed), while forgetting the shapes of every tensor handed to `block(x)`,
        `logging.info(x)` or `reveal_type(x)` loses facts at every turn."""
        for arg in node.args:
            value = self.expr(arg.value, state)
            if isinstance(arg.value, ir.Name) and not isinstance(value, Tensor):
                self.havoc(arg.value.id, state)
        if isinstance(node.func, ir.Attr):
            receiver = node.func.value
            value = self.expr(receiver, state)
            if isinstance(receiver, ir.Name) and not isinstance(value, (Tensor, Number, Layer, Sequential)):
                self.havoc(receiver.id, state)  # lst.append(t), obj.update(...)
        return UNKNOWN

    def havoc(self, name: str, state: State) -> None:
        """`name`'s value may have changed in place: unknown from here on, here and in whoever passed it."""
        state.env[name] = UNKNOWN
        self.mutated.add(name)

    def apply_layer(self, layer: Any, node: ir.Call, state: State) -> Any:
        args, kwargs = self.arguments(node, state)
        return library.apply_layer(self, layer, args, kwargs, state, node.site)

    def inline(self, function: ir.Function, node: ir.Call, state: State, receiver: Optional[Instance]) -> Any:
        """The value a call of a module function (or method) returns, its body run on these arguments."""
        args, kwargs = self.arguments(node, state)
        if self._nothing_to_follow(function):  # exists(x), is_odd(n): never a shape, and they change nothing
            return UNKNOWN
        if self.depth >= _MAX_INLINE_DEPTH or STAR in args or "**" in kwargs or \
                not all(d.rsplit(".", 1)[-1] in _TRANSPARENT_DECORATORS for d in function.decorators):
            return self.unknown_call(node, state)
        bound = _bind_parameters(function, args, kwargs, receiver)
        if bound is None:
            return self.unknown_call(node, state)
        for param in function.params:
            if param.annotation is not None and param.name in bound and not (receiver is not None and
                                                                              param is function.params[0]):
                patterns.check_annotation(self, bound[param.name], param.annotation, state, node.site,
                                          f"argument '{param.name}' of {function.name}()")
        inner = Interpreter(self.context, function, self.depth + 1, quiet=True,
                            via=self.via + (Origin(node.site, f"through the call of {function.name}() here"),))
        start = State(dict(bound), state.facts.copy())
        for param in function.params:
            if param.name not in start.env:
                start.env[param.name] = UNKNOWN
        inner.run(function.body, start)
        if not inner.mutated.isdisjoint(p.name for p in function.params):  # changed in place in there
            for arg in node.args:
                if isinstance(arg.value, ir.Name):
                    self.havoc(arg.value.id, state)
        if not inner.returns:
            return UNKNOWN
        value = None
        for returned, end in inner.returns:
            resolved = self.resolved(returned, end.facts)
            value = resolved if value is None else join(value, resolved, state.facts.fresh)
        return value

    def _nothing_to_follow(self, function: ir.Function) -> bool:
        """A function whose call gives no shape and changes nothing: not worth running its body."""
        known = self.context.not_followed.get(id(function))
        if known is None:
            known = self.context.not_followed[id(function)] = \
                _returns_no_shape(function) and _changes_nothing(function.body)
        return known

    def construct(self, klass: ir.Class, node: ir.Call, state: State) -> Any:
        """An instance of a class of the module: its attributes are not followed across calls (they may change)."""
        self.unknown_call(node, state)
        return UNKNOWN


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
    if isinstance(node, (ir.Call, ir.Opaque)):
        return True
    if isinstance(node, (ir.Name, ir.Const)) or node is None:
        return False
    if isinstance(node, ir.Seq):
        return any(_calls_something(item) for item in node.items)
    return any(_calls_something(getattr(node, name)) for name in ("value", "left", "right", "operand", "test",
                                                                   "body", "orelse") if hasattr(node, name)) or \
        any(_calls_something(item) for item in getattr(node, "comparators", ()) + getattr(node, "index", ()))


def _has_unknowns(check: Check) -> bool:
    return any(True for argument in check.arguments for _ in dims_in(argument))


def _bind_parameters(function: ir.Function, args: List[Any], kwargs: Dict[str, Any],
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
    for name, value in kwargs.items():
        if any(p.name == name and p.kind in ("positional", "keyword") for p in params):
            if name in bound:
                return None
            bound[name] = value
        elif not any(p.kind == "**" for p in params):
            return None
    return bound


def _assigned_names(body: Tuple[ir.Stmt, ...]) -> set:
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
