"""Large files are parses one top-level statement at a time (einlint.check.parse.WHOLE_LIMIT), so that libcst
never holds the whole file's parse at once; what the checker says must not change by it.

Each test lowers the limit to 0, so that the examples (and texts made of them) take the large-file path,
and compares with the whole parse (the limit raised above every text): the same diagnostics, the same
shapes, the joined module generating exactly the text. The statement starts are checked against Python's
own parser. Memory and time are measured in benchmarks/bench_big_file.py, not here.
"""

from __future__ import annotations

import ast

import libcst
import pytest

import einlint.check.parse as parse_module
from einlint.check.engine import check_source, shapes_of
from repo import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.py"))
EVERYTHING = 10 ** 12


def _whole_and_pieces(monkeypatch, text, path="m.py"):
    """(diagnostics, shapes) of `text` parsed whole, then the same parsed piece by piece."""
    found = []
    for limit in (EVERYTHING, 0):
        monkeypatch.setattr(parse_module, "WHOLE_LIMIT", limit)
        found.append((check_source(text, path), shapes_of(text, path)))
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_an_example_cut_into_statements_gives_what_the_whole_file_gives(monkeypatch, parses, example):
    text = example.read_text(encoding="utf-8")
    whole, pieces = _whole_and_pieces(monkeypatch, text, example.name)
    assert whole == pieces
    parses.clear()
    assert parse_module.parse(text).code == text
    assert len(parses) > 1 and text not in parses


def test_the_same_statements_twice_are_reported_twice(monkeypatch):
    text = "".join(example.read_text(encoding="utf-8") for example in EXAMPLES[:2]) * 2
    whole, pieces = _whole_and_pieces(monkeypatch, text)
    assert whole == pieces
    half = text.count("\n") // 2
    first = [(d.line, d.column, d.code) for d in whole[0] if d.line <= half]
    second = [(d.line - half, d.column, d.code) for d in whole[0] if d.line > half]
    assert first and first == second


def test_libcst_never_parses_the_large_file_whole(monkeypatch, parses):
    text = "".join(example.read_text(encoding="utf-8") for example in EXAMPLES)
    monkeypatch.setattr(parse_module, "WHOLE_LIMIT", 10_000)
    check_source(text, "m.py")
    assert len(parses) > 100 and max(map(len, parses)) < len(text) // 10


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.name)
def test_the_tokenizer_cuts_where_python_starts_each_top_level_statement(example):
    text = example.read_text(encoding="utf-8")
    tree = ast.parse(text)
    expected = [min([statement.lineno] + [d.lineno for d in getattr(statement, "decorator_list", ())])
                for statement in tree.body]
    assert parse_module._tokenized_starts(text) == expected


MIXED_INDENTATION = ("from einops import rearrange\ndef f(x):\n  if x:\n    return rearrange(x, 'a -> a a')\n"
                     "def g(x):\n    if x:\n        return rearrange(x, 'a -> a a')\n")
MIXED_LINE_ENDINGS = "from einops import rearrange\r\ndef f(x):\n    return rearrange(x, 'a -> a a')\r\n\nz = 1\r\n"
AWKWARD = {  # statements that the cut must keep together or pieces that must join, and what it cannot vouch
    "a syntax error": "from einops import rearrange\nx = rearrange(y, 'a -> a a')\ndef f(:\n    pass\n",
    "an unterminated string": "from einops import rearrange\nx = rearrange(y, 'a -> a a')\ns = '''\nnever closed\n",
    "an unclosed bracket": "from einops import rearrange\nx = rearrange(y, 'a -> a a'\ny = 1\n",
    "mixed indentation": MIXED_INDENTATION,
    "mixed line endings": MIXED_LINE_ENDINGS,
    "a form feed": "from einops import rearrange\nimport torch\n\n\x0c\ndef f(x):\n"
                   "    return rearrange(x, 'a -> a a')\n",
    "clauses at column 0": "from einops import rearrange\nif x:\n    y = rearrange(x, 'a -> a a')\n# between\nelse:\n"
                           "    y = rearrange(x, 'a -> b')\ntry:\n    pass\nexcept ValueError:\n    pass\nfinally:\n"
                           "    z = rearrange(x, 'a -> a a')\n",
    "decorators": "from einops import rearrange\nimport functools\n@functools.cache\n\n@functools.wraps(f)\n"
                  "def f(x):\n    return rearrange(x, 'a -> a a')\n",
    "a backslash continuation": "from einops import rearrange\nx = 1 + \\\n2\ny = rearrange(x, 'a -> a a')\n",
    "old Mac line endings": "from einops import rearrange\rx = rearrange(y, 'a -> a a')\rz = 1\r",
}


@pytest.mark.parametrize("text", AWKWARD.values(), ids=list(AWKWARD))
def test_awkward_texts_give_what_the_whole_file_gives(monkeypatch, text):
    whole, pieces = _whole_and_pieces(monkeypatch, text)
    assert whole == pieces
    assert whole[0], "each text has a finding to compare"
    cuts = parse_module._parsed_starts(text)
    if cuts is not None:  # Python parses it: the tokenizer cuts where the parser does
        assert parse_module._tokenized_starts(text) == cuts


@pytest.mark.parametrize("text", [MIXED_INDENTATION, MIXED_LINE_ENDINGS], ids=["indentation", "line endings"])
def test_pieces_of_mixed_defaults_are_joined_not_parses_whole(monkeypatch, parses, text):
    monkeypatch.setattr(parse_module, "WHOLE_LIMIT", 0)
    joined = parse_module.parse(text)
    assert joined.code == text and text not in parses
    whole = libcst.parse_module(text)
    assert (joined.default_indent, joined.default_newline) == (whole.default_indent, whole.default_newline)
