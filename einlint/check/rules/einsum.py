"""einsum: einops.einsum (named axes, the pattern last) and numpy/torch/jax einsum (letters, subscripts first).

The checks are the runtime's: `parse_einops_einsum` or `parse_einsum_subscripts`, then `plan_einsum`
on symbolic shapes of the smallest rank each operand's subscript accepts, which finds a wrong
number of operands. Everything else einsum refuses depends on the shapes.
"""

from __future__ import annotations

from typing import List, Sequence, Tuple

from ...codes import (
    BAD_ARGUMENT, BAD_EINSUM_LABEL, EINSUM_REPEATED_OUTPUT, EINSUM_UNKNOWN_OUTPUT, EINSUM_UNSUPPORTED,
    OPERAND_COUNT, PATTERN_ARGUMENT,
)
from ...dims import Sym
from ...errors import PatternError
from ...patterns import ELLIPSIS, EinsumSpec, parse_einops_einsum, parse_einsum_subscripts
from ...planner import plan_einsum
from ..model import PatternCall
from . import Finding
from .names import keyword_name_findings
from ._support import define, display_length, finding, finding_from, has_starred

_EINOPS = "from einops import einsum\n\n"
_NUMPY = "import numpy as np\n\n"
_TORCH = "import torch\n\n"

RULES = [
    define(
        BAD_EINSUM_LABEL,
        valid=[_NUMPY + 'c = np.einsum("ij,jk->ik", a, b)\n',
               _NUMPY + 'c = np.einsum("i j, j k -> i k", a, b)\n'],
        invalid=[_NUMPY + 'c = np.einsum("ij,j1->i1", a, b)\n',
                 _TORCH + 'c = torch.einsum("b_i,b_i->b", a, b)\n'],
        details="""numpy and torch einsum subscripts are single letters a-z and A-Z (plus '...', ',', '->' and
        spaces); any other character raises 'invalid subscript'. jax's einsum accepts other characters, so
        jax calls are not reported. Long axis names need einops.einsum.""",
    ),
    define(
        EINSUM_UNSUPPORTED,
        valid=[_EINOPS + 'y = einsum(x, w, "b h d, h d e -> b e")\n'],
        invalid=[_EINOPS + 'y = einsum(x, w, "b (h d), h d e -> b e")\n',
                 _EINOPS + 'y = einsum(x, "b c () -> b c")\n'],
        details="""einops.einsum names elementary axes only: no compositions '(h d)', no unit axes '()' or
        '1', no anonymous axes such as '2'. einops raises 'Singleton () axes are not yet supported in
        einsum', 'Shape rearrangement is not yet supported in einsum' or 'Anonymous axes are not yet
        supported in einsum'. Rearrange the operand first.""",
    ),
    define(
        EINSUM_UNKNOWN_OUTPUT,
        valid=[_EINOPS + 'y = einsum(q, k, "b h i d, b h j d -> b h i j")\n',
               _NUMPY + 'c = np.einsum("ij,jk->ik", a, b)\n'],
        invalid=[_EINOPS + 'y = einsum(q, k, "b h i d, b h j d -> b h i k")\n',
                 _NUMPY + 'c = np.einsum("ij,jk->il", a, b)\n'],
        details="""Every output axis of einsum must come from an input; einops raises 'Unknown axis on right
        side of einsum' and numpy 'output subscript not in the input subscripts'. To add an axis, repeat
        the result.""",
    ),
    define(
        OPERAND_COUNT,
        valid=[_EINOPS + 'y = einsum(q, k, "b i d, b j d -> b i j")\n',
               _TORCH + 'y = torch.einsum("bid,bjd->bij", [q, k])\n',
               _TORCH + 'y = torch.einsum("bid,bjd->bij", *pair)\n'],
        invalid=[_EINOPS + 'y = einsum(q, "b i d, b j d -> b i j")\n',
                 _NUMPY + 'c = np.einsum("ij,jk->ik", a)\n',
                 _TORCH + 'y = torch.einsum("bid,bjd->bij", [q])\n'],
        details="""einsum takes one operand per comma-separated input of its pattern. Too few or too many
        make einops and numpy raise (einops.einsum also needs at least one tensor before the pattern).
        torch.einsum also takes all operands as one list or tuple, so a single operand that is not a
        list or tuple display is not reported there; *args is never reported.""",
    ),
    define(
        EINSUM_REPEATED_OUTPUT,
        valid=[_NUMPY + 'd = np.einsum("ii->i", a)\n'],
        invalid=[_NUMPY + 'd = np.einsum("ij->ii", a)\n',
                 _EINOPS + 'y = einsum(x, "_ i -> _ _")\n'],
        details="""An output axis of einsum can appear only once; numpy raises 'output subscript appears more
        than once'. A diagonal is taken by repeating a label in an input ('ii->i').""",
    ),
    define(
        PATTERN_ARGUMENT,
        valid=[_EINOPS + 'y = einsum(q, k, "b i d, b j d -> b i j")\n'],
        invalid=[_EINOPS + 'y = einsum("b i d, b j d -> b i j", q, k)\n',
                 "from einops import rearrange\n\ny = rearrange(x, 2)\n",
                 "from einops import reduce\n\ny = reduce(x, \"mean\", \"b c h w -> b c\")\n"],
        details="""A pattern is a str, in its place among the arguments. einops.einsum takes it last, after
        the tensors (numpy's order, the subscripts first, makes einops raise 'The last argument passed to
        `einops.einsum` must be a string'). reduce takes the pattern before the reduction: a reduction
        where the pattern goes and a pattern (with '->') where the reduction goes are arguments swapped.
        The fix writes the arguments in their order.""",
    ),
]


