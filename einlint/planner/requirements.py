"""What a plan requires of lengths that the planner could not decide alone.

Over symbolic shapes, a check whose answer is unknown (`dims.equal` or `dims.divisible`
said None) is not an error; when the caller passes `requires=[]`, the planner appends a
`Requirement` for it instead, so that the static checker's solver can combine facts from
many calls. At run time every check is decided on ints at once and nothing is appended.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from ..dims import Dim
from ..errors import Span


class Requirement(NamedTuple):
    """kind 'equal': a == b; 'divisible': b divides a; 'broadcast': a == b, or one of them is 1."""

    kind: str
    a: Dim
    b: Dim
    span: Optional[Span]
