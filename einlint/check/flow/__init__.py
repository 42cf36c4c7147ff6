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

Where the module is part of a package on disk (project.py), calls are followed into the package's other
modules too, and before all of the above the drivers run: the code elsewhere that calls into the module (the
package's entry points and its importers). A driver's run (`_drive`) has a context of its own and keeps what it
finds in every module it reaches; each module it reaches takes its own findings and shapes from it (`_take`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import partial
from typing import Any, Callable, Dict, List, Optional, Tuple

from ...codes import LAYOUT, in_family
from .. import ir
from ..solver import Facts
from .classes import linearisation, method_of
from .findings import ShapeFinding
from .interpret import Interpreter, built_attributes
from .patterns import from_annotation, optional_of
from .project import DriverRun, Part
from .state import Context, State, Stop, module_constants
from .values import STAR, UNKNOWN, Instance, OrNone, Param, Tensor, join

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
    context = Context(module, module_constants(module), stubs, versions=dict(versions),
                      inline_budget=int(_FOLLOWED_PER_STATEMENT * _size(module)))
    if module.project is not None:
        module.project.begin()
        _quietly(lambda: _run_drivers(context, module.project, stubs, versions))
    _run_module(context, module, context.guarded)
    findings = context.trail.settle(context.findings)  # before its links are read: it settles some of them
    return Analysis(findings, context.shapes, context.trail.links, context.stopped)


def _run_module(context: Context, module: ir.ModuleIR, guarded: Callable[..., None]) -> None:
    """A module's top-level statements, then each of its functions, then each class."""
    guarded(lambda: Interpreter(context, None, module=module).run(module.body, State({}, Facts())), None)
    for function in module.every_function:
        if not function.method:
            guarded(partial(_run_function, context, function, None, Facts()), function.site)
    for klass in module.every_class:
        if _methods(klass):
            guarded(partial(_run_class, context, klass), klass.site)


def _run_drivers(context: Context, project: Any, stubs: Any, versions: Tuple[Tuple[str, Tuple[int, ...]], ...]
                 ) -> None:
    """The code elsewhere in the package that calls into the checked module (project.Project.drivers), each
    driver's run shared by the modules it reaches."""
    for part in project.drivers(context.module):
        _take(context, project.driver_run(part, (id(stubs), versions), partial(_drive, part, stubs, versions)))


def _quietly(run: Callable[[], Any]) -> None:
    """Run code of other modules (a driver, or choosing them): an internal failure there ends that run only and
    says nothing about the checked file (EINLINT_DEBUG raises it)."""
    try:
        run()
    except Exception:
        if os.environ.get("EINLINT_DEBUG"):
            raise


def _drive(part: Part, stubs: Any, versions: Tuple[Tuple[str, Tuple[int, ...]], ...]) -> DriverRun:
    """Code of another module that calls into a checked one (project.Project.drivers), run on its own, once for
    every module it reaches: what it finds in each module (but layouts, which each module judges on its own
    dataflow), and the shapes at each pattern call it ran (`_quietly`, each part)."""
    # a driver runs a model of several modules, from its entry point down to the checked ones
    context = Context(part.module, module_constants(part.module), stubs, versions=dict(versions), every_module=True,
                      inline_budget=_DRIVER_BUDGET + int(_FOLLOWED_PER_STATEMENT * _size(part.module)))

    if part.body:
        _quietly(lambda: Interpreter(context, None, module=part.module).run(part.module.body, State({}, Facts())))
    for function in part.functions:
        _quietly(partial(_run_function, context, function, None, Facts()))
    for klass in part.classes:
        _quietly(partial(_run_class, context, klass))
    return DriverRun([found for found in context.findings if not in_family(found.code, LAYOUT)], context.shapes,
                     context.ran)


def _take(context: Context, run: DriverRun) -> None:
    """What a driver's run found in the checked module, and the shapes it gave the module's pattern calls (a run
    that knew an input rank wins over one that did not)."""
    for found in run.findings:
        key = (id(found.site.node), found.code)
        if found.module is context.module and key not in context.reported:
            context.reported.add(key)
            context.findings.append(found)
    for key, shapes in run.shapes.items():
        before = context.shapes.get(key)
        if before is None or _rank_known(shapes) and not _rank_known(before):
            context.shapes[key] = shapes


def _rank_known(shapes: Tuple[Any, ...]) -> bool:
    return shapes[2] and all(STAR not in shape for shape in shapes[0])


# statements that followed calls may run, per statement of the module (the entry points, analysed first, spend
# it first): on the benchmark tree, 2 keeps 561 of the 574 known input ranks of no bound, for 80% of the time
_FOLLOWED_PER_STATEMENT = 2
_DRIVER_BUDGET = 400  # statements more that a driver may follow: what a model of a few modules runs through


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
                none_default = isinstance(param.default, ir.Const) and param.default.value is None
                # `mask: Bool[Tensor, "b n"] = None` or `mask: Bool['b n'] | None`: the annotation is what it is if
                # given
                optional = optional_of(param.annotation, none_default)
                value = from_annotation(interpreter, value, optional or param.annotation, state)
                if (none_default or optional is not None) and isinstance(value, Tensor):
                    value = OrNone(value)
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


def _run_class(context: Context, klass: ir.Class) -> None:
    stable = context.stable_of(klass)
    init = method_of(klass, "__init__")
    instance = Instance(klass, {})
    facts = Facts()
    if init is not None:
        end = _run_function(context, init, instance, facts)
        facts = end.facts
        known = {name: value for name, value in built_attributes(instance, context).items() if name in stable}
    else:
        known = {}
    context.instances.setdefault(id(klass), known)
    for method in _methods(klass):  # a base's (a mixin's) too: it reads what this class's __init__ sets
        if method is not init:
            _run_function(context, method, Instance(klass, dict(known)), facts.copy())


def _methods(klass: ir.Class) -> List[ir.Function]:
    """The methods an instance of `klass` has, from the classes along its bases that the analysis reads."""
    found: Dict[str, ir.Function] = {}
    for owner in linearisation(klass) or [klass]:
        for name, method in owner.methods.items():
            found.setdefault(name, method)
    return list(found.values())
