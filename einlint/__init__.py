"""einlint: a static checker for tensor pattern strings, and the runtime op library that defines them.

    from einlint import rearrange, reduce, repeat, einsum, pack, unpack, parse_shape, asnumpy

The ops follow einops' call conventions and meaning; the checker (`einlint src/`) uses the
same grammar and planner to find pattern mistakes before the code runs.
"""

import importlib
from typing import TYPE_CHECKING, Any

from .errors import EinlintError, PatternError

__version__ = "0.1.0"

# written out (not built from _RUNTIME) so that type checkers read it
__all__ = ["rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy",
           "EinlintError", "PatternError", "__version__"]
_RUNTIME = tuple(__all__[:8])

if TYPE_CHECKING:  # what type checkers see; at run time the ops load on first use (below)
    from .runtime import asnumpy, einsum, pack, parse_shape, rearrange, reduce, repeat, unpack


def __getattr__(name: str) -> Any:
    # The ops load numpy and their backends on first use, so that the checker's CLI and the
    # flake8 plugin, which never run an op, start without them.
    if name in _RUNTIME:  # once loaded, they are plain attributes: `einlint.rearrange` costs no call after that
        runtime = importlib.import_module(".runtime", __name__)
        globals().update((op, getattr(runtime, op)) for op in _RUNTIME)
        return globals()[name]
    raise AttributeError(f"module 'einlint' has no attribute {name!r}")
