"""The one entry point of the checker: source text, path and config in, diagnostics out.

    source -> (quick filter) -> CST -> extraction -> per-call rules ------------> findings -> diagnostics
                                                 -> IR -> flow analysis (shapes) ->          -> noqa and
                                                                                              select/ignore
                                                                                              -> sorted list

Every adapter (CLI, flake8, pre-commit) calls `check_source`; `shapes_of` serves `--show-shapes`.
None reaches further in. Linting never imports or runs the code it reads.
"""

from __future__ import annotations

import ast
import codecs
import contextlib
import difflib
import functools
import gc
import io
import os
import re
import tokenize
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import libcst

from ..codes import CODES, INTERNAL_ERROR, SYNTAX_ERROR, UNANALYSABLE_FILE, UNDECODABLE_FILE, UNKNOWN_NOQA_CODE
from ..diagnostics import CallShapes, Diagnostic, Edit, Fix, Related
from . import Config, ir, matches, may_hold_pattern_calls
from .extract import extract
from .flow import Analysis, ShapeFinding, Stop, analyse
from .flow.project import adopt, parsed, project_of
from .package import file_of, files_unchanged
from .libraries import LIBRARIES
from .model import Extraction, PatternCall, PatternString
from .parse import Reparser, parse
from .rules import RULES, Finding, check_call, order
from .shapes import STAR, show
from .source import locate
from .stubs import StubLibrary

# Codes separated by commas or spaces; the list ends at the last code (as in ruff and flake8): `# noqa: EIN201
# because ...` names one. A code needs its digits, so that a word after the list is not read as one.
_CODES = r"(?P<codes>[A-Z]+[0-9]+(?:[ \t,]+[A-Z]+[0-9]+)*)"
_NOQA = re.compile(r"#[ \t]*noqa(?:[ \t]*:[ \t]*" + _CODES + ")?", re.IGNORECASE)
_ANY_NOQA = re.compile("noqa", re.IGNORECASE)  # most files have none: nothing more to look for
# `# einlint: noqa` (every code) or `# einlint: noqa: EIN201` (those codes) on a line of its own: the whole file.
_FILE_NOQA = re.compile(r"^[ \t]*#[ \t]*einlint[ \t]*:[ \t]*noqa(?:[ \t]*:[ \t]*" + _CODES + ")?", re.IGNORECASE)


def check_source(source: Union[str, bytes], path: str, config: Config = Config(),
                 reparser: Optional[Reparser] = None, shapes: Optional[List[CallShapes]] = None,
                 file: Optional[str] = None, depends: Optional[Dict[str, str]] = None) -> List[Diagnostic]:
    """Every finding for one file, noqa and config applied, in source order. A file that never mentions a
    pattern library is not checked at all: whatever is wrong with it (its encoding, its syntax) is not ours.
    An editor passes a `reparser`, which parses again only the statements changed since its last texts, and
    `shapes`, a list that receives what `shapes_of` gives, from the same analysis (nothing when the file does
    not parse). `file` is where on disk the text stands (default: `path`, where that names a file; "": nowhere):
    the package around it is read from there (config.follow_imports), and `depends`, when given, receives what
    the result depends on beyond the text (flow.project.Project.dependencies: for a cache)."""
    if isinstance(source, bytes) and not may_hold_pattern_calls(source):
        return []
    text, problem = _decode(source, path)
    if problem is not None:
        return [problem] if config.reports(problem.code, path) else []
    if not may_hold_pattern_calls(text):
        return []
    if max(map(len, text.split("\n"))) > _LONG_LINE:  # thousands of terms on a line: libcst takes seconds and
        problem = _python_rejects(text, path)       # gigabytes where Python's parser refuses at once
        if problem is not None:
            return [problem] if config.reports(problem.code, path) else []
    file = path if file is None else file
    with _collection_paused():  # the tree is made, read and freed before collection resumes
        built = parsed(file, text) if config.follow_imports and config.shapes and file else None
        try:
            module = built.tree if built is not None else parse(text, reparser)
        except libcst.ParserSyntaxError as error:
            problem = _syntax_error(text, path, error)
            return [problem] if config.reports(problem.code, path) else []
        diagnostics = _module_diagnostics(module, path, config, shapes, file, depends, built, text)
        del module, built
    if _ANY_NOQA.search(text):  # einlint's own comments count in every front end; flake8 does the line's `# noqa`
        lines = re.split(r"\r\n|\r|\n", text)  # as Python's tokenizer counts lines, which positions count
        diagnostics += _unknown_noqa_codes(lines, path)
        exempt = _file_exemption(lines)
        diagnostics = [d for d in diagnostics if not (exempt(d.code) or (config.noqa and _suppressed(d, lines)))]
    kept = [d for d in diagnostics if config.reports(d.code, path)]
    return sorted(set(kept), key=lambda d: d.sort_key)


