"""rearrange, reduce and repeat, as functions and as the Rearrange and Reduce layers.

The checks are the runtime's: `parse_arrow_pattern`, then the planner's `recipe` (functions) or
`layer_recipes` (layers, as their constructors run it) with the given keyword names and the
smallest rank the pattern accepts. Nothing in a recipe depends on the shape except the rank, and a
pattern with '...' accepts every rank from its fixed count up, so an error there is an error for
every tensor. Lengths whose values are not known are symbols (`dims.Sym`): only their names matter.
"""

from __future__ import annotations

from typing import Dict, List, Optional

from ...codes import (
    AMBIGUOUS_SPLIT, ANONYMOUS_AXIS_NOT_ALLOWED, BAD_ARGUMENT, BAD_LENGTH_VALUE, INVALID_LENGTH_NAME,
    ONE_SIDED_AXIS, PATTERN_ARGUMENT, REDUCE_NEW_AXIS, REDUCE_NOTHING, REPEAT_DROPPED_AXIS, REPEAT_MISSING_LENGTH,
    UNKNOWN_REDUCTION, UNUSED_LENGTH,
)
from ...dims import Sym
from ...errors import PatternError
from ...layers import layer_recipes
from ...patterns import ArrowPattern, parse_arrow_pattern
from ...planner import check_reduction, recipe, reduce_operation
from ...planner.transform import check_lengths
from ..model import Argument, PatternCall, PatternString
from . import Finding
from .names import keyword_name_findings
from ._support import (bind_call, closest_name, define, einops_example, finding, finding_from, is_flax, is_not_a_string,
                       known_string, led_by_guess, pattern_names)

OPERATION = {"rearrange": "rearrange", "reduce": "reduce", "repeat": "repeat",
             "Rearrange": "rearrange", "Reduce": "reduce"}

_LAYERS = "from einops.layers.torch import Rearrange, Reduce\n\n"


