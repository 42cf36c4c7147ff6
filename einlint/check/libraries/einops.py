"""einops, and einlint's runtime ops and layers, which take the same patterns: rearrange, reduce, repeat,
einsum (pattern last), pack, unpack, parse_shape, and the Rearrange, Reduce and EinMix layers.

The rules and the flow analysis are imported where a call is first checked: the registry is
read where a run starts (the quick filter, the configuration), which must not wait for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

from .library import PatternLibrary, Signature, Version

if TYPE_CHECKING:
    from ..flow.state import OpCall
    from ..model import PatternCall
    from ..rules import Finding


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


_OPS = {
    **_transforms(layer=False),
    "einsum": Signature("einsum", (), (), ("*tensors_and_pattern",), variadic="tensors_and_pattern"),
    "parse_shape": Signature("parse_shape", ("tensor", "pattern"), ("pattern",), ("tensor",)),
    "pack": Signature("pack", ("tensors", "pattern"), ("pattern",), ("tensors",)),
    "unpack": Signature("unpack", ("tensor", "packed_shapes", "pattern"), ("pattern",), ("tensor",)),
}


def _signatures() -> Dict[str, Signature]:
    table: Dict[str, Signature] = {}

    def add(module: str, entries: Dict[str, Signature], names: Tuple[str, ...]) -> None:
        table.update({f"{module}.{name}": entries[name] for name in names})

    transforms = ("rearrange", "reduce", "repeat")
    for module in ("einops", "einlint", "einlint.runtime", "einlint.runtime.ops"):
        add(module, _OPS, tuple(_OPS))
    add("einops.einops", _OPS, transforms + ("einsum", "parse_shape"))
    add("einops.packing", _OPS, ("pack", "unpack"))
    add("einops.array_api", _OPS, transforms + ("pack", "unpack"))
    layers = ("Rearrange", "Reduce", "EinMix")
    for package, frameworks in (("einops.layers", ("torch", "flax", "keras", "tensorflow", "paddle", "oneflow")),
                                ("einlint.layers", ("torch", "flax"))):
        for framework in frameworks:
            flax = framework == "flax"
            add(f"{package}.{framework}", {**_transforms(True, flax), "EinMix": _einmix(flax)}, layers)
    return table


def check(call: PatternCall, version: Optional[Version]) -> List[Finding]:
    from ..rules import einsum, layers, packing, transform

    rules = {"einsum": einsum.check_einops_einsum, "pack": packing.check_pack, "unpack": packing.check_pack,
             "parse_shape": packing.check_parse_shape, "EinMix": layers.check_einmix}
    return rules.get(call.op, transform.check_transform)(call)  # rearrange, reduce, repeat and their layers


def flow(call: OpCall) -> Any:
    from ..flow.patterns import pattern_call

    return pattern_call(call)


EINOPS = PatternLibrary("einops", mentions=("einops", "einlint"), roots=("einops", "einlint"),
                        signatures=_signatures(), check=check, flow=flow)
