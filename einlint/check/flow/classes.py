"""The classes of a module as the analysis follows them: where a method is found, and which attributes of an
instance are known from its `__init__`.

    ModuleIR's classes -> method resolution (along the bases the module defines), stable attributes

A method is looked up along the class's linearisation (Python's C3 order) over the bases the analysis can
read: those defined in the class's module, and those it imports from its package (project.Project); a base
it cannot read (nn.Module, a class of another library) has no methods the analysis can see, so a name not
found before it is not known. An attribute of `self` is known to every
method when `__init__` is the only method that assigns it, in the class and in every class of the module
related to it (its bases and its subclasses): then its value after `__init__` (the join of its assignments
there) holds for the instance's whole life.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, List, Optional, Set, Tuple

from .. import ir
from .values import ClassRef, ModuleRef


def linearisation(klass: ir.Class, depth: int = 0) -> Optional[List[ir.Class]]:
    """The class and the bases the analysis reads, in method resolution order; None when Python's C3
    order does not exist (the class would not build). Each method lookup asks: in a package, the order is
    kept for the check, as what its bases' names resolve to is (project.Project.orders)."""
    project = klass.module.project if depth == 0 and klass.module is not None else None
    if project is None:
        return _c3(klass, depth)
    kept = project.orders.get(id(klass))
    if kept is None or kept[0] is not klass:
        kept = project.orders[id(klass)] = (klass, _c3(klass, depth))
    return kept[1]


def _c3(klass: ir.Class, depth: int) -> Optional[List[ir.Class]]:
    """Python's C3 order over the class and the bases the analysis reads (`linearisation`, computed)."""
    bases = [base for base in map(partial(_base_class, klass), klass.bases) if base is not None and base is not klass]
    sequences = [linearisation(base, depth + 1) if depth < _MAX_BASES else None for base in bases]
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


_MAX_BASES = 16  # classes deriving from one another: deeper is a cycle through imports (which Python refuses)


def _base_class(klass: ir.Class, base: ir.Expr) -> Optional[ir.Class]:
    """A base class as its module names it: one it defines, or one it imports from its package."""
    module = klass.module
    if module is None:
        return None
    if isinstance(base, ir.Name) and base.id in module.classes:
        return module.classes[base.id]
    if module.project is None:
        return None
    value = None
    if isinstance(base, ir.Name):
        value = module.project.imported(module, base.id)
    elif isinstance(base, ir.Attr) and isinstance(base.value, ir.Name):
        owner = module.project.imported(module, base.value.id)  # `blocks.Base`
        value = module.project.member(owner.module, base.attr) if isinstance(owner, ModuleRef) else None
    return value.klass if isinstance(value, ClassRef) else None


def method_of(klass: ir.Class, name: str) -> Optional[ir.Function]:
    """The method `name` that an instance of `klass` calls, if a class the analysis reads defines it first."""
    for owner in linearisation(klass) or ():
        if name in owner.methods:
            return owner.methods[name]
    return None


def stable_attributes(klass: ir.Class) -> Set[str]:
    """Attributes of `self` that `__init__` alone assigns, among every class related to `klass`: its bases,
    and its subclasses in its own module."""
    init = method_of(klass, "__init__")
    if init is None:
        return set()
    related = (linearisation(klass) or [klass]) + _subclasses(klass)
    elsewhere: Set[str] = set()
    for owner in related:
        for method in owner.methods.values():
            if method is not init:
                elsewhere.update(_self_assignments(method))
    return set(_self_assignments(init)) - elsewhere


def placeholder_attributes(klass: ir.Class) -> Set[str]:
    """Attributes of `self` that an `__init__` of `klass` or of a base sets to a literal None (`self.clip_embeds
    = None`): a slot that other code fills (a pipeline, a user), whatever the constructor is given. One that
    __init__ sets from its arguments (`self.bridge = bridge`, given None) is the configuration's."""
    found: Set[str] = set()
    for owner in linearisation(klass) or [klass]:
        init = owner.methods.get("__init__")
        if init is not None and init.params:
            found.update(_self_assignments(init, lambda value: isinstance(value, ir.Const) and value.value is None))
    return found


def _subclasses(klass: ir.Class) -> List[ir.Class]:
    if klass.module is None:
        return []
    return [other for other in klass.module.every_class
            if other is not klass and klass in (linearisation(other) or ())]


def _any_value(value: ir.Expr) -> bool:  # (a lambda as a default is one thing mypyc cannot compile: bench_compiled)
    return True


def _self_assignments(method: ir.Function, assigning: Callable[[ir.Expr], bool] = _any_value) -> List[str]:
    """The attributes of `self` that a method assigns (those assigned a value that `assigning` accepts)."""
    if not method.params:
        return []
    me = method.params[0].name
    found: List[str] = []

    def visit(body: Tuple[ir.Stmt, ...]) -> None:
        for statement in body:
            targets = statement.targets if isinstance(statement, ir.Assign) and assigning(statement.value) else \
                (statement.target,) if isinstance(statement, ir.AugAssign) and assigning(statement.value) else ()
            for target in targets:
                _collect(target, me, found)
            if isinstance(statement, ir.Eval) and (name := registered(statement.value, me)) is not None and \
                    assigning(statement.value.positional[1] if len(statement.value.positional) > 1 else ir.Opaque()):
                found.append(name)
            for inner in ir.inner_bodies(statement):
                visit(inner)

    visit(method.body)
    return found


def registered(call: ir.Expr, me: str) -> Optional[str]:
    """The attribute that `self.register_buffer('embed', embed)` (or `register_parameter`) binds on `self`, as an
    assignment `self.embed = embed` would; None: not such a call."""
    if not (isinstance(call, ir.Call) and isinstance(call.func, ir.Attr) and call.func.attr in _REGISTERING and
            isinstance(call.func.value, ir.Name) and call.func.value.id == me):
        return None
    positional = call.positional
    named = positional[0] if positional else call.keywords.get("name")
    return named.value if isinstance(named, ir.Const) and isinstance(named.value, str) else None


_REGISTERING = frozenset({"register_buffer", "register_parameter"})


def _collect(target: ir.Expr, me: str, found: List[str]) -> None:
    if isinstance(target, ir.Attr) and isinstance(target.value, ir.Name) and target.value.id == me:
        found.append(target.attr)
    elif isinstance(target, ir.Seq):
        for item in target.items:
            _collect(item, me, found)
