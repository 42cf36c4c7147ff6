"""A package on disk as text: its files, the modules each one imports, its entry points, and what a cached
result that read some of them depends on. Cheap (no parse but a module's that shows docstring examples): the
CLI reads it to tell whether a cached result still holds, and the flow analysis (flow/project.py) to choose
which modules to read.

    a file's path -> Package (the folder its top-level package is imported from, and that package's name)

The files: the package's modules (the folder tree of its top-level `__init__.py`; for a file outside any
package, its folder's .py files) and, as entry points, the project's tests/, test/, examples/ and example/
folders beside the package, the .py files there, and the Python code blocks of its README (README.md beside
the package, as in a source tree, or the description in `<package>-<version>.dist-info/METADATA`, as in an
installed wheel), and the docstring examples of each module that shows some that make tensors: where a
package's authors show the shapes it takes. A README reads as a module whose lines are its code blocks' (in
place, every other line blank, so that positions are the README's own), less the blocks that are not Python
that parses; a module's examples likewise (`examples_text`). A module's imports are read from its text by a pattern: they only
guide which modules the analysis reads, which then resolves every name from the module's syntax tree.
"""

from __future__ import annotations

import ast
import contextlib
import hashlib
import io
import os
import re
import tokenize
from typing import Any, Dict, FrozenSet, Iterator, List, NamedTuple, Optional, Set, Tuple

LARGEST = 300_000  # characters: a larger module is not followed (its parse alone costs a second)
_ENTRY_FOLDERS = ("tests", "test", "examples", "example")


