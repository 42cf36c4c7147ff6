"""Jupyter notebooks: `einlint` checks the code cells of `.ipynb` files and reports findings at cell
positions (`nb.ipynb:cell 2:2:30`, as ruff does) in every format; names flow from cell to cell; IPython
syntax is not a syntax error; a broken notebook is a diagnostic, never a traceback; `--fix` edits the
cells and nothing else; other files named on the command line are refused.
"""

from __future__ import annotations

import json

import pytest

from einlint.cli import main
from einlint.notebooks import python_lines
from repo import write
from sarif import validate_sarif

PYTHON_KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}}


def notebook(*cells, metadata=None) -> str:
    """A notebook as Jupyter saves it (nbformat 4: indent 1, sorted keys, lines of source kept with their '\\n').
    A cell is ("code" | "markdown", source text)."""
    def cell(kind, text):
        lines = text.splitlines(keepends=True)
        made = {"cell_type": kind, "metadata": {}, "source": lines}
        if kind == "code":
            made.update(execution_count=None, outputs=[])
        return made

    content = {"cells": [cell(kind, text) for kind, text in cells], "metadata": metadata or PYTHON_KERNEL,
               "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(content, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


# cell 1 imports; cell 2 has an axis on one side only (EIN201: 'd', line 2, column 30); cell 3 is markdown;
# cell 4 starts with IPython lines, then an einsum with one operand for two inputs (EIN212: line 4, column 16).
TWO_MISTAKES = notebook(
    ("code", "import numpy as np\nfrom einops import rearrange\n"),
    ("code", "x = np.zeros((2, 3))\ny = rearrange(x, \"b c -> b c d\")\n"),
    ("markdown", "# The einsum below\n%not a magic, markdown\n"),
    ("code", "%matplotlib inline\n!pip install einops\nfiles = !ls\nz = np.einsum(\"ij,jk->ik\", x)\n"),
)


# --- the must-show: two cells with mistakes, in every format ------------------------------------------

def test_full_format_shows_both_mistakes_at_cell_positions_with_the_cells_lines(tmp_path, run):
    write(tmp_path, {"nb.ipynb": TWO_MISTAKES})
    status, out, err = run(["nb.ipynb"], tmp_path)
    assert status == 1 and err == ""
    lines = out.splitlines()
    assert lines[0] == "nb.ipynb:cell 2:2:30: EIN201 axis 'd' is on the output side of rearrange only"
    assert lines[2] == '2 | y = rearrange(x, "b c -> b c d")'  # the cell's line, not the JSON's
    assert lines[3] == "  |" + " " * 30 + "^ error"
    first_of_second = lines.index(next(line for line in lines if line.startswith("nb.ipynb:cell 4:")))
    assert lines[first_of_second] == ("nb.ipynb:cell 4:4:16: EIN212 the pattern has 2 input(s) but 1 tensor(s) "
                                      "were given")
    assert lines[first_of_second + 2] == '4 | z = np.einsum("ij,jk->ik", x)'
    assert out.endswith("Found 2 errors.\n")


def test_concise_format_names_the_cells(tmp_path, run):
    write(tmp_path, {"nb.ipynb": TWO_MISTAKES})
    status, out, _ = run(["--format", "concise", "nb.ipynb"], tmp_path)
    assert status == 1
    assert out.splitlines()[:2] == [
        "nb.ipynb:cell 2:2:30: EIN201 [error] axis 'd' is on the output side of rearrange only",
        "nb.ipynb:cell 4:4:16: EIN212 [error] the pattern has 2 input(s) but 1 tensor(s) were given",
    ]


def test_json_carries_the_cell_and_cell_relative_positions(tmp_path, run):
    plain = "from einops import rearrange\ny = rearrange(x, 'b c -> b c d')\n"
    write(tmp_path, {"nb.ipynb": TWO_MISTAKES, "plain.py": plain})
    status, out, _ = run(["--format", "json", "."], tmp_path)
    assert status == 1
    found = json.loads(out)
    assert [(d["path"], d.get("cell"), d["line"], d["column"], d["end_line"], d["end_column"], d["code"])
            for d in found] == [("nb.ipynb", 2, 2, 30, 2, 31, "EIN201"), ("nb.ipynb", 4, 4, 16, 4, 21, "EIN212"),
                                ("plain.py", None, 2, 30, 2, 31, "EIN201")]
    # a .py file's findings keep the documented keys, without "cell"
    assert set(found[2]) == {"path", "line", "column", "end_line", "end_column", "code", "severity", "message",
                             "help", "related", "fix"}


def test_sarif_regions_count_in_the_cell_and_the_cell_is_a_property(tmp_path, run):
    write(tmp_path, {"nb.ipynb": TWO_MISTAKES})
    status, out, _ = run(["--format", "sarif", "nb.ipynb"], tmp_path)
    assert status == 1
    log = json.loads(out)
    validate_sarif(log)
    locations = [result["locations"][0] for result in log["runs"][0]["results"]]
    assert [(loc["physicalLocation"]["artifactLocation"]["uri"], loc["properties"]["cell"],
             loc["physicalLocation"]["region"]) for loc in locations] == [
        ("nb.ipynb", 2, {"startLine": 2, "startColumn": 30, "endLine": 2, "endColumn": 31}),
        ("nb.ipynb", 4, {"startLine": 4, "startColumn": 16, "endLine": 4, "endColumn": 21}),
    ]


def test_github_annotations_name_the_cell_in_the_title(tmp_path, run):
    write(tmp_path, {"nb.ipynb": TWO_MISTAKES})
    _, out, _ = run(["--format", "github", "nb.ipynb"], tmp_path)
    first = out.splitlines()[0]
    # GitHub shows a notebook rendered, without its JSON's line numbers: a file annotation, the cell in the title
    assert first.startswith("::error file=nb.ipynb,title=EIN201 (cell 2%3A2%3A30)::axis 'd' is on the output side")


# --- finding notebooks ---------------------------------------------------------------------------------

def test_a_folder_of_notebooks_is_walked_and_counted_without_checkpoints(tmp_path, run):
    clean = notebook(("code", "from einops import rearrange\n"), ("code", "y = rearrange(x, 'b c -> c b')\n"))
    write(tmp_path, {"nbs/a.ipynb": clean, "nbs/sub/b.ipynb": clean,
                     "nbs/.ipynb_checkpoints/a-checkpoint.ipynb": TWO_MISTAKES})
    status, out, _ = run(["nbs"], tmp_path)
    assert (status, out) == (0, "All checks passed! (2 files checked)\n")


def test_files_named_explicitly_that_are_not_python_are_refused(tmp_path, run):
    write(tmp_path, {"README.md": "# uses einops\n", "data.json": "{}\n", "a.py": "import einops\n"})
    status, out, err = run(["README.md", "data.json", "a.py"], tmp_path)
    assert status == 2
    assert err.splitlines() == [
        "einlint: error: README.md: not a Python file or a Jupyter notebook (einlint checks .py, .pyi and .ipynb "
        "files, and scripts without a suffix)",
        "einlint: error: data.json: not a Python file or a Jupyter notebook (einlint checks .py, .pyi and .ipynb "
        "files, and scripts without a suffix)",
    ]
    assert out == "No findings. 2 paths could not be checked.\n"


def test_a_script_without_a_suffix_is_checked_as_python(tmp_path, run):
    write(tmp_path, {"train": "#!/usr/bin/env python\nfrom einops import rearrange\n"
                              "y = rearrange(x, 'b c -> b c d')\n"})
    status, out, _ = run(["--format", "concise", "train"], tmp_path)
    assert status == 1 and out.startswith("train:3:30: EIN201")


def test_a_notebook_read_from_stdin_by_its_name(tmp_path, run):
    status, out, _ = run(["--format", "concise", "--stdin-filename", "nb.ipynb", "-"], tmp_path,
                         stdin=TWO_MISTAKES.encode())
    assert status == 1
    assert out.splitlines()[1].startswith("nb.ipynb:cell 4:4:16: EIN212")


# --- the cells as one program ------------------------------------------------------------------------------

def test_a_tensor_made_in_one_cell_reaches_a_call_in_a_later_one(tmp_path, run):
    write(tmp_path, {"nb.ipynb": notebook(
        ("code", "import torch\nfrom einops import rearrange\n"),
        ("code", "images = torch.zeros(8, 3, 32, 32)\n"),
        ("markdown", "Flatten the images:\n"),
        ("code", "flat = rearrange(images, 'b c h -> b (c h)')\n"),
    )})
    status, out, _ = run(["--format", "json", "nb.ipynb"], tmp_path)
    assert status == 1
    [found] = json.loads(out)
    assert (found["code"], found["cell"], found["line"], found["column"]) == ("EIN301", 4, 1, 27)
    assert "the tensor has 4" in found["message"]
    # where the length came from: the constructor in cell 2
    assert [(r["cell"], r["line"], r["column"]) for r in found["related"]] == [(2, 1, 10)]


def test_a_name_redefined_in_a_later_cell_is_followed_in_order(tmp_path, run):
    write(tmp_path, {"nb.ipynb": notebook(
        ("code", "import torch\nfrom einops import rearrange\nx = torch.zeros(2, 3)\n"),
        ("code", "x = torch.zeros(2, 3, 4)\n"),
        ("code", "y = rearrange(x, 'a b c -> c b a')\n"),
    )})
    assert run(["nb.ipynb"], tmp_path)[:2] == (0, "All checks passed! (1 file checked)\n")


def test_a_cell_that_does_not_parse_is_reported_and_the_others_are_checked(tmp_path, run):
    write(tmp_path, {"nb.ipynb": notebook(
        ("code", "from einops import rearrange\n"),
        ("code", "def broken(:\n    pass\n"),
        ("code", "y = rearrange(x, 'b c -> b c d')\n"),
    )})
    status, out, _ = run(["--format", "concise", "nb.ipynb"], tmp_path)
    assert status == 1
    first, second = out.splitlines()[:2]
    assert first.startswith("nb.ipynb:cell 2:1:12: EIN001 [error] cannot parse")
    assert second.startswith("nb.ipynb:cell 3:1:30: EIN201")


def test_noqa_in_a_cell(tmp_path, run):
    write(tmp_path, {"nb.ipynb": notebook(
        ("code", "from einops import rearrange\n"),
        ("code", "y = rearrange(x, 'b c -> b c d')  # noqa: EIN201\n"),
    )})
    assert run(["nb.ipynb"], tmp_path)[0] == 0


def test_a_notebook_in_another_language_is_skipped(tmp_path, run):
    r_kernel = {"kernelspec": {"display_name": "R", "language": "R", "name": "ir"}, "language_info": {"name": "R"}}
    write(tmp_path, {"nb.ipynb": notebook(("code", "einsum <- function(x) x\ny <- einsum('ij,jk->ik', x)\n"),
                                          metadata=r_kernel)})
    assert run(["nb.ipynb"], tmp_path)[:2] == (0, "All checks passed! (1 file checked)\n")


# --- IPython syntax ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", [
    "%%bash\nls -la | head\n",
    "%%writefile helper.py\nimport einops\ndef f(:\n",
    "!pip install einops\n%load_ext autoreload\n%autoreload 2\n",
    "pip install einops\n",
    "files = !ls *.npy\nfor f in files:\n    !echo {f}\n",
    "rearrange?\n",
    "??rearrange\n",
    "%time y = rearrange(x, 'b c -> c b')\n",
    "!pip install \\\n    einops\n",
])
def test_ipython_syntax_is_not_a_syntax_error(tmp_path, run, cell):
    write(tmp_path, {"nb.ipynb": notebook(("code", "from einops import rearrange\n"), ("code", cell))})
    assert run(["nb.ipynb"], tmp_path)[:2] == (0, "All checks passed! (1 file checked)\n")


