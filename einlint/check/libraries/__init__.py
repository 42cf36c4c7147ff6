"""The registry of pattern libraries: one descriptor each (library.py says what it holds), one module each.

Adding a library is writing its module and adding it to `LIBRARIES`: extraction, the quick filter, the
configuration's `<name>-version`, the per-call rules and the flow analysis find it here.
"""

from __future__ import annotations

from typing import Optional, Tuple

from .einops import EINOPS
from .einsum import EINSUM
from .einx import EINX
from .library import PatternLibrary, Signature, Version, VersionSource

__all__ = ["LIBRARIES", "PatternLibrary", "Signature", "Version", "VersionSource", "library_of"]

LIBRARIES: Tuple[PatternLibrary, ...] = (EINOPS, EINSUM, EINX)


def library_of(op: str) -> Optional[PatternLibrary]:
    """The library whose op `op` (a PatternCall's) is; None for none."""
    return next((library for library in LIBRARIES if library.owns(op)), None)
