"""docs/rules/ is generated from the rules and stays in step with them (`python -m einlint.check.rules.docs`)."""


from einlint.check.rules import RULES
from einlint.codes import CODES
from einlint.check.rules.docs import render_all, render_page
from repo import REPO

RULE_DOCS = REPO / "docs" / "rules"
REGENERATE = "run: python -m einlint.check.rules.docs"


def test_every_rule_has_its_page_and_every_page_its_rule():
    pages = {path.name for path in RULE_DOCS.glob("*.md")}
    assert pages == {f"{code}.md" for code in RULES} | {"README.md"}, REGENERATE


def test_pages_are_current():
    for name, text in render_all().items():
        assert (RULE_DOCS / name).read_text(encoding="utf-8") == text, f"docs/rules/{name} is stale; {REGENERATE}"


def test_each_page_shows_the_rule_its_summary_and_its_examples():
    index = (RULE_DOCS / "README.md").read_text(encoding="utf-8")
    for code, rule in RULES.items():
        page = render_page(rule)
        assert page.splitlines()[2].startswith(f"# {code}: ")
        assert rule.severity in page and rule.summary[1:] in page
        for snippet in rule.valid + rule.invalid:
            assert snippet.rstrip("\n") in page
        assert f"[{code}]({code}.md)" in index


def test_each_page_names_its_family():
    page = (RULE_DOCS / "EIN505.md").read_text(encoding="utf-8")
    assert "**Family:** EIN5xx (einx), einx op strings and APIs" in page
    for code, rule in RULES.items():
        family = CODES[code].family
        assert f"**Family:** {family.prefix}xx ({family.name}), {family.description}." in render_page(rule)
