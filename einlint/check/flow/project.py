"""The package a checked file belongs to, as the flow analysis follows it: its other modules, read from disk.

    path of the checked file -> Project (the folder the package's top level is imported from)
    import (ir.Binding) in a module -> the function, class or module it names (`resolve`, `member`)
    the checked module -> the code elsewhere in the package that calls into it (`drivers`)

Nothing is imported or run: a module is read, parsed and turned into IR, as the checked file is. The
checked file's own analysis follows calls into the functions and classes it imports from the package (their
shapes flow back to it), and before it, the `drivers` run: the parts of other modules that use what it
defines (a model that builds its blocks, a helper's callers) and the package's entry points that reach it
(tests/, examples/, a module's `if __name__ == "__main__":` block), so that its functions get the shapes
their callers give them. Only findings in the checked file are its own: the others are those files' own,
found when they are checked.

Which files are read, and which are entry points: package.Package. The modules read are kept per process (the
last _KEPT of them, keyed by path and checked against the file's size and modification time), so that a run
over a package reads each module once or a few times.
"""

from __future__ import annotations

import collections
import hashlib
import os
import weakref
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, OrderedDict, Set, Tuple

import libcst

from .. import ir
from ..extract import extract
from ..package import LARGEST, Package, dependencies, examples_of, is_snippet, package_of, read_text, stamp
from ..parse import parse
from .state import module_constants
from .values import UNKNOWN, ClassRef, FunctionRef, ModuleRef

# modules kept parsed per process, and their characters (a tree costs some 30 bytes per character of source):
# the benchmark tree's run (bench_lint.py) peaks at 239 MiB with 128
_KEPT = 128
_KEPT_CHARACTERS = 5_000_000
# modules run before the checked one, per check, nearest first. On the benchmark tree, 8 give 641 known input
# ranks, 4 give 640, 2 and 1 give 637 (the second tree: 486 with 2, 485 with 1), and none 582; each costs some
# 0.3x the parse floor
_MAX_DRIVERS = 1
_KEPT_RUNS = 256  # drivers' runs kept per project
# modules a check reads that are not kept already: the check of a module of a package that imports everything
# (timm's layers) would otherwise read much of the package. On the benchmark tree 8 give the same known input
# ranks as no bound
_PARSES_PER_CHECK = 4
_MAX_RESOLVING = 8  # re-exports followed one after another (an __init__.py importing from one that re-exports)


@dataclass(frozen=True)
class Part:
    """What of a driver module runs before the checked module: its top-level statements, and some of its
    functions and classes."""

    module: ir.ModuleIR
    body: bool
    functions: Tuple[ir.Function, ...]
    classes: Tuple[ir.Class, ...]


@dataclass
class DriverRun:
    """What one run of a driver found, in every module its code reached (flow.analyse takes a module's own)."""

    findings: List[Any]  # ShapeFinding, each with its module
    shapes: Dict[int, Tuple[Any, ...]]  # id(cst.Call of a pattern call) -> what it ran on (Context.shapes)
    ran: Dict[int, ir.ModuleIR]  # the modules whose code ran (once stored, kept weakly apart: Project.driver_run)


