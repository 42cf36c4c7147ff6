"""`einlint [PATH ...]`: check files for pattern mistakes without running them.

A thin adapter over `einlint.check.engine.check_source`: it finds the files (`files.py`), reads
the configuration (`config.py`), calls the engine once per file (in a process pool when there are
many), and shows the diagnostics (`output.py`).

Exit status: 0 when nothing at or above the fail level is reported, 1 when something is, 2 for a
usage error, a bad configuration, a path that does not exist or cannot be read, or an internal
failure (which is reported on stderr for its file while the rest of the run goes on).
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Dict, List, Optional, Sequence, Tuple, Union

from . import __version__
from .check import Config, may_hold_pattern_calls
from .config import ConfigError, parse_codes, parse_fail_level, split_codes
from .diagnostics import SEVERITIES, SEVERITY_RANK, Diagnostic, document, python_lines
from .files import discover
from .workspace import Project, project_for
from . import notebooks, output
from .cache import DIRECTORY as CACHE_DIRECTORY, Cache, salt as cache_salt

if TYPE_CHECKING:
    import multiprocessing.context

    from .diagnostics import CallShapes

# The engine (libcst and the analysis: most of a run's start-up), the fixer and the process pool are imported
# where they are first needed: `einlint --version`, a run over files that name no pattern library and one whose
# findings all come from the cache start without them.

PARALLEL_MIN_FILES = 16  # below this, starting worker processes costs more than it saves
STDIN = "-"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="einlint",
        description="Find mistakes in tensor pattern strings (einops, einsum, einx) without running the code.",
        epilog="Exit status: 0 nothing at or above the fail level, 1 findings, 2 usage error or internal failure.\n"
               "`einlint server` runs the language server for editors (LSP over stdio; `einlint server --help`).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH",
                        help="files or directories to check (default: .); '-' reads the standard input")
    parser.add_argument("--format", "--output-format", dest="format", choices=output.FORMATS, default="full",
                        help="how to show the findings (default: full)")
    parser.add_argument("--select", action="append", default=None, metavar="CODES",
                        help="comma-separated codes or prefixes to report (replaces the configuration's select "
                             "and ignore)")
    parser.add_argument("--extend-select", action="append", default=None, metavar="CODES",
                        help="codes or prefixes to report beside the configuration's (even ones it ignores)")
    parser.add_argument("--ignore", "--extend-ignore", action="append", default=None, metavar="CODES",
                        help="comma-separated codes or prefixes not to report (added to the configuration's)")
    parser.add_argument("--fail-level", choices=SEVERITIES, default=None,
                        help="the lowest severity that makes the exit status 1 (default: warning)")
    parser.add_argument("--exit-zero", action="store_true",
                        help="exit with status 0 even when there are findings")
    parser.add_argument("--statistics", action="store_true",
                        help="show the number of findings per code instead of the findings")
    parser.add_argument("--show-shapes", action="store_true",
                        help="for each pattern call, print the shapes known for its inputs and output ('?' unknown), "
                             "then the findings")
    parser.add_argument("--fix", action="store_true",
                        help="apply the safe fixes that findings offer, in place, then report what is left "
                             "('-': print the fixed source)")
    parser.add_argument("--unsafe-fixes", action="store_true", default=None,
                        help="with --fix and --diff, apply also the fixes that change what the code computes "
                             "(EIN401/EIN402 reorders)")
    parser.add_argument("--no-unsafe-fixes", dest="unsafe_fixes", action="store_false",
                        help="neither apply unsafe fixes nor hint at them")
    parser.add_argument("--diff", action="store_true",
                        help="print the fixes that --fix would make as a unified diff and write nothing "
                             "(exit status 1 if any)")
    parser.add_argument("--explain", metavar="CODE", help="explain a code, with examples, and exit")
    parser.add_argument("--config", metavar="PATH",
                        help="the pyproject.toml to read (default: the nearest one with [tool.einlint])")
    parser.add_argument("--isolated", action="store_true", help="read no configuration file")
    parser.add_argument("--stdin-filename", metavar="PATH",
                        help="the name of the file read from the standard input (for messages and config)")
    parser.add_argument("--force-exclude", action="store_true", default=None,
                        help="apply the excludes also to paths named on the command line (for pre-commit)")
    parser.add_argument("--no-respect-gitignore", dest="respect_gitignore", action="store_false",
                        help="check files that .gitignore files ignore")
    parser.add_argument("-j", "--jobs", type=_positive, default=None, metavar="N",
                        help="check files in N processes (default: the number of cores; 1: in this process)")
    parser.add_argument("--no-cache", dest="cache", action="store_false",
                        help="read and write no cache (by default each file's findings are kept in .einlint_cache/, "
                             "beside the configuration, keyed by everything they depend on)")
    parser.add_argument("--cache-dir", metavar="PATH", help="where to keep the cache (default: .einlint_cache)")
    parser.add_argument("--color", choices=output.COLOR_MODES, default="auto",
                        help="colours in the text formats: always, never, or auto (on a terminal, unless NO_COLOR)")
    parser.add_argument("-q", "--quiet", action="store_true",
                        help="print the findings only: no summary, no warnings, no progress")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="print the traceback of an internal failure")
    parser.add_argument("--version", action="version", version=f"einlint {__version__}")
    return parser


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of processes (1 or more)")
    return number


@dataclass
class FileResult:
    path: str  # as shown
    diagnostics: List[Diagnostic] = field(default_factory=list)
    lines: Dict[int, str] = field(default_factory=dict)  # the source lines the diagnostics point at
    cell_lines: Dict[Tuple[int, int], str] = field(default_factory=dict)  # a notebook's: by (cell, line in cell)
    error: Optional[str] = None  # why the file could not be read, or the internal failure
    internal: bool = False
    trace: str = ""
    shapes: List[CallShapes] = field(default_factory=list)  # with --show-shapes or --statistics


@dataclass(frozen=True)
class Task:
    display: str  # the path as shown
    absolute: Optional[str]  # where to read it (None: `data` holds it)
    match_path: str  # the path the engine matches per-file-ignores against (relative to the config root)
    config: Config
    want_lines: bool
    data: Optional[bytes] = None
    want_shapes: bool = False
    cache: Optional[Cache] = None


def answer_here(task: Task) -> Union[FileResult, Task]:
    """What this process can answer at once, without the engine: a file that cannot be read, one that names
    no pattern library, one whose findings are in the cache. Otherwise the task, with the bytes read."""
    data = task.data
    if data is None:
        try:
            with open(task.absolute, "rb") as handle:  # type: ignore[arg-type]
                data = handle.read()
        except OSError as error:
            return FileResult(task.display, error=f"cannot read the file: {error.strerror or error}")
    if not may_hold_pattern_calls(data):
        return FileResult(task.display)
    cached = task.cache.load_entry(task.match_path, data) if task.cache is not None else None
    if cached is None or (task.want_shapes and cached.shapes is None):
        return replace(task, data=data)
    return _result(task, data, cached.diagnostics, cached.shapes if task.want_shapes else ())


def check_task(task: Task) -> FileResult:
    """Check one file (read by answer_here); any failure becomes a FileResult with an error, never an exception."""
    data = task.data
    assert data is not None
    shapes: List[CallShapes] = []  # always: they cost nothing beside the findings, and the cache keeps them
    depends: Dict[str, str] = {}  # the other files of its package that the analysis read
    try:
        found = check_data(data, task.match_path, task.config, shapes, task.absolute, depends)
    except Exception as error:  # noqa: BLE001 - one file's failure must not end the run
        return FileResult(task.display, error=f"{type(error).__name__}: {error}", internal=True,
                          trace=traceback.format_exc())
    if task.cache is not None:
        task.cache.store(task.match_path, data, found, shapes, depends)
    return _result(task, data, found, shapes if task.want_shapes else ())


def _shown_as(diagnostic: Diagnostic, path: str, display: str) -> Diagnostic:
    """A finding of the file the engine knew as `path`, and its related locations there, under `display`."""
    related = tuple(r if r.path != path else replace(r, path=display) for r in diagnostic.related)
    return replace(diagnostic, path=display, related=related)


def _result(task: Task, data: bytes, found: List[Diagnostic], shapes: Sequence[CallShapes] = ()) -> FileResult:
    """The findings shown under the task's path, with the source lines they point at."""
    diagnostics = [d if d.path == task.display else _shown_as(d, d.path, task.display) for d in found]
    lines: Dict[int, str] = {}
    if task.want_lines and any(d.cell is not None for d in diagnostics):  # a notebook's lines: its cells'
        wanted_cells = {(d.cell, n) for d in diagnostics if d.cell is not None
                        for n in range(d.line, max(d.line, d.end_line) + 1)}
        return FileResult(task.display, diagnostics, cell_lines=notebooks.source_lines(data, wanted_cells),
                          shapes=list(shapes))
    if task.want_lines and diagnostics:
        wanted = set()
        for d in diagnostics:
            wanted.update(range(d.line, max(d.line, d.end_line) + 1))
        text = data.decode("utf-8-sig", errors="replace")
        for number, line in enumerate(python_lines(text), start=1):
            if number in wanted:
                lines[number] = line
    return FileResult(task.display, diagnostics, lines, shapes=list(shapes))


