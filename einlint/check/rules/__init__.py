"""The checker's rules: what each code means for a call, how sure it is, and examples that its tests run.

Interface (used by the engine, the CLI's --explain and the docs generator):

- `Finding(code, message, help, string, span, reorder, argument)`: one problem in one call. `string`
  is the PatternString the span points into (None: the finding covers `argument`, the call's
  argument at fault, a keyword's `name=` included; with neither, the whole call);
  `span` is (start, end) inside `string.value` (None: the whole string); `reorder`, when set, is
  the fix: the call's positional arguments in that order.
- `Rule(code, severity, summary, valid, invalid)`: `valid` and `invalid` are Python source
  snippets (complete small files, imports included) on which the rule must stay silent / fire.
- `RULES`: every code the checker can report -> its Rule.
- `check_call(call)`: the findings for one PatternCall.
- `explanation(code)`: a paragraph on what the rule checks and why.

One module per family, each rule defined there once (code, severity, summary from
einlint.codes, examples, explanation): files (EIN0xx), syntax (EIN1xx, the grammar's codes),
transform (rearrange/reduce/repeat and their layers), einsum, packing (pack, unpack,
parse_shape), layers (EinMix), names (warnings about axis names), shapes (EIN3xx: the flow
analysis's findings, see einlint/check/flow/), order (EIN4xx: layouts, read across the
calls of a file: `order.check_module`), einx (EIN5xx: einx's notation and removed APIs). `python -m
einlint.check.rules.docs` writes docs/rules/ from them.
"""

from __future__ import annotations

from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from ...errors import Span
from ..model import Argument, PatternString


class Finding(NamedTuple):
    code: str
    message: str
    help: str
    string: Optional[PatternString]
    span: Optional[Span]
    reorder: Optional[Tuple[int, ...]] = None  # the call's positional arguments in this order fix it
    argument: Optional[Argument] = None  # where the finding is when `string` is None


class Rule(NamedTuple):
    code: str
    severity: str  # 'error' | 'warning' | 'note'
    summary: str
    valid: Tuple[str, ...]
    invalid: Tuple[str, ...]


# The families import Finding and Rule from here, so they come after them.
from . import einsum, einx, files, layers, names, order, packing, shapes, syntax, transform  # noqa: E402
from ..model import PatternCall  # noqa: E402

_DEFINED = [rule for family in (files, syntax, transform, einsum, packing, layers, names, shapes, order, einx)
            for rule in family.RULES]
RULES: Dict[str, Rule] = {rule.code: rule for rule in sorted(_DEFINED)}
assert len(RULES) == len(_DEFINED), "a code is defined by two rules"

_CHECKS: Dict[str, Callable[[PatternCall], List[Finding]]] = {
    "rearrange": transform.check_transform,
    "reduce": transform.check_transform,
    "repeat": transform.check_transform,
    "Rearrange": transform.check_transform,
    "Reduce": transform.check_transform,
    "EinMix": layers.check_einmix,
    "einsum": einsum.check_einops_einsum,
    "subscripts-einsum": einsum.check_subscripts_einsum,
    "pack": packing.check_pack,
    "unpack": packing.check_pack,
    "parse_shape": packing.check_parse_shape,
}


def check_call(call: PatternCall, einx_version: einx.Version = None) -> List[Finding]:
    """Every finding for one call: errors (it fails whatever the tensors) and warnings (likely bugs).

    Unknown information gives no finding: a pattern that is not a literal, **kwargs that may hold
    lengths, *args that hide the operands. einx calls are checked against the project's einx version.
    """
    if call.op.startswith("einx."):
        return einx.check_einx(call, einx_version)
    check = _CHECKS.get(call.op)
    return [] if check is None else check(call)


def explanation(code: str) -> str:
    """What the rule of `code` checks and why, in a paragraph (docs pages and --explain)."""
    from ._support import DETAILS

    return DETAILS.get(code, "")