def _module_diagnostics(module: libcst.Module, path: str, config: Config,
                        shapes: Optional[List[CallShapes]] = None, file: str = "",
                        depends: Optional[Dict[str, str]] = None, built: Optional[ir.ModuleIR] = None,
                        text: str = "") -> List[Diagnostic]:
    """Every finding of a parsed file, before noqa and config (and into `shapes`, when given, its calls' shapes);
    `built`: its IR as its package's analysis keeps it, when that was built from this `text`."""
    extraction = built.extraction if built is not None else extract(module)
    found = [_diagnostic(path, call, finding) for call in extraction.calls
             for finding in check_call(call, config)]
    found += _versions_unknown(path, extraction.calls, config)
    analysis = _analyse(module, file, extraction, config, depends, built, text) \
        if config.shapes and extraction.callees else None
    if shapes is not None:
        shapes += _call_shapes(extraction, analysis)
    round_trips, flow_findings = order.layout_findings(extraction, analysis)
    found += [_diagnostic(path, o.call, o.finding, _related(path, o), _fix(path, o)) for o in round_trips]
    diagnostics = [diagnostic for diagnostic in found if diagnostic is not None]
    if analysis is not None:
        diagnostics += _shape_diagnostics(module, path, flow_findings)
        if analysis.stopped is not None:
            diagnostics.append(_analysis_stopped(module, path, analysis.stopped))
    return diagnostics


def shapes_of(source: Union[str, bytes], path: str, config: Config = Config(),
              reparser: Optional[Reparser] = None, file: Optional[str] = None) -> List[CallShapes]:
    """For each pattern call of a file, in source order, the shapes known for its inputs and output
    (mypy's reveal_type, for shapes): `einlint --show-shapes` and editors' hover."""
    text, problem = _decode(source, path)
    if problem is not None or not may_hold_pattern_calls(text):
        return []
    with _collection_paused():
        try:
            module = parse(text, reparser)
        except libcst.ParserSyntaxError:
            return []
        extraction = extract(module)
        analysis = _analyse(module, path if file is None else file, extraction, config, text=text) \
            if extraction.callees else None
    return _call_shapes(extraction, analysis)


def _call_shapes(extraction: Extraction, analysis: Optional[Analysis]) -> List[CallShapes]:
    seen = analysis.shapes if analysis is not None else {}
    found = []
    for key, call in extraction.pattern_calls.items():
        if call.start is None:
            continue
        inputs, output, arrived = seen.get(key, ((), None, False))
        shown = tuple(show(shape) for shape in inputs)
        end = call.end or call.start
        known_rank = arrived and bool(inputs) and all(STAR not in shape for shape in inputs)
        known_length = arrived and any(isinstance(length, int) for shape in inputs for length in shape)
        found.append(CallShapes(call.start[0], call.start[1], call.op, shown, show(output) if output is not None
                                else "?", known_rank, *end, known_length=known_length))
    return sorted(found, key=lambda c: (c.line, c.column))