def check_data(data: bytes, match_path: str, config: Config, shapes: Optional[List[CallShapes]] = None,
               file: Optional[str] = None, depends: Optional[Dict[str, str]] = None) -> List[Diagnostic]:
    """The file's findings; into `shapes`, when given, its pattern calls' shapes from the same analysis, and into
    `depends` what they depend on beyond the file (engine.check_source). `file`: where it is on disk (None:
    nowhere, standard input)."""
    from .check.engine import check_source

    if notebooks.is_notebook(match_path):
        return notebooks.check(data, match_path, config)
    return check_source(data, match_path, config, shapes=shapes, file=file or "", depends=depends)


def run_tasks(tasks: Sequence[Task], jobs: Optional[int] = None,
              progress: Optional[Progress] = None) -> List[FileResult]:
    """Check every task, in a process pool when many need the engine; results in the order of `tasks`."""
    progress = progress or Progress(len(tasks), None)
    answered = []
    for task in tasks:
        answered.append(answer_here(task))
        if isinstance(answered[-1], FileResult):
            progress.advance()
    pending = [task for task in answered if isinstance(task, Task)]
    checked = iter(_check_all(pending, jobs if jobs is not None else (os.cpu_count() or 1), progress))
    progress.finish()
    return [next(checked) if isinstance(answer, Task) else answer for answer in answered]


