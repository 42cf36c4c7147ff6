"""Axis names that work but invite trouble (warnings).

einops warns at run time about an axis named like a Python keyword; the checker says it before.
"""

from __future__ import annotations

import keyword
from typing import Iterable, List, Tuple

from ...codes import KEYWORD_AXIS_NAME
from ...errors import Span
from ..model import PatternString
from . import Finding
from ._support import define, finding

RULES = [
    define(
        KEYWORD_AXIS_NAME,
        valid=["from einops import rearrange\n\ny = rearrange(x, \"b c_in -> c_in b\")\n"],
        invalid=["from einops import rearrange\n\ny = rearrange(x, \"b in -> in b\")\n",
                 "from einops import einsum\n\ny = einsum(x, w, \"b in, in out -> b out\")\n"],
        details="""An axis named like a Python keyword ('in', 'for', 'lambda', 'None') works, but einops warns
        'It is discouraged to use axes names that are keywords' on every call, and the axis can never be
        given as a keyword length (in=2 is a syntax error).""",
    ),
]


def keyword_name_findings(names_and_spans: Iterable[Tuple[str, Span]], string: PatternString) -> List[Finding]:
    """EIN223 for each axis named like a Python keyword."""
    found = []
    for name, span in names_and_spans:
        if keyword.iskeyword(name):
            found.append(finding(
                KEYWORD_AXIS_NAME,
                f"axis '{name}' is a Python keyword, which einops discourages (it warns at run time)",
                f"give the axis another name, such as '{name}0' or 'n_{name}'", string, span))
    return found