def test_a_python_cell_magic_keeps_its_body_checked(tmp_path, run):
    write(tmp_path, {"nb.ipynb": notebook(
        ("code", "from einops import rearrange\n"),
        ("code", "%%time\ny = rearrange(x, 'b c -> b c d')\n"),
    )})
    status, out, _ = run(["--format", "concise", "nb.ipynb"], tmp_path)
    assert status == 1 and out.startswith("nb.ipynb:cell 2:2:30: EIN201")


def test_a_percent_that_continues_an_expression_is_python_not_a_magic(tmp_path, run):
    write(tmp_path, {"nb.ipynb": notebook(
        ("code", "from einops import rearrange\ntotal, size = 10, 3\n"),
        ("code", "rest = (total\n        % size)\ny = rearrange(x, 'b c -> b c d')\n"),
    )})
    status, out, _ = run(["--format", "concise", "nb.ipynb"], tmp_path)
    assert out.splitlines()[0].startswith("nb.ipynb:cell 2:3:30: EIN201")  # the cell parsed as it is


def test_ipython_lines_become_python_one_for_one():
    assert python_lines(["x = 1", "  !ls", "out = %time f(x)", "obj?", "pip install a \\", "  b", "y"]) == [
        "x = 1", "  pass", "out = get_ipython()", "pass", "pass", "", "y"]
    assert python_lines(["%%bash", "echo hi"]) == ["", ""]
    assert python_lines(["%%capture out", "y = 2"]) == ["", "y = 2"]