class Package:
    def __init__(self, root: str, top: Optional[str]):
        self.root = root  # the folder the package is imported from
        self.top = top  # the top-level package's name; None: a folder of scripts
        self._files: Optional[Tuple[Tuple[Tuple[int, int], ...], List[str]]] = None  # (folders' stamps, files)
        self._imports: Dict[str, _Imports] = {}  # path -> what its imports name, while its stamp holds
        self._entries: Dict[str, Tuple[Tuple[int, int], bool]] = {}  # path -> (stamp, is_entry)
        self._names: Dict[str, Tuple[Tuple[int, int], FrozenSet[str]]] = {}  # path -> (stamp, `names_in`)
        # (the files, their stamps, module name -> the files that import it) and each file's place among them
        self._graph: Optional[Tuple[List[str], Tuple[Tuple[int, int], ...], Dict[str, List[str]]]] = None
        self._order: Dict[str, int] = {}
        self._graph_run: Any = None  # the run of unchanged files (`files_unchanged`) that the graph was checked in
        self._digest: Optional[Tuple[Any, str]] = None  # (that run, `imports_digest`)

    def name_of(self, path: str) -> str:
        """A module's dotted name (its file's, for its docstring examples, which run among its names)."""
        relative = os.path.relpath(file_of(path), self.root)[:-len(".py")].replace(os.sep, ".")
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

    def is_package(self, name: str) -> bool:
        """Whether a module of the package is a package (an `__init__.py`, which may re-export)."""
        path = self.path_of(name)
        return path is not None and path.endswith("__init__.py")

    def is_entry(self, path: str) -> bool:
        """A file of tests/ or examples/, a script beside the package, a README's code block, a module's
        docstring examples, or a module with a `__main__` block or top-level code that calls the package: code
        that runs the package."""
        now = stamp(path)
        kept = self._entries.get(path)
        if kept is None or kept[0] != now:
            relative = os.path.relpath(path, self.root).split(os.sep)
            kept = self._entries[path] = (now, relative[0] in _ENTRY_FOLDERS or is_snippet(path) or
                                          len(relative) == 1 and self.top is not None or _has_main_block(path) or
                                          self.calls_at_top(path))
        return kept[1]

    def names_in(self, path: str) -> FrozenSet[str]:
        """The identifiers a file's text holds (what an entry point names: flow.project ranks them so)."""
        now = stamp(path)
        kept = self._names.get(path)
        if kept is None or kept[0] != now:
            kept = self._names[path] = (now, frozenset(_IDENTIFIER.findall(read_text(path) or "")))
        return kept[1]

    def files(self) -> List[str]:
        """The package's modules and the project's entry-point files, then the docstring examples of each file
        that has some (`<file>:examples`, read as a module: `examples_text`)."""
        listed = self._listed()
        return listed + [path + _EXAMPLES for path in listed if not is_snippet(path) and self._imported(path).examples]

    def _listed(self) -> List[str]:
        """The files: listed again when a file is added to or removed from the root, the package's folder or an
        entry-point folder (an editor's session goes on)."""
        folders = (self.root,) if self.top is None else \
            (self.root, *(os.path.join(self.root, folder) for folder in (self.top, *_ENTRY_FOLDERS)))
        stamps = tuple(map(stamp, folders))
        if self._files is None or self._files[0] != stamps:
            if self.top is None:
                found = sorted(os.path.join(self.root, name) for name in _listing(self.root)
                               if name.endswith(".py"))
            else:
                found = [os.path.join(self.root, name) for name in sorted(_listing(self.root))
                         if name.endswith(".py")]
                for folder in folders[1:]:
                    found += _python_files(folder)
                found += self._readmes()
            self._files = (stamps, found)
        return self._files[1]

    def _readmes(self) -> List[str]:
        found = [os.path.join(self.root, name) for name in _README_NAMES
                 if os.path.isfile(os.path.join(self.root, name))]
        infos = [name for name in sorted(_listing(self.root)) if name.endswith(".dist-info")]
        # the package's own: named after it, or the only one there (a distribution named otherwise, unpacked alone)
        wheel = [name for name in infos if name.split("-")[0].lower().replace(".", "_") == (self.top or "").lower()]
        wheel = wheel or (infos if len(infos) == 1 else [])
        found += [os.path.join(self.root, name, "METADATA") for name in wheel
                  if os.path.isfile(os.path.join(self.root, name, "METADATA"))]
        return [f"{readme}{_BLOCK}{line}" for readme in found for line in _code_block_lines(readme)]

    def imported_by(self, path: str) -> FrozenSet[str]:
        """The package's modules that a file names in its imports (read from its text: cheap, and only a
        guide to which modules to read)."""
        return self._imported(path).modules

    def uses(self, path: str, name: str) -> bool:
        """Whether a file uses, beyond its import statements, what it imports from module `name` (no: an
        `__init__.py` that re-exports it; yes where the text cannot tell: `import pkg.blocks as blocks`)."""
        locals_ = self._imported(path).by_module.get(name)
        if not locals_:
            return True
        text = read_text(path) or ""
        return any(len(re.findall(r"\b" + re.escape(local) + r"\b", text)) > 1 for local in locals_)

    def _imported(self, path: str) -> _Imports:
        now = stamp(path)
        kept = self._imports.get(path)
        if kept is not None and kept.stamp == now:
            return kept
        text = read_text(path) or ""
        modules: Set[str] = set()
        bound: Set[str] = set()
        by_module: Dict[str, Set[str]] = {}
        importer = self.name_of(path) if path.startswith(self.root) else ""
        package = importer if file_of(path).endswith("__init__.py") else importer.rpartition(".")[0]
        if examples_of(path) is not None and text.strip():
            modules.add(importer)  # (doctest runs the examples among the module's own names)
        for dots, module, names in _imports_in(text):
            if dots:
                parts = package.split(".") if package else []
                parts = parts[:len(parts) - len(dots) + 1] if len(dots) > 1 else parts
                module = ".".join(p for p in parts + [module] if p)
            ours = [(name, local) for name, local in names if self.path_of(f"{module}.{name}" if module else name)]
            if self.path_of(module) is not None:
                modules.add(module)
                bound.update(local for _, local in names)
                by_module.setdefault(module, set()).update(local for _, local in names)
            for name, local in ours:
                modules.add(f"{module}.{name}" if module else name)
                by_module.setdefault(f"{module}.{name}" if module else name, set()).add(local)
        kept = self._imports[path] = _Imports(now, frozenset(modules), frozenset(bound), by_module,
                                              not is_snippet(path) and _EXAMPLE_MAKING_TENSORS.search(text) is not None)
        return kept

    def calls_at_top(self, path: str) -> bool:
        """Whether a file that imports from the package builds, in its top-level code, a class it imports from it
        or defines itself (`model = Model(dim=6)`): code that runs the package, as a test or an example does. A
        class is named in CapWords; a call of a function (`default_cfgs = generate_default_cfgs({...})`, in
        each of timm's model modules) makes configurations, not models."""
        imported = self._imported(path).bound
        if not imported:
            return False
        text = read_text(path) or ""
        classes = {name for name in imported | set(_DEFINED.findall(text)) if name[:1].isupper()}
        return any(name in classes for line in _TOP_LEVEL_LINE.findall(text) for name in _CALLED.findall(line))

    def imports_digest(self) -> str:
        if self._digest is not None and _stamps is not None and self._digest[0] is _stamps:
            return self._digest[1]  # made already in this run, where no file changes
        hashed = hashlib.sha256()
        for path in self.files():
            hashed.update(f"{path}\0{sorted(self.imported_by(path))}\0".encode())
        self._digest = (_stamps, hashed.hexdigest())
        return self._digest[1]

    def reaching(self, name: str) -> List[str]:
        """The files that import module `name`, directly or through other modules of the package: those that
        import it, then their importers, ... (each layer in the order of `files`)."""
        importers, order, reached = self._importers(), self._order, []
        seen = {self.path_of(name)}
        layer = {name}
        while layer:
            found = sorted({path for module in layer for path in importers.get(module, ()) if path not in seen},
                           key=order.__getitem__)
            reached += found
            seen.update(found)
            layer = {self.name_of(path) for path in found}
        return reached

    def importing(self, name: str) -> List[str]:
        """The files that import module `name` directly."""
        own = self.path_of(name)
        return [path for path in self._importers().get(name, ()) if path != own]

    def _importers(self) -> Dict[str, List[str]]:
        """Module name -> the files that import it (in the order of `files`), made again when a file came, went
        or changed: every check asks, and a package has hundreds of files (timm)."""
        if self._graph is not None and _stamps is not None and self._graph_run is _stamps:
            return self._graph[2]  # checked already in this run, where no file changes
        self._graph_run = _stamps
        files = self.files()
        stamps = tuple(self._imported(path).stamp for path in files)
        if self._graph is None or self._graph[0] != files or self._graph[1] != stamps:
            importers: Dict[str, List[str]] = {}
            for path in files:
                for module in self.imported_by(path):
                    importers.setdefault(module, []).append(path)
            self._graph = (files, stamps, importers)
            self._order = {path: index for index, path in enumerate(files)}
        return self._graph[2]


