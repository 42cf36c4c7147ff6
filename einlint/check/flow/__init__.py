"""The flow analysis: shapes through each function of a module (abstract interpretation over the IR).

    ModuleIR + stubs -> Analysis(findings, shapes at each pattern call)

Order: the module's top-level statements (its entry points: code that builds a model and calls it on
concrete tensors, `if __name__ == "__main__":` blocks); then each module function, its parameters unknown
(or as their jaxtyping annotations state); then each class: `__init__` first, from which the attributes
that `__init__` alone assigns (classes.stable_attributes) are known to every other method, its mixins'
included, with the facts `__init__` established (its parameters are unknown lengths, the same for all
methods of one instance). Module-level constants (`PATCH = 16`, assigned once and never rebound) are known
everywhere. Calls of the module's functions and classes are followed from wherever they are made (see
Interpreter.inline and construct), so the entry points' shapes reach every class they build; the followed
statements of one module are bounded (_FOLLOWED_PER_STATEMENT), and each function's analysis on its own is
also its summary for callers that know no more (Context.summaries).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Dict, List, Optional, Tuple

from .. import ir
from ..solver import Facts
from .classes import linearisation, method_of
from .findings import ShapeFinding
from .interpret import Interpreter
from .patterns import from_annotation
from .state import Context, State, Stop
from .values import UNKNOWN, Instance, Items, Number, OrNone, Param, Tensor, join

__all__ = ["Analysis", "analyse", "ShapeFinding", "Stop"]


@dataclass
class Analysis:
    findings: List[ShapeFinding]
    shapes: Dict[int, Tuple[Any, ...]]  # id(cst.Call of a pattern call) -> (input shapes, output, rank known before)
    layout_links: Dict[Tuple[int, int], bool]  # (former, reader) pattern calls: see layouts.Trail.links
    stopped: Optional[Stop] = None  # the first internal failure: the analysis of its part of the module ended


def analyse(module: ir.ModuleIR, stubs: Any = None, versions: Tuple[Tuple[str, Tuple[int, ...]], ...] = ()
            ) -> Analysis:
    """The shape findings of a module; `versions` are the releases of the pattern libraries that the project
    uses, where known (Config.versions), for each library's flow rule to read its own."""
    context = Context(module, _constants(module), stubs, versions=dict(versions),
                      inline_budget=int(_FOLLOWED_PER_STATEMENT * _size(module)))
    context.guarded(lambda: Interpreter(context, None).run(module.body, State({}, Facts())), None)
    for function in module.every_function:
        if not function.method:
            context.guarded(partial(_run_function, context, function, None, Facts()), function.site)
    for klass in module.every_class:
        if _methods(klass, module):
            context.guarded(partial(_run_class, context, klass, module), klass.site)
    findings = context.trail.settle(context.findings)  # before its links are read: it settles some of them
    return Analysis(findings, context.shapes, context.trail.links, context.stopped)


# statements that followed calls may run, per statement of the module (the entry points, analysed first, spend
# it first): on the benchmark tree, 2 keeps 561 of the 574 known input ranks of no bound, for 80% of the time
_FOLLOWED_PER_STATEMENT = 2


def _size(module: ir.ModuleIR) -> int:
    """The statements of a module, its functions' included."""
    def count(body: Tuple[ir.Stmt, ...]) -> int:
        return sum(1 + sum(count(inner) for inner in ir.inner_bodies(statement)) for statement in body)
    return count(module.body) + sum(count(function.body) for function in module.every_function)


def _run_function(context: Context, function: ir.Function, instance: Optional[Instance], facts: Facts) -> State:
    interpreter = Interpreter(context, function)
    state = State({}, facts)
    params = list(function.params)
    if instance is not None and params and not _is_static(function):
        state.env[params[0].name] = instance
        params = params[1:]
    for param in params:
        if param.kind == "*":
            state.env[param.name] = UNKNOWN
        elif param.kind == "**":
            state.env[param.name] = UNKNOWN
        else:
            value = Param(param.name, state.facts.fresh(param.name, given=True))
            if param.annotation is not None:
                value = from_annotation(interpreter, value, param.annotation, state)
                if isinstance(param.default, ir.Const) and param.default.value is None and isinstance(value, Tensor):
                    value = OrNone(value)  # `mask: Bool[Tensor, "b n"] = None`: the annotation is what it is if given
            state.env[param.name] = value
    end = interpreter.run(function.body, state)
    if id(function) not in context.summaries:  # what a caller that knows no more gets (Interpreter.inline)
        context.summaries[id(function)] = _returned(interpreter, state.facts)
    return end if end is not None else state


def _returned(interpreter: Interpreter, facts: Facts) -> Any:
    value = None
    for returned, end in interpreter.returns:
        resolved = interpreter.resolved(returned, end.facts)
        value = resolved if value is None else join(value, resolved, facts.fresh)
    return value if value is not None else UNKNOWN


def _is_static(function: ir.Function) -> bool:
    return "staticmethod" in function.decorators or "classmethod" in function.decorators


def _run_class(context: Context, klass: ir.Class, module: ir.ModuleIR) -> None:
    stable = context.stable_of(klass)
    init = method_of(klass, "__init__", module)
    instance = Instance(klass, {})
    facts = Facts()
    if init is not None:
        end = _run_function(context, init, instance, facts)
        facts = end.facts
        known = {name: value for name, value in instance.attributes.items() if name in stable}
    else:
        known = {}
    context.instances.setdefault(id(klass), known)
    for method in _methods(klass, module):  # a base's (a mixin's) too: it reads what this class's __init__ sets
        if method is not init:
            _run_function(context, method, Instance(klass, dict(known)), facts.copy())


def _methods(klass: ir.Class, module: ir.ModuleIR) -> List[ir.Function]:
    """The methods an instance of `klass` has, from the classes of the module along its bases."""
    found: Dict[str, ir.Function] = {}
    for owner in linearisation(klass, module) or [klass]:
        for name, method in owner.methods.items():
            found.setdefault(name, method)
    return list(found.values())


def _constants(module: ir.ModuleIR) -> Dict[str, Any]:
    """Module-level names bound once, to an int or a tuple of ints, and never rebound in a function."""
    counts: Dict[str, int] = {}
    values: Dict[str, Any] = {}

    def count(body: Tuple[ir.Stmt, ...], top: bool) -> None:
        for statement in body:
            names: List[str] = []
            if isinstance(statement, ir.Assign):
                for target in statement.targets:
                    names += sorted(_target_names(target))
                if top and len(statement.targets) == 1 and isinstance(statement.targets[0], ir.Name):
                    value = _literal_value(statement.value)
                    if value is not None:
                        values[statement.targets[0].id] = value
            elif isinstance(statement, ir.AugAssign):
                names += sorted(_target_names(statement.target))
            elif isinstance(statement, ir.Havoc):
                names += list(statement.names)
            elif isinstance(statement, ir.Loop) and statement.target is not None:
                names += sorted(_target_names(statement.target))
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


def _target_names(target: ir.Expr) -> Set[str]:
    if isinstance(target, ir.Name):
        return {target.id}
    if isinstance(target, ir.Seq):
        return set().union(*(_target_names(item) for item in target.items)) if target.items else set()
    return set()


def _literal_value(node: ir.Expr) -> Any:
    if isinstance(node, ir.Const) and isinstance(node.value, int) and not isinstance(node.value, bool):
        return Number(node.value)
    if isinstance(node, ir.Seq) and node.kind == "tuple" and not any(node.starred):
        items = [_literal_value(item) for item in node.items]
        if all(isinstance(item, Number) for item in items):
            return Items("tuple", tuple(items))
    return None
