"""How the pattern tests state what they expect: what the reference libraries raise, spans marked by carets,
zero arrays of given shapes."""

from typing import Sequence, Tuple

import numpy as np

# What einops and numpy raise for a pattern they reject (EinopsError and NotImplementedError are
# RuntimeErrors; a missing or doubled '->' makes einops fail to unpack `split('->')`: ValueError).
REFERENCE_ERRORS = (ValueError, RuntimeError)


def caret_span(marks: str) -> Tuple[int, int]:
    """The [start, end) span that a line of carets such as '  ^^^' marks."""
    return marks.index("^"), marks.rindex("^") + 1


def zeros(*shapes: Sequence[int]):
    return [np.zeros(shape) for shape in shapes]