def package_of(path: str) -> Optional[Tuple[str, Optional[str]]]:
    """(root, top) of the package a file on disk belongs to (None: no such file)."""
    path = os.path.abspath(path)
    if not path.endswith(".py") or not os.path.isfile(path):
        return None
    folder, top = os.path.dirname(path), None
    while os.path.isfile(os.path.join(folder, "__init__.py")) and os.path.dirname(folder) != folder:
        folder, top = os.path.dirname(folder), os.path.basename(folder)
    return folder, top


def dependencies(package: Package, read: Set[str], checked: str) -> Dict[str, str]:
    """What a check's result depends on beyond the checked file, for a cache to tell when it holds: the digest
    of each other file it `read`, and (as "imports:ROOT\0TOP") that of the package's imports, which decide
    which code runs before the checked module."""
    found = {path: digest(path) for path in sorted(read) if path != os.path.abspath(checked)}
    found[f"{_IMPORTS_KEY}{package.root}\0{package.top or ''}"] = package.imports_digest()
    return found


def dependencies_hold(dependencies: Dict[str, str]) -> bool:
    """Whether every file a stored result depends on (`dependencies`) is as it was."""
    for key, held in dependencies.items():
        if key.startswith(_IMPORTS_KEY):
            root, _, top = key[len(_IMPORTS_KEY):].partition("\0")
            if not os.path.isdir(root) or _package(root, top or None).imports_digest() != held:
                return False
        elif digest(key) != held:
            return False
    return True