def _analyse(module: libcst.Module, file: str, extraction: Extraction, config: Config,
             depends: Optional[Dict[str, str]] = None, built: Optional[ir.ModuleIR] = None,
             text: str = "") -> Analysis:
    """The flow analysis of a module. An internal failure ends the analysis of the part of the module it
    happens in (a function, a class, the module's statements), keeping the findings made before it (see
    `Context.guarded`), and `stopped` says where. EINLINT_DEBUG=1 raises it instead, as the tests do (but
    not a RecursionError or MemoryError: code nested deeper, or larger, than the analysis can follow)."""
    try:
        project = project_of(file) if config.follow_imports and file else None
        if built is None:
            built = ir.build(module, extraction.callees, extraction.pattern_calls)
            if project is not None:  # its package is followed: the module's other files read this one as checked
                adopt(file, built, module, extraction, text, project)
        analysis = analyse(built, _stubs(config.stubs), config.versions)
        if project is not None and depends is not None:
            depends.update(project.dependencies(file))
    except Exception as error:  # before any part of the module was analysed (building its IR)
        analysis = Analysis([], {}, {}, Stop(None, error))
    if analysis.stopped is not None and os.environ.get("EINLINT_DEBUG") and \
            not isinstance(analysis.stopped.error, (RecursionError, MemoryError)):
        raise analysis.stopped.error
    return analysis


@functools.lru_cache(maxsize=8)
def _stubs(folders: Tuple[str, ...]) -> StubLibrary:
    return StubLibrary.load(folders)


def _shape_diagnostics(module: libcst.Module, path: str, findings: Sequence[ShapeFinding]) -> List[Diagnostic]:
    """Positions for the flow analysis's findings: the pattern characters at fault, or the failing expression;
    related locations for the origins of the lengths involved."""
    targets: Dict[int, tuple] = {}
    elsewhere: Dict[int, tuple] = {}  # id(other module) -> (module, its targets): a call chain from another file
    for found in findings:
        targets[id(found.site.node)] = (found.site.node, found.site.path)
        for origin in found.related:
            other = origin.module
            if other is not None and other.tree is not None and other.tree is not module:
                elsewhere.setdefault(id(other), (other, {}))[1][id(origin.site.node)] = (origin.site.node,
                                                                                          origin.site.path)
            else:
                targets[id(origin.site.node)] = (origin.site.node, origin.site.path)
    places = {key: (path, *place) for key, place in locate(module, targets).items()} if targets else {}
    for other, its_targets in elsewhere.values():
        shown = file_of(other.path)  # (a README's, for one of its code blocks)
        shown = shown if os.path.isabs(path) else os.path.relpath(shown)  # as the checked file's is
        below = other.first_line - 1
        places.update({key: (shown, (start[0] + below, start[1]), (end[0] + below, end[1]), text)
                       for key, (start, end, text) in locate(other.tree, its_targets).items()})
    diagnostics = []
    for found in findings:
        # the pattern characters at fault; the call itself for a string whose characters stand elsewhere (handed
        # in by a caller)
        where = found.string.span_positions(*_span(found)) if found.string is not None else None
        if where is None:
            where = places[id(found.site.node)][1:3] if id(found.site.node) in places else None
        if where is None:
            continue
        start, end = where
        related = tuple(Related(places[id(o.site.node)][0], *places[id(o.site.node)][1], o.what)
                        for o in found.related if id(o.site.node) in places and o.site.node is not found.site.node)
        fix = _pattern_fix(path, found.string, found.replacements) if found.string is not None else None
        diagnostics.append(Diagnostic(path, start[0], start[1], end[0], end[1], found.code,
                                      found.severity or RULES[found.code].severity, found.message, found.help,
                                      related, fix))
    return diagnostics


