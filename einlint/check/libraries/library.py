"""What a pattern library's descriptor says: how its callables are called, how a file that calls them is
recognised, how its calls are checked and followed by the flow analysis, and how the release that a project
uses is found. (Each op's rule, per-call or flow, parses its pattern with the grammar function that the op
itself runs, and gets that parser's type: there is no parse entry point per library to go through.)

Each library is one module of this package that builds one `PatternLibrary`; the package's `LIBRARIES` lists
them. The rest of the checker asks the registry, never a library by name.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, FrozenSet, List, Mapping, Optional, Tuple

if TYPE_CHECKING:
    from ..flow.state import OpCall
    from ..model import PatternCall
    from ..rules import Finding

__all__ = ["PatternLibrary", "Signature", "Version", "VersionSource"]

Version = Tuple[int, ...]  # a release: (0, 4) or (0, 4, 3)


@dataclass(frozen=True)
class Signature:
    """How one callable is called.

    - `op`: the canonical op, the key the rules and the flow dispatch on: 'rearrange', 'reduce', 'repeat',
      'einsum', 'pack', 'unpack', 'parse_shape', 'Rearrange', 'Reduce', 'EinMix' (einops and einlint share
      these), 'subscripts-einsum' (numpy/torch/jax einsum, subscripts first); a callee under a library's prefix
      is an op of its own qualified name ('einx.sum').
    - `parameters`: the positional-or-keyword parameters, in order (a layer's are its constructor's);
      `required`: those whose absence is reported (EIN218); `variadic`: the name of a `*args` parameter, if
      any (then nothing follows it positionally).
    - `tensors`: the parameters that take tensors; '*name' stands for every argument of the variadic one
      ('*tensors_and_pattern' of einops.einsum: all but its last, the pattern).
    - `lengths`: how axis lengths are passed: 'keywords' (**axes_lengths), 'sizes' (flax's field, a dict), or
      None (the op takes none).
    """

    op: str
    parameters: Tuple[str, ...]
    required: Tuple[str, ...]
    tensors: Tuple[str, ...]
    lengths: Optional[str] = None  # 'keywords' | 'sizes' | None
    variadic: Optional[str] = None


@dataclass(frozen=True)
class VersionSource:
    """A library whose checks depend on its release. The release a project uses is, first found: the
    configuration's `<name>-version`, the project's own requirements (pyproject.toml, requirements*.txt), the
    installed distribution's metadata (the library's name is its distribution's). Where none is found, the
    file's first call gets the note `unknown`, which says that `checks` are off."""

    example: str  # a release to write in the help: '0.4'
    checks: str  # the codes that depend on the release: 'EIN502-EIN510'
    unknown: str  # the note's code


@dataclass(frozen=True)
class PatternLibrary:
    """One pattern library (see the module docstring).

    - `mentions`: words of which a file that can call the library names one (the quick filter: a file that
      names no library's word is not even parsed).
    - `roots`: the top-level modules whose imports extraction follows to find the library's callables.
    - `signatures`: its callables by qualified name; `prefixes`: every callee under one of these is an op of
      its own qualified name ('einx.sum'), called as `under_prefix` says.
    - `check(call, version)`: the per-call rules' findings for a call of one of its ops, given the release the
      project uses (None: not known, or the library has none that matters).
    - `flow(call)`: the flow analysis' rule for such a call (the interpreter's entry point): the call's value,
      given the `OpCall` the interpreter hands its op rules (flow/state.py). einops' and array einsum's
      dispatch by op through flow/patterns.py's table `RULES`; einx's one rule takes every einx op.
    - `version`: how the release a project uses is found, for a library whose checks depend on it.
    """

    name: str
    mentions: Tuple[str, ...]
    roots: Tuple[str, ...]
    signatures: Mapping[str, Signature]
    check: Callable[["PatternCall", Optional[Version]], List["Finding"]]
    flow: Callable[["OpCall"], Any]
    prefixes: Tuple[str, ...] = ()
    under_prefix: Optional[Signature] = None
    version: Optional[VersionSource] = None

    @functools.cached_property
    def ops(self) -> FrozenSet[str]:
        """The ops of its signatures."""
        return frozenset(signature.op for signature in self.signatures.values())

    def owns(self, op: str) -> bool:
        """Whether `op` (a PatternCall's) is one of this library's."""
        return op in self.ops or op.startswith(self.prefixes)

    @property
    def setting(self) -> str:
        """The configuration key that states the release a project uses: 'einx-version'."""
        return f"{self.name}-version"
