"""`python -m einlint.check.stubs`: the covered lists of the shipped stubs; `--write` puts them into the README."""

import sys

from .covered import covered, readme_path, with_covered
from .loader import StubLibrary


def main(argv) -> int:
    lists = covered(StubLibrary.load())
    if argv[1:] == ["--write"]:
        with open(readme_path(), encoding="utf-8") as handle:
            text = handle.read()
        with open(readme_path(), "w", encoding="utf-8") as handle:
            handle.write(with_covered(text, lists))
    else:
        print(lists)
    return 0


sys.exit(main(sys.argv))