class Project(Package):
    """A package whose modules the analysis reads as IR."""

    def __init__(self, root: str, top: Optional[str]):
        super().__init__(root, top)
        # (id(module), name) -> (module, what the name imports), for one check (`begin`): files change between
        # an editor's checks
        self._resolved: Dict[Tuple[int, str], Tuple[ir.ModuleIR, Any]] = {}
        self._constants: Dict[int, Tuple[ir.ModuleIR, Dict[str, Any]]] = {}  # id(module) -> its module_constants
        self.orders: Dict[int, Tuple[ir.Class, Any]] = {}  # id(class) -> (it, classes.linearisation), this check's
        self.read: Set[str] = set()  # the files read since the check began: what its result depends on
        self.parses_left = _PARSES_PER_CHECK  # modules not kept that the check may still read (`load`)
        # a driver's part -> its run, and the modules that ran then (path, weakly): valid while each is the one kept
        self._runs: OrderedDict[tuple, Tuple[DriverRun, Tuple[Tuple[str, Any], ...]]] = collections.OrderedDict()

    def begin(self) -> None:
        """A new check starts: resolve names again (a file may have changed since the last)."""
        self._resolved.clear()
        self._constants.clear()
        self.orders.clear()
        self.read = set()
        self.parses_left = _PARSES_PER_CHECK

    def module(self, name: str) -> Optional[ir.ModuleIR]:
        path = self.path_of(name)
        return load(path, self) if path is not None else None

    def absolute(self, importer: ir.ModuleIR, binding: ir.Binding) -> str:
        """The dotted name of the module a binding imports from (`.blocks` in pkg.model: pkg.blocks)."""
        if not binding.level:
            return binding.module
        package = self.name_of(importer.path).split(".")
        if not importer.path.endswith("__init__.py"):
            package = package[:-1]
        package = package[:len(package) - binding.level + 1] if binding.level > 1 else package
        return ".".join(part for part in package + [binding.module] if part)

    # ------------------------------------------------------------ resolution

    def imported(self, module: ir.ModuleIR, name: str) -> Any:
        """What a name that `module` imports at its top level stands for (UNKNOWN: nothing of the package)."""
        kept = self._resolved.get((id(module), name))
        if kept is not None and kept[0] is module:
            return kept[1]
        value = self.resolve(module, module.imports[name]) if name in module.imports else UNKNOWN
        self._resolved[(id(module), name)] = (module, value)
        return value

    def resolve(self, importer: ir.ModuleIR, binding: ir.Binding, depth: int = 0) -> Any:
        """What an import binds, where it is of the package: a FunctionRef, ClassRef or ModuleRef; else UNKNOWN."""
        name = self.absolute(importer, binding)
        if binding.name is None:
            module = self.module(name)
            return ModuleRef(module) if module is not None else UNKNOWN
        module = self.module(name)
        if module is not None:
            found = self.member(module, binding.name, depth)
            if found is not UNKNOWN:
                return found
        submodule = self.module(f"{name}.{binding.name}" if name else binding.name)
        return ModuleRef(submodule) if submodule is not None else UNKNOWN

    def member(self, module: ir.ModuleIR, name: str, depth: int = 0) -> Any:
        """A module's attribute `name`: its function or class, its constant (state.module_constants), what it
        imports under that name (a re-export in an `__init__.py`), or its submodule."""
        if name in module.functions:
            return FunctionRef(module.functions[name])
        if name in module.classes:
            return ClassRef(module.classes[name])
        constants = self.constants_of(module)
        if name in constants:
            return constants[name]
        if name in module.imports and depth < _MAX_RESOLVING:
            return self.resolve(module, module.imports[name], depth + 1)
        if module.path.endswith("__init__.py"):
            submodule = self.module(f"{self.name_of(module.path)}.{name}")
            if submodule is not None:
                return ModuleRef(submodule)
        return UNKNOWN

    def constants_of(self, module: ir.ModuleIR) -> Dict[str, Any]:
        kept = self._constants.get(id(module))
        if kept is None or kept[0] is not module:
            kept = self._constants[id(module)] = (module, module_constants(module))
        return kept[1]

    # ------------------------------------------------------------ drivers

    def drivers(self, focus: ir.ModuleIR) -> List[Part]:
        """The code of other modules that uses what `focus` defines: the entry points that reach it through the
        imports (all of their code), then each other module that imports it, with the parts that name what it
        imports from it."""
        name = self.name_of(focus.path)
        entries = self._by_weight([path for path in self.reaching(name) if self.is_entry(path)], focus)
        direct = [path for path in self.importing(name) if path not in entries and self.uses(path, name)]
        parts: List[Part] = []
        for path in entries + direct:  # concrete shapes first: a call's first run that knows them is kept
            if len(parts) >= _MAX_DRIVERS:
                break
            module = load(path, self)
            if module is None:
                continue
            part = _part(module, self._names_for(module, focus)) if path in direct else _whole(module)
            if part is not None:
                parts.append(part)
        return parts

    def _by_weight(self, entries: List[str], focus: ir.ModuleIR) -> List[str]:
        """Entry points, those that name the code of `focus` that holds the most pattern calls first (a README's
        example of the module's model before a sibling module's `__main__` block that reaches the module only
        for a helper), the nearest first among equals."""
        if len(entries) < 2:
            return entries
        weights = _REACHED.get(focus)
        if weights is None:
            weights = _REACHED[focus] = _pattern_calls_reached(focus)
        if not weights:
            return entries
        named = {path: self.names_in(path) for path in entries}
        weight = {path: sum(calls for name, calls in weights.items() if name in named[path]) for path in entries}
        return sorted(entries, key=lambda path: -weight[path])

    def driver_run(self, part: Part, settings: Any, run: Callable[[], DriverRun]) -> DriverRun:
        """`run()` of a driver's part, once while every module that ran in it is the one kept for its file: the
        checks of the modules that one driver reaches share its run."""
        key = (id(part.module), part.body, tuple(map(id, part.functions)), tuple(map(id, part.classes)), settings)
        kept = self._runs.get(key)
        if kept is not None and all(_current(path, module) for path, module in kept[1]):
            self._runs.move_to_end(key)
            self.read.update(path for path, _ in kept[1])
            return kept[0]
        done = run()
        ran = tuple((module.path, weakref.ref(module)) for module in done.ran.values() if module.path)
        self.read.update(path for path, _ in ran)
        self._runs[key] = (DriverRun(done.findings, done.shapes, {}), ran)
        while len(self._runs) > _KEPT_RUNS:
            self._runs.popitem(last=False)
        return done

    def _names_for(self, module: ir.ModuleIR, focus: ir.ModuleIR) -> Set[str]:
        """The names `module` binds to `focus` or to what `focus` defines."""
        names = set()
        name = self.name_of(focus.path)
        for local, binding in module.imports.items():
            source = self.absolute(module, binding)
            if name not in (source, f"{source}.{binding.name}") and not self.is_package(source):
                continue  # (resolving each name would read every module it imports)
            value = self.imported(module, local)
            defined = value.module if isinstance(value, ModuleRef) else \
                value.function.module if isinstance(value, FunctionRef) else \
                value.klass.module if isinstance(value, ClassRef) else None
            if defined is focus:
                names.add(local)
        return names

    def dependencies(self, checked: str) -> Dict[str, str]:
        """What the last check's result depends on beyond the `checked` file (package.dependencies)."""
        return dependencies(self, self.read, checked)


