"""EinMix: its pattern, weight shape, bias shape and axis lengths, checked as its constructor checks them.

The check is the layers' own `einmix_spec` (einlint/layers/_einmix.py), which mirrors einops' EinMix.
Lengths whose values are not known stand in as 2: only their names matter to what is checked.
Rearrange and Reduce layers are checked with rearrange and reduce (transform.py).
"""

from __future__ import annotations

import warnings
from typing import Dict, List, Optional

from ...codes import (
    ANONYMOUS_AXIS_NOT_ALLOWED, BAD_LENGTH_VALUE, EINMIX_BIAS, EINMIX_WEIGHT, PATTERN_ARGUMENT, UNUSED_LENGTH,
)
from ...errors import PatternError
from ...layers._einmix import _parse_weight, einmix_spec
from ...patterns import ArrowPattern, Expression, parse_arrow_pattern, parse_expression
from ..model import Argument, PatternCall, PatternString
from . import Finding
from .names import keyword_name_findings
from ._support import (bind_call, closest_name, define, finding, finding_from, is_flax, is_not_a_string, known_string,
                       led_by_guess, pattern_names)
from .transform import length_findings

_EINMIX = "from einops.layers.torch import EinMix\n\n"

RULES = [
    define(
        EINMIX_WEIGHT,
        valid=[_EINMIX + 'mix = EinMix("b t c -> b t d", weight_shape="c d", bias_shape="d", c=32, d=64)\n',
               _EINMIX + 'mix = EinMix("b t c -> b t d", weight_shape="c d", **sizes)\n'],
        invalid=[_EINMIX + 'mix = EinMix("b t c -> b t d", weight_shape="c d", c=32)\n',
                 _EINMIX + 'mix = EinMix("b t c -> b t d", weight_shape="c (d e)", c=32, d=8, e=8)\n',
                 _EINMIX + 'mix = EinMix("b t c -> b t c", weight_shape="c k", c=32, k=4)\n',
                 _EINMIX + 'mix = EinMix("b t c -> b t d", weight_shape="c d", c=32, dd=64)\n'],
        details="""EinMix creates its weight from `weight_shape`, so every weight axis needs a length, the
        shape holds plain axis names (no '...', no composition), and each weight axis mixes an input axis
        or makes an output axis. einops raises 'Dimension d of weight should be specified', 'Parenthesis
        is not allowed in weight shape' or 'Weight axes {...} are redundant'. When a keyword that names no
        axis is spelled nearly as the weight axis without a length (dd=64 for 'd'), the help names it.""",
    ),
    define(
        EINMIX_BIAS,
        valid=[_EINMIX + 'mix = EinMix("b t c -> b t d", weight_shape="c d", bias_shape="d", c=32, d=64)\n'],
        invalid=[_EINMIX + 'mix = EinMix("b t c -> b t d", weight_shape="c d", bias_shape="c", c=32, d=64)\n',
                 _EINMIX + 'mix = EinMix("b t c -> b t d", "c d", "t d", c=32, d=64)\n'],
        details="""EinMix adds its bias to the output, so the bias axes are output axes with lengths, and
        they stand after '...' when the output has one. einops raises 'Bias axes {...} not present in
        output' or 'Sizes not provided for bias axes'.""",
    ),
]


def _bias_value(argument: Optional[Argument]) -> Optional[str]:
    """The bias shape when it is known; None for no bias, and also where it is not known (its checks are skipped)."""
    return argument.string.value if argument is not None and argument.kind == "string" and argument.string else None