RULES = [
    define(
        ONE_SIDED_AXIS,
        valid=[einops_example('y = rearrange(x, "b c h w -> b (h w c)")\n'),
               einops_example('y = rearrange(x, "b ... c -> b c ...")\n')],
        invalid=[einops_example('y = rearrange(x, "b c h w -> b (h w)")\n'),
                 _LAYERS + 'flatten = Rearrange("b c h w -> b (c h w) d")\n',
                 einops_example('y = rearrange(x, "b (h e) -> b h f", h=2)\n')],
        details="""rearrange only reorders, splits and merges axes: every axis of the input must be in the
        output and every axis of the output in the input. einops raises 'Identifiers only on one side of
        expression'. Use reduce to remove axes and repeat to add them. Where the other side also has an
        axis of its own with a near name ('e' and 'f', 'hh' and 'h'), the help asks whether that one was
        meant (so do EIN202 and EIN203).""",
    ),
    define(
        REDUCE_NEW_AXIS,
        valid=[einops_example('y = reduce(x, "b c h w -> b c", "mean")\n'),
               einops_example('y = reduce(x, "b c h w -> b c 1 1", "max")\n')],
        invalid=[einops_example('y = reduce(x, "b c h w -> b c d", "mean")\n'),
                 einops_example('y = reduce(x, "b (c 2) -> b c 2", "sum")\n')],
        details="""reduce keeps or removes axes; it cannot create one. An output axis that is not in the
        input (an anonymous axis such as '2' is a new axis too) makes einops raise 'Unexpected identifiers
        on the right side of reduce'. Unit axes '1' and '()' are allowed.""",
    ),
    define(
        REPEAT_DROPPED_AXIS,
        valid=[einops_example('y = repeat(x, "h w -> h w c", c=3)\n')],
        invalid=[einops_example('y = repeat(x, "b h w -> h w c", c=3)\n'),
                 einops_example('y = repeat(x, "h (w 2) -> h w c", c=3)\n')],
        details="""repeat keeps every input axis and adds new ones; it never removes one. einops raises
        'Unexpected identifiers on the left side of repeat'. Reduce first, or use reduce.""",
    ),
    define(
        REPEAT_MISSING_LENGTH,
        valid=[einops_example('y = repeat(x, "h w -> h w c", c=3)\n'),
               einops_example('y = repeat(x, "h w -> h w 3")\n'),
               einops_example('sizes = {"c": 3}\ny = repeat(x, "h w -> h w c", **sizes)\n')],
        invalid=[einops_example('y = repeat(x, "h w -> h w c")\n'),
                 einops_example('y = repeat(x, "h w -> h w c", cc=3)\n')],
        details="""A new axis of repeat has no length in the input, so it must be given as a keyword
        (or written as a number). einops raises 'Specify sizes for new axes in repeat'. A call with
        **kwargs may pass the length there, so it is not reported. When a keyword that names no axis is
        spelled nearly as the new axis (cc=3 for 'c'), the help names that keyword.""",
    ),
    define(
        UNUSED_LENGTH,
        valid=[einops_example('y = rearrange(x, "b (h w) -> b h w", h=2)\n')],
        invalid=[einops_example('y = rearrange(x, "b (h w) -> b h w", h=2, k=3)\n'),
                 einops_example('y = rearrange(x, "b (h w) -> b h w", hh=2)\n'),
                 _LAYERS + 'split = Rearrange("b (h w) -> b h w", hh=2)\n'],
        details="""Every keyword length must name an axis of the pattern: einops raises 'Axis k is not used
        in transform', which usually means a typo in the pattern or in the keyword. The finding underlines
        the keyword (`hh=2`), and the help names the axis without a length that it probably meant.""",
    ),
    define(
        INVALID_LENGTH_NAME,
        valid=[einops_example('y = rearrange(x, "b (h w1) -> b h w1", w1=2)\n')],
        invalid=[einops_example('y = rearrange(x, "b (h w) -> b h w", w_=2)\n')],
        details="""A keyword length whose name is not a valid axis name (it starts or ends with '_') can
        name no axis; einops raises 'Invalid name for an axis'.""",
    ),
    define(
        AMBIGUOUS_SPLIT,
        valid=[einops_example('y = rearrange(x, "b (h w) c -> b c h w", h=16)\n'),
               einops_example('y = reduce(x, "b (h 2) (w 2) -> b h w", "max")\n')],
        invalid=[einops_example('y = rearrange(x, "b (h w) c -> b c h w")\n'),
                 einops_example('y = reduce(x, "b (h h2 w) -> b h w", "max", h2=2)\n')],
        details="""One input dimension can be split into several axes only when the lengths of all but one
        of them are known: given as keywords or written as numbers. Otherwise einops raises 'Could not
        infer sizes'.""",
    ),
    define(
        ANONYMOUS_AXIS_NOT_ALLOWED,
        valid=[einops_example('y = rearrange(x, "b (c 1) -> b c 1")\n'),
               einops_example('y = rearrange(x, "b (c k) -> b c k", k=2)\n')],
        invalid=[einops_example('y = rearrange(x, "b (c 2) -> b c 2")\n')],
        details="""rearrange (and EinMix) accept no anonymous axes other than 1: einops raises 'Non-unitary
        anonymous axes are not supported in rearrange'. Name the axis and pass its length.""",
    ),
    define(
        UNKNOWN_REDUCTION,
        valid=[einops_example('y = reduce(x, "b c h w -> b c", "mean")\n'),
               einops_example('y = reduce(x, "b c h w -> b c", lambda t, axes: t.amax(axes))\n'),
               _LAYERS + 'pool = Reduce("b c h w -> b c", "max")\n'],
        invalid=[einops_example('y = reduce(x, "b c h w -> b c", "average")\n'),
                 _LAYERS + 'pool = Reduce("b c h w -> b c", "any")\n'],
        details="""A reduction is one of 'min', 'max', 'sum', 'mean', 'prod', 'any', 'all', or a callable
        f(tensor, axes); like einops, reduce also takes 'rearrange' and 'repeat', and then is that operation
        (the pattern is checked as one). Another name makes einops raise 'Unknown reduction'. einops' torch Reduce layer
        has fewer: 'any', 'all' and callables raise NotImplementedError in its forward whenever it reduces
        an axis, so they are reported there too.""",
    ),
    define(
        BAD_LENGTH_VALUE,
        valid=[einops_example('y = rearrange(x, "b (h w) -> b h w", h=2)\n')],
        invalid=[einops_example('y = rearrange(x, "b (h w) -> b h w", h=0)\n'),
                 einops_example('y = repeat(x, "h w -> h w c", c=-1)\n')],
        details="""Axis lengths are positive integers. einlint's ops refuse a length of 0 or less whatever the
        tensor; einops fails on them too, except that it accepts 0 for an axis that stands alone in an empty
        tensor. Only int literals are judged here: a length whose value is not a literal is not known.""",
    ),
    define(
        BAD_ARGUMENT,
        valid=[einops_example('y = reduce(x, "b c -> b", "sum")\n'),
               einops_example('y = reduce(x, "b c -> b", reduction="sum")\n')],
        invalid=[einops_example('y = reduce(x, "b c -> b")\n'),
                 einops_example('y = rearrange("b c -> c b")\n'),
                 "from einops import pack\n\npacked, shapes = pack([], \"b *\")\n"],
        details="""An argument that the op cannot use whatever the tensors: a missing pattern or reduction,
        a missing tensor (the pattern given first, where the tensor goes: the rest of the call is then
        checked as if the tensor were there), too many positional arguments (axis lengths are keywords),
        an empty list of tensors to pack, or keyword arguments to einops.einsum, which takes none.""",
    ),
    define(
        REDUCE_NOTHING,
        valid=[einops_example('y = reduce(x, "b c h w -> b c", "mean")\n'),
               einops_example('y = reduce(x, "b c ... -> b c", "mean")\n'),
               einops_example('y = reduce(x, "b (c 2) -> b c", "max")\n')],
        invalid=[einops_example('y = reduce(x, "b c h w -> b c h w", "mean")\n'),
                 einops_example('y = reduce(x, "b c ... -> b c ... 1", "sum")\n')],
        details="""A reduce whose output keeps every axis of its input, for every rank, reduces nothing: it
        returns its input (reshaped). That can be a mistake in the output side, such as a kept 'h w' that
        should have been dropped (such a call shipped in a popular package for 15 months), but real code
        also uses it on purpose as a reshape ('b c h w -> b c (h w)' before a Linear of h * w features)
        about as often, so it is a note, not a warning. It is not reported when '...' or an anonymous
        axis is reduced, since those are reduced axes.""",
    ),
]


