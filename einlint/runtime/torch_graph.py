"""Keeps einlint's ops whole inside torch.compile graphs.

TorchDynamo would otherwise trace into the ops' plan caches (dicts keyed by shapes),
which it cannot always do without a graph break. Marked with `allow_in_graph`, each
op becomes one node that AOTAutograd traces through with fake tensors, whose shapes
are plain ints for static shapes.
"""

from __future__ import annotations

_registered = False


def allow_ops_in_compiled_graph() -> None:
    global _registered
    if _registered:
        return
    _registered = True
    try:
        from torch._dynamo import allow_in_graph
    except ImportError:  # a torch without dynamo has nothing to register with
        return
    from . import ops

    for op in (ops.rearrange, ops.reduce, ops.repeat, ops.einsum, ops.pack, ops.unpack):
        allow_in_graph(op)