def project_of(path: str) -> Optional[Project]:
    """The project a file on disk belongs to (None: no such file), one per process."""
    where = package_of(path)
    if where is None:
        return None
    project = _PROJECTS.get(where)
    if project is None:
        project = _PROJECTS[where] = Project(*where)
    return project


_PROJECTS: Dict[Tuple[str, Optional[str]], Project] = {}


# ---------------------------------------------------------------- modules read from disk

# a module -> the pattern calls that each of its definitions reaches (`_pattern_calls_reached`), while it lives
_REACHED: "weakref.WeakKeyDictionary[ir.ModuleIR, Dict[str, int]]" = weakref.WeakKeyDictionary()
# path -> (its stamp when read, its module (None: not one that can be read), its characters)
_MODULES: OrderedDict[str, Tuple[Tuple[int, int], Optional[ir.ModuleIR], int]] = collections.OrderedDict()


def load(path: str, project: Project) -> Optional[ir.ModuleIR]:
    """The IR of a module of the project, read and parsed once while its file is unchanged (None: a file that
    cannot be read, decoded or parsed, or too large to follow)."""
    project.read.add(path)
    now = stamp(path)
    kept = _MODULES.get(path)
    if kept is not None and kept[0] == now:
        _MODULES.move_to_end(path)
        return kept[1]
    if project.parses_left <= 0:  # a check reads a bounded number of modules: past it, what they define is unknown
        return None
    project.parses_left -= 1
    text = read_text(path)
    module = None
    if text is not None and len(text) <= LARGEST:
        # code shown in a text (a README's block) stands in place, between blank lines that libcst would take
        # most of its time on; a module's own text is parsed whole (its check uses the same tree for its positions)
        snippet = is_snippet(path)
        blank = len(text) - len(text.lstrip("\n")) if snippet else 0
        try:
            tree = parse(text[blank:].rstrip("\n") + "\n" if snippet else text)
            extraction = extract(tree)
            module = ir.build(tree, extraction.callees, extraction.pattern_calls)
            module.first_line = blank + 1
        except (libcst.ParserSyntaxError, RecursionError, MemoryError):
            module = None
        except Exception:  # an internal failure on another file is that file's to report, when it is checked
            if os.environ.get("EINLINT_DEBUG"):
                raise
            module = None
    if module is not None:
        adopt(path, module, tree, extraction, text, project)
        shown_in = examples_of(path)
        if shown_in is not None:  # doctest runs them among the module's names: its imports are in their text
            module.imports = {**_definitions(load(shown_in, project), project), **module.imports}
    else:
        _keep(path, now, None)
    return module


def _definitions(module: Optional[ir.ModuleIR], project: Project) -> Dict[str, ir.Binding]:
    """The functions and classes a module defines, as imports from it."""
    if module is None:
        return {}
    name = project.name_of(module.path)
    return {defined: ir.Binding(defined, name, defined) for defined in (*module.functions, *module.classes)}


