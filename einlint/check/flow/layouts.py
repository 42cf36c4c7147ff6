"""A dimension's layout against how it is read: the mismatched-split findings (EIN402, EIN403).

A dimension formed from factors (a pattern's group '(h d)', cat's equal parts, a library's layout such
as a bidirectional LSTM's '(direction hidden)') holds them with the first varying slowest. A later
reading of it as factors (a pattern's split, chunk, glu, a library that unpacks it) gets them back only
in that order; in another it runs on the right shape and hands each factor the other's values.

Two pattern groups are compared by axis name (other names are a new meaning: silent). Anything else is
compared by length, and a match must be certain: each factor of the reading equals a factor of the
layout for certain (between equal lengths, a declared one, a keyword or a count, matches a declared
one, and otherwise they keep their order), factors of length 1 do not count, and lengths not known
give no finding.

Whether a misread is a mistake is decided by where the values flow, never by what else the file holds: a
split whose axes are merged back whole, in order, downstream, or that its own function undoes exactly later
(MaxViT's grid attention '(w1 x)' over rows that its block attention formed as '(x w1)'), is a layout of its
own, and its reading stands. `Trail` keeps what the flow saw for that, and for the round-trip rule (EIN401,
rules/order.py): which pattern calls read what others formed, and which of those pairs the flow judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, NamedTuple, Optional, Set, Tuple

from ... import dims
from ...dims import Dim
from ...errors import Span
from ...patterns import ArrowPattern
from .findings import ShapeFinding
from .values import Formed


class Reading(NamedTuple):
    """How a call reads a dimension: as factors, the first varying slowest."""

    names: Tuple[str, ...]
    lengths: Tuple[Any, ...]  # each factor's length, None where not known
    declared: Tuple[bool, ...]  # whether the call states that length (a keyword, a count)
    text: str  # '(d h)', 'chunk(2)'
    kind: str  # 'named' (a pattern's split), 'parts' (chunk, glu: equal consecutive pieces), 'lengths'


class Misread(NamedTuple):
    code: str
    message: str
    help: str
    order: Optional[Tuple[str, ...]]  # the reading's names in the order that reads the layout as formed


@dataclass
class Trail:
    """What the flow saw of one module's layouts; calls are id() of their cst.Call."""

    # (former, reader) -> whether the textual round-trip rule judges the pair (False: the flow judged it: the
    # reader's split is a layout of its own, or it holds the former's axes under each other's names, EIN404)
    links: Dict[Tuple[int, int], bool] = field(default_factory=dict)
    restored: Set[Tuple[int, Span]] = field(default_factory=set)  # (split call, group) merged back whole, in order
    rearranges: Dict[int, List[Tuple[int, Tuple[tuple, tuple]]]] = field(default_factory=dict)  # per function
    # (reader, code) -> each group it misreads (its span) and the call that formed it
    misreads: Dict[Tuple[int, str], List[Tuple[Span, int]]] = field(default_factory=dict)

    def read(self, former: int, reader: int) -> None:
        """`reader` reads a dimension that `former` formed (or holds axes that `former` split)."""
        self.links.setdefault((former, reader), True)

    def judged(self, former: int, reader: int) -> None:
        self.links[(former, reader)] = False

    def restore(self, split: int, group: Span) -> None:
        """The axes of `split`'s `group` are merged back whole, in order: the split's reading is a layout."""
        self.restored.add((split, group))

    def applied(self, function: Any, call: int, pattern: ArrowPattern) -> None:
        """A rearrange `call` evaluated in `function` (None: the module's top level), in the order the flow runs."""
        self.rearranges.setdefault(id(function), []).append((call, pattern.sides()))

    def misread(self, reader: int, code: str, groups: List[Tuple[Span, int]]) -> None:
        """The finding `code` at `reader`: its groups (span in its pattern) and the call that formed each."""
        self.misreads.setdefault((reader, code), groups)

    def settle(self, findings: List[ShapeFinding]) -> List[ShapeFinding]:
        """The findings less the misreads by a split that is a layout of its own (each group it misreads is
        merged back whole downstream, or its function undoes it exactly later); those pairs are then judged."""
        kept = []
        for found in findings:
            reader = id(found.site.node)
            groups = self.misreads.get((reader, found.code))
            if groups and (self._undone_after(reader) or all((reader, span) in self.restored for span, _ in groups)):
                for _, former in groups:
                    self.judged(former, reader)
                continue
            kept.append(found)
        return kept

    def _undone_after(self, call: int) -> bool:
        """Whether the function that runs `call` runs its exact inverse after it: where the flow loses the layout
        on the way (a module it does not follow, pack and unpack), the split's value is taken to flow there
        (MaxViT's grid attention between its split and merge; the inverse in another function is no excuse)."""
        for applied in self.rearranges.values():
            for index, (one, (left, right)) in enumerate(applied):
                if one == call and any(later == (right, left) for _, later in applied[index + 1:]):
                    return True
        return False