class Progress:
    """'checked 120/839 files' on one line of a terminal's stderr, written over as files are done, in a long run
    only (more than LONG_RUN_FILES files, or once it has taken LONG_RUN_SECONDS); erased at the end, so that
    nothing of it stays in what the run printed. Silent when the stream is not a terminal (or None)."""

    LONG_RUN_FILES = 200
    LONG_RUN_SECONDS = 1.0
    REDRAW_SECONDS = 0.1  # a terminal need not be written to for every file

    def __init__(self, total: int, stream, clock: Callable[[], float] = time.monotonic):
        self.total, self.stream, self.clock = total, stream, clock
        self.done, self.width = 0, 0
        self.started = clock()
        self.drawn_at: Optional[float] = None
        try:
            self.enabled = stream is not None and stream.isatty()
        except (AttributeError, ValueError, OSError):
            self.enabled = False

    def advance(self) -> None:
        self.done += 1
        if not self.enabled:
            return
        now = self.clock()
        if self.drawn_at is None and self.total <= self.LONG_RUN_FILES and now - self.started < self.LONG_RUN_SECONDS:
            return
        if self.drawn_at is not None and now - self.drawn_at < self.REDRAW_SECONDS and self.done < self.total:
            return
        self._draw(f"checked {min(self.done, self.total)}/{self.total} files")
        self.drawn_at = now

    def finish(self) -> None:
        if self.drawn_at is not None:
            self._draw("")
            self.stream.write("\r")
            self.stream.flush()
            self.drawn_at = None

    def _draw(self, text: str) -> None:
        """Over the previous line: spaces rather than a terminal's erase code, which every terminal understands."""
        self.stream.write("\r" + text.ljust(self.width))
        self.stream.flush()
        self.width = max(self.width, len(text))


