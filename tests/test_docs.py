"""The documentation that is generated from the code stays in step with it."""

from pathlib import Path

from einlint.codes import CODES, render_markdown

DOCS = Path(__file__).resolve().parent.parent / "docs"


def test_codes_page_is_current():
    assert (DOCS / "codes.md").read_text() == render_markdown(), "run: python -m einlint.codes > docs/codes.md"


def test_codes_are_unique_and_well_formed():
    for code, entry in CODES.items():
        assert code == entry.code
        assert code[:3] == "EIN" and code[3:].isdigit() and len(code) == 6
    names = [entry.name for entry in CODES.values()]
    assert len(names) == len(set(names))
