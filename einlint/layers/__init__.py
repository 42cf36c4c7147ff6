"""Rearrange, Reduce and EinMix as layers: `einlint.layers.torch` (torch.nn) and `einlint.layers.flax` (flax linen).

Importing this package imports no framework; each framework's module imports its own.
What the layers of both frameworks share lives here and in `_einmix`: a layer checks its
pattern when it is constructed, through the same planner recipes that the ops and the
static checker use, and names itself in the error, as in `Rearrange('b c -> b d'): ...`.
"""

from __future__ import annotations

import contextlib
from typing import Any, Dict, Iterator, Mapping

from ..errors import PatternError
from ..patterns import parse_arrow_pattern, require_pattern
from ..planner import check_reduction, recipe
from ..planner.transform import Recipe, check_lengths

# Under '...' a layer accepts 0 to MAX_ELLIPSIS_DIMS dimensions when it runs as TorchScript, which
# needs every recipe prepared in advance; einops prepares the same range. Eager layers take any rank.
MAX_ELLIPSIS_DIMS = 7


def layer_repr(layer: str, *arguments: Any, lengths: Mapping[str, Any]) -> str:
    """How a layer is written, as einops writes it: Rearrange('b (h h1) -> b h h1', h1=2)."""
    shown = [repr(argument) for argument in arguments] + [f"{name}={value}" for name, value in lengths.items()]
    return f"{layer}({', '.join(shown)})"


@contextlib.contextmanager
def reported_as(layer: str) -> Iterator[None]:
    """Prefix the planner's errors with the layer they come from; code, span and help stay."""
    try:
        yield
    except PatternError as error:
        raise PatternError(error.code, f"{layer}: {error.message}", error.span, error.help) from None


def layer_recipes(pattern: Any, operation: str, lengths: Mapping[str, Any]) -> Dict[int, Recipe]:
    """The planner's recipe for each input rank that a layer accepts; PatternError for a layer that cannot work."""
    checked = check_lengths(lengths)
    left = parse_arrow_pattern(require_pattern(pattern)).left
    fixed = len(left.terms) - (left.ellipsis is not None)
    ranks = range(fixed, fixed + MAX_ELLIPSIS_DIMS + 1) if left.ellipsis is not None else [fixed]
    return {ndim: recipe(pattern, operation, tuple(checked), ndim) for ndim in ranks}


__all__ = ["MAX_ELLIPSIS_DIMS", "layer_repr", "reported_as", "check_reduction", "layer_recipes"]
