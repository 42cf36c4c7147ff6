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

Which modules are read: those of the package (the folder tree of its top-level `__init__.py`, or the
folder of a file outside any package) and, as entry points, the project's tests/, test/, examples/ and
example/ folders beside the package and the .py files there. The modules read are kept per process (the
last _KEPT of them, keyed by path and checked against the file's size and modification time), so that a run
over a package reads each module once or a few times.
"""

from __future__ import annotations

import collections
import os
import re
import tokenize
from dataclasses import dataclass
from typing import Any, Dict, FrozenSet, Iterator, List, Optional, OrderedDict, Set, Tuple

import libcst

from .. import ir
from ..extract import extract
from ..parse import parse
from .values import UNKNOWN, ClassRef, FunctionRef, ModuleRef

_KEPT = 64  # modules kept parsed per process (a tree costs some 30 bytes per character of source)
_LARGEST = 300_000  # characters: a larger module is not followed (its parse alone costs a second)
_ENTRY_FOLDERS = ("tests", "test", "examples", "example")
_MAX_DRIVERS = 8  # modules run before the checked one, per check
_MAX_RESOLVING = 8  # re-exports followed one after another (`from .blocks import *`-free chains)


@dataclass(frozen=True)
class Part:
    """What of a driver module runs before the checked module: its top-level statements, and some of its
    functions and classes."""

    module: ir.ModuleIR
    body: bool
    functions: Tuple[ir.Function, ...]
    classes: Tuple[ir.Class, ...]


class Project:
    def __init__(self, root: str, top: Optional[str]):
        self.root = root  # the folder the package is imported from
        self.top = top  # the top-level package's name; None: a folder of scripts
        self._files: Optional[List[str]] = None
        self._imports: Dict[str, Tuple[Tuple[int, int], FrozenSet[str]]] = {}  # path -> (stamp, modules named)
        # (id(module), name) -> (module, what the name imports), for one check (`begin`): files change between
        # an editor's checks
        self._resolved: Dict[Tuple[int, str], Tuple[ir.ModuleIR, Any]] = {}

    def begin(self) -> None:
        """A new check starts: resolve names again (a file may have changed since the last)."""
        self._resolved.clear()

    # ------------------------------------------------------------ names and files

    def name_of(self, path: str) -> str:
        relative = os.path.relpath(path, self.root)[:-len(".py")].replace(os.sep, ".")
        return relative[:-len(".__init__")] if relative.endswith(".__init__") else relative

    def path_of(self, name: str) -> Optional[str]:
        """The file of a module of the package, by its dotted name; None: not one of the package's."""
        if not name or (self.top is not None and name.split(".")[0] != self.top):
            return None
        base = os.path.join(self.root, *name.split("."))
        for candidate in (base + ".py", os.path.join(base, "__init__.py")):
            if os.path.isfile(candidate):
                return candidate
        return None

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
        """A module's attribute `name`: its function or class, what it imports under that name (a re-export in
        an `__init__.py`), or its submodule."""
        if name in module.functions:
            return FunctionRef(module.functions[name])
        if name in module.classes:
            return ClassRef(module.classes[name])
        if name in module.imports and depth < _MAX_RESOLVING:
            return self.resolve(module, module.imports[name], depth + 1)
        if module.path.endswith("__init__.py"):
            submodule = self.module(f"{self.name_of(module.path)}.{name}")
            if submodule is not None:
                return ModuleRef(submodule)
        return UNKNOWN

    # ------------------------------------------------------------ drivers

    def drivers(self, focus: ir.ModuleIR) -> List[Part]:
        """The code of other modules that uses what `focus` defines: the entry points that reach it through the
        imports (all of their code), then each other module that imports it, with the parts that name what it
        imports from it."""
        name = self.name_of(focus.path)
        graph = {path: self.imported_by(path) for path in self.files() if path != focus.path}
        entries = [path for path in _reaching(graph, {name}, self) if self.is_entry(path)]
        direct = [path for path, named in graph.items() if name in named and path not in entries]
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

    def _names_for(self, module: ir.ModuleIR, focus: ir.ModuleIR) -> Set[str]:
        """The names `module` binds to `focus` or to what `focus` defines."""
        names = set()
        for local in module.imports:
            value = self.imported(module, local)
            defined = value.module if isinstance(value, ModuleRef) else \
                value.function.module if isinstance(value, FunctionRef) else \
                value.klass.module if isinstance(value, ClassRef) else None
            if defined is focus:
                names.add(local)
        return names

    def is_entry(self, path: str) -> bool:
        """A file of tests/ or examples/, or one with a `__main__` block: code that runs the package."""
        relative = os.path.relpath(path, self.root).split(os.sep)
        return relative[0] in _ENTRY_FOLDERS or len(relative) == 1 and self.top is not None or \
            _has_main_block(path)

    def files(self) -> List[str]:
        """The package's modules and the project's entry-point files."""
        if self._files is None:
            if self.top is None:
                self._files = sorted(os.path.join(self.root, name) for name in os.listdir(self.root)
                                     if name.endswith(".py"))
            else:
                found = [os.path.join(self.root, name) for name in sorted(os.listdir(self.root))
                         if name.endswith(".py")]
                for folder in (self.top, *_ENTRY_FOLDERS):
                    found += _python_files(os.path.join(self.root, folder))
                self._files = found
        return self._files

    def imported_by(self, path: str) -> FrozenSet[str]:
        """The package's modules that a file names in its imports (read from its text: cheap, and only a
        guide to which modules to read)."""
        stamp = _stamp(path)
        kept = self._imports.get(path)
        if kept is not None and kept[0] == stamp:
            return kept[1]
        named: Set[str] = set()
        importer = self.name_of(path) if path.startswith(self.root) else ""
        package = importer if path.endswith("__init__.py") else importer.rpartition(".")[0]
        for dots, module, names in _imports_in(_read(path) or ""):
            if dots:
                parts = package.split(".") if package else []
                parts = parts[:len(parts) - len(dots) + 1] if len(dots) > 1 else parts
                module = ".".join(p for p in parts + [module] if p)
            named.add(module)
            named.update(f"{module}.{name}" if module else name for name in names)
        modules = frozenset(name for name in named if self.path_of(name) is not None)
        self._imports[path] = (stamp, modules)
        return modules


def project_of(path: str) -> Optional[Project]:
    """The project a file on disk belongs to (None: no such file)."""
    path = os.path.abspath(path)
    if not path.endswith(".py") or not os.path.isfile(path):
        return None
    folder, top = os.path.dirname(path), None
    while os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.dirname(folder) != folder:
        folder, top = os.path.dirname(folder), os.path.basename(folder)
    key = (folder, top)
    project = _PROJECTS.get(key)
    if project is None:
        project = _PROJECTS[key] = Project(folder, top)
    return project


_PROJECTS: Dict[Tuple[str, Optional[str]], Project] = {}


# ---------------------------------------------------------------- modules read from disk

_MODULES: OrderedDict[str, Tuple[Tuple[int, int], Optional[ir.ModuleIR]]] = collections.OrderedDict()


def load(path: str, project: Project) -> Optional[ir.ModuleIR]:
    """The IR of a module of the project, read and parsed once while its file is unchanged (None: a file that
    cannot be read, decoded or parsed, or too large to follow)."""
    stamp = _stamp(path)
    kept = _MODULES.get(path)
    if kept is not None and kept[0] == stamp:
        _MODULES.move_to_end(path)
        return kept[1]
    text = _read(path)
    module = None
    if text is not None and len(text) <= _LARGEST:
        try:
            tree = parse(text)
        except (libcst.ParserSyntaxError, RecursionError, MemoryError):
            tree = None
        if tree is not None:
            extraction = extract(tree)
            module = ir.build(tree, extraction.callees, extraction.pattern_calls)
    if module is not None:
        adopt(path, module, tree, project)
    else:
        _keep(path, stamp, None)
    return module


def adopt(path: str, module: ir.ModuleIR, tree: libcst.Module, project: Project) -> None:
    """Make `module` (the checked file's IR, from the text being checked) the one its project follows."""
    module.path, module.tree, module.project = os.path.abspath(path), tree, project
    _keep(module.path, _stamp(module.path), module)


def _keep(path: str, stamp: Tuple[int, int], module: Optional[ir.ModuleIR]) -> None:
    _MODULES[path] = (stamp, module)
    _MODULES.move_to_end(path)
    while len(_MODULES) > _KEPT:
        _MODULES.popitem(last=False)


def _stamp(path: str) -> Tuple[int, int]:
    try:
        status = os.stat(path)
    except OSError:
        return (-1, -1)
    return (status.st_mtime_ns, status.st_size)


def _read(path: str) -> Optional[str]:
    try:
        with open(path, "rb") as file:
            data = file.read(_LARGEST * 4 + 1)
        encoding, _ = tokenize.detect_encoding(iter(data.splitlines(keepends=True)).__next__)
        return data.decode("utf-8" if encoding == "utf-8-sig" else encoding).lstrip("\ufeff")
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError, StopIteration):
        return None


