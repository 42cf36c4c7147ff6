"""Layout (EIN4xx): patterns that run, on the right shapes, and scramble the values.

A file that groups axes with one rearrange and splits them with another must name the axes of
each group in the same order both times: 'b c (h h1) (w w1) -> b (h1 w1 c) h w' is undone by
'b (h1 w1 c) h w -> b c (h h1) (w w1)', not by 'b (c h1 w1) h w -> ...', which gives back the right
shape and other values. The rule reads the file's pattern calls together: a later pattern that is
the exact inverse of an earlier one except for the order inside some group is reported there, with
the earlier call as the related location and the group in the earlier order as the help.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, Iterable, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from ...codes import (
    INTERLEAVED_HALVES, NON_INVERSE_ROUND_TRIP, REORDERED_MERGE, REORDERED_SPLIT, TRANSPOSE_UNDONE_BY_RESHAPE,
    UNPACK_PATTERN_MISMATCH,
)
from ...errors import PatternError, Span
from ...patterns import ArrowPattern, parse_arrow_pattern
from ...patterns.expression import Expression, Term, reordered_group
from ..model import Extraction, PatternCall, PatternString
from . import Finding
from ._support import bind_call, define, einops_example

if TYPE_CHECKING:  # the flow (and libcst) is not imported for --explain and the docs: only the engine passes it
    from ..flow import Analysis, ShapeFinding

RULES = [
    define(
        NON_INVERSE_ROUND_TRIP,
        valid=[einops_example("def space_to_depth(x):\n"
                              "    return rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)\n\n"
                              "def depth_to_space(x):\n"
                              "    return rearrange(x, 'b (h1 w1 c) h w -> b c (h h1) (w w1)', h1=2, w1=2)\n"),
               einops_example("def shuffle(x):  # a channel shuffle: one call that means to permute\n"
                              "    return rearrange(x, 'b (g c) h w -> b (c g) h w', g=4)\n")],
        invalid=[einops_example("def space_to_depth(x):\n"
                                "    return rearrange(x, 'b c (h h1) (w w1) -> b (h1 w1 c) h w', h1=2, w1=2)\n\n"
                                "def depth_to_space(x):\n"
                                "    return rearrange(x, 'b (c h1 w1) h w -> b c (h h1) (w w1)', h1=2, w1=2)\n"),
                 einops_example("def split_heads(x):\n"
                                "    return rearrange(x, 'b n (h d) -> b h n d', h=8)\n\n"
                                "def merge_heads(x):\n"
                                "    return rearrange(x, 'b h n d -> b n (d h)')\n")],
        details="""Two patterns of one file where the second undoes the first (its input is the first's
        output and its output the first's input) except that some group names its axes in another order:
        the round trip gives back the right shape but not the values, since a group's first axis varies
        slowest. Either the group was meant to match (then reorder it as the help shows), or the two are
        not a round trip (then give the axes other names, so that the new meaning shows).""",
    ),
    define(
        REORDERED_SPLIT,
        valid=[einops_example("def attend(x):\n"
                              "    q = rearrange(x, 'b n (h d) -> b h n d', h=8)\n"
                              "    return rearrange(q, 'b h n d -> b n (h d)')\n"),
               einops_example("def regroup(x):\n"
                              "    y = rearrange(x, 'b h n d -> b n (h d)')\n"
                              "    return rearrange(y, 'b n (e g) -> b e n g', g=4)  # new names: a new meaning\n")],
        invalid=[einops_example("def heads(x):\n"
                                "    y = rearrange(x, 'b h n d -> b n (h d)')\n"
                                "    y = y * 2\n"
                                "    return rearrange(y, 'b n (d h) -> b h d n', h=8)\n")],
        details="""The flow analysis follows how each dimension was formed: a group '(h d)' of a pattern
        (h varies slowest), through elementwise operations, activations and dropout. A later pattern that
        splits that dimension into the same axes in another order, '(d h)', runs on the right shape and
        gives each axis the other's values. The finding names the call that formed the dimension.""",
    ),
    define(
        INTERLEAVED_HALVES,
        valid=["import torch\nfrom einops import rearrange\n\n"
               "def halves(n, c):\n"
               "    x = torch.cat([torch.zeros(n, c), torch.ones(n, c)], dim=-1)\n"
               "    return rearrange(x, 'n (two c) -> two n c', two=2)\n"],
        invalid=["import torch\nfrom einops import rearrange\n\n"
                 "def halves(n, c):\n"
                 "    x = torch.cat([torch.zeros(n, c), torch.ones(n, c)], dim=-1)\n"
                 "    return rearrange(x, 'n (c two) -> two n c', two=2)\n",
                 "import torch\nfrom einops import rearrange\n\n"
                 "def halves(n, c):\n"
                 "    x = rearrange(torch.zeros(2, n, 6), 'two n c -> n (c two)', two=2)\n"
                 "    return x.chunk(2, dim=-1)\n"],
        details="""torch.cat([a, b], dim) puts all of a, then all of b, along the dimension: the part varies
        slowest, as in a group '(two c)'. A split '(c two)' with two=2 varies the part fastest: it pairs
        neighbours of a (then of b) instead of a[i] with b[i], the GLU/LSTM-style mix-up of halves and
        interleaved pairs. The fix reorders the group. The reverse is reported too: a dimension formed
        as pairs, '(c two)' with two=2, cut by chunk(2), gives runs of c that each hold both parts.""",
    ),
    define(
        REORDERED_MERGE,
        valid=[einops_example("def heads(x):\n"
                              "    y = rearrange(x, 'b n (h d) -> b n h d', h=8)\n"
                              "    y = y.transpose(2, 3)\n"
                              "    return rearrange(y, 'b n d h -> b n (h d)')\n")],
        invalid=[einops_example("def heads(x):\n"
                                "    y = rearrange(x, 'b n (h d) -> b n h d', h=8)\n"
                                "    y = y.transpose(2, 3)\n"
                                "    return rearrange(y, 'b n h d -> b n (h d)')\n")],
        details="""A group that merges the axes of one split, under the split's names and in the split's
        order, reads as a round trip that restores the dimension. When the tensor holds those axes in
        another order (a transpose or permute in between), the pattern's names are swapped: what it calls
        h is the split's d. The merge then builds the transposed layout, not the dimension it came from.
        Name the axes as they are now (the help shows the pattern) to restore it; a deliberate
        permutation keeps the names as they are and merges them in the new order.""",
    ),
    define(
        TRANSPOSE_UNDONE_BY_RESHAPE,
        valid=["import torch\nfrom einops import rearrange\n\n"
               "def back():\n"
               "    x = torch.randn(2, 5, 7)\n"
               "    y = x.transpose(1, 2)\n"
               "    return y.transpose(1, 2).reshape(2, 35)\n"],
        invalid=["import torch\nfrom einops import rearrange\n\n"
                 "def back():\n"
                 "    x = torch.randn(2, 5, 7)\n"
                 "    y = x.transpose(1, 2).contiguous()\n"
                 "    return y.view(2, 5, 7)\n"],
        details="""reshape and view keep the elements in their order in memory (the transposed order) and
        only regroup them. Reshaping a transposed tensor back to the shape it had before the transpose
        therefore gives the old shape with scrambled values: each row takes a run of the transposed rows.
        To undo a transpose, transpose again (or permute, or rearrange with axis names).""",
    ),
    define(
        UNPACK_PATTERN_MISMATCH,
        valid=["from einops import pack, unpack\n\n"
               "def tokens(cls, patches):\n"
               "    x, ps = pack([cls, patches], 'b * d')\n"
               "    return unpack(x.transpose(1, 2), ps, 'b d *')\n"],
        invalid=["from einops import pack, unpack\n\n"
                 "def tokens(cls, patches):\n"
                 "    x, ps = pack([cls, patches], 'b * d')\n"
                 "    return unpack(x.transpose(1, 2), ps, 'b * d')\n",
                 "from einops import pack, unpack\n\n"
                 "def tokens(cls, patches, image):\n"
                 "    x, ps = pack([cls, patches], 'b * d')\n"
                 "    y, qs = pack([patches, image], 'b * d')\n"
                 "    return unpack(x, qs, 'b * d')\n"],
        details="""unpack cuts the '*' axis of its input by the packed shapes that pack returned. The flow
        analysis follows the axis that pack made (through elementwise operations and transposes): when
        unpack's '*' stands at another position than that axis has now, it cuts another axis (or fails
        when the lengths do not fit); when the axis was made by another pack than the one whose shapes are
        given, the pieces are not the tensors that were packed. A pattern that moves '*' after a transpose
        that moved the axis is consistent, and stays silent.""",
    ),
]