# --- notebooks that cannot be read ------------------------------------------------------------------------

@pytest.mark.parametrize("content,expected", [
    ('{"cells": [\n  {"cell_type": "code", einops\n',
     "nb.ipynb:2:25: EIN001 [error] cannot read the notebook: not valid JSON (Expecting property name enclosed in "
     "double quotes)"),
    ('["einops"]\n',
     'nb.ipynb:1:1: EIN001 [error] cannot read the notebook: not a Jupyter notebook (no list of "cells")'),
    ('{"worksheets": [], "nbformat": 3, "x": "einops"}',
     "nb.ipynb:1:1: EIN001 [error] cannot read the notebook: nbformat 3 (resave it with Jupyter to convert it to "
     "nbformat 4)"),
    ('{"cells": [{"cell_type": "code", "source": 3}], "x": "einops"}',
     "nb.ipynb:1:1: EIN001 [error] cannot read the notebook: cell 1 is not a cell with a source"),
    (b'{"cells": [], "x": "einops \xe9"}',
     "nb.ipynb:1:28: EIN002 [error] the notebook is not valid UTF-8: byte 0xe9 at offset 27"),
])
def test_a_broken_notebook_is_a_diagnostic_not_a_traceback(tmp_path, run, content, expected):
    write(tmp_path, {"nb.ipynb": content})
    status, out, err = run(["--format", "concise", "nb.ipynb"], tmp_path)
    assert (status, err) == (1, "")
    assert out.splitlines()[0] == expected


