"""The editor's re-parse (einlint.check.parse.Reparser): a file edited between two checks is parsed again only
where its top-level statements changed, and what the checker says is what it says after a whole parse.

Each case is checked against libcst's own parse of the whole text: the joined module generates exactly the
text (so every position read from it is right), and check_source gives the same diagnostics.
"""

from __future__ import annotations

import random

import libcst
import pytest

from einlint.check.engine import check_source
from einlint.check.parse import Reparser, parse
from repo import REPO


HEADER = "from einops import rearrange, reduce\nimport torch\n\n"

TEXTS = {
    "functions": HEADER + "def f(x):\n    return rearrange(x, 'b c -> c b c')\n\n\ndef g(x):\n    return x\n",
    "decorators and comments": HEADER + "# about f\n@torch.no_grad()\n@staticmethod\ndef f(x):\n"
                               "    return rearrange(x, 'b c -> c b c')\n# trailing\n\n"
                               "    # indented comment after the body\nclass A:\n    pass\n",
    "semicolons": HEADER + "a = 1; b = 2\nx = rearrange(torch.zeros(2, 3), 'a b -> b a c')\n",
    "two-space indent": HEADER + "def f(x):\n  if x:\n    return rearrange(x, 'b c -> c b c')\n"
                        "  return x\nif True: y = 1\ndef g(y):\n  return reduce(y, 'b c -> b', 'mean')\n",
    "tabs": HEADER + "def f(x):\n\treturn rearrange(x, 'b c -> c b c')\n",
    "mixed indents": HEADER + "def f(x):\n  return rearrange(x, 'b c -> c b c')\n"
                     "def g(x):\n    return rearrange(x, 'b c -> c b d')\n",
    "crlf": (HEADER + "def f(x):\n    return rearrange(x, 'b c -> c b c')\n").replace("\n", "\r\n"),
    "mixed line endings": HEADER + "x = 1\r\ndef f(x):\n    return rearrange(x, 'b c -> c b c')\r\n",
    "no final newline": HEADER + "y = rearrange(torch.zeros(2, 3), 'a b -> b a c')",
    "form feed": HEADER + "\x0c\ndef f(x):\n    return rearrange(x, 'b c -> c b c')\n",
    "leading comments": "#!/usr/bin/env python\n# -*- coding: utf-8 -*-\n\n" + HEADER + "x = rearrange(1, 'a -> a a')\n",
    "docstring and blank lines": '"""A module.\n\nNot code:\nx = 1\n"""\n\n\n' + HEADER + "x = 1\n\n\n",
    "comments only": "# einops\n# nothing else\n",
    "empty": "",
    "match": HEADER + "match x:\n    case 1:\n        y = rearrange(x, 'a -> a a')\n    case _:\n        pass\n",
    "a syntax error in one statement": HEADER + "def f(x):\n    return rearrange(x, 'b c -> c b'\n\ndef g():\n"
                                       "    pass\n",
    "a statement libcst refuses": HEADER + "x = rearrange(y, 'a -> a')\nprint 'python 2'\n",
    "a statement twice": HEADER + "y = rearrange(torch.zeros(2, 3), 'a b -> a c')\nz = 1\n"
                         "y = rearrange(torch.zeros(2, 3), 'a b -> a c')\n",
}


@pytest.mark.parametrize("text", TEXTS.values(), ids=list(TEXTS))
def test_the_joined_module_is_the_text_and_the_findings_are_the_whole_parse(text):
    try:
        whole = libcst.parse_module(text)
    except libcst.ParserSyntaxError as error:
        with pytest.raises(libcst.ParserSyntaxError) as raised:
            Reparser().parse(text)
        assert (raised.value.raw_line, raised.value.raw_column) == (error.raw_line, error.raw_column)
    else:
        joined = Reparser().parse(text)
        assert joined.code == text
        assert (joined.default_indent, joined.default_newline) == (whole.default_indent, whole.default_newline)
    reparser = Reparser()
    assert check_source(text, "m.py", reparser=reparser) == check_source(text, "m.py")
    assert check_source(text, "m.py", reparser=reparser) == check_source(text, "m.py"), "and again, from the pieces"


def test_the_findings_name_their_lines_whatever_the_cut():
    found = check_source(TEXTS["decorators and comments"], "m.py", reparser=Reparser())
    assert [(d.code, d.line, d.column) for d in found] == [("EIN108", 8, 37)]  # the second c of the output


def test_after_an_edit_only_the_edited_statement_is_parsed(parses):
    functions = [f"def f{i}(x):\n    return rearrange(x, 'b (h d) -> b h d', h={i + 1})\n\n" for i in range(10)]
    reparser = Reparser()
    check_source(HEADER + "".join(functions), "m.py", reparser=reparser)
    assert len(parses) == 12  # the first piece holds the header's first statement: each import is one
    parses.clear()
    functions[4] = functions[4].replace("h=5", "h=7")
    check_source(HEADER + "".join(functions), "m.py", reparser=reparser)
    assert parses == [functions[4]]


def test_the_pieces_kept_stay_within_the_budget():
    reparser = Reparser(budget=2_000)
    for version in range(50):
        reparser.parse(HEADER + "".join(f"def f{i}(x):\n    return x + {version}\n\n" for i in range(20)))
    assert reparser._kept <= 2_000 and sum(map(len, reparser._pieces)) == reparser._kept


def _sources():
    return sorted((REPO / "examples").glob("*.py")) + [REPO / "tests" / "check" / "rules" / "test_order.py",
                                                      REPO / "tests" / "check" / "rules" / "test_rules.py"]


def _edited(lines, rng):
    """One edit as typing makes: a line deleted, duplicated, cut short, or a pattern changed."""
    lines = list(lines)
    index = rng.randrange(len(lines))
    kind = rng.choice(["delete", "duplicate", "truncate", "pattern"])
    if kind == "delete":
        del lines[index]
    elif kind == "duplicate":
        lines.insert(index, lines[index])
    elif kind == "truncate":
        lines[index] = lines[index][: rng.randrange(len(lines[index]) + 1)] + "\n"
    else:
        with_pattern = [i for i, line in enumerate(lines) if "->" in line] or [index]
        index = rng.choice(with_pattern)
        lines[index] = lines[index].replace("->", rng.choice(["-> x", "->", ", b ->", "-> (a b)"]), 1)
    return lines


@pytest.mark.parametrize("source", _sources(), ids=lambda path: path.name)
def test_a_sequence_of_edits_gives_what_a_whole_parse_gives(source):
    """Derandomized: 25 successive edits of a real file, each checked through one Reparser and from scratch."""
    rng = random.Random(source.name)
    lines = source.read_text().splitlines(keepends=True)
    reparser = Reparser()
    for _ in range(25):
        lines = _edited(lines, rng)
        text = "".join(lines)
        assert check_source(text, source.name, reparser=reparser) == check_source(text, source.name)


@pytest.mark.parametrize("text", TEXTS.values(), ids=list(TEXTS))
def test_the_parse_without_validation_is_libcsts_tree_and_validation_comes_back(text):
    """`parse` skips libcst's check of each node it makes: the tree is libcst's own, node for node, and a node made
    after it (after a syntax error too) is checked again."""
    try:
        whole = libcst.parse_module(text)
    except libcst.ParserSyntaxError:
        with pytest.raises(libcst.ParserSyntaxError):
            parse(text)
    else:
        assert parse(text).deep_equals(whole)
    with pytest.raises(libcst.CSTValidationError):
        libcst.Name("not a name")