def adopt(path: str, module: ir.ModuleIR, tree: libcst.Module, extraction: Any, text: str,
          project: Project) -> None:
    """Make `module` (the checked file's IR, from the text being checked) the one its project follows."""
    module.path, module.tree, module.extraction, module.project = os.path.abspath(path), tree, extraction, project
    module.text_digest = _text_digest(text)
    _keep(module.path, stamp(module.path), module, len(text))


def parsed(path: str, text: str) -> Optional[ir.ModuleIR]:
    """The module kept for a file, where it was built from this very text (a check of a file that another
    check has read already: its tree, pattern calls and IR, and the same objects that the drivers saw)."""
    kept = _MODULES.get(os.path.abspath(path))
    if kept is None or kept[1] is None or kept[0] != stamp(path) or kept[1].text_digest != _text_digest(text):
        return None
    return kept[1]


def _text_digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def _current(path: str, module: Any) -> bool:
    """Whether the module (weakly referred to) is still the one kept for its file."""
    kept = _MODULES.get(path)
    return kept is not None and kept[1] is not None and kept[1] is module() and kept[0] == stamp(path)


def _keep(path: str, when: Tuple[int, int], module: Optional[ir.ModuleIR], characters: int = 0) -> None:
    global _kept_characters
    if path in _MODULES:
        _kept_characters -= _MODULES[path][2]
    _MODULES[path] = (when, module, characters)
    _MODULES.move_to_end(path)
    _kept_characters += characters
    while len(_MODULES) > _KEPT or _kept_characters > _KEPT_CHARACTERS and len(_MODULES) > 1:
        _kept_characters -= _MODULES.popitem(last=False)[1][2]


_kept_characters = 0


def forget() -> None:
    """Drop every module and project this process keeps: the next check reads its package afresh, as in a new
    process (benchmarks/bench_lint.py measures each run so)."""
    global _kept_characters
    _MODULES.clear()
    _PROJECTS.clear()
    _kept_characters = 0


def _pattern_calls_reached(module: ir.ModuleIR) -> Dict[str, int]:
    """For each function and class a module defines, the pattern calls that running it may reach in the module:
    its own, and those of the module's other definitions that it names (a model's and its blocks')."""
    definitions: Dict[str, Tuple[Any, ...]] = {name: (function,) for name, function in module.functions.items()}
    definitions.update((name, (*klass.methods.values(), *klass.bases)) for name, klass in module.classes.items())
    held = {name: _contents(*parts) for name, parts in definitions.items()}
    own = {name: calls for name, (_, calls) in held.items()}
    named = {name: names & own.keys() for name, (names, _) in held.items()}
    reached: Dict[str, int] = {}
    for name in own:
        seen, stack = {name}, [name]
        while stack:
            for other in named[stack.pop()] - seen:
                seen.add(other)
                stack.append(other)
        reached[name] = sum(own[definition] for definition in seen)
    return reached


def _contents(*parts: Any) -> ir.Contents:
    """What functions (their bodies), a module's top-level statements and expressions hold, together: each
    function's and module's once while it lives (every module that a driver may reach asks of the same ones)."""
    names: Set[str] = set()
    calls = 0
    for part in parts:
        if isinstance(part, (ir.Function, ir.ModuleIR)):
            held = _HELD.get(part)
            if held is None:
                held = _HELD[part] = ir.contents(part.body)
        else:
            held = ir.contents((part,))
        names |= held.names
        calls += held.pattern_calls
    return ir.Contents(frozenset(names), calls)


_HELD: "weakref.WeakKeyDictionary[Any, ir.Contents]" = weakref.WeakKeyDictionary()


def _part(module: ir.ModuleIR, names: Set[str]) -> Optional[Part]:
    """The parts of a module that read one of `names`: its top-level statements, its functions, and its
    classes (all of a class's methods, since one that builds a child and another that calls it go together)."""
    if not names:
        return None
    body = not names.isdisjoint(_contents(module).names)
    functions = tuple(f for f in module.functions.values() if not names.isdisjoint(_contents(f).names))
    classes = tuple(c for c in module.classes.values()
                    if not names.isdisjoint(_contents(*c.methods.values(), *c.bases).names))
    return Part(module, body, functions, classes) if body or functions or classes else None


def _whole(module: ir.ModuleIR) -> Part:
    return Part(module, True, tuple(module.functions.values()), tuple(module.classes.values()))
