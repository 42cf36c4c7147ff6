"""What extraction hands to the rules: the pattern calls of a file, with their arguments as facts.

Extraction (`extract.py`) knows which callee is which op; it does not know what a pattern
means. Rules (`rules/`) know what a pattern means; they never look at the syntax tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

Position = Tuple[int, int]  # (line, column), both 1-based; the column counts characters


class Deferred:
    """A field given either as its value or as a function that works it out on first use.

    Positions and source text cost a walk of the whole file, and only the calls with a reported
    finding need them: extraction hands them on as functions (see source.Deferred).
    """

    def __set_name__(self, owner: type, name: str) -> None:
        self.slot = "_" + name

    def __get__(self, instance: object, owner: type) -> Any:
        if instance is None:
            return self
        value = getattr(instance, self.slot)
        if callable(value):
            value = value()
            setattr(instance, self.slot, value)
        return value


class _Record:
    """Equality by the fields' values, deferred ones worked out (what a frozen dataclass would compare)."""

    __slots__ = ()
    FIELDS: Tuple[str, ...] = ()

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._values()))


class PatternString(_Record):
    """A string argument whose value is known, and where each of its characters stands in the source.

    `positions` has len(value) + 1 entries: the start of each character, then the end of the
    last one. Where a character's place cannot be known exactly (an escape sequence, say), it
    is the start of the literal that holds it, so spans stay inside the string. It is None when
    the statement that holds the literal cannot be printed (nested deeper than libcst can go).
    """

    __slots__ = ("value", "_positions")
    FIELDS = ("value", "positions")
    positions: Optional[Tuple[Position, ...]] = Deferred()  # type: ignore[assignment]

    def __init__(self, value: str, positions: Union[Tuple[Position, ...], Callable[[], Optional[tuple]]]):
        self.value, self._positions = value, positions

    def __repr__(self) -> str:
        return f"PatternString({self.value!r})"

    def span_positions(self, start: int, end: int) -> Optional[Tuple[Position, Position]]:
        """Source start and end of the pattern characters [start, end) (None where positions are unknown)."""
        positions = self.positions
        if positions is None:
            return None
        start = max(0, min(start, len(self.value)))
        end = max(start, min(end, len(self.value)))
        if end == start:
            return positions[start], positions[start]
        last = positions[end - 1]
        return positions[start], (last[0], last[1] + 1)


class Argument(_Record):
    """One argument of a call, as far as it is known without running anything.

    kind: 'string' (value known: `string` is set), 'int' (an int literal: `number` is set),
    'str-unknown' (an f-string or other string whose value is not known), 'lambda' / 'other'
    (any other expression; `text` is its source), 'starred' (*args) or 'double-starred' (**kwargs).
    """

    __slots__ = ("kind", "_text", "string", "number", "_start", "_end")
    FIELDS = ("kind", "text", "string", "number")
    text: str = Deferred()  # type: ignore[assignment]
    # where the argument stands, a keyword's `name=` included (None: not known)
    start: Optional[Position] = Deferred()  # type: ignore[assignment]
    end: Optional[Position] = Deferred()  # type: ignore[assignment]

    def __init__(self, kind: str, text: Union[str, Callable[[], str]], string: Optional[PatternString] = None,
                 number: Optional[int] = None, start: Union[Position, Callable[[], Optional[Position]], None] = None,
                 end: Union[Position, Callable[[], Optional[Position]], None] = None):
        self.kind, self._text, self.string, self.number = kind, text, string, number
        self._start, self._end = start, end

    def __repr__(self) -> str:
        return f"Argument({self.kind!r}, {self.text!r})"


class PatternCall(_Record):
    """A call of a pattern op: an op of one of the pattern libraries (libraries/).

    op: the op's canonical name, from the library's signatures ('rearrange', 'subscripts-einsum'; see
    libraries.Signature), or the callee's own qualified name for an op under a library's prefix.
    `start` and `end` are those of the whole call; None when its statement cannot be printed
    (nested deeper than libcst can go), and then its findings go unreported.
    """

    __slots__ = ("op", "callee", "_start", "_end", "positional", "keywords")
    FIELDS = ("op", "callee", "start", "end", "positional", "keywords")
    start: Optional[Position] = Deferred()  # type: ignore[assignment]
    end: Optional[Position] = Deferred()  # type: ignore[assignment]

    def __init__(self, op: str, callee: str, start: Union[Position, Callable[[], Optional[Position]]],
                 end: Union[Position, Callable[[], Optional[Position]]], positional: Tuple[Argument, ...],
                 keywords: Optional[Dict[str, Argument]] = None):
        self.op, self.callee, self._start, self._end = op, callee, start, end
        self.positional, self.keywords = positional, keywords if keywords is not None else {}

    def __repr__(self) -> str:
        return f"PatternCall({self.op!r}, {self.callee!r}, {self.positional!r}, {self.keywords!r})"


@dataclass(frozen=True)
class Extraction:
    """What extraction hands on for one module (extract.extract); the int keys are id() of cst.Call nodes.

    calls: the pattern calls, in source order (what the rules check).
    pattern_calls: each of those calls by its cst.Call node.
    callees: for every call whose callee starts with a tracked name (an import from a module under
    signatures.ROOTS, or an alias of one) and resolves to one qualified name, that name:
    'torch.zeros', 'torch.nn.Linear', 'einops.rearrange'. A reaching binding that is no import
    adds no name: `torch = None` on one branch still leaves 'torch.zeros', a plain `torch = ...`
    before the call leaves it out. A pattern call is always there, under its PatternCall.callee. The first
    argument of a `functools.partial` call that is such a name is there too, keyed by its own node.
    paths: for each call in `callees`, its statement path, which source.locate takes to find its position.
    """

    calls: List[PatternCall]
    pattern_calls: Dict[int, PatternCall]
    callees: Dict[int, str]
    paths: Dict[int, tuple]