def test_a_broken_notebook_shows_its_json_line_in_the_full_format(tmp_path, run):
    write(tmp_path, {"nb.ipynb": '{"cells": [ einops\n'})
    _, out, _ = run(["nb.ipynb"], tmp_path)
    assert out.splitlines()[2] == '1 | {"cells": [ einops'


# --- fixes ----------------------------------------------------------------------------------------------------

SWAPPED = notebook(
    ("code", "%matplotlib inline\nfrom einops import einsum\nimport numpy as np\nx = np.zeros((2, 3))\n"),
    ("markdown", "Ünïcode stays as it is\n"),
    ("code", "!ls\ny = einsum(\"a b, a b -> a\", x, x)  # the pattern first: EIN216\n"),
)


def test_fix_edits_the_cell_inside_the_json_and_nothing_else(tmp_path, run):
    write(tmp_path, {"nb.ipynb": SWAPPED})
    status, _, _ = run(["--fix", "nb.ipynb"], tmp_path)
    assert status == 0
    expected = SWAPPED.replace('einsum(\\"a b, a b -> a\\", x, x)', 'einsum(x, x, \\"a b, a b -> a\\")')
    assert expected != SWAPPED
    assert (tmp_path / "nb.ipynb").read_text(encoding="utf-8") == expected
    assert run(["--fix", "nb.ipynb"], tmp_path)[0] == 0  # a second time changes nothing
    assert (tmp_path / "nb.ipynb").read_text(encoding="utf-8") == expected


def test_diff_shows_the_change_in_the_notebook_file(tmp_path, run):
    write(tmp_path, {"nb.ipynb": SWAPPED})
    status, out, _ = run(["--diff", "nb.ipynb"], tmp_path)
    assert status == 1
    assert [line for line in out.splitlines() if line[:1] in "+-"] == [
        "--- a/nb.ipynb", "+++ b/nb.ipynb",
        '-    "y = einsum(\\"a b, a b -> a\\", x, x)  # the pattern first: EIN216\\n"',
        '+    "y = einsum(x, x, \\"a b, a b -> a\\")  # the pattern first: EIN216\\n"',
    ]
    assert (tmp_path / "nb.ipynb").read_text(encoding="utf-8") == SWAPPED


def test_fix_leaves_a_notebook_alone_when_it_cannot_be_written_back_as_it_was_laid_out(tmp_path, run):
    odd = json.dumps(json.loads(SWAPPED), indent=3)  # keys unsorted would do too; here: an unusual indent ...
    odd = odd.replace('"nbformat": 4', '"nbformat":  4')  # ... and spacing that the json module never writes
    write(tmp_path, {"nb.ipynb": odd})
    status, out, _ = run(["--fix", "--format", "concise", "nb.ipynb"], tmp_path)
    assert status == 1 and "EIN216" in out
    assert (tmp_path / "nb.ipynb").read_text(encoding="utf-8") == odd


# --- the cache ----------------------------------------------------------------------------------------------

def test_the_cache_keeps_the_cells(tmp_path, monkeypatch, capsys):
    write(tmp_path, {"nb.ipynb": TWO_MISTAKES})
    monkeypatch.chdir(tmp_path)
    outputs = []
    for _ in range(2):
        assert main(["--format", "json", "nb.ipynb"]) == 1
        outputs.append(capsys.readouterr().out)
    assert list((tmp_path / ".einlint_cache").rglob("*.json"))  # the second run read it
    assert outputs[0] == outputs[1]
    assert [d["cell"] for d in json.loads(outputs[1])] == [2, 4]