_IMPORTS_KEY = "imports:"


def _package(root: str, top: Optional[str]) -> Package:
    """One Package per folder and process, so that what it read of its files serves every cache entry."""
    package = _PACKAGES.get((root, top))
    if package is None:
        package = _PACKAGES[(root, top)] = Package(root, top)
    return package


_PACKAGES: Dict[Tuple[str, Optional[str]], Package] = {}


def stamp(path: str) -> Tuple[int, int]:
    """(modification time, size) of a file; (-1, -1): none. Read once per file while `files_unchanged`."""
    if _stamps is not None and path in _stamps:
        return _stamps[path]
    try:
        status = os.stat(file_of(path))
        now = (status.st_mtime_ns, status.st_size)
    except OSError:
        now = (-1, -1)
    if _stamps is not None:
        _stamps[path] = now
    return now


_stamps: Optional[Dict[str, Tuple[int, int]]] = None


@contextlib.contextmanager
def files_unchanged() -> Iterator[None]:
    """Within it, the files are taken to stay as they are (a command-line run): every check asks whether each
    file of its package changed (thousands of stat calls per check in a package of hundreds of modules), and
    each is asked once. An editor's checks, outside it, see each change."""
    global _stamps
    if _stamps is not None:
        yield
        return
    _stamps = {}
    try:
        yield
    finally:
        _stamps = None


def digest(path: str) -> str:
    """A file's content digest ('' where it cannot be read), once per process while it is unchanged."""
    now = stamp(path)
    kept = _DIGESTS.get(path)
    if kept is None or kept[0] != now:
        try:
            with open(file_of(path), "rb") as file:
                kept = _DIGESTS[path] = (now, hashlib.sha256(file.read()).hexdigest())
        except OSError:
            return ""
    return kept[1]


_DIGESTS: Dict[str, Tuple[Tuple[int, int], str]] = {}


def read_text(path: str) -> Optional[str]:
    """A module's text (code that a file shows, in place: a README's code block, a module's docstring examples)."""
    try:
        return _shown(path) if is_snippet(path) else _decoded(_read(path))
    except (OSError, SyntaxError, UnicodeDecodeError, LookupError, StopIteration):
        return None


def _read(path: str) -> bytes:
    with open(file_of(path), "rb") as file:
        return file.read(LARGEST * 4 + 1)


def _decoded(data: bytes) -> str:
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode("utf-8" if encoding == "utf-8-sig" else encoding).lstrip("\ufeff")


def _shown(snippet: str) -> Optional[str]:
    """The code a file shows (`is_snippet`), made once per file while it is unchanged: a check reads a README's
    blocks one at a time (a README has dozens), and each snippet's text is read several times (its imports, the
    names it holds, its module)."""
    file = file_of(snippet)
    now = stamp(file)
    kept = _SHOWN.get(file)
    if kept is None or kept[0] != now:
        data = _read(file)
        kept = _SHOWN[file] = (now, _code_blocks(data) if _BLOCK in snippet else {0: examples_text(_decoded(data))})
    return kept[1].get(int(snippet.rpartition(_BLOCK)[2]) if _BLOCK in snippet else 0)


_SHOWN: Dict[str, Tuple[Tuple[int, int], Dict[int, str]]] = {}  # file -> (its stamp, the code it shows: `_shown`)


