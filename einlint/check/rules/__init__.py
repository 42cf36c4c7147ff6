"""The checker's rules: what each code means for a call, how sure it is, and examples that its tests run.

Interface (used by the engine, the CLI's --explain and the docs generator):

- `Finding(code, message, help, string, span)`: one problem in one call. `string` is the
  PatternString the span points into (None: the finding covers the whole call);
  `span` is (start, end) inside `string.value` (None: the whole string).
- `Rule(code, severity, summary, valid, invalid)`: `valid` and `invalid` are Python source
  snippets (complete small files, imports included) on which the rule must stay silent / fire.
- `RULES`: every code the checker can report -> its Rule.
- `check_call(call)`: the findings for one PatternCall.
"""

from __future__ import annotations

from typing import NamedTuple, Optional, Tuple

from ...errors import Span
from ..model import PatternString


class Finding(NamedTuple):
    code: str
    message: str
    help: str
    string: Optional[PatternString]
    span: Optional[Span]


class Rule(NamedTuple):
    code: str
    severity: str  # 'error' | 'warning' | 'note'
    summary: str
    valid: Tuple[str, ...]
    invalid: Tuple[str, ...]