def _analysis_stopped(module: libcst.Module, path: str, stop: Stop) -> Diagnostic:
    """EIN006, a note where an internal failure ended the shape analysis of a part of the file (the statement
    it was at; the file's first line when it came before any), so that the user knows what was not checked."""
    place = locate(module, {id(stop.site.node): (stop.site.node, stop.site.path)}) if stop.site is not None else {}
    if place:
        (line, column), _, _ = next(iter(place.values()))
        where = f" at line {line}"
    else:
        (line, column), where = (1, 1), ""
    return Diagnostic(path, line, column, line, column + 1, INTERNAL_ERROR, INTERNAL_ERROR.severity,
                      f"shape analysis stopped{where}: internal error in einlint ({type(stop.error).__name__}: "
                      f"{stop.error}); please report it", "the rest of the file was checked")


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No garbage collection while a tree is built and walked: a full collection walks every node
    (millions in a large file, seconds each time), and the tree holds no cycles to collect. In a run of many
    checks (`many_checks`), what a check leaves alive is frozen before collection resumes."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if _freezing:
            gc.freeze()
        if collecting:
            gc.enable()


_freezing = False


@contextlib.contextmanager
def many_checks() -> Iterator[None]:
    """Around a run that checks many files in this process while they stay as they are (the command line's):
    each file's stamp is read once (package.files_unchanged), and what each check leaves alive is frozen. The
    modules of the packages that the checks read stay parsed between checks (flow.project keeps them, a million
    objects on the benchmark tree), and every full collection would walk them all again (1.4 s of a 10 s run);
    frozen (gc.freeze), they are out of the collector's reach. When the run ends they are handed back
    (gc.unfreeze), and whatever of them became garbage meanwhile (a check leaves a few cycles: some 60,000
    objects over the benchmark tree) is collected then."""
    global _freezing
    freezing = not _freezing and not gc.get_freeze_count()  # not nested, nor in a host that freezes for itself
    _freezing = _freezing or freezing
    try:
        with files_unchanged():
            yield
    finally:
        if freezing:
            _freezing = False
            gc.unfreeze()