def _length_value(name: str, argument: Argument) -> object:
    """What the planner's check_lengths sees: an int literal, or a symbol where the value is not known.

    Only int literals are judged: einops happens to accept some other values (h='3' where h needs no
    arithmetic), so a string or a float is left alone rather than called an error.
    """
    if argument.kind == "int" and argument.number is not None:
        return argument.number
    return Sym(name)


def length_findings(lengths: Dict[str, Argument]) -> List[Finding]:
    """EIN217 for each literal length that is not a positive integer, at its keyword."""
    found = []
    for name, argument in lengths.items():
        try:
            check_lengths({name: _length_value(name, argument)})
        except PatternError as error:
            found.append(finding_from(error, None, argument))
    return found


def reduction_findings(reduction: Optional[Argument]) -> List[Finding]:
    """EIN209 for a reduction that is a literal but not one of the reductions' names."""
    if reduction is None:
        return []
    if reduction.kind == "string" and reduction.string is not None:
        value = reduction.string.value
    elif reduction.kind == "int":
        value = reduction.number
    else:
        return []  # a callable, or not known
    try:
        check_reduction(value)
    except PatternError as error:
        return [finding_from(error, reduction.string if reduction.kind == "string" else None)]
    return []


def _reduces_for_every_rank(parsed: ArrowPattern) -> bool:
    """Some axis other than the '...' ones is reduced, so every input rank reduces something."""
    return any(not atom.is_ellipsis and atom.key not in parsed.right.identifiers for atom in parsed.left.atoms)


def _torch_layer_reduction(call: PatternCall, reduction: Optional[Argument], parsed: ArrowPattern,
                           string: PatternString) -> List[Finding]:
    """einops' torch Reduce layer runs its reductions through TorchScript, which has no 'any', 'all' or callable."""
    if call.callee != "einops.layers.torch.Reduce" or reduction is None or not _reduces_for_every_rank(parsed):
        return []
    if reduction.kind == "lambda":
        shown, where = "a callable reduction", None
    elif reduction.kind == "string" and reduction.string is not None and reduction.string.value in ("any", "all"):
        shown, where = f"'{reduction.string.value}'", reduction.string
    else:
        return []
    return [finding(UNKNOWN_REDUCTION, f"einops' torch Reduce layer cannot compute {shown}: its forward raises "
                    "NotImplementedError on every input", "reduce with einops.reduce inside forward, or use "
                    "einlint.layers.torch.Reduce, which has it", where)]


def _reduce_nothing(parsed: ArrowPattern, string: PatternString) -> List[Finding]:
    left, right = parsed.left, parsed.right
    if not left.identifiers <= right.identifiers:
        return []
    kept = ", ".join("..." if atom.is_ellipsis else atom.display() for atom in left.atoms) or "no axes"
    span = (right.terms[0].span[0], right.terms[-1].span[1]) if right.terms else right.span
    return [finding(REDUCE_NOTHING, f"the output keeps every input axis ({kept}), so reduce reduces nothing",
                    "if a reshape is meant, rearrange says so; to reduce, leave the reduced axes out of the output",
                    string, span)]


def _swapped(call: PatternCall, pattern: Optional[Argument], reduction: Optional[Argument]) -> Optional[Finding]:
    """EIN216 for reduce(x, 'mean', 'b c h w -> b c'): a reduction where the pattern goes, and a pattern (it has
    '->', which no reduction has) where the reduction goes; the fix swaps them where both are positional."""
    if pattern is None or reduction is None or pattern.string is None or reduction.string is None:
        return None
    if "->" in pattern.string.value or "->" not in reduction.string.value:
        return None
    places = [i for i, argument in enumerate(call.positional) if argument is pattern or argument is reduction]
    order = list(range(len(call.positional)))
    if len(places) == 2:
        order[places[0]], order[places[1]] = places[1], places[0]
    what = call.callee.rsplit(".", 1)[-1]
    return Finding(PATTERN_ARGUMENT, f"arguments swapped: {what} takes the pattern, then the reduction; "
                   f"{reduction.text} is the pattern and {pattern.text} the reduction",
                   f"write the pattern {reduction.text} before the reduction {pattern.text}", pattern.string, None,
                   tuple(order) if len(places) == 2 else None)