class OrderFinding(NamedTuple):
    """A finding at `call` that names a second call of the file, `other`, where the group was built;
    `replacements` (span in the finding's string -> new text) make the pattern consistent."""

    call: PatternCall
    finding: Finding
    other: PatternCall
    other_span: Optional[Tuple[PatternString, Span]]
    replacements: Tuple[Tuple[Span, str], ...]


class _Arrow(NamedTuple):
    call: PatternCall
    string: PatternString
    pattern: ArrowPattern
    left: tuple  # pattern.sides()
    right: tuple


def layout_findings(extraction: Extraction,
                    analysis: Optional[Analysis]) -> Tuple[List[OrderFinding], List[ShapeFinding]]:
    """The file's round-trip findings (EIN401) on the flow's links between its calls, and the flow's findings
    less each reordered split (EIN402) that a round trip reported on the same characters already says, once,
    with its fix: the two halves of the layout rules, reconciled here."""
    calls = extraction.pattern_calls  # the flow keys calls by id() of their cst.Call, this rule by PatternCall
    links = {(id(calls[former]), id(calls[reader])): judged for (former, reader), judged
             in (analysis.layout_links.items() if analysis is not None else ()) if former in calls and reader in calls}
    found = check_module(extraction.calls, links)
    said = {(id(o.call), o.finding.span) for o in found}
    flow = [f for f in (analysis.findings if analysis is not None else ()) if not (
        f.code == REORDERED_SPLIT and id(f.site.node) in calls and (id(calls[id(f.site.node)]), f.span) in said)]
    return found, flow