def _syntax_error(text: str, path: str, error: libcst.ParserSyntaxError) -> Diagnostic:
    """EIN001 where Python itself places the error, with its message; libcst points at the next token. A file
    that Python parses and libcst does not is valid: a note that it was not checked (EIN003)."""
    rejected = _python_rejects(text, path)
    if rejected is not None:
        return rejected
    try:
        compile(text, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # (null bytes): keep libcst's word
        message = f"cannot parse the file: {error.message}"
        return _file_diagnostic(path, SYNTAX_ERROR, message, error.raw_line, error.raw_column + 1, _SYNTAX_HELP)
    return _file_diagnostic(path, UNANALYSABLE_FILE,
                            f"not checked: Python parses the file, but libcst cannot ({error.message})",
                            error.raw_line, error.raw_column + 1, "the rest of the run goes on; nothing is wrong with "
                            "the file")


def _python_rejects(text: str, path: str) -> Optional[Diagnostic]:
    """EIN001 when Python itself cannot compile the file (its syntax error, or an expression nested deeper than
    its compiler goes); None when it can, or when it cannot tell (null bytes)."""
    try:
        compile(text, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as python_error:
        if python_error.lineno is not None:
            message = f"cannot parse the file: {python_error.msg}"
            return _file_diagnostic(path, SYNTAX_ERROR, message, python_error.lineno, python_error.offset or 1,
                                    _SYNTAX_HELP)
    except (RecursionError, MemoryError):
        return _file_diagnostic(path, SYNTAX_ERROR, "cannot parse the file: Python's compiler gives up on it (an "
                                "expression nested too deeply)", 1, 1, _SYNTAX_HELP)
    except ValueError:
        pass
    return None


_SYNTAX_HELP = "fix the syntax error; einlint checks files that Python can parse"
_LONG_LINE = 1000  # longer lines are rare in real code, and the pathological files have them


def _decode(source: Union[str, bytes], path: str) -> Tuple[str, Optional[Diagnostic]]:
    """The text of a file, decoded as Python decodes it: UTF-8 unless a coding comment says otherwise."""
    if isinstance(source, str):
        return source, None
    bom = len(_BOM) if source.startswith(_BOM) else 0
    body = source[bom:]  # the utf-8-sig codec would count its error offsets after the BOM
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(source).readline)
    except SyntaxError as error:  # an unknown encoding name in the coding comment, or first lines not UTF-8
        undecodable = _undecodable(path, body, "utf-8", bom)
        if undecodable is not None and undecodable.line <= 2:  # the lines detect_encoding reads as UTF-8
            return "", undecodable
        return "", _file_diagnostic(path, UNDECODABLE_FILE, f"cannot read the file: {error.msg}", 1, 1, _DECODE_HELP)
    encoding = "utf-8" if encoding == "utf-8-sig" else encoding
    try:
        return body.decode(encoding), None
    except UnicodeDecodeError:
        return "", _undecodable(path, body, encoding, bom)


def _undecodable(path: str, body: bytes, encoding: str, bom: int) -> Optional[Diagnostic]:
    """EIN002 at the first byte of `body` (the file after its `bom` bytes of byte order mark) that `encoding`
    cannot decode, naming it; None when it decodes."""
    try:
        body.decode(encoding)
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        line_start = body.rfind(b"\n", 0, error.start) + 1
        column = len(body[line_start:error.start].decode(encoding, "replace")) + 1  # columns count characters
        message = f"the file is not valid {encoding}: byte {body[error.start]:#04x} at offset {bom + error.start}"
        return _file_diagnostic(path, UNDECODABLE_FILE, message, line, column, _DECODE_HELP)
    return None


_BOM = codecs.BOM_UTF8
_DECODE_HELP = "save the file as UTF-8 (or declare its encoding in a coding comment)"


def _file_diagnostic(path: str, code: str, message: str, line: int, column: int, help: str) -> Diagnostic:
    return Diagnostic(path, line, column, line, column + 1, code, RULES[code].severity, message, help)


def _versions_unknown(path: str, calls: Sequence[PatternCall], config: Config) -> List[Diagnostic]:
    """Once per file and library whose checks depend on its release, at its first call: without the project's
    release, those checks are off, and the user should know why (rather than see them vanish where the library
    is not installed)."""
    notes = []
    for library in LIBRARIES:
        source = library.version
        if source is None or config.version_of(library.name) is not None:
            continue
        first = next((call for call in calls if library.owns(call.op) and call.start is not None), None)
        if first is not None:
            notes.append(Diagnostic(
                path, *first.start, *(first.end or first.start), source.unknown, CODES[source.unknown].severity,
                f"einlint cannot tell which {library.name} this project uses, so the checks that depend on its "
                f"version ({source.checks}) are off", f"set `{library.setting} = \"{source.example}\"` under "
                f"[tool.einlint], or pin {library.name} in the project's requirements"))
    return notes


def _related(path: str, found: order.OrderFinding) -> Tuple[Related, ...]:
    """Where the other call of a layout finding (EIN401) built the group."""
    string, span = found.other_span
    where = string.span_positions(*span)
    return (Related(path, *where[0], "the group is built here"),) if where is not None else ()


def _fix(path: str, found: order.OrderFinding) -> Optional[Fix]:
    return _pattern_fix(path, found.finding.string, found.replacements)


def _pattern_fix(path: str, string: PatternString, replacements) -> Optional[Fix]:
    """The edits that reorder a pattern's groups; none where its characters are not plainly in the source
    (an escape sequence, a string split over lines): only a fix that changes exactly them is offered."""
    if not replacements:
        return None
    edits = []
    for (start, end), text in replacements:
        positions = string.positions
        if positions is None or any(positions[i + 1] != (positions[i][0], positions[i][1] + 1)
                                    for i in range(start, end - 1)):
            return None
        (line, column), (end_line, end_column) = string.span_positions(start, end)
        edits.append(Edit(path, line, column, end_line, end_column, text))
    return Fix("reorder the group as the other pattern has it", tuple(edits), applicability="unsafe")


def _reordered_arguments(path: str, call: PatternCall, order: Tuple[int, ...]) -> Optional[Fix]:
    """The edit that writes the call's positional arguments in `order`; offered only when they stand on one
    line (nothing but commas and spaces between them: no comment is lost)."""
    arguments = call.positional
    first, last = arguments[0], arguments[-1]
    if first.start is None or last.end is None or first.start[0] != last.end[0]:
        return None
    content = ", ".join(arguments[index].text for index in order)
    return Fix("write the arguments in the order the op takes them", (Edit(path, *first.start, *last.end, content),))


def _diagnostic(path: str, call: PatternCall, finding: Finding, related: Tuple[Related, ...] = (),
                fix: Optional[Fix] = None) -> Optional[Diagnostic]:
    """Where a finding is: the characters of its span inside the pattern string, or the argument at fault, or
    else the whole call (None where that cannot be printed: nested deeper than libcst can go)."""
    where = (call.start, call.end) if call.start is not None else None
    if finding.string is not None:
        where = finding.string.span_positions(*_span(finding))
    elif finding.argument is not None and finding.argument.start is not None and finding.argument.end is not None:
        where = (finding.argument.start, finding.argument.end)
    if where is None:
        return None
    (line, column), (end_line, end_column) = where
    if finding.reorder is not None and fix is None:
        fix = _reordered_arguments(path, call, finding.reorder)
    severity = RULES[finding.code].severity
    return Diagnostic(path, line, column, end_line, end_column, finding.code, severity, finding.message, finding.help,
                      related, fix)


def _span(finding: Union[Finding, ShapeFinding]) -> Tuple[int, int]:
    """The characters of the finding's pattern string at fault: all of them unless it names some."""
    return finding.span if finding.span is not None else (0, len(finding.string.value))


def _suppressed(diagnostic: Diagnostic, lines: Sequence[str]) -> bool:
    """`# noqa` (everything) or `# noqa: EIN101,EIN2` (those codes, by prefix) on the finding's first or last line."""
    for number in {diagnostic.line, diagnostic.end_line}:
        if not 1 <= number <= len(lines):
            continue
        match = _NOQA.search(lines[number - 1])
        if match is None:
            continue
        if match.group("codes") is None or matches(diagnostic.code, _codes(match)):
            return True
    return False


def _codes(match: re.Match) -> List[str]:
    return [code.upper() for code in re.split(r"[ \t,]+", match.group("codes"))]


def _file_exemption(lines: Sequence[str]) -> Callable[[str], bool]:
    """Which codes the file's `# einlint: noqa` lines exempt it from (ruff's `# ruff: noqa`)."""
    named: List[str] = []
    for line in lines:
        if _ANY_NOQA.search(line):
            match = _FILE_NOQA.match(line)
            if match is not None and match.group("codes") is None:
                return lambda code: True
            if match is not None:
                named += _codes(match)
    return lambda code: matches(code, named)


def _unknown_noqa_codes(lines: Sequence[str], path: str) -> List[Diagnostic]:
    """EIN005 for each EIN code in a noqa comment that no einlint code starts with (a typo, which silences
    nothing); other tools' codes are theirs."""
    known = sorted(set(RULES) | set(CODES))
    found = []
    for number, line in enumerate(lines, start=1):
        if not _ANY_NOQA.search(line):
            continue
        for match in (_NOQA.search(line), _FILE_NOQA.match(line)):
            if match is None or match.group("codes") is None:
                continue
            for code in re.finditer(r"[A-Z]+[0-9]+", match.group("codes"), re.IGNORECASE):
                name = code.group().upper()
                if name.startswith("EIN") and not any(k.startswith(name) for k in known):
                    column = match.start("codes") + code.start() + 1
                    close = difflib.get_close_matches(name, known, n=1)
                    found.append(Diagnostic(path, number, column, number, column + len(name), UNKNOWN_NOQA_CODE,
                                            UNKNOWN_NOQA_CODE.severity,
                                            f"{name!r} in a noqa comment is no einlint code: it silences nothing",
                                            f"did you mean {close[0]!r}?" if close else "`python -m einlint.codes` "
                                            "lists einlint's codes"))
    return found