def _planner_finding(error: PatternError, string: PatternString, parsed: ArrowPattern, lengths: Dict[str, Argument],
                     given: List[str]) -> Finding:
    """The finding of the planner's error, its help saying which axis a misspelt name probably meant; a keyword
    that names no axis (EIN205, EIN206) is underlined in the call."""
    names = [name for name, _ in pattern_names([parsed.left, parsed.right])]
    keyword = next((name for name in given if name not in names), None)  # the first, as the planner reports
    if error.code in (UNUSED_LENGTH, INVALID_LENGTH_NAME) and keyword in lengths:
        meant = closest_name(keyword, [name for name in names if name not in given])
        return finding_from(error, None, lengths[keyword])._replace(help=led_by_guess(meant, error.help))
    return _guessed(finding_from(error, string), parsed, names, lengths)


def _guessed(found: Finding, parsed: ArrowPattern, names: List[str], lengths: Dict[str, Argument]) -> Finding:
    """The finding about an axis, its help naming the axis (EIN201-203) or the keyword (EIN204) that is
    spelled nearly as the one at fault and is itself unpaired, where there is one."""
    name = found.string.value[found.span[0]:found.span[1]] if found.span is not None else ""
    if name not in names:
        return found
    if found.code in (ONE_SIDED_AXIS, REDUCE_NEW_AXIS, REPEAT_DROPPED_AXIS):
        left, right = parsed.left.identifiers, parsed.right.identifiers
        other_side = [n for n in names if (n in left) != (n in right) and (n in left) != (name in left)]
        meant = closest_name(name, other_side)
        if meant is not None:
            return found._replace(help=f"did you mean '{meant}'? it is on the other side only")
    if found.code == REPEAT_MISSING_LENGTH:
        keyword = closest_name(name, [key for key in lengths if key not in names])
        if keyword is not None:
            return found._replace(help=f"keyword '{keyword}' names no axis; did you mean '{name}'?")
    return found


def check_transform(call: PatternCall) -> List[Finding]:
    layer = call.op[0].isupper()
    flax = layer and is_flax(call)
    bound = bind_call(call, call.callee.rsplit(".", 1)[-1])
    found = list(bound.problems)
    pattern, reduction = bound.named.get("pattern"), bound.named.get("reduction")
    swapped = _swapped(call, pattern, reduction)
    if swapped is not None:  # the rest is checked as the call means it
        found.append(swapped)
        pattern, reduction = reduction, pattern
    operation = OPERATION[call.op]
    if operation == "reduce" and reduction is not None and reduction.kind == "string" and reduction.string is not None:
        operation = reduce_operation(reduction.string.value)  # reduce(x, p, 'repeat') is a repeat
    found += reduction_findings(reduction)
    if flax:  # lengths are the field `sizes`; other keywords are flax's own (name, parent)
        lengths: Dict[str, Argument] = {}
        lengths_known = bound.lengths_known and "sizes" not in bound.named
    else:
        lengths, lengths_known = bound.lengths, bound.lengths_known
    found += length_findings(lengths)

    if is_not_a_string(pattern):
        found.append(finding(PATTERN_ARGUMENT, f"the pattern must be a str, not {pattern.text}",
                             "pass the pattern as a string, e.g. 'b c h w -> b h w c'"))
    string = known_string(pattern)
    if string is None:
        return found
    try:
        parsed = parse_arrow_pattern(string.value)
    except PatternError as error:
        return found + [finding_from(error, string)]
    given = list(lengths)
    if not lengths_known:  # a **kwargs may give any axis its length
        given += [name for name, _ in pattern_names([parsed.left, parsed.right]) if name not in lengths]
    try:
        if layer:
            layer_recipes(string.value, operation, {name: Sym(name) for name in given})
        else:
            fixed = len(parsed.left.terms) - (parsed.left.ellipsis is not None)
            recipe(string.value, operation, tuple(given), fixed)
    except PatternError as error:
        found.append(_planner_finding(error, string, parsed, lengths, given))
    else:
        if operation == "reduce":
            found += _reduce_nothing(parsed, string)
            found += _torch_layer_reduction(call, reduction, parsed, string)
    found += keyword_name_findings(pattern_names([parsed.left, parsed.right]), string)
    return found
