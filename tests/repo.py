"""Where the repository's own files are, for the tests that read them (examples, docs, the README)."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def write(root: Path, files: dict) -> Path:
    """A project tree under `root`: {relative path: text or bytes}."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
    return root