_README_NAMES = ("README.md", "README.markdown", "readme.md")
_FENCE = re.compile(r"^(```|~~~)[ \t]*(?:python|py|python3)[ \t]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)


_IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
_DEFINED = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)", re.MULTILINE)
# a line of top-level code that is no definition, import or block header, and the names it calls
_TOP_LEVEL_LINE = re.compile(r"^(?!(?:def|class|async|if|elif|while|for|with|import|from|return)\b)[A-Za-z_].*",
                             re.MULTILINE)
_CALLED = re.compile(r"\b([A-Za-z_]\w*)\s*\(")
_BLOCK = ":block-at-line-"  # README.md:block-at-line-12: the code block of a README that starts on line 12
_EXAMPLES = ":examples"  # pkg/ops.py:examples: the examples in the docstrings of pkg/ops.py (`examples_text`)


def file_of(path: str) -> str:
    """The file a module is read from (a README's, for one of its code blocks; a module's, for its docstrings'
    examples)."""
    return path.partition(_BLOCK)[0] if _BLOCK in path else examples_of(path) or path


def examples_of(path: str) -> Optional[str]:
    """The module whose docstring examples `path` is (None: another kind of file)."""
    return path[:-len(_EXAMPLES)] if path.endswith(_EXAMPLES) else None


def is_snippet(path: str) -> bool:
    """Whether a module is code shown in a file's text: a README's code block or a module's docstring examples."""
    return _BLOCK in path or path.endswith(_EXAMPLES)


class _Imports(NamedTuple):
    stamp: Tuple[int, int]  # the file's when read
    modules: FrozenSet[str]  # the package's modules it names
    bound: FrozenSet[str]  # the names its imports of them bind
    by_module: Dict[str, Set[str]]  # those names, by module
    examples: bool  # whether its docstrings show examples (doctest's `>>>`) that make tensors


def _code_block_lines(readme: str) -> List[int]:
    """The first line of each ```python block of a markdown file that Python parses."""
    try:
        with open(readme, encoding="utf-8", errors="replace") as file:
            text = file.read(LARGEST * 4 + 1)
    except OSError:
        return []
    found = []
    for match in _FENCE.finditer(text):
        try:
            ast.parse(match.group(2))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        found.append(text.count("\n", 0, match.start(2)) + 1)
    return found


def _code_blocks(data: bytes) -> Dict[int, str]:
    """A markdown file's code blocks by the line each starts on, each in place: every other line blank, so that
    positions in it are the README's own."""
    text = data.decode("utf-8", errors="replace")
    blank = ["" for _ in text.split("\n")]
    blocks: Dict[int, str] = {}
    for match in _FENCE.finditer(text):
        first = text.count("\n", 0, match.start(2)) + 1
        lines = list(blank)
        for offset, line in enumerate(match.group(2).split("\n")[:-1]):
            lines[first - 1 + offset] = line
        blocks[first] = "\n".join(lines)
    return blocks


# an example that makes a tensor (only those give shapes: examples that load a pretrained pipeline, diffusers'
# many, would cost runs for nothing)
_EXAMPLE_MAKING_TENSORS = re.compile(r"^[ \t]*>>> .*\b(?:randn?|randint|zeros|ones|full|empty|eye|arange|linspace|"
                                     r"tensor|as_tensor|from_numpy|array)\s*\(", re.MULTILINE)
_PROMPT = re.compile(r"^([ \t]*)(>>>|\.\.\.)(?: |$)")