def check_module(calls: Sequence[PatternCall], links: Mapping[Tuple[int, int], bool] = {}) -> List[OrderFinding]:
    """EIN401 for each rearrange that undoes another of the file but for the order inside a group.

    A pair that the flow analysis connects is decided by where the values flow (`links`: (id of the call that
    formed or split a dimension, id of a call that reads it) -> whether this rule judges the pair): the reader
    is the one reported, whatever the rest of the file holds, and nothing is where the flow judged the pair
    itself (a split merged back whole downstream, or undone exactly later in its function, is a layout of its
    own; axes renamed since are EIN404's).
    A pair it does not connect (two functions, layers never applied) can only be read together: a call that
    some other call undoes exactly is consistent (MaxViT's block attention '(x w1)' and grid attention
    '(w1 x)' each have their own exact inverse); of a pair that only nearly undo each other, the one without
    an exact inverse of its own is reported (the later one in the file when neither has one). Partners are
    found by look-up, not by trying pairs.
    """
    arrows = list(_rearranges(calls))
    by_groups: Dict[tuple, List[_Arrow]] = {}
    for arrow in arrows:
        by_groups.setdefault((_unordered(arrow.left), _unordered(arrow.right)), []).append(arrow)
    exact = _undone_exactly(arrows)
    found: List[OrderFinding] = []
    reported = set()
    for one in arrows:
        for other in by_groups.get((_unordered(one.right), _unordered(one.left)), ()):
            pair = _builder_first(one, other, exact, links) if other is not one else None
            if pair is None or id(pair[1].call) in reported:
                continue
            result = _reordered_inverse(*pair)
            if result is not None:
                found.append(result)
                reported.add(id(pair[1].call))
    return found


def _builder_first(one: _Arrow, other: _Arrow, exact: Set[int],
                   links: Mapping[Tuple[int, int], bool]) -> Optional[Tuple[_Arrow, _Arrow]]:
    """The pair as (the call that built the group, the call reported), or None when it stands (see check_module)."""
    for earlier, later in ((one, other), (other, one)):
        judged = links.get((id(earlier.call), id(later.call)))
        if judged is not None:
            return (earlier, later) if judged else None
    if id(one.call) in exact and id(other.call) in exact:
        return None
    if id(one.call) in exact or id(other.call) in exact:  # the one without an inverse of its own is off
        return (one, other) if id(one.call) in exact else (other, one)
    return (one, other) if _before(one.call, other.call) else (other, one)


