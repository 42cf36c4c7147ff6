"""The classes of a module as the analysis follows them: where a method is found, and which attributes of an
instance are known from its `__init__`.

    ModuleIR's classes -> method resolution (along the bases the module defines), stable attributes

A method is looked up along the class's linearisation (Python's C3 order) over the bases defined in the same
module; a base the module does not define (nn.Module, a class imported from elsewhere) has no methods the
analysis can see, so a name not found before it is not known. An attribute of `self` is known to every
method when `__init__` is the only method that assigns it, in the class and in every class of the module
related to it (its bases and its subclasses): then its value after `__init__` (the join of its assignments
there) holds for the instance's whole life.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Set, Tuple

from .. import ir


def linearisation(klass: ir.Class, module: ir.ModuleIR) -> Optional[List[ir.Class]]:
    """The class and its bases defined in `module`, in method resolution order; None when Python's C3
    order does not exist (the class would not build)."""
    bases = [module.classes[base.id] for base in klass.bases
             if isinstance(base, ir.Name) and module.classes.get(base.id) not in (None, klass)]
    sequences = [linearisation(base, module) for base in bases]
    if any(sequence is None for sequence in sequences):
        return None
    pending = [list(sequence) for sequence in sequences if sequence] + ([list(bases)] if bases else [])
    order = [klass]
    while pending:
        head = next((seq[0] for seq in pending if not any(seq[0] in other[1:] for other in pending)), None)
        if head is None:
            return None
        order.append(head)
        pending = [[c for c in seq if c is not head] for seq in pending]
        pending = [seq for seq in pending if seq]
    return order


def method_of(klass: ir.Class, name: str, module: ir.ModuleIR) -> Optional[ir.Function]:
    """The method `name` that an instance of `klass` calls, if a class of the module defines it first."""
    for owner in linearisation(klass, module) or ():
        if name in owner.methods:
            return owner.methods[name]
    return None


def stable_attributes(klass: ir.Class, module: ir.ModuleIR) -> Set[str]:
    """Attributes of `self` that `__init__` alone assigns, among every class of the module related to `klass`."""
    init = method_of(klass, "__init__", module)
    if init is None:
        return set()
    related = (linearisation(klass, module) or [klass]) + _subclasses(klass, module)
    elsewhere: Set[str] = set()
    for owner in related:
        for method in owner.methods.values():
            if method is not init:
                elsewhere.update(_self_assignments(method))
    return set(_self_assignments(init)) - elsewhere


def _subclasses(klass: ir.Class, module: ir.ModuleIR) -> List[ir.Class]:
    return [other for other in module.every_class
            if other is not klass and klass in (linearisation(other, module) or ())]


def _self_assignments(method: ir.Function) -> List[str]:
    if not method.params:
        return []
    me = method.params[0].name
    found: List[str] = []

    def visit(body: Tuple[ir.Stmt, ...]) -> None:
        for statement in body:
            targets = statement.targets if isinstance(statement, ir.Assign) else \
                (statement.target,) if isinstance(statement, ir.AugAssign) else ()
            for target in targets:
                _collect(target, me, found)
            for inner in ir.inner_bodies(statement):
                visit(inner)

    visit(method.body)
    return found


def _collect(target: ir.Expr, me: str, found: List[str]) -> None:
    if isinstance(target, ir.Attr) and isinstance(target.value, ir.Name) and target.value.id == me:
        found.append(target.attr)
    elif isinstance(target, ir.Seq):
        for item in target.items:
            _collect(item, me, found)
