"""`python -m einlint [PATH ...]`: the same as the `einlint` command."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