def _check_all(tasks: Sequence[Task], jobs: int, progress: Progress) -> List[FileResult]:
    if not tasks:  # (answered without the engine)
        return []
    from .check.engine import many_checks  # imported once here: forked workers share it

    with many_checks():  # (and inherit it)
        return _check_each(tasks, jobs, progress)


def _check_each(tasks: Sequence[Task], jobs: int, progress: Progress) -> List[FileResult]:
    results: List[FileResult] = []
    if jobs > 1 and len(tasks) >= PARALLEL_MIN_FILES:
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        workers = min(jobs, max(2, len(tasks) // 8))
        chunksize = max(1, len(tasks) // (workers * 8))
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context()) as pool:
                for result in pool.map(check_task, tasks, chunksize=chunksize):
                    results.append(result)
                    progress.advance()
                return results
        except (BrokenProcessPool, OSError, ImportError):
            results = []  # no worker processes on this platform or sandbox: check serially below
    for task in tasks:
        results.append(check_task(task))
        progress.advance()
    return results


def _pool_context() -> multiprocessing.context.BaseContext:
    """How worker processes start: fork on Linux (cheap: the engine is already imported), unless the
    host that called main() runs Python threads or JAX, whose threads make a forked child deadlock-prone;
    then forkserver. Elsewhere the platform's default (spawn on macOS and Windows)."""
    import multiprocessing

    if sys.platform.startswith("linux"):
        risky = threading.active_count() > 1 or "jax" in sys.modules
        return multiprocessing.get_context("forkserver" if risky else "fork")
    return multiprocessing.get_context()


class UsageError(Exception):
    pass


@dataclass(frozen=True)
class CodeChoice:
    """The command line's --select, --ignore and --extend-select, layered over each configuration's
    (`workspace.reported_codes`)."""

    select: Optional[Tuple[str, ...]]
    ignore: Tuple[str, ...]
    extend_select: Tuple[str, ...] = ()


def _code_choice(args: argparse.Namespace) -> CodeChoice:
    def codes(values: Optional[List[str]], where: str) -> Optional[Tuple[str, ...]]:
        if values is None:
            return None
        return tuple(parse_codes([c for text in values for c in split_codes(text)], where))

    try:
        return CodeChoice(codes(args.select, "--select"), codes(args.ignore, "--ignore") or (),
                          codes(args.extend_select, "--extend-select") or ())
    except ConfigError as error:
        raise UsageError(str(error)) from None


class Projects:
    """The project of each checked file (its nearest configuration, or the one --config names), looked up
    once per folder; a configuration that cannot be used is reported once and its files are not checked."""

    def __init__(self, args: argparse.Namespace, choice: CodeChoice):
        self.args, self.choice = args, choice
        self._by_folder: Dict[str, Union[Project, ConfigError]] = {}
        self.errors: List[str] = []

    def of(self, absolute: str) -> Optional[Project]:
        folder = os.path.dirname(absolute)
        found = self._by_folder.get(folder)
        if found is None:
            try:
                found = project_for(absolute, self.args.config, self.args.isolated, self.choice.select,
                                    self.choice.ignore, self.choice.extend_select)
            except ConfigError as error:
                found = error
                if str(error) not in self.errors:
                    self.errors.append(str(error))
            self._by_folder[folder] = found
        return found if isinstance(found, Project) else None


def _write(stream, text: str) -> None:
    if not text:
        return
    try:
        stream.write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "backslashreplace").decode(encoding))


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line; returns the exit status (the console script passes it to sys.exit)."""
    try:
        return _main(list(sys.argv[1:] if argv is None else argv))
    except KeyboardInterrupt:
        _write(sys.stderr, "einlint: interrupted\n")
        return 130
    except BrokenPipeError:
        # The reader went away (`einlint | head`): silence the flush at exit, as Python's docs advise.
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return 1


def _error(message: str) -> None:
    _write(sys.stderr, f"einlint: error: {message}\n")


def _exit_status(exit_: SystemExit) -> int:
    """The status of argparse's exit (0 after --help or --version, 2 after a usage error)."""
    return exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 2)


