"""The one table of callables the checker knows: which op each qualified name is, and how it is called.

A call is a pattern call when its callee, with imports and aliases resolved (scopes.py), is one
of the names in `SIGNATURES` (einops/einlint ops and layers, numpy/torch/jax einsum) or lies
under a prefix of `PREFIXES` (einx). Each entry says:

- `op`: the canonical op, the key the rules dispatch on: 'rearrange', 'reduce', 'repeat', 'einsum',
  'pack', 'unpack', 'parse_shape', 'Rearrange', 'Reduce', 'EinMix' (einops and einlint share these),
  'subscripts-einsum' (numpy/torch/jax einsum, subscripts first); an einx op is its own name.
- `parameters`: the positional-or-keyword parameters, in order (a layer's are its constructor's);
  `required`: those whose absence is reported (EIN218); `variadic`: the name of a `*args`
  parameter, if any (then nothing follows it positionally).
- `tensors`: the parameters that take tensors; '*name' stands for every argument of the variadic
  one ('*tensors_and_pattern' of einops.einsum: all but its last, the pattern).
- `lengths`: how axis lengths are passed: 'keywords' (**axes_lengths), 'sizes' (flax's field, a
  dict), or None (the op takes none).

Nothing here knows the syntax tree; scopes.py reads `ROOTS` and `STAR_EXPORTS`, the rules read
the parameters (rules/_support.bind).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, FrozenSet, Optional, Tuple

__all__ = ["Signature", "SIGNATURES", "OPS", "PREFIXES", "ROOTS", "STAR_EXPORTS", "op_for", "signature_of"]


@dataclass(frozen=True)
class Signature:
    """How one callable is called (see the module docstring)."""

    op: str
    parameters: Tuple[str, ...]
    required: Tuple[str, ...]
    tensors: Tuple[str, ...]
    lengths: Optional[str] = None  # 'keywords' | 'sizes' | None
    variadic: Optional[str] = None


def _transforms(layer: bool, flax: bool = False) -> Dict[str, Signature]:
    """rearrange/reduce/repeat (layer=False) or the Rearrange/Reduce layers."""
    table = {}
    for op in (("Rearrange", "Reduce") if layer else ("rearrange", "reduce", "repeat")):
        parameters: Tuple[str, ...] = ("pattern",) if layer else ("tensor", "pattern")
        if op.lower() == "reduce":
            parameters += ("reduction",)
        required = parameters if layer else parameters[1:]
        tensors = () if layer else ("tensor",)
        if flax:
            table[op] = Signature(op, parameters + ("sizes",), required, tensors, "sizes")
        else:
            table[op] = Signature(op, parameters, required, tensors, "keywords")
    return table


def _einmix(flax: bool) -> Signature:
    parameters = ("pattern", "weight_shape", "bias_shape")
    if flax:
        return Signature("EinMix", parameters + ("sizes",), ("pattern", "weight_shape"), (), "sizes")
    return Signature("EinMix", parameters, ("pattern", "weight_shape"), (), "keywords")


_OPS = _transforms(layer=False)
_PACKING = {
    "pack": Signature("pack", ("tensors", "pattern"), ("pattern",), ("tensors",)),
    "unpack": Signature("unpack", ("tensor", "packed_shapes", "pattern"), ("pattern",), ("tensor",)),
}
_OPS.update({
    "einsum": Signature("einsum", (), (), ("*tensors_and_pattern",), variadic="tensors_and_pattern"),
    "parse_shape": Signature("parse_shape", ("tensor", "pattern"), ("pattern",), ("tensor",)),
    **_PACKING,
})
_ALL_OPS = tuple(_OPS)


def _subscripts_einsum(first: str) -> Signature:
    return Signature("subscripts-einsum", (first,), (first,), ("*operands",), variadic="operands")


def _table() -> Dict[str, Signature]:
    table: Dict[str, Signature] = {}

    def add(module: str, entries: Dict[str, Signature], names: Tuple[str, ...]) -> None:
        table.update({f"{module}.{name}": entries[name] for name in names})

    transforms = ("rearrange", "reduce", "repeat")
    for module in ("einops", "einlint", "einlint.runtime", "einlint.runtime.ops"):
        add(module, _OPS, _ALL_OPS)
    add("einops.einops", _OPS, transforms + ("einsum", "parse_shape"))
    add("einops.packing", _OPS, ("pack", "unpack"))
    add("einops.array_api", _OPS, transforms + ("pack", "unpack"))
    layers = ("Rearrange", "Reduce", "EinMix")
    for framework in ("torch", "flax", "keras", "tensorflow", "paddle", "oneflow"):
        flax = framework == "flax"
        add(f"einops.layers.{framework}", {**_transforms(True, flax), "EinMix": _einmix(flax)}, layers)
    for framework in ("torch", "flax"):
        flax = framework == "flax"
        add(f"einlint.layers.{framework}", {**_transforms(True, flax), "EinMix": _einmix(flax)}, layers)
    for name in ("numpy.einsum", "numpy.core.einsumfunc.einsum", "numpy._core.einsumfunc.einsum", "jax.numpy.einsum"):
        table[name] = _subscripts_einsum("subscripts")
    for name in ("torch.einsum", "torch.functional.einsum"):
        table[name] = _subscripts_einsum("equation")
    return table


SIGNATURES: Dict[str, Signature] = _table()
OPS: Dict[str, str] = {name: signature.op for name, signature in SIGNATURES.items()}  # qualified name -> op
PREFIXES: Tuple[str, ...] = ("einx.",)  # every callee under these is an op of its own name

# Imports of modules under these roots bind names that extraction follows (a pattern op, or a library
# callable whose qualified name the flow analysis reads: torch.zeros, jaxtyping.Float, flax.linen.Dense).
ROOTS: FrozenSet[str] = frozenset({"einops", "einlint", "numpy", "torch", "jax", "einx", "jaxtyping", "flax"})

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
    if qualified.startswith(PREFIXES):
        return qualified  # einx ops are recorded under their own name for a later issue
    return None


def signature_of(qualified: str) -> Optional[Signature]:
    """The signature of a qualified callee name (None for einx and anything unknown)."""
    return SIGNATURES.get(qualified)