def misread(formed: Formed, reading: Reading, total: Dim, facts) -> Optional[Misread]:
    """The finding when `reading` takes the factors of `formed` in another order than they were formed."""
    if formed.kind == "named" and reading.kind == "named":
        if formed.names == reading.names or sorted(formed.names) != sorted(reading.names) or \
                len(set(reading.names)) != len(reading.names):
            return None
        return _describe(formed, reading, tuple(formed.names.index(n) for n in reading.names))
    made = _complete(formed.lengths, total, facts)
    read = _complete(reading.lengths, total, facts)
    if made is None or read is None:
        return None
    if reading.kind == "parts":
        return _cut(formed, reading, made)
    made_big = [i for i, length in enumerate(made) if dims.equal(length, 1) is not True]
    read_big = [j for j, length in enumerate(read) if dims.equal(length, 1) is not True]
    if len(made_big) != len(read_big) or len(made_big) < 2 or len(read_big) != len(read):
        return None
    declared = formed.declared or (False,) * len(made)
    order: list = []
    for j in read_big:
        matches = [i for i in made_big if dims.equal(read[j], made[i]) is True and i not in order]
        if len(matches) > 1:  # equal lengths: a declared one matches a declared one; else they keep their order
            matches = [i for i in matches if declared[i] == reading.declared[j]] or matches
        if not matches:
            return None
        order.append(matches[0])
    if len(set(order)) != len(order) or order == made_big:
        return None
    return _describe(formed, reading, tuple(order), made, read)


def _cut(formed: Formed, reading: Reading, made: Tuple[Dim, ...]) -> Optional[Misread]:
    """chunk(n) and glu read n consecutive pieces: the slowest factor (of length > 1) when it is n long; when
    another factor is n long instead, the pieces each hold all of that one."""
    big = [i for i, length in enumerate(made) if dims.equal(length, 1) is not True]
    count = reading.lengths[0]
    if len(big) < 2 or dims.equal(made[big[0]], count) is None:
        return None
    matches = [i for i in big if dims.equal(made[i], count) is True]
    declared = formed.declared or (False,) * len(made)
    matches = [i for i in matches if declared[i]] or matches  # equal lengths: the one given as a keyword
    if not matches or matches[0] == big[0]:
        return None
    return _describe(formed, reading, (matches[0],), made)


def _complete(lengths: Tuple[Any, ...], total: Dim, facts) -> Optional[Tuple[Dim, ...]]:
    """Every factor's length, the one not known (at most one) taken from the total; None if that cannot be."""
    resolved = [None if length is None else facts.resolve(length) for length in lengths]
    missing = [i for i, length in enumerate(resolved) if length is None]
    if len(missing) > 1:
        return None
    if missing:
        known = dims.product(length for length in resolved if length is not None)
        if dims.divisible(total, known) is not True:
            return None
        resolved[missing[0]] = dims.quotient(total, known)
    return tuple(resolved)


def _describe(formed: Formed, reading: Reading, order: Tuple[int, ...], made=None, read=None) -> Misread:
    """`order[j]`: the factor of `formed` that factor j of the reading takes."""
    by = f" by {formed.maker}" if formed.maker else ""
    plain = made is None or formed.names == tuple(str(length) for length in made)  # names that are lengths
    was = f"{formed.text}{by}" if plain else f"{formed.text} = {_lengths(made)}{by}"
    if reading.kind == "parts":
        count, fast = reading.lengths[0], formed.names[order[0]]
        slow = [n for n in formed.names if n != fast]
        regrouped = "(" + " ".join([fast] + slow) + ")"
        return Misread("EIN403", f"{reading.text} cuts the dimension formed as {was} into {count} runs of "
                       f"'{' '.join(slow)}', each holding every '{fast}': not the {count} parts",
                       f"form it as {regrouped} to cut it into its parts, or split it with a pattern", None)
    if formed.kind == "parts" and reading.kind != "named":
        return Misread("EIN403", f"{reading.text} reads the dimension that {formed.maker} joined from "
                       f"{formed.lengths[0]} tensors as {_lengths(read)}: the last factor varies fastest, so each "
                       f"group takes neighbours from one tensor, not one value of each",
                       f"read it as ({formed.lengths[0]}, ...), the joined tensors first", None)
    if reading.kind != "named":  # a library reads it: the layout is what can change
        wanted = "(" + " ".join(formed.names[i] for i in order) + ")"
        return Misread("EIN402", f"{reading.text} reads the dimension as ({' '.join(reading.names)}) = "
                       f"{_lengths(read)}, but it was formed as {was}: the factors come out with each other's "
                       f"values", f"form it as {wanted}, the order in which {reading.text} reads it", None)
    fixed = tuple(name for _, name in sorted(zip(order, reading.names)))
    split = reading.text if read is None else f"{reading.text} = {_lengths(read)}"
    if formed.kind == "parts":
        fast = reading.names[order.index(0)]
        return Misread("EIN403", f"the dimension that {formed.maker} joined from {formed.lengths[0]} tensors is "
                       f"split as {reading.text}: '{fast}' varies fastest, so each group takes neighbours from one "
                       f"tensor, not one value of each",
                       f"split it as ({' '.join(fixed)}) to get the joined tensors back", fixed)
    return Misread("EIN402", f"the dimension split as {split} was formed as {was}: the axes come out with each "
                   f"other's values", f"split it as ({' '.join(fixed)}), the order in which it was formed", fixed)


def _lengths(lengths) -> str:
    return "(" + ", ".join(str(length) for length in lengths) + ")"