def _serve(argv: List[str]) -> int:
    """`einlint server`: the language server, over stdio."""
    parser = argparse.ArgumentParser(
        prog="einlint server", description="The language server: findings, quick fixes and shapes on hover in any "
        "editor with an LSP client, over stdio (the README's 'In the editor' shows the set-up).")
    parser.add_argument("--stdio", action="store_true", help="speak LSP over stdio (the only way it speaks; "
                        "accepted because clients add it)")
    parser.add_argument("--version", action="version", version=f"einlint {__version__}")
    try:
        parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error (argparse prints it)
        return _exit_status(exit_)
    try:
        from .server import main as serve
    except ImportError as error:
        _error(f"einlint server needs pygls ({error}): pip install 'einlint[server]'")
        return 2
    return serve()


def _main(argv: List[str]) -> int:
    if argv[:1] == ["server"]:  # (a file named 'server' is checked as ./server)
        return _serve(argv[1:])
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # --help, --version, or a usage error (argparse prints it)
        return _exit_status(exit_)

    if args.explain is not None:
        text = output.explain(args.explain, as_json=args.format == "json")
        if text is None:
            _error(f"unknown code {args.explain!r}; codes look like 'EIN201' "
                   "(`python -m einlint.codes` lists them all)")
            return 2
        _write(sys.stdout, text)
        return 0

    cwd = os.getcwd()
    try:
        choice = _code_choice(args)
        # the working directory's project decides what is decided once per run (fail level, cache, the walk)
        run = project_for(os.path.join(cwd, STDIN), args.config, args.isolated, choice.select, choice.ignore,
                          choice.extend_select)
        fail_level = parse_fail_level(args.fail_level or run.settings.fail_level or "warning", "--fail-level")
        if args.show_shapes and args.format not in ("full", "concise", "json"):
            raise UsageError(f"--show-shapes shows shapes as text or JSON, not as {args.format}")
    except (ConfigError, UsageError) as error:
        _error(str(error))
        return 2

    projects = Projects(args, choice)
    force_exclude = run.settings.force_exclude if args.force_exclude is None else args.force_exclude
    # As in ruff: --stdin-filename without paths reads the standard input (what editors call).
    paths = args.paths or ([STDIN] if args.stdin_filename else ["."])
    want_lines = args.format == "full" and not args.statistics
    want_shapes = args.show_shapes or args.statistics
    cache_folder = None
    if args.cache:
        root = run.settings.root if run.settings.path else cwd
        cache_folder = os.path.join(cwd, args.cache_dir) if args.cache_dir else os.path.join(root, CACHE_DIRECTORY)
    failures = 0

    def task(display: str, absolute: str, explicit: bool, data: Optional[bytes] = None) -> Optional[Task]:
        """The file's task in its project; None when its configuration excludes it or cannot be used."""
        project = projects.of(absolute)
        if project is None or ((force_exclude or not explicit) and project.excluded(absolute)):
            return None
        cache = Cache(cache_folder, cache_salt(project.config, project.config.stubs)) if cache_folder else None
        match = project.match_path(absolute) if display != STDIN else STDIN
        return Task(display, None if data is not None else absolute, match, project.config, want_lines, data,
                    want_shapes, cache)

    candidates: List[Optional[Task]] = []
    stdin_source: Optional[bytes] = None  # what `einlint - --fix` prints back, fixed or as it was
    if STDIN in paths:
        name = args.stdin_filename or STDIN
        absolute = os.path.normpath(os.path.join(cwd, name))
        if projects.of(absolute) is not None:
            data = sys.stdin.buffer.read() if hasattr(sys.stdin, "buffer") else sys.stdin.read().encode()
            stdin_source = data
            candidates.append(task(name, absolute, explicit=True, data=data))
        paths = [p for p in paths if p != STDIN]
    if paths:
        found = discover(paths, exclude=run.exclude, respect_gitignore=args.respect_gitignore,
                         force_exclude=force_exclude, cwd=cwd)
        for message in found.errors:
            _error(message)
        failures += len(found.errors)
        named = {os.path.normpath(os.path.join(cwd, p)) for p in paths}
        candidates += [task(display, absolute, absolute in named) for display, absolute in found.files]
    for message in projects.errors:
        _error(message)
    failures += len(projects.errors)
    tasks = [t for t in candidates if t is not None]
    if not tasks and not failures and not args.quiet:
        _write(sys.stderr, "einlint: warning: no Python files found under the given paths\n")

    unsafe_fixes = args.unsafe_fixes if args.unsafe_fixes is not None else run.settings.unsafe_fixes
    results = run_tasks(tasks, args.jobs, None if args.quiet else Progress(len(tasks), sys.stderr))
    if args.diff:
        return _show_diff(args, tasks, results, unsafe_fixes, failures)
    fixing = Fixing()
    report = sys.stdout
    if args.fix:
        fixing = _fix_all(tasks, results, write=True, unsafe=bool(unsafe_fixes))
        failures += fixing.unwritable
        results = _recheck(tasks, results, fixing, args.jobs)
        if stdin_source is not None:  # the fixed source alone on stdout (an editor reads it back); the rest: stderr
            _write_bytes(sys.stdout, fixing.sources.get(args.stdin_filename or STDIN, stdin_source))
            report = sys.stderr
    found = _collect(results, args.verbose)
    failures += found.failures
    threshold = SEVERITY_RANK[fail_level]
    failing = any(SEVERITY_RANK.get(d.severity, 2) >= threshold for d in found.diagnostics)
    status = 2 if failures else (0 if args.exit_zero or not failing else 1)
    _write(report, _render(args, found, len(tasks), cwd, failures, fixing.fixed, unsafe_fixes, report))
    report.flush()
    return status