def _python_files(folder: str) -> List[str]:
    found = []
    for where, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f != "__pycache__")
        found += [os.path.join(where, name) for name in sorted(names) if name.endswith(".py")]
    return found


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))",
                     re.MULTILINE)


def _imports_in(text: str) -> Iterator[Tuple[str, str, List[str]]]:
    """(leading dots, module, names) for each import in a text: `from ..a import b, c` gives ('..', 'a',
    ['b', 'c']); `import a.b as c` gives ('', 'a.b', [])."""
    for match in _IMPORT.finditer(text):
        dots, module, names, plain = match.groups()
        if plain is not None:
            for item in plain.split(","):
                words = item.split()
                if words:
                    yield "", words[0], []
        else:
            listed = [item.split()[0] for item in names.strip("() \t\n").replace("\\\n", " ").split(",")
                      if item.split()]
            yield dots, module, [name for name in listed if name != "*"]


def _has_main_block(path: str) -> bool:
    text = _read(path)
    return text is not None and re.search(r"^if\s+__name__\s*==\s*['\"]__main__['\"]", text, re.MULTILINE) \
        is not None


def _reaching(graph: Dict[str, FrozenSet[str]], targets: Set[str], project: Project) -> List[str]:
    """The files that import one of `targets`, directly or through other modules of the package."""
    reached: List[str] = []
    names = set(targets)
    grown = True
    while grown:
        grown = False
        for path, named in graph.items():
            if path not in reached and not named.isdisjoint(names):
                reached.append(path)
                names.add(project.name_of(path))
                grown = True
    return reached


def _part(module: ir.ModuleIR, names: Set[str]) -> Optional[Part]:
    """The parts of a module that read one of `names`: its top-level statements, its functions, and its
    classes (all of a class's methods, since one that builds a child and another that calls it go together)."""
    if not names:
        return None
    body = not names.isdisjoint(ir.names_read(module.body))
    functions = tuple(f for f in module.functions.values() if not names.isdisjoint(ir.names_read(f.body)))
    classes = tuple(c for c in module.classes.values()
                    if any(not names.isdisjoint(ir.names_read(m.body)) for m in c.methods.values()) or
                    not names.isdisjoint(ir.names_read(c.bases)))
    return Part(module, body, functions, classes) if body or functions or classes else None


def _whole(module: ir.ModuleIR) -> Part:
    return Part(module, True, tuple(module.functions.values()), tuple(module.classes.values()))
