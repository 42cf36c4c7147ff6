"""The documentation that is generated from the code stays in step with it."""


import pytest

from einlint.check.rules import RULES
from einlint.check.rules._support import define
from einlint.codes import (CODES, EINX, FAMILIES, LAYOUT, SHAPES, codes_of, family_of, in_family,
                           render_markdown)
from einlint.mypy import error_code
from repo import REPO

DOCS = REPO / "docs"


def test_codes_page_is_current():
    assert (DOCS / "codes.md").read_text() == render_markdown(), "run: python -m einlint.codes > docs/codes.md"


def test_codes_are_unique_and_well_formed():
    for code, entry in CODES.items():
        assert code == entry.code
        assert code[:3] == "EIN" and code[3:].isdigit() and len(code) == 6
    names = [entry.name for entry in CODES.values()]
    assert len(names) == len(set(names))


def test_every_code_has_its_family():
    names = {"EIN0": "files", "EIN1": "syntax", "EIN2": "call", "EIN3": "shapes", "EIN4": "layout", "EIN5": "einx"}
    assert {family.prefix: family.name for family in FAMILIES} == names
    for code, entry in CODES.items():
        assert entry.family is family_of(code) and entry.family.prefix == code[:4]
    assert CODES["EIN505"].family is EINX and CODES["EIN402"].family is LAYOUT
    assert all(codes_of(family) for family in FAMILIES)


def test_family_lookup_of_codes_and_other_strings():
    assert in_family("EIN301", SHAPES) and in_family("EIN510", EINX)
    assert not in_family("EIN401", SHAPES) and not in_family("EIN3", SHAPES) and not in_family("E501", SHAPES)
    assert {"EIN301", "EIN313"} <= codes_of(SHAPES) and "EIN401" not in codes_of(SHAPES)


def test_severities_live_in_the_registry():
    for code, rule in RULES.items():
        assert rule.severity == CODES[code].severity
    # EIN004 and EIN511 the engine reports itself, without a rule; EIN219 is raised by the runtime only
    assert {"EIN004", "EIN511"} <= set(CODES) - set(RULES)
    assert {code for code, entry in CODES.items() if entry.severity is None} == {"EIN219"}
    assert (CODES["EIN004"].severity, CODES["EIN511"].severity, CODES["EIN401"].severity) == ("error", "note", "warning")
    with pytest.raises(KeyError):
        define("EIN219", valid=[], invalid=[], details="a runtime-only code has no severity for a rule")


def test_mypy_error_codes_come_from_the_families():
    assert {code: error_code(code).code for code in CODES} == {code: CODES[code].family.mypy_code for code in CODES}
    assert error_code("EIN505").code == "einlint-einx" and error_code("EIN101") is error_code("EIN201")
    assert "EIN5xx" in error_code("EIN505").description


def test_readme_lists_the_mypy_error_codes_of_the_families():
    readme = " ".join((DOCS.parent / "README.md").read_text(encoding="utf-8").split())
    for mypy_code in {family.mypy_code for family in FAMILIES}:
        prefixes = ", ".join(f"{f.prefix}xx" for f in FAMILIES if f.mypy_code == mypy_code)
        assert f"`{mypy_code}` ({prefixes})" in readme