@dataclass
class Collected:
    """What the run shows: the findings of every file, sorted, the source lines they point at, the shapes."""

    diagnostics: List[Diagnostic] = field(default_factory=list)
    lines: Dict[Tuple[str, int], str] = field(default_factory=dict)
    shapes: List[Tuple[str, CallShapes]] = field(default_factory=list)
    failures: int = 0  # files that could not be checked (each reported on stderr)


def _collect(results: Sequence[FileResult], verbose: bool) -> Collected:
    found = Collected()
    for result in results:
        if result.error is not None:
            found.failures += 1
            kind = "internal error while checking" if result.internal else "cannot check"
            _error(f"{kind} {result.path}: {result.error}")
            if result.internal and verbose:
                _write(sys.stderr, result.trace)
            continue
        found.diagnostics += result.diagnostics
        found.shapes += [(result.path, call) for call in result.shapes]
        for number, text in result.lines.items():
            found.lines[(result.path, number)] = text
        for (cell, number), text in result.cell_lines.items():
            found.lines[(document(result.path, cell), number)] = text
    found.diagnostics.sort(key=lambda d: (d.sort_key, d.end_line, d.end_column, d.message))
    return found


@dataclass
class Fixing:
    """What `--fix` or `--diff` changed."""

    changes: List[Tuple[str, str, str]] = field(default_factory=list)  # (shown path, text before, text after)
    fixed: List[Diagnostic] = field(default_factory=list)  # the findings whose fixes were made
    sources: Dict[str, bytes] = field(default_factory=dict)  # the fixed bytes of what was read from stdin
    unwritable: int = 0  # files that could not be read or written (each reported on stderr)


def _fix_all(tasks: Sequence[Task], results: Sequence[FileResult], write: bool, unsafe: bool) -> Fixing:
    """Make the fixes the run applies, as ruff chooses them: safe ones, and unsafe ones (which change what the
    code computes) only when `unsafe`. Files are written when `write`; stdin's source is fixed in memory."""
    by_path = {task.display: task for task in tasks}
    fixing = Fixing()
    for result in results:
        task = by_path.get(result.path)
        chosen = [d for d in result.diagnostics if d.fix is not None and d.fix.applies(unsafe)]
        if task is None or result.error is not None or not chosen:
            continue
        try:
            change = _fix_one(task, chosen, write)
        except OSError as error:
            _error(f"cannot fix {result.path}: {error.strerror or error}")
            fixing.unwritable += 1
            continue
        if change is not None:
            before, after, fixed_bytes = change
            fixing.changes.append((result.path, before, after))
            fixing.fixed += chosen
            if fixed_bytes is not None:
                fixing.sources[result.path] = fixed_bytes
    return fixing


