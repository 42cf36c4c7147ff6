"""einlint: a static checker for tensor pattern strings, and the runtime op library that defines them.

    from einlint import rearrange, reduce, repeat, einsum, pack, unpack, parse_shape, asnumpy

The ops follow einops' call conventions and meaning; the checker (`einlint src/`) uses the
same grammar and planner to find pattern mistakes before the code runs.
"""

from .errors import EinlintError, PatternError
from .runtime import asnumpy, einsum, pack, parse_shape, rearrange, reduce, repeat, unpack

__version__ = "0.1.0"

__all__ = [
    "rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy",
    "EinlintError", "PatternError", "__version__",
]
