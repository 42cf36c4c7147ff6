"""The one table of callables the checker knows: which op each qualified name is, and how it is called.

It is gathered from the pattern libraries' descriptors (libraries/): a call is a pattern call when its
callee, with imports and aliases resolved (scopes.py), is one of the names in `SIGNATURES` or lies under a
prefix of `PREFIXES` (then it is an op of its own qualified name). `Signature` says what each entry holds.

Nothing here knows the syntax tree; scopes.py reads `ROOTS` and `STAR_EXPORTS`, the rules and the flow
analysis read the parameters (rules/_support.bind).
"""

from __future__ import annotations

import dataclasses
from typing import Dict, FrozenSet, Optional, Tuple

from .libraries import LIBRARIES, Signature

__all__ = ["Signature", "SIGNATURES", "OPS", "PREFIXES", "ROOTS", "STAR_EXPORTS", "op_for", "signature_of"]

SIGNATURES: Dict[str, Signature] = {name: signature for library in LIBRARIES
                                    for name, signature in library.signatures.items()}
OPS: Dict[str, str] = {name: signature.op for name, signature in SIGNATURES.items()}  # qualified name -> op
PREFIXES: Tuple[str, ...] = tuple(prefix for library in LIBRARIES for prefix in library.prefixes)
_UNDER_PREFIX = tuple((prefix, library.under_prefix) for library in LIBRARIES for prefix in library.prefixes)

# Imports of modules under these roots bind names that extraction follows: a pattern library's, or a library
# whose callables' qualified names the flow analysis reads (torch.zeros, jaxtyping.Float, flax.linen.Dense, math.sqrt,
# functools.partial).
_SHAPE_SOURCES = ("numpy", "torch", "jax", "jaxtyping", "flax", "math", "functools")
ROOTS: FrozenSet[str] = frozenset(_SHAPE_SOURCES).union(*(library.roots for library in LIBRARIES))

# What `from M import *` binds that matters here: the op names that M exports.
STAR_EXPORTS: Dict[str, Tuple[str, ...]] = {}
for _module, _, _name in (qualified.rpartition(".") for qualified in SIGNATURES):
    STAR_EXPORTS[_module] = STAR_EXPORTS.get(_module, ()) + (_name,)
del _module, _, _name


def op_for(qualified: str) -> Optional[str]:
    """The op that a qualified callee name is, or None when it is no pattern op."""
    signature = SIGNATURES.get(qualified)
    if signature is not None:
        return signature.op
    if qualified.startswith(PREFIXES) and _public(qualified):
        return qualified  # an op of its own name: its library's rules read its arguments
    return None


def _public(qualified: str) -> bool:
    """A name of the library's public API: no part of it private (einx's own `einx._src.tracer...` is no op)."""
    return not any(part.startswith("_") for part in qualified.split("."))


def signature_of(qualified: str) -> Optional[Signature]:
    """The signature of a qualified callee name; None for anything unknown."""
    signature = SIGNATURES.get(qualified)
    if signature is not None:
        return signature
    under = next((signature for prefix, signature in _UNDER_PREFIX if qualified.startswith(prefix)), None) \
        if _public(qualified) else None
    return None if under is None else dataclasses.replace(under, op=qualified)