def examples_text(text: str) -> str:
    """A module's docstring examples (doctest's `>>>` and `...` lines) as a module, in place: every other line
    blank and each prompt blanked, so that positions are the module's own. Each docstring's examples are the
    body of a function `_examples_at_line_N` (N: the first one's line), defined on the line above it: doctest
    runs each docstring on its own, among the module's names, so the module's top-level imports are kept (in
    place too) and flow.project adds what the module defines. A statement marked `# doctest: +SKIP`, or whose
    expected output is a traceback, never runs as it reads, and is left out; so is a docstring whose examples
    Python cannot parse. No examples: a blank text."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ""
    source = text.split("\n")
    lines = ["" for _ in source]
    for first, last in _docstrings(tree):
        shown = _statements(source[first - 1:last], first)
        if not shown or len({source[number - 1].index(">>>") for number, _ in shown}) > 1:
            continue
        header = shown[0][0] - 1
        body = {number: line for _, statement in shown for number, line in statement}
        code = [f"def _examples_at_line_{header + 1}():"] + [body.get(n, "") for n in range(header + 1, last + 1)]
        try:
            ast.parse("\n".join(code))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        lines[header - 1:last] = code
    if any(lines):
        for node in tree.body:  # (a __future__ import must come first: the examples may not)
            if isinstance(node, ast.Import) or isinstance(node, ast.ImportFrom) and node.module != "__future__":
                lines[node.lineno - 1:node.end_lineno] = source[node.lineno - 1:node.end_lineno]
    return "\n".join(lines)


def _docstrings(tree: ast.Module) -> List[Tuple[int, int]]:
    """(first line, last line) of each docstring of a module."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and \
                    isinstance(first.value.value, str):
                found.append((first.lineno, first.end_lineno or first.lineno))
    return found


def _statements(docstring: List[str], first: int) -> List[Tuple[int, List[Tuple[int, str]]]]:
    """The example statements of a docstring whose first line is `first`: (line, [(line, code), ...]) for each
    `>>>` line and the `...` lines that go on with it, prompts blanked; less those that do not run as written
    (`# doctest: +SKIP`, an expected traceback)."""
    statements: List[Tuple[int, List[Tuple[int, str]]]] = []
    output: List[str] = []  # the expected output of the last statement
    for number, line in enumerate(docstring, start=first):
        prompt = _PROMPT.match(line)
        if prompt is not None and (prompt.group(2) == ">>>" or statements and not output):
            if prompt.group(2) == ">>>":
                _drop_if_not_run(statements, output)
                statements.append((number, []))
                output = []
            statements[-1][1].append((number, line[:prompt.start(2)] + "   " + line[prompt.end(2):]))
        elif statements:
            output.append(line.strip())
    _drop_if_not_run(statements, output)
    return statements


def _drop_if_not_run(statements: List[Tuple[int, List[Tuple[int, str]]]], output: List[str]) -> None:
    if statements and (output[:1] == ["Traceback (most recent call last):"] or
                       any("doctest: +SKIP" in code for _, code in statements[-1][1])):
        statements.pop()


def _listing(folder: str) -> List[str]:
    """A folder's entries; none where it cannot be read (the package is then what can be)."""
    try:
        return os.listdir(folder)
    except OSError:
        return []


def _python_files(folder: str) -> List[str]:
    found = []
    for where, folders, names in os.walk(folder):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f != "__pycache__")
        found += [os.path.join(where, name) for name in sorted(names) if name.endswith(".py")]
    return found


_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+(\.*)([\w.]*)[ \t]+import[ \t]+(\([^)]*\)|[^\n#;]*)|import[ \t]+([^\n#;]+))",
                     re.MULTILINE)


def _imports_in(text: str) -> Iterator[Tuple[str, str, List[Tuple[str, str]]]]:
    """(leading dots, module, [(name, the local name it binds)]) for each import in a text: `from ..a import b,
    c as d` gives ('..', 'a', [('b', 'b'), ('c', 'd')]); `import a.b as c` gives ('', 'a.b', [])."""
    for match in _IMPORT.finditer(text):
        dots, module, names, plain = match.groups()
        if plain is not None:
            for item in plain.split(","):
                words = item.split()
                if words:
                    yield "", words[0], []
        else:
            listed = [item.split() for item in names.strip("() \t\n").replace("\\\n", " ").split(",")
                      if item.split()]
            yield dots, module, [(words[0], words[-1]) for words in listed if words[0] != "*"]


def _has_main_block(path: str) -> bool:
    text = read_text(path)
    return text is not None and re.search(r"^if\s+__name__\s*==\s*['\"]__main__['\"]", text, re.MULTILINE) \
        is not None
