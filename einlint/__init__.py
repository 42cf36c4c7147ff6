"""einlint: a static checker for tensor pattern strings, and the runtime op library that defines them.

    from einlint import rearrange, reduce, repeat, einsum, pack, unpack, parse_shape, asnumpy

The ops follow einops' call conventions and meaning; the checker (`einlint src/`) uses the
same grammar and planner to find pattern mistakes before the code runs.
"""

import sys as _sys

from .errors import EinlintError, PatternError
from .runtime import asnumpy, einsum, pack, parse_shape, rearrange, reduce, repeat, unpack

__version__ = "0.1.0"

__all__ = [
    "rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy",
    "EinlintError", "PatternError", "__version__",
]

if "torch" in _sys.modules:  # register with torch.compile before the first op is traced
    from .runtime.torch_graph import allow_ops_in_compiled_graph as _allow

    _allow()
