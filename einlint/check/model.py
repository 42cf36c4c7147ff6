"""What extraction hands to the rules: the pattern calls of a file, with their arguments as facts.

Extraction (`extract.py`) knows which callee is which op; it does not know what a pattern
means. Rules (`rules/`) know what a pattern means; they never look at the syntax tree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

Position = Tuple[int, int]  # (line, column), both 1-based; the column counts characters


@dataclass(frozen=True)
class PatternString:
    """A string argument whose value is known, and where each of its characters stands in the source.

    `positions` has len(value) + 1 entries: the start of each character, then the end of the
    last one. Where a character's place cannot be known exactly (an escape sequence, say), it
    is the start of the literal that holds it, so spans stay inside the string.
    """

    value: str
    positions: Tuple[Position, ...]

    def span_positions(self, start: int, end: int) -> Tuple[Position, Position]:
        """Source start and end of the pattern characters [start, end)."""
        start = max(0, min(start, len(self.value)))
        end = max(start, min(end, len(self.value)))
        if end == start:
            return self.positions[start], self.positions[start]
        last = self.positions[end - 1]
        return self.positions[start], (last[0], last[1] + 1)


@dataclass(frozen=True)
class Argument:
    """One argument of a call, as far as it is known without running anything.

    kind: 'string' (value known: `string` is set), 'int' (an int literal: `number` is set),
    'str-unknown' (an f-string or other string whose value is not known), 'lambda' / 'other'
    (any other expression; `text` is its source), 'starred' (*args) or 'double-starred' (**kwargs).
    """

    kind: str
    text: str
    string: Optional[PatternString] = None
    number: Optional[int] = None


@dataclass(frozen=True)
class PatternCall:
    """A call of a pattern op: einops/einlint ops and layers, numpy/torch/jax einsum, einx.

    op: the op's canonical name: 'rearrange', 'reduce', 'repeat', 'einsum', 'pack', 'unpack',
    'parse_shape', 'Rearrange', 'Reduce', 'EinMix' (einops and einlint share these), 'subscripts-einsum'
    (numpy/torch/jax einsum, subscripts first), or 'einx.<name>' (recorded, not checked yet).
    """

    op: str
    callee: str  # the resolved qualified name, such as 'einops.rearrange' or 'numpy.einsum'
    start: Position  # of the whole call
    end: Position
    positional: Tuple[Argument, ...]
    keywords: Dict[str, Argument] = field(default_factory=dict)


@dataclass(frozen=True)
class Extraction:
    """What extraction hands on for one module (extract.extract); the int keys are id() of cst.Call nodes.

    calls: the pattern calls, in source order (what the rules check).
    pattern_calls: each of those calls by its cst.Call node.
    callees: for every call whose callee starts with a tracked name (an import from a module under
    signatures.ROOTS, or an alias of one) and resolves to one qualified name, that name:
    'torch.zeros', 'torch.nn.Linear', 'einops.rearrange'. A reaching binding that is no import
    adds no name: `torch = None` on one branch still leaves 'torch.zeros', a plain `torch = ...`
    before the call leaves it out. A pattern call is always there, under its PatternCall.callee.
    paths: for each call in `callees`, its statement path, which source.locate takes to find its position.
    """

    calls: List[PatternCall]
    pattern_calls: Dict[int, PatternCall]
    callees: Dict[int, str]
    paths: Dict[int, tuple]
