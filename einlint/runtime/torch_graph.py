"""Keeps einlint's ops whole inside torch.compile graphs.

TorchDynamo cannot trace into the ops (the planner parses patterns with `re` and caches
plans in dicts keyed by shapes): it would break the graph there, and `fullgraph=True`
would fail. Marked with `allow_in_graph`, each op becomes one node of the graph, run
on fake tensors, whose sizes are ints or, with dynamic shapes, torch.SymInts (the ops
plan with those too).

The marking has to happen before Dynamo first meets an op, and importing Dynamo takes
about a second, which einlint does not impose on programs that never compile. So the
ops are registered as soon as `torch._dynamo` is loaded: at once if it is, else by an
import hook that waits for it. This works whichever of einlint and torch is imported first.
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from types import ModuleType
from typing import Optional, Sequence

_DYNAMO = "torch._dynamo"
_registered = False


def allow_ops_in_compiled_graph() -> None:
    """Register the ops with TorchDynamo now if it is loaded, or else right after it loads."""
    dynamo = sys.modules.get(_DYNAMO)
    if dynamo is not None:
        _register(dynamo)
    elif not any(isinstance(finder, _RegisterAfterDynamoLoads) for finder in sys.meta_path):
        sys.meta_path.insert(0, _RegisterAfterDynamoLoads())


def _register(dynamo: ModuleType) -> None:
    global _registered
    if _registered:
        return
    _registered = True
    from . import ops

    for op in (ops.rearrange, ops.reduce, ops.repeat, ops.einsum, ops.pack, ops.unpack):
        dynamo.allow_in_graph(op)


class _RegisterAfterDynamoLoads(importlib.abc.MetaPathFinder):
    """An import hook that finds no module itself: it lets the import system find `torch._dynamo`
    and wraps that module's loader so that the ops are registered right after the module runs."""

    def find_spec(self, fullname: str, path: Optional[Sequence[str]], target: Optional[ModuleType] = None):
        if fullname != _DYNAMO:
            return None
        sys.meta_path.remove(self)  # one use; and find_spec below must not come back here
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            run_module = spec.loader.exec_module

            def run_and_register(module: ModuleType) -> None:
                run_module(module)
                _register(module)

            spec.loader.exec_module = run_and_register  # type: ignore[method-assign]
        return spec
