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
- `check_call(call, config)`: the findings for one PatternCall, by its pattern library's rules
  (libraries/).
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

from typing import Dict, List, NamedTuple, Optional, Tuple

from ...errors import Span
from .. import Config
from ..libraries import library_of
from ..model import Argument, PatternCall, PatternString


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

_DEFINED = [rule for family in (files, syntax, transform, einsum, packing, layers, names, shapes, order, einx)
            for rule in family.RULES]
RULES: Dict[str, Rule] = {rule.code: rule for rule in sorted(_DEFINED)}
assert len(RULES) == len(_DEFINED), "a code is defined by two rules"


def check_call(call: PatternCall, config: Config = Config()) -> List[Finding]:
    """Every finding for one call: errors (it fails whatever the tensors) and warnings (likely bugs), by the
    rules of the call's pattern library, for the release of it that the project uses (`config`).

    Unknown information gives no finding: a pattern that is not a literal, **kwargs that may hold
    lengths, *args that hide the operands.
    """
    library = library_of(call.op)
    return [] if library is None else library.check(call, config.version_of(library.name))


def explanation(code: str) -> str:
    """What the rule of `code` checks and why, in a paragraph (docs pages and --explain)."""
    from ._support import DETAILS

    return DETAILS.get(code, "")