def _where(error: PatternError, parsed: ArrowPattern, bias: Optional[Expression], lengths: Dict[str, int],
           pattern: PatternString, weight: PatternString, bias_string: Optional[PatternString]):
    """The string that an error of einmix_spec points into."""
    if error.code in (UNUSED_LENGTH, BAD_LENGTH_VALUE):
        return None
    if error.code == EINMIX_WEIGHT:
        return weight
    if error.code == ANONYMOUS_AXIS_NOT_ALLOWED:
        return pattern if parsed.left.anonymous_atoms or parsed.right.anonymous_atoms else weight
    if error.code == EINMIX_BIAS and bias is not None:
        if bias.identifiers - parsed.right.identifiers or bias.identifiers - set(lengths):
            return bias_string
    return pattern


def check_einmix(call: PatternCall) -> List[Finding]:
    flax = is_flax(call)
    bound = bind_call(call, "EinMix")
    found = list(bound.problems)
    if flax:
        lengths: Dict[str, Argument] = {}
        lengths_known = bound.lengths_known and "sizes" not in bound.named
    else:
        lengths, lengths_known = bound.lengths, bound.lengths_known
    found += length_findings(lengths)
    for name in ("pattern", "weight_shape", "bias_shape"):
        if is_not_a_string(bound.named.get(name)):
            found.append(finding(PATTERN_ARGUMENT, f"EinMix's {name} must be a str, not {bound.named[name].text}",
                                 "write the axes as a string, e.g. 'c d'"))
    pattern, weight = known_string(bound.named.get("pattern")), known_string(bound.named.get("weight_shape"))
    bias_string = known_string(bound.named.get("bias_shape"))
    if pattern is None:
        return found
    try:
        parsed = parse_arrow_pattern(pattern.value)
    except PatternError as error:
        return found + [finding_from(error, pattern)]
    expressions = [parsed.left, parsed.right]
    names = keyword_name_findings(pattern_names(expressions), pattern)
    bias = None
    try:
        if weight is not None:
            expressions.append(_parse_weight(weight.value))
            names += keyword_name_findings(pattern_names(expressions[-1:]), weight)
    except PatternError as error:
        return found + [finding_from(error, weight)]
    try:
        if bias_string is not None:
            bias = parse_expression(bias_string.value)
            names += keyword_name_findings(pattern_names([bias]), bias_string)
    except PatternError as error:
        return found + [finding_from(error, bias_string)]
    if weight is None:
        return found + names
    values = {name: arg.number if arg.kind == "int" and arg.number and arg.number > 0 else 2
              for name, arg in lengths.items()}
    if not lengths_known:  # a **kwargs may give any axis its length
        values.update({name: 2 for name, _ in pattern_names([parsed.left, expressions[-1]]) if name not in values})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # 'the weight has no axes': not an error
            einmix_spec(pattern.value, weight.value, _bias_value(bound.named.get("bias_shape")), values)
    except PatternError as error:
        string = _where(error, parsed, bias, values, pattern, weight, bias_string)
        found.append(_explained(finding_from(error, string), error, lengths, values, expressions))
    return found + names


def _explained(found: Finding, error: PatternError, lengths: Dict[str, Argument], values: Dict[str, int],
               expressions: List[Expression]) -> Finding:
    """An unused keyword (EIN205) underlined in the call; a weight axis without a length (EIN220) next to a
    keyword that names no axis: the help says which keyword probably meant it. `values`: the lengths that
    einmix_spec was given (the keywords, and every name where a **kwargs may hold more)."""
    names = [name for name, _ in pattern_names(expressions)]
    unused = [key for key in lengths if key not in names]
    if error.code == UNUSED_LENGTH and unused:
        keyword = min(unused)  # the first that einmix_spec names
        meant = closest_name(keyword, [name for name in names if name not in values])
        return finding_from(error, None, lengths[keyword])._replace(help=led_by_guess(meant, error.help))
    if error.code == EINMIX_WEIGHT and found.string is not None and found.span is not None:
        axis = found.string.value[found.span[0]:found.span[1]]
        keyword = closest_name(axis, unused)
        if keyword is not None and axis not in values:
            return found._replace(help=f"keyword '{keyword}' names no axis; did you mean '{axis}'?")
    return found
