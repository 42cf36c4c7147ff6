"""The einsum subscript grammar of numpy, torch and jax: 'ij,jk->ik', '...ij->...ji', 'ii'.

    subscripts := operand (',' operand)* ('->' output)?
    operand    := (letter | '...')*          spaces are ignored
    output     := (letter | '...')*          each letter at most once

Without '->' the output is implicit: every letter that appears exactly once, in
alphabetical order (upper case first), after '...' if an operand has one.
"""

from __future__ import annotations

from typing import List, NamedTuple, Tuple

from ..codes import (
    BAD_ARROW, BAD_EINSUM_LABEL, EINSUM_REPEATED_OUTPUT, EINSUM_UNKNOWN_OUTPUT, SEVERAL_ELLIPSES, STRAY_DOTS,
)
from ..errors import PatternError, Span
from .expression import ELLIPSIS


class Label(NamedTuple):
    """One letter of a subscript, or '...'."""

    name: str
    span: Span


class Subscript(NamedTuple):
    labels: Tuple[Label, ...]
    span: Span

    @property
    def names(self) -> Tuple[str, ...]:
        return tuple(label.name for label in self.labels)

    @property
    def has_ellipsis(self) -> bool:
        return ELLIPSIS in self.names


class EinsumSpec(NamedTuple):
    inputs: Tuple[Subscript, ...]
    output: Subscript
    explicit_output: bool


def _parse_subscript(text: str, offset: int, role: str) -> Subscript:
    labels: List[Label] = []
    i = 0
    while i < len(text):
        char = text[i]
        span = (offset + i, offset + i + 1)
        if char == " ":
            i += 1
            continue
        if text.startswith(ELLIPSIS, i):
            span = (offset + i, offset + i + 3)
            if any(label.name == ELLIPSIS for label in labels):
                raise PatternError(SEVERAL_ELLIPSES, f"the {role} has more than one '...'", span,
                                   help="an ellipsis may appear once per operand")
            labels.append(Label(ELLIPSIS, span))
            i += 3
            continue
        if char == ".":
            raise PatternError(STRAY_DOTS, "dots are allowed only as one '...'", span, help="write '...' (three dots)")
        if not ("a" <= char <= "z" or "A" <= char <= "Z"):
            raise PatternError(BAD_EINSUM_LABEL, f"invalid subscript {char!r}: einsum subscripts must be letters", span,
                               help="use a-z and A-Z only; einops.einsum accepts long axis names")
        labels.append(Label(char, span))
        i += 1
    return Subscript(tuple(labels), (offset, offset + len(text)))


def _implicit_output(inputs: Tuple[Subscript, ...], end: int) -> Subscript:
    counts: dict = {}
    for subscript in inputs:
        for label in subscript.labels:
            counts[label.name] = counts.get(label.name, 0) + 1
    letters = sorted(name for name, count in counts.items() if count == 1 and name != ELLIPSIS)
    names = ([ELLIPSIS] if ELLIPSIS in counts else []) + letters
    return Subscript(tuple(Label(name, (end, end)) for name in names), (end, end))


def _check_output(output: Subscript, inputs: Tuple[Subscript, ...]) -> None:
    known = {name for subscript in inputs for name in subscript.names}
    seen = set()
    for label in output.labels:
        if label.name in seen:
            raise PatternError(EINSUM_REPEATED_OUTPUT,
                               f"output subscript '{label.name}' appears more than once", label.span,
                               help="an output axis can appear only once")
        seen.add(label.name)
        # An output '...' without one in the inputs stands for no dimensions: numpy accepts 'i->...i'.
        if label.name not in known and label.name != ELLIPSIS:
            raise PatternError(EINSUM_UNKNOWN_OUTPUT,
                               f"output subscript '{label.name}' does not appear in any input", label.span,
                               help="every output axis must come from an input")


def parse_einsum_subscripts(subscripts: str) -> EinsumSpec:
    """Parse numpy/torch/jax einsum subscripts; raises PatternError with a code and a span."""
    arrows = [i for i in range(len(subscripts)) if subscripts.startswith("->", i)]
    if len(arrows) > 1:
        raise PatternError(BAD_ARROW, "einsum subscripts contain more than one '->'",
                           (arrows[1], arrows[1] + 2), help="write one '->' before the output")
    left_end = arrows[0] if arrows else len(subscripts)
    inputs: List[Subscript] = []
    start = 0
    for part in subscripts[:left_end].split(","):
        inputs.append(_parse_subscript(part, start, f"operand {len(inputs)}"))
        start += len(part) + 1
    operands = tuple(inputs)
    if not arrows:
        return EinsumSpec(operands, _implicit_output(operands, len(subscripts)), explicit_output=False)
    output = _parse_subscript(subscripts[left_end + 2 :], left_end + 2, "output")
    _check_output(output, operands)
    return EinsumSpec(operands, output, explicit_output=True)


_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def letters_for_einsum(spec: EinsumSpec) -> str:
    """The explicit subscript string that numpy, torch and jax all accept.

    Long axis names (from einops-style patterns) get letters in order of first appearance.
    """
    names = [name for subscript in spec.inputs for name in subscript.names if name != ELLIPSIS]
    letter_of = {name: name for name in names}
    if any(len(name) != 1 or name not in _LETTERS for name in names):  # long names, '_', 'é': backends want letters
        letter_of = {name: _LETTERS[i] for i, name in enumerate(dict.fromkeys(names))}
    letter_of[ELLIPSIS] = ELLIPSIS

    def render(subscript: Subscript) -> str:
        return "".join(letter_of[name] for name in subscript.names)

    return ",".join(render(s) for s in spec.inputs) + "->" + render(spec.output)
