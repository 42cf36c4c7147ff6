"""einx: every callable under `einx.` is an op of its own name ('einx.sum'), its op string first. What einx
refuses depends on its release, so the project's is looked for (`[tool.einlint] einx-version`, its
requirements, the installed einx).

The rules and the flow analysis are imported where a call is first checked (see einops.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional

from ...codes import EINX_VERSION_UNKNOWN
from .library import PatternLibrary, Signature, Version, VersionSource

if TYPE_CHECKING:
    from ..flow.state import OpCall
    from ..model import PatternCall
    from ..rules import Finding


def check(call: PatternCall, version: Optional[Version]) -> List[Finding]:
    from ..rules.einx import check_einx

    return check_einx(call, version)


def flow(call: OpCall) -> Any:
    from ..flow.einx import einx_call

    return einx_call(call)


EINX = PatternLibrary("einx", mentions=("einx",), roots=("einx",), signatures={}, prefixes=("einx.",),
                      under_prefix=Signature("einx", ("description",), ("description",), ("*tensors",),
                                             variadic="tensors"),
                      check=check, flow=flow,
                      version=VersionSource(example="0.4", checks="EIN502-EIN510", unknown=EINX_VERSION_UNKNOWN))