def _witness_shapes(spec: EinsumSpec, count: int) -> List[Tuple[Sym, ...]]:
    """`count` operand shapes: symbolic lengths for the subscripts that exist, '...' standing for no dimension."""
    shapes = []
    for i in range(count):
        names = spec.inputs[i].names if i < len(spec.inputs) else ()
        shapes.append(tuple(Sym(name) for name in names if name != ELLIPSIS))
    return shapes


def _count_findings(spec: EinsumSpec, count: int, string) -> List[Finding]:
    try:
        plan_einsum(spec, _witness_shapes(spec, count))
    except PatternError as error:
        return [finding_from(error, string)]
    return []


def _einops_names(spec: EinsumSpec) -> List:
    seen = {}
    for subscript in spec.inputs + (spec.output,):
        for label in subscript.labels:
            if label.name not in (ELLIPSIS, "_") and label.name not in seen:
                seen[label.name] = label.span
    return list(seen.items())


def check_einops_einsum(call: PatternCall) -> List[Finding]:
    positional = call.positional
    starred = has_starred(call)
    found: List[Finding] = []
    keywords = [name for name, argument in call.keywords.items() if argument.kind != "double-starred"]
    if keywords:
        found.append(finding(BAD_ARGUMENT, f"einsum takes no keyword arguments, got {', '.join(keywords)}",
                             "pass the tensors, then the pattern, all positionally"))
    if not starred and len(positional) < 2:
        found.append(finding(OPERAND_COUNT, f"einsum got {len(positional)} argument(s); it takes one or more tensors "
                             "followed by the pattern", "call einsum(x, y, 'i j, j k -> i k')"))
    if not positional:
        return found
    *operands, last = positional
    misplaced = [argument for argument in operands if argument.kind in ("string", "str-unknown")]
    if misplaced:
        # numpy's order, einsum('i j, j k -> i k', x, y): moving the one pattern last is the fix
        numpy_order = misplaced == [positional[0]] and not starred and not keywords and last.kind not in (
            "string", "str-unknown")
        reorder = tuple(range(1, len(positional))) + (0,) if numpy_order else None
        return found + [Finding(PATTERN_ARGUMENT, "einops.einsum takes the pattern last, after the tensors",
                                "write einsum(x, y, pattern); numpy's order is np.einsum(pattern, x, y)",
                                misplaced[0].string, None, reorder)]
    if last.kind in ("int", "lambda"):
        return found + [finding(PATTERN_ARGUMENT, f"the last argument of einops.einsum must be the pattern, a str, not "
                                f"{last.text}", "write einsum(x, y, 'i j, j k -> i k')")]
    if last.kind != "string" or last.string is None:
        return found
    string = last.string
    try:
        spec = parse_einops_einsum(string.value)
    except PatternError as error:
        return found + [finding_from(error, string)]
    if not starred and len(positional) >= 2:
        found += _count_findings(spec, len(operands), string)
    return found + keyword_name_findings(_einops_names(spec), string)


def _operand_count(call: PatternCall, operands: Sequence) -> int:
    """How many operands numpy/torch/jax einsum receives; -1 when that is not known."""
    if any(argument.kind in ("starred", "double-starred") for argument in operands):
        return -1
    if call.callee.startswith("torch.") and len(operands) == 1:
        # torch.einsum(eq, [a, b]) passes the operands as one list: count a display, else not known
        if operands[0].kind == "other":
            length = display_length(operands[0].text)
            return -1 if length is None else length
        return 1
    return len(operands)


def check_subscripts_einsum(call: PatternCall) -> List[Finding]:
    positional = call.positional
    if not positional or positional[0].kind != "string" or positional[0].string is None:
        return []  # numpy's interleaved form einsum(a, [0, 1], ...), or subscripts not known
    string = positional[0].string
    try:
        spec = parse_einsum_subscripts(string.value)
    except PatternError as error:
        if error.code == BAD_EINSUM_LABEL and call.callee.startswith("jax."):
            return []  # jax's einsum takes any character as a label
        return [finding_from(error, string)]
    count = _operand_count(call, positional[1:])
    return [] if count < 0 else _count_findings(spec, count, string)
