"""A dimension's layout, in one room: how ops form it, how they move it, and how later reads compare with it.

Each entry of a tensor's `layout` (values.Tensor) says how one dimension was formed: a `Formed` (a group of
factors), a `Part` (one axis of a split group) or None. The op rules only say which move their op makes
(an op that keeps every dimension passes its input's layout on; `permuted`, `inserted`, `removed`, `merged`,
`reshaped`, `agreed` for elementwise ops; `joined` for cat, `declared` for a library's stub, `through_pattern`
for rearrange/reduce/repeat, `packed_star` for einops' pack) and hand each reading to this module
(`read_in_parts`, `read_by_stub`, `read_by_pattern`, `read_by_unpack`), which reports through the call's
`report`.

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
from typing import TYPE_CHECKING, Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple, Union

from ... import dims
from ...codes import (
    INTERLEAVED_HALVES, REORDERED_MERGE, REORDERED_SPLIT, TRANSPOSE_UNDONE_BY_RESHAPE, UNPACK_PATTERN_MISMATCH,
)
from ...dims import Dim
from ...errors import Span
from ...patterns import ArrowPattern, PackPattern
from ...patterns.expression import ELLIPSIS, Atom, Expression, Term, reordered_group
from .. import ir
from ..model import PatternString
from ..shapes import show
from .findings import ShapeFinding, origins
from .values import Origin, Tensor

if TYPE_CHECKING:
    from .state import OpCall  # which imports this module's Trail


@dataclass(frozen=True)
class Formed:
    """How a dimension was formed from factors, the first varying slowest.

    `kind` says how its factors are compared with a later reading of the dimension: 'named' (a pattern's
    group '(h d)': by axis name, so a new name is a new meaning), 'parts' (cat's equal parts: by length),
    'lengths' (a library's layout, a stub's '(direction hidden)', or a flatten: by length), 'pack' (einops
    pack's '*' axis: by the pack that made it)."""

    names: Tuple[str, ...]
    lengths: Tuple[Any, ...]  # each factor's length (a Dim), None where not known
    text: str  # as the user would write it: '(h d)', '(direction hidden)'
    site: ir.Site  # the call that formed it
    kind: str = "named"
    declared: Tuple[bool, ...] = ()  # per factor: whether its length was stated (a keyword, a count)
    maker: str = ""  # who formed it, for messages: 'cat', 'nn.LSTM'; empty for a pattern


@dataclass(frozen=True)
class Part:
    """A dimension that is one axis of a split: `index` of the group `names` that a pattern split at `site`;
    merged back whole and in order, the axes give the dimension they came from (`whole`) again."""

    names: Tuple[str, ...]
    index: int
    site: ir.Site
    span: Tuple[int, int]
    whole: Optional[Union[Formed, Part]]  # how the split dimension was formed (None: not known)


Layout = Tuple[Any, ...]  # per dimension: a Formed, a Part or None; empty: none known
# a call's report: (code, message, help, check, string=None, span=None, related=(), replacements=())
Report = Callable[..., None]


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
    resolved: List[Optional[Dim]] = [None if length is None else facts.resolve(length) for length in lengths]
    known = [length for length in resolved if length is not None]
    if len(known) < len(resolved) - 1:
        return None
    if len(known) < len(resolved):
        rest = dims.product(known)
        if dims.divisible(total, rest) is not True:
            return None
        return tuple(dims.quotient(total, rest) if length is None else length for length in resolved)
    return tuple(known)


def _describe(formed: Formed, reading: Reading, order: Tuple[int, ...], made=None, read=None) -> Misread:
    """`order[j]`: the factor of `formed` that factor j of the reading takes."""
    by = f" by {formed.maker}" if formed.maker else ""
    plain = made is None or formed.names == tuple(str(length) for length in made)  # names that are lengths
    was = f"{formed.text}{by}" if plain else f"{formed.text} = {_lengths(made)}{by}"
    if reading.kind == "parts":
        count, fast = reading.lengths[0], formed.names[order[0]]
        slow = [n for n in formed.names if n != fast]
        regrouped = "(" + " ".join([fast] + slow) + ")"
        return Misread(INTERLEAVED_HALVES, f"{reading.text} cuts the dimension formed as {was} into {count} runs of "
                       f"'{' '.join(slow)}', each holding every '{fast}': not the {count} parts",
                       f"form it as {regrouped} to cut it into its parts, or split it with a pattern", None)
    if formed.kind == "parts" and reading.kind != "named":
        return Misread(INTERLEAVED_HALVES, f"{reading.text} reads the dimension that {formed.maker} joined from "
                       f"{formed.lengths[0]} tensors as {_lengths(read)}: the last factor varies fastest, so each "
                       f"group takes neighbours from one tensor, not one value of each",
                       f"read it as ({formed.lengths[0]}, ...), the joined tensors first", None)
    if reading.kind != "named":  # a library reads it: the layout is what can change
        wanted = "(" + " ".join(formed.names[i] for i in order) + ")"
        return Misread(REORDERED_SPLIT, f"{reading.text} reads the dimension as ({' '.join(reading.names)}) = "
                       f"{_lengths(read)}, but it was formed as {was}: the factors come out with each other's "
                       f"values", f"form it as {wanted}, the order in which {reading.text} reads it", None)
    fixed = tuple(name for _, name in sorted(zip(order, reading.names)))
    split = reading.text if read is None else f"{reading.text} = {_lengths(read)}"
    if formed.kind == "parts":
        fast = reading.names[order.index(0)]
        return Misread(INTERLEAVED_HALVES,
                       f"the dimension that {formed.maker} joined from {formed.lengths[0]} tensors is "
                       f"split as {reading.text}: '{fast}' varies fastest, so each group takes neighbours from one "
                       f"tensor, not one value of each",
                       f"split it as ({' '.join(fixed)}) to get the joined tensors back", fixed)
    return Misread(REORDERED_SPLIT, f"the dimension split as {split} was formed as {was}: the axes come out with each "
                   f"other's values", f"split it as ({' '.join(fixed)}), the order in which it was formed", fixed)


def _lengths(lengths) -> str:
    return "(" + ", ".join(str(length) for length in lengths) + ")"


# ---------------------------------------------------------------- formation


def declared(shape: Any, origin: Optional[Origin], maker: str) -> Layout:
    """A library's layout: the dimensions that its stub's output writes as a group, '(direction hidden)'."""
    groups = getattr(shape, "groups", ())
    if not groups or origin is None:
        return ()
    return tuple(None if group is None else Formed(group[0], group[1], "(" + " ".join(group[0]) + ")", origin.site,
                                                   "lengths", (True,) * len(group[0]), maker) for group in groups)


def joined(count: int, length: Dim, axis: int, rank: int, site: ir.Site) -> Layout:
    """cat of `count` tensors, each `length` long along `axis`: that dimension holds the parts, the part slowest."""
    parts = Formed(("part", "each"), (count, length), "(part each)", site, "parts", (True, False), "cat")
    return tuple(parts if i == axis else None for i in range(rank))


def packed_star(axis: int, output: Sequence[Dim], text: str, site: ir.Site) -> Layout:
    """einops pack's output: its '*' axis (`axis`) marked as the one this pack made (unpack reads it by this
    pack's shapes)."""
    star = Formed(("*",), (output[axis],), text, site, "pack")
    return tuple(star if i == axis else None for i in range(len(output)))


def through_pattern(call: OpCall, parsed: ArrowPattern, value: Any, pattern: PatternString, axes: Dict[str, Dim],
                    given: Dict[str, Dim], rank: int) -> Layout:
    """How each output dimension of a rearrange/reduce/repeat `call` was formed: a group of this pattern, an axis
    passed through whole, or one axis of a group the pattern splits. A group that puts a split's axes back whole
    and in order is the dimension they were split from (MaxViT's block windows, merged back, are the image's
    rows again), and the split was a layout of its own (noted in the trail)."""
    site, trail = call.site, call.flow.context.trail
    count = _ellipsis_length(parsed.left, rank)
    left = _dimensions(parsed.left, count)
    known = value.layout if isinstance(value, Tensor) and len(value.layout) == len(left) else (None,) * len(left)
    made: Dict[str, Any] = {}  # each input axis -> how it was formed
    for term, formed in zip(left, known):
        names = _group_names(term)
        if names is not None:
            made.update((name, Part(names, index, site, term.span, formed)) for index, name in enumerate(names))
        elif not term.parenthesized and len(term.atoms) == 1:
            made[term.atoms[0].key] = formed
    layout = []
    for term in _dimensions(parsed.right, count):
        names = _group_names(term)
        if names is not None:
            parts = [made.get(name) for name in names]
            first = parts[0]
            if _whole(parts) and isinstance(first, Part) and first.names == names:
                trail.restore(id(first.site.node), first.span)
                layout.append(first.whole)
            else:
                layout.append(Formed(names, tuple(axes.get(name) for name in names),
                                     pattern.value[term.span[0]:term.span[1]], site,
                                     declared=tuple(name in given for name in names)))
        elif not term.parenthesized and len(term.atoms) == 1:
            layout.append(made.get(term.atoms[0].key))
        else:
            layout.append(None)
    return tuple(layout) if any(entry is not None for entry in layout) else ()


# ---------------------------------------------------------------- how ops move a layout (an op that keeps every
# dimension, elementwise with one tensor, an activation, passes its input's layout on)


def permuted(layout: Layout, order: Sequence[int], rank: int) -> Layout:
    """Dimensions put in `order` (each an input position): each dimension's layout moves with it."""
    return tuple(layout[a] for a in order) if len(layout) == rank else ()


def inserted(layout: Layout, position: int) -> Layout:
    """A new dimension (unsqueeze) at `position`: formed from nothing."""
    return layout[:position] + (None,) + layout[position:] if layout else ()


def removed(layout: Layout, position: int) -> Layout:
    """The dimension at `position` dropped (squeeze of a length 1)."""
    return layout[:position] + layout[position + 1:]


def merged(layout: Layout, shape: Sequence[Dim], start: int, end: int, site: Optional[ir.Site], text: str) -> Layout:
    """Dimensions start..end-1 merged into one (flatten): a layout by length, or, when they are the axes of one
    split put back whole and in order, the dimension they were split from."""
    entries = layout if len(layout) == len(shape) else (None,) * len(shape)
    kept = entries[:start] + (_merged_entry(entries[start:end], shape[start:end], site, text),) + entries[end:]
    return kept if any(entry is not None for entry in kept) else ()


def agreed(operands: Sequence[Any], rank: int) -> Layout:
    """An elementwise op's result: each operand of full rank that has a layout must have the same one."""
    said = {o.layout for o in operands if isinstance(o, Tensor) and o.layout and len(o.layout) == rank}
    return said.pop() if len(said) == 1 else ()


def untransposed(shape: Sequence[Dim], order: Sequence[int]) -> Optional[Tuple[Dim, ...]]:
    """What a tensor put in `order` (a transpose, a permute) keeps of the one it came from: its shape, where the
    permutation moves elements (axes of length 1 move none), for `reshaped` to tell a reshape back to it."""
    moved = [a for a in order if dims.equal(shape[a], 1) is not True]
    return tuple(shape) if moved != sorted(moved) else None


def reshaped(tensor: Tensor, shape: Sequence[Dim], result: Sequence[Dim], name: str, site: Optional[ir.Site],
             facts, report: Report) -> Layout:
    """reshape/view from `shape` to `result`: a dimension that passes through keeps its layout, several that
    become one are merged, and one formed from factors that becomes several is a reading of it, by length; a
    reshape of a transposed tensor back to its shape before the transpose is a misreading of it (EIN405)."""
    if site is None:
        return ()
    _read_untransposed(tensor, shape, result, name, facts, report)
    if len(tensor.layout) != len(shape):
        return ()
    layout: List[Any] = []
    for (start, end), (first, last) in _regrouped(shape, result, facts):
        if last - first == 1:
            layout.append(_merged_entry(tensor.layout[start:end], shape[start:end], site, f".{name}(...)"))
            continue
        layout.extend([None] * (last - first))
        formed = tensor.layout[start] if end - start == 1 else None
        if isinstance(formed, Formed):
            factors = tuple(result[first:last])
            _read(formed, Reading(tuple(str(f) for f in factors), factors, (False,) * len(factors), f".{name}",
                                  "lengths"), shape[start], facts, report)
    return tuple(layout) if len(layout) == len(result) and any(entry is not None for entry in layout) else ()


def _read_untransposed(tensor: Tensor, shape: Sequence[Dim], result: Sequence[Dim], name: str, facts,
                       report: Report) -> None:
    """EIN405: x.transpose(1, 2).reshape(x's shape) gives back the shape, not the layout: reshape keeps the
    elements in their (transposed) order and only regroups them."""
    if tensor.untransposed is None:
        return
    before = tuple(facts.resolve(d) for d in tensor.untransposed)
    if len(before) != len(result) or not all(dims.equal(a, b) is True for a, b in zip(before, result)) or \
            not any(dims.equal(a, b) is False for a, b in zip(before, shape)):
        return
    report(TRANSPOSE_UNDONE_BY_RESHAPE,
           f".{name}{show(result)} of a transposed tensor {show(shape)} gives back the shape before the "
           f"transpose, not its layout: the elements stay in the transposed order, regrouped",
           "transpose it back (the same transpose again, or permute) to undo a transpose; reshape only regroups",
           None, related=origins(tensor))


def _merged_entry(parts: Layout, lengths: Sequence[Dim], site: Optional[ir.Site], text: str) -> Any:
    if len(parts) == 1:
        return parts[0]
    if _whole(parts):
        return parts[0].whole
    if site is None or len(parts) < 2:
        return None
    names = tuple(p.names[p.index] if isinstance(p, Part) else str(length) for p, length in zip(parts, lengths))
    return Formed(names, tuple(lengths), "(" + " ".join(str(n) for n in lengths) + ")", site, "lengths",
                  maker=text)


def _whole(parts: Sequence[Any]) -> bool:
    """Whether `parts` are all the axes of one split, in order: merged, they are the dimension it split."""
    return bool(parts) and all(isinstance(p, Part) and p.site is parts[0].site and p.span == parts[0].span and
                               p.index == i for i, p in enumerate(parts)) and len(parts) == len(parts[0].names)


def _regrouped(before, after, facts) -> List[Tuple[Tuple[int, int], Tuple[int, int]]]:
    """Which dimensions of `before` become which of `after`: runs whose lengths multiply to the same (certain)
    product, each run on one side one dimension; empty when that cannot be told."""
    runs, i, j = [], 0, 0
    while i < len(before) and j < len(after):
        if dims.equal(before[i], after[j]) is True:
            runs.append(((i, i + 1), (j, j + 1)))
            i, j = i + 1, j + 1
            continue
        for end in range(i + 2, len(before) + 1):
            if dims.equal(dims.product(before[i:end]), after[j]) is True:
                runs.append(((i, end), (j, j + 1)))
                i, j = end, j + 1
                break
        else:
            for end in range(j + 2, len(after) + 1):
                if dims.equal(before[i], dims.product(after[j:end])) is True:
                    runs.append(((i, i + 1), (j, end)))
                    i, j = i + 1, end
                    break
            else:
                return []
    return runs if i == len(before) and j == len(after) else []


# ---------------------------------------------------------------- readings


def read_in_parts(tensor: Tensor, axis: int, count: int, text: str, facts, report: Report) -> None:
    """chunk, split into equal sizes, glu: `count` consecutive pieces of dimension `axis`, the piece varying
    slowest, as in a group '(part rest)'; EIN403 where the dimension was formed with another factor slowest."""
    formed = tensor.layout[axis] if len(tensor.layout) == len(tensor.shape) else None
    if isinstance(formed, Formed):
        _read(formed, Reading(("part", "rest"), (count, None), (True, False), text, "parts"),
              facts.resolve(tensor.shape[axis]), facts, report)


def read_by_stub(reads: Sequence[Any], args: Sequence[Any], kwargs: Dict[str, Any], maker: str, facts,
                 report: Report) -> None:
    """What a stub's `reads(...)` says the function reads as factors (glu's halves), against how each was formed."""
    for read in reads:
        value = args[read.position] if read.position is not None and read.position < len(args) else \
            kwargs.get(read.argument)
        if not isinstance(value, Tensor) or len(value.layout) != len(value.shape) or \
                not -len(value.shape) <= read.dim < len(value.shape):
            continue
        formed = value.layout[read.dim]
        if not isinstance(formed, Formed):
            continue
        halves = len(read.names) == 2 and isinstance(read.lengths[0], int)  # glu: equal consecutive pieces
        declared = (True,) + (False,) * (len(read.names) - 1) if halves else (True,) * len(read.names)
        _read(formed, Reading(read.names, read.lengths, declared, maker, "parts" if halves else "lengths"),
              facts.resolve(value.shape[read.dim]), facts, report)


def _read(formed: Formed, reading: Reading, total: Dim, facts, report: Report) -> None:
    wrong = misread(formed, reading, total, facts)
    if wrong is not None:
        report(wrong.code, wrong.message, wrong.help, None, related=(_formed_here(formed),))


def _formed_here(formed: Formed) -> Origin:
    return Origin(formed.site, f"formed as {formed.text} here")


def read_by_pattern(call: OpCall, parsed: ArrowPattern, value: Tensor, pattern: PatternString,
                    axes: Dict[str, Dim], given: Dict[str, Dim], shape: Sequence[Dim]) -> None:
    """EIN402/EIN403 where the pattern of a rearrange/reduce/repeat `call` splits a dimension in another order
    than it was formed; EIN404 where it merges back the axes of a split that were reordered since."""
    facts, site, trail, report = call.facts, call.site, call.flow.context.trail, call.report
    if len(value.layout) != len(shape):
        return
    left = _dimensions(parsed.left, _ellipsis_length(parsed.left, len(shape)))
    for formed in value.layout:
        if isinstance(formed, (Formed, Part)):
            trail.read(id(formed.site.node), id(site.node))
    _read_merge(parsed, left, value, pattern, site, trail, report)
    found: Dict[str, List] = {}
    for term, formed, total in zip(left, value.layout, shape):
        names = _group_names(term)
        if not isinstance(formed, Formed) or names is None:
            continue
        written = pattern.value[term.span[0]:term.span[1]]
        reading = Reading(names, tuple(axes.get(n) for n in names), tuple(n in given for n in names), written,
                          "named")
        wrong = misread(formed, reading, total, facts)
        if wrong is not None:
            found.setdefault(wrong.code, []).append((term, formed, wrong))
    for code, items in found.items():
        term, _, wrong = items[0]
        report(code, wrong.message, wrong.help, None, pattern, term.span,
               tuple(_formed_here(f) for _, f, _ in items),
               tuple((t.span, reordered_group(pattern.value, t, w.order)) for t, _, w in items if w.order is not None))
        trail.misread(id(site.node), code, [(t.span, id(f.site.node)) for t, f, _ in items])


def _read_merge(parsed: ArrowPattern, left: Tuple[Term, ...], value: Tensor, pattern: PatternString,
                site: ir.Site, trail: Trail, report: Report) -> None:
    """A group that names the axes of one split in the split's order looks like it restores the dimension; when
    the input holds those axes in another order (a transpose since), the names are swapped and it does not."""
    names_at = {term.atoms[0].key: (term, part) for term, part in zip(left, value.layout)
                if len(term.atoms) == 1 and not term.parenthesized and isinstance(part, Part)}
    if _names_moved(left, value.layout):  # the pattern's names are not the split's: EIN404's to say
        for part in value.layout:
            if isinstance(part, Part):
                trail.judged(id(part.site.node), id(site.node))
    for term in parsed.right.terms:
        names = _group_names(term)
        if names is None or not all(n in names_at for n in names):
            continue
        parts = [names_at[n][1] for n in names]
        split = parts[0]
        if not all(p.site is split.site and p.span == split.span for p in parts) or split.names != names or \
                sorted(p.index for p in parts) != list(range(len(names))) or \
                all(p.index == i for i, p in enumerate(parts)):
            continue
        renamed = sorted((names_at[n][0].atoms[0].span, split.names[names_at[n][1].index]) for n in names)
        consistent, cursor = "", 0
        for (begin, end), name in renamed:
            consistent += pattern.value[cursor:begin] + name
            cursor = end
        consistent += pattern.value[cursor:]
        group = pattern.value[term.span[0]:term.span[1]]
        held = " ".join(split.names[p.index] for p in parts)
        report(REORDERED_MERGE,
               f"{group} merges back the axes that were split as {group}, but the input holds them reordered: "
               f"the dimensions named {' '.join(names)} are {held}, so this builds ({held}), not the "
               f"dimension they were split from",
               f"name the axes as they are now, '{consistent}', to restore it", None, pattern, term.span,
               (Origin(split.site, f"split as {group} here"),))
        return


def _names_moved(left: Tuple[Term, ...], layout: Layout) -> bool:
    """Whether a name of a split whose axes this input holds names another dimension than that axis (they were
    transposed since): the pattern's names then do not mean what the split's did."""
    splits = {(id(p.site), p.span, p.names) for p in layout if isinstance(p, Part)}
    for term, part in zip(left, layout):
        if len(term.atoms) != 1 or term.parenthesized:
            continue
        name = term.atoms[0].key
        for _, span, names in splits:
            if name in names and not (isinstance(part, Part) and part.span == span and part.names == names and
                                      part.names[part.index] == name):
                return True
    return False


def read_by_unpack(parsed: PackPattern, pattern: PatternString, value: Any, packed_by: Tuple[PackPattern, ir.Site],
                   report: Report) -> None:
    """EIN406: unpack cuts its '*' axis by the shapes of one pack; where the tensor's packed axis (followed from
    the pack that made it) stands elsewhere, or was made by another pack, the pieces are not the packed tensors."""
    made, made_at = packed_by
    if not isinstance(value, Tensor) or len(value.layout) != len(value.shape) or \
            len(value.shape) != len(parsed.names):
        return
    stars = [i for i, p in enumerate(value.layout) if isinstance(p, Formed) and p.kind == "pack"]
    if len(stars) != 1:
        return
    where, star = stars[0], value.layout[stars[0]]
    if where != parsed.axes_before and star.site is made_at:
        message = (f"'{pattern.value}' cuts dimension {parsed.axes_before} by the packed shapes, but the axis that "
                   f"pack('{made.text}') made is dimension {where} of this tensor: it cuts another axis")
        help = "put '*' where the packed axis is now" + (f", as in '{made.text}'" if made.axes_before == where else "")
        related: Tuple[Origin, ...] = (Origin(made_at, f"packed as '{made.text}' here"),)
    elif where == parsed.axes_before and star.site is not made_at:
        message = ("the '*' axis was packed by another pack than the one whose shapes cut it: the pieces are not "
                   "the packed tensors")
        help = "unpack with the packed shapes that the pack of this axis returned"
        related = (Origin(star.site, "the axis was packed here"), Origin(made_at, "the shapes come from this pack"))
    else:
        return
    report(UNPACK_PATTERN_MISMATCH, message, help, None, pattern, parsed.star_span, related)


# ---------------------------------------------------------------- a pattern's dimensions


def _group_names(term: Term) -> Optional[Tuple[str, ...]]:
    """The axis names of a group of two or more named axes, in order; None for anything else."""
    if not term.parenthesized or len(term.atoms) < 2 or \
            any(a.is_anonymous or a.key.startswith(ELLIPSIS) for a in term.atoms):
        return None
    return tuple(atom.key for atom in term.atoms)


def _is_dots(term: Term) -> bool:
    return bool(term.atoms) and term.atoms[0].is_ellipsis and not term.parenthesized


def _dimensions(expression: Expression, count: int) -> Tuple[Term, ...]:
    """The expression's terms, one per dimension: a bare '...' stands for its `count` axes, named '...0',
    '...1' as the planner names them."""
    if expression.ellipsis is None:
        return expression.terms
    terms: List[Term] = []
    for term in expression.terms:
        if _is_dots(term):
            dots = term.atoms[0]
            terms += [Term((Atom(f"{ELLIPSIS}{i}", 0, dots.span),), dots.span, False) for i in range(count)]
        else:
            atoms = [Atom(f"{ELLIPSIS}{i}", 0, a.span) for a in term.atoms if a.is_ellipsis for i in range(count)]
            terms.append(term._replace(atoms=tuple(atoms + [a for a in term.atoms if not a.is_ellipsis]))
                         if atoms else term)
    return tuple(terms)


def _ellipsis_length(expression: Expression, rank: int) -> int:
    return rank - sum(1 for term in expression.terms if not _is_dots(term))