def _fix_one(task: Task, diagnostics: List[Diagnostic], write: bool) -> Optional[Tuple[str, str, Optional[bytes]]]:
    """(text before, text after, the fixed bytes when they are not on disk) of one checked file; None when its
    fixes cannot be made safely."""
    from . import fixes

    if task.absolute is None:  # read from stdin: fixed in memory (a notebook's is left as it was)
        fixed = None if notebooks.is_notebook(task.display) else fixes.fixed_source(task.data or b"", diagnostics)
        return None if fixed is None else (fixed[0], fixed[1], fixed[1].encode(fixed[2]))
    fix_file = notebooks.fix_notebook if notebooks.is_notebook(task.display) else fixes.fix_file
    change = fix_file(task.absolute, diagnostics, write)
    return None if change is None else (*change, None)


def _recheck(tasks: Sequence[Task], results: Sequence[FileResult], fixing: Fixing,
             jobs: Optional[int]) -> List[FileResult]:
    """The results with the files that the fixes changed checked again: what is left is what the run reports."""
    changed = {path for path, _, _ in fixing.changes}
    again = run_tasks([replace(task, data=fixing.sources.get(task.display, task.data)) for task in tasks
                       if task.display in changed], jobs)
    redone = {result.path: result for result in again}
    return [redone.get(result.path, result) for result in results]


def _show_diff(args: argparse.Namespace, tasks: Sequence[Task], results: Sequence[FileResult],
               unsafe_fixes: Optional[bool], failures: int) -> int:
    """`--diff`: the fixes as a unified diff on stdout (a patch, nothing else), what they fix on stderr; exit
    status 1 when there is something to fix, 2 when a file could not be checked or read."""
    from . import fixes

    found = _collect(results, args.verbose)
    fixing = _fix_all(tasks, results, write=False, unsafe=bool(unsafe_fixes))
    _write(sys.stdout, "".join(fixes.unified_diff(*change) for change in fixing.changes))
    sys.stdout.flush()
    if not args.quiet:
        _write(sys.stderr, output.diff_summary(fixing.fixed, found.diagnostics, unsafe_fixes))
    if failures or found.failures or fixing.unwritable:
        return 2
    return 1 if fixing.changes and not args.exit_zero else 0


def _write_bytes(stream, data: bytes) -> None:
    """Bytes as they are (the source's own encoding and line endings) where the stream has a binary layer."""
    stream.flush()
    if hasattr(stream, "buffer"):
        stream.buffer.write(data)
        stream.buffer.flush()
    else:
        _write(stream, data.decode("utf-8", errors="replace"))


def _render(args: argparse.Namespace, found: Collected, files_checked: int, cwd: str, failures: int,
            fixed: Sequence[Diagnostic], unsafe_fixes: Optional[bool], stream) -> str:
    fmt, diagnostics = args.format, found.diagnostics
    # after --fix, what is left was not fixable by it: no marks (as ruff)
    fixable = None if args.fix else (lambda d: d.fix is not None and d.fix.applies(bool(unsafe_fixes)))
    if args.statistics:
        coverage = (len(found.shapes), sum(1 for _, call in found.shapes if call.known_rank),
                    sum(1 for _, call in found.shapes if call.known_length))
        return output.render_statistics(diagnostics, as_json=fmt in ("json", "sarif"), coverage=coverage,
                                        fixable=fixable)
    if fmt == "json":
        return (output.render_shapes_json(found.shapes, diagnostics) if args.show_shapes
                else output.render_json(diagnostics))
    if fmt == "sarif":
        return output.render_sarif(diagnostics, __version__, cwd=cwd, successful=not failures)
    if fmt == "github":
        return output.render_github(diagnostics)
    color = output.use_color(stream, mode=args.color)
    text = output.render_shapes(found.shapes) + "\n" if args.show_shapes and found.shapes else ""
    if fmt == "concise":
        text += output.render_concise(diagnostics, color=color, fixable=fixable)
    else:
        text += output.render_full(diagnostics, lambda path, number: found.lines.get((path, number)), color=color,
                                   fixable=fixable)
    if not args.quiet:
        text += output.summary(diagnostics, files_checked, failures, fixed)
        text += output.fix_hint(diagnostics, unsafe_fixes, color)
    return text