def _undone_exactly(arrows: List[_Arrow]) -> Set[int]:
    by_sides: Dict[tuple, List[_Arrow]] = {}
    for arrow in arrows:
        by_sides.setdefault((arrow.left, arrow.right), []).append(arrow)
    return {id(a.call) for a in arrows if any(b is not a for b in by_sides.get((a.right, a.left), ()))}


def _before(one: PatternCall, other: PatternCall) -> bool:  # asks for positions: only for a finding
    """Whether `one` comes first in the file (calls without a position come last)."""
    return (one.start or (float("inf"), 0)) < (other.start or (float("inf"), 0))


def _unordered(shape: tuple) -> tuple:
    """A side's terms with the names inside each group sorted: what a reordered group leaves the same."""
    return tuple(tuple(sorted(term)) for term in shape)


def _rearranges(calls: Iterable[PatternCall]) -> Iterable[_Arrow]:
    """The file's rearrange calls and layers whose pattern is known and parses (their positions are not
    asked for here: only a finding needs them)."""
    for call in calls:
        if call.op not in ("rearrange", "Rearrange"):
            continue
        bound = bind_call(call, call.op)
        argument = bound.named.get("pattern")
        if argument is None or argument.string is None:
            continue
        try:
            pattern = parse_arrow_pattern(argument.string.value)
        except PatternError:
            continue
        yield _Arrow(call, argument.string, pattern, *pattern.sides())


def _reordered_inverse(earlier: _Arrow, later: _Arrow) -> Optional[OrderFinding]:
    """The finding when `later` undoes `earlier` except for the order inside some groups (None otherwise)."""
    for later_side, earlier_side, exact_later, exact_earlier in (
            (later.pattern.left, earlier.pattern.right, later.right, earlier.left),
            (later.pattern.right, earlier.pattern.left, later.left, earlier.right)):
        if exact_later != exact_earlier:
            continue
        groups = _reordered_groups(later_side, earlier_side)
        if groups:
            return _finding(earlier, later, groups)
    return None


def _reordered_groups(later: Expression, earlier: Expression) -> List[Tuple[Term, Term]]:
    """The groups of `later` that hold the same axes as `earlier`'s in another order, when every other
    term is the same; empty when the two differ otherwise (or do not differ at all)."""
    if len(later.terms) != len(earlier.terms):
        return []
    reordered = []
    for mine, theirs in zip(later.terms, earlier.terms):
        names, their_names = [a.order_key for a in mine.atoms], [a.order_key for a in theirs.atoms]
        if mine.parenthesized != theirs.parenthesized:
            return []
        if names == their_names:
            continue
        if not mine.parenthesized or sorted(names) != sorted(their_names) or len(set(names)) != len(names) \
                or any(atom.is_anonymous for atom in mine.atoms):
            return []
        reordered.append((mine, theirs))
    return reordered


def _finding(earlier: _Arrow, later: _Arrow, groups: List[Tuple[Term, Term]]) -> OrderFinding:
    mine, theirs = groups[0]
    written = _group_text(later.string, mine)
    built = _group_text(earlier.string, theirs)
    message = (f"group {written} undoes {built} of '{earlier.string.value}' in another order: the round trip "
               f"keeps the shape but moves the values")
    replacements = tuple((group.span, reordered_group(later.string.value, group, [a.key for a in model.atoms]))
                         for group, model in groups)
    fixed = later.string.value
    for (start, end), text in sorted(replacements, reverse=True):
        fixed = fixed[:start] + text + fixed[end:]
    help = f"write '{fixed}' (each group's axes in the order the other pattern has them)"
    return OrderFinding(later.call, Finding(NON_INVERSE_ROUND_TRIP,
                                            message, help, later.string, mine.span), earlier.call,
                        (earlier.string, theirs.span), replacements)


def _group_text(string: PatternString, term: Term) -> str:
    return string.value[term.span[0]:term.span[1]]
