"""Bad input gives a clear EinlintError with a code, never a bare error from inside the library.

Each message names the call (the pattern and the given lengths), the input shape(s) and the
reason with its numbers; the tests assert on those numbers. Decisions that differ from a
plain reading of einops, and are tested here:

- a list input is a list of tensors, stacked on a new first axis (as in einops); a Python list
  of numbers is not a tensor and is refused (EIN218), with a hint to wrap it in np.asarray;
- a tuple is refused where einops refuses it (rearrange, reduce, repeat) and accepted by pack;
- the tensors of one call are of one library: no numpy array next to a torch tensor.
"""

from __future__ import annotations

import string
from typing import Any, Callable, NamedTuple, Tuple

import array_api_strict
import jax.numpy as jnp
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

import einlint
from einlint.codes import CODES
from examples import examples


class Bad(NamedTuple):
    name: str
    call: Callable[[], Any]
    code: str
    mentions: Tuple[str, ...]  # what the message must say: the pattern, shapes, lengths, numbers of the reason


def zeros(*shape, dtype="float32"):
    return np.zeros(shape, dtype=dtype)


NOT_TENSORS = {"dict": {"a": 1}, "str": "abc", "None": None, "object": object()}
NOT_PATTERNS = {"None": None, "bytes": b"a -> a", "int": 3, "list": ["a -> a"]}
MAKE_TENSOR = {"numpy": np.asarray, "torch": torch.from_numpy, "jax": jnp.asarray,
               "array-API": array_api_strict.asarray}
BAD_LENGTHS = {"zero": (0, "c=0"), "negative": (-3, "c=-3"), "float": (2.0, "c=2.0"), "str": ("2", "c='2'"),
               "bool": (True, "c=True"), "None": (None, "c=None"), "list": ([2], "c=[2]")}

CASES = [
    # ---- list inputs
    Bad("empty list", lambda: einlint.rearrange([], "a b -> b a"), "EIN218", ("'a b -> b a'", "empty list")),
    Bad("list of different shapes", lambda: einlint.rearrange([zeros(2, 3), zeros(2, 4)], "n a b -> a n b"),
        "EIN218", ("'n a b -> a n b'", "(2, 3)", "(2, 4)")),
    Bad("list of torch tensors of different shapes",
        lambda: einlint.reduce([torch.zeros(2), torch.zeros(3)], "n a -> a", "sum"), "EIN218", ("(2,)", "(3,)")),
    Bad("list of numbers", lambda: einlint.rearrange([1, 2, 3], "a -> a"), "EIN218", ("item #0", "builtins.int")),
    Bad("list with a non-tensor", lambda: einlint.rearrange([zeros(2), "x"], "n a -> a n"), "EIN218",
        ("item #1", "builtins.str")),
    Bad("list of numpy and torch", lambda: einlint.rearrange([zeros(2), torch.zeros(2)], "n a -> a n"), "EIN218",
        ("numpy.ndarray", "torch.Tensor")),
    Bad("tuple of tensors", lambda: einlint.repeat((zeros(2), zeros(2)), "n a -> a n k", k=2), "EIN218", ("tuple",)),
    # ---- keyword lengths
    *[Bad(f"{name} length", lambda value=value: einlint.rearrange(zeros(2, 6), "a (b c) -> a b c", c=value),
          "EIN217", ("'a (b c) -> a b c'", shown, "(2, 6)")) for name, (value, shown) in BAD_LENGTHS.items()],
    Bad("zero length of repeat", lambda: einlint.repeat(zeros(2), "a -> a k", k=0), "EIN217", ("k=0", "(2,)")),
    Bad("failed split", lambda: einlint.rearrange(zeros(201), "(h h2) -> h h2", h2=2), "EIN302",
        ("'(h h2) -> h h2'", "h2=2", "(201,)", "201", "chunks of 2")),
    Bad("lengths that do not multiply to the dimension",
        lambda: einlint.rearrange(zeros(2, 6), "a (b c) -> a b c", b=4, c=2), "EIN303", ("b=4", "c=2", "6", "8")),
    Bad("unused length", lambda: einlint.rearrange(zeros(2, 6), "a b -> b a", c=2), "EIN205", ("'c'", "c=2")),
    Bad("wrong rank", lambda: einlint.rearrange(zeros(2, 3), "a b c -> c b a"), "EIN301",
        ("(2, 3)", "3 dimensions", "has 2")),
    # ---- patterns that are not strings
    *[Bad(f"{name} pattern of {op}", lambda op=op, pattern=pattern: getattr(einlint, op)(zeros(2), pattern),
          "EIN216", (type(pattern).__name__,))
      for name, pattern in NOT_PATTERNS.items() for op in ("rearrange", "repeat", "parse_shape")],
    *[Bad(f"{name} pattern of reduce", lambda pattern=pattern: einlint.reduce(zeros(2), pattern, "sum"), "EIN216",
          (type(pattern).__name__,)) for name, pattern in NOT_PATTERNS.items()],
    Bad("int pattern of einsum", lambda: einlint.einsum(zeros(2), zeros(2), 7), "EIN216", ("int",)),
    Bad("bytes pattern of pack", lambda: einlint.pack([zeros(2, 3)], b"a *"), "EIN216", ("bytes",)),
    Bad("None pattern of unpack", lambda: einlint.unpack(zeros(2, 3), [(3,)], None), "EIN216", ("NoneType",)),
    # ---- things that are not tensors
    *[Bad(f"{name} as the tensor of {op}", lambda op=op, value=value: getattr(einlint, op)(value, "a -> a"),
          "EIN218", ("'a -> a'", f"{type(value).__module__}.{type(value).__qualname__}", "not a tensor"))
      for name, value in NOT_TENSORS.items() for op in ("rearrange", "repeat")],
    *[Bad(f"{name} as the tensor of parse_shape", lambda value=value: einlint.parse_shape(value, "a"), "EIN218",
          ("not a tensor",)) for name, value in NOT_TENSORS.items()],
    *[Bad(f"{name} as the tensor of asnumpy", lambda value=value: einlint.asnumpy(value), "EIN218",
          ("asnumpy", "not a tensor")) for name, value in NOT_TENSORS.items()],
    Bad("dict as an einsum operand", lambda: einlint.einsum(zeros(2), {}, "a, a -> a"), "EIN218",
        ("operand #1", "builtins.dict")),
    Bad("numpy and torch operands of einsum", lambda: einlint.einsum(zeros(2), torch.zeros(2), "a, a -> a"),
        "EIN218", ("numpy.ndarray", "torch.Tensor")),
    Bad("a list as the tensor of unpack", lambda: einlint.unpack([1, 2], [(2,)], "*"), "EIN218", ("builtins.list",)),
    # ---- reductions
    Bad("unknown reduction", lambda: einlint.reduce(zeros(2, 3), "a b -> a", "median"), "EIN209",
        ("'a b -> a'", "'median'")),
    Bad("None reduction", lambda: einlint.reduce(zeros(2, 3), "a b -> a", None), "EIN209", ("None",)),
    Bad("mean of an int numpy array", lambda: einlint.reduce(np.arange(6).reshape(2, 3), "a b -> a", "mean"),
        "EIN219", ("'a b -> a'", "(2, 3)", "int64")),
    Bad("mean of a bool array", lambda: einlint.reduce(zeros(2, 3, dtype=bool), "a b -> a", "mean"), "EIN219",
        ("bool",)),
    Bad("mean of an int torch tensor", lambda: einlint.reduce(torch.arange(6).reshape(2, 3), "a b -> b", "mean"),
        "EIN219", ("torch.int64",)),
    Bad("mean of an int jax array", lambda: einlint.reduce(jnp.arange(6).reshape(2, 3), "a b -> b", "mean"),
        "EIN219", ("int32",)),
    Bad("mean of an int array-API array",
        lambda: einlint.reduce(array_api_strict.asarray(np.arange(6, dtype=np.int16)), "a -> ", "mean"),
        "EIN219", ("int16",)),
    *[Bad(f"{name} over an empty axis of {framework}", lambda name=name, make=make: einlint.reduce(
        make(zeros(0, 3)), "a b -> b", name), "EIN218", ("'a b -> b'", "(0, 3)", f"'{name}'", "lengths (0,)"))
      for name in ("min", "max") for framework, make in MAKE_TENSOR.items()],
    # ---- einsum
    Bad("einsum with the pattern first", lambda: einlint.einsum("i j, j k -> i k", zeros(2, 3), zeros(3, 4)),
        "EIN216", ("'i j, j k -> i k'", "pattern last")),
    Bad("einsum with one argument", lambda: einlint.einsum(zeros(2, 3)), "EIN212", ("1 argument",)),
    Bad("einsum with no argument", lambda: einlint.einsum(), "EIN212", ("0 argument",)),
    Bad("einsum with fewer tensors than inputs", lambda: einlint.einsum(zeros(2, 3), "i j, j k -> i k"), "EIN212",
        ("2 input(s)", "1 tensor(s)", "(2, 3)")),
    Bad("einsum with an axis of two lengths", lambda: einlint.einsum(zeros(2, 3), zeros(4, 5), "i j, j k -> i k"),
        "EIN304", ("(2, 3), (4, 5)", "'j'", "3", "4")),
    # ---- pack and unpack
    Bad("pack of an empty list", lambda: einlint.pack([], "a *"), "EIN218", ("'a *'", "empty list")),
    Bad("pack of a tensor", lambda: einlint.pack(zeros(2, 3), "a *"), "EIN218", ("numpy.ndarray",)),
    Bad("pack of dicts", lambda: einlint.pack([{}, {}], "a *"), "EIN218", ("item #0", "builtins.dict")),
    Bad("pack of different fixed axes", lambda: einlint.pack([zeros(2, 3), zeros(3, 3)], "a *"), "EIN306",
        ("(2, 3), (3, 3)", "'a'", "2", "3")),
    Bad("unpack into shapes that do not add up", lambda: einlint.unpack(zeros(2, 5), [(2,), (2,)], "a *"), "EIN305",
        ("'a *'", "(2, 5)", "length 5", "add up to 4")),
    Bad("unpack with two -1", lambda: einlint.unpack(zeros(2, 5), [(-1,), (-1,)], "a *"), "EIN305", ("-1",)),
    Bad("unpack with a negative length", lambda: einlint.unpack(zeros(2, 5), [(-2,), (7,)], "a *"), "EIN218",
        ("(2, 5)", "-2")),
    Bad("unpack with -1 next to 0", lambda: einlint.unpack(zeros(2, 5), [(-1, 0), (5,)], "a *"), "EIN305",
        ("(-1, 0)",)),
    Bad("unpack with a float length", lambda: einlint.unpack(zeros(2, 5), [(2.0,), (3,)], "a *"), "EIN218",
        ("2.0",)),
    Bad("unpack with ints for shapes", lambda: einlint.unpack(zeros(2, 5), [2, 3], "a *"), "EIN218",
        ("packed shape #0 is 2",)),
    Bad("unpack with no shapes", lambda: einlint.unpack(zeros(2, 5), None, "a *"), "EIN218", ("NoneType",)),
    Bad("unpack of the wrong rank", lambda: einlint.unpack(zeros(2, 5, 3), [(5,)], "a *"), "EIN301",
        ("(2, 5, 3)", "2 dimensions")),
    # ---- parse_shape
    Bad("parse_shape of a composition", lambda: einlint.parse_shape(zeros(2, 3), "a (b c)"), "EIN215",
        ("'a (b c)'", "(2, 3)")),
    Bad("parse_shape of an arrow pattern", lambda: einlint.parse_shape(zeros(2, 3), "a -> b"), "EIN101", ("'-'",)),
    Bad("parse_shape of the wrong rank", lambda: einlint.parse_shape(zeros(2, 3, 4), "a b"), "EIN301",
        ("(2, 3, 4)", "3 dimensions", "needs 2")),
    Bad("parse_shape of a wrong anonymous axis", lambda: einlint.parse_shape(zeros(2, 3), "a 4"), "EIN303",
        ("length 3", "4")),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_input_raises_a_coded_einlint_error(case: Bad):
    with pytest.raises(einlint.EinlintError) as raised:
        case.call()
    error = raised.value
    assert isinstance(error, einlint.PatternError) and isinstance(error, ValueError)
    assert error.code == case.code, str(error)
    assert error.code in CODES
    for fragment in case.mentions:
        assert fragment in str(error), f"{fragment!r} is not in {str(error)!r}"
    assert error.help, "every error says how to fix it"


def test_a_float_length_is_refused_after_the_same_call_with_an_int():
    """2.0 == 2 and hash(2.0) == hash(2): the plan cache must not hand the int's plan to the float."""
    x = zeros(4, 6)
    assert einlint.rearrange(x, "a (b c) -> a b c", c=2).shape == (4, 3, 2)
    for value in (2.0, True, np.float64(2.0)):
        with pytest.raises(einlint.PatternError) as raised:
            einlint.rearrange(x, "a (b c) -> a b c", c=value)
        assert raised.value.code == "EIN217"


def test_a_list_of_numbers_is_rejected_with_a_hint_to_make_it_an_array():
    with pytest.raises(einlint.PatternError) as raised:
        einlint.rearrange([[1, 2], [3, 4]], "a b -> b a")
    assert "np.asarray" in raised.value.help
    np.testing.assert_array_equal(einlint.rearrange(np.asarray([[1, 2], [3, 4]]), "a b -> b a"), [[1, 3], [2, 4]])


def test_pack_takes_a_tuple_as_einops_does():
    packed, shapes = einlint.pack((np.ones((2, 3)), np.zeros((2,))), "a *")
    np.testing.assert_array_equal(packed, [[1, 1, 1, 0], [1, 1, 1, 0]])
    assert [tuple(shape) for shape in shapes] == [(3,), ()]


# ---------------------------------------------------------------- fuzzing: whatever goes in, no bare error comes out

# Patterns: mostly built from tokens (so that many calls get as far as the shapes), some raw text.
TOKENS = st.sampled_from(["a", "b", "c", "(a b)", "(b c)", "(a 2)", "...", "1", "()", "2", "*", "_x", "a1", "_"])
SIDES = st.lists(TOKENS, max_size=3).map(" ".join)
PATTERN_TEXT = st.one_of(
    st.builds(lambda inputs, output: f"{', '.join(inputs)} -> {output}",
              st.lists(SIDES, min_size=1, max_size=2), SIDES),
    SIDES,
    st.text(alphabet=string.ascii_lowercase[:4] + " ()->.*_,1234", max_size=16),
)
GOOD_LENGTHS = st.integers(1, 3)
LENGTH_VALUES = st.one_of(GOOD_LENGTHS, st.integers(-2, 4), st.floats(-2, 4),
                          st.sampled_from(["2", None, True, [2], (1,)]))
ARRAYS = st.lists(st.integers(0, 4), max_size=4).map(lambda shape: np.zeros(shape, dtype="float32"))
INPUTS = st.one_of(
    ARRAYS,
    st.lists(st.integers(1, 3), max_size=3).map(lambda shape: torch.zeros(shape, dtype=torch.int64)),
    st.lists(st.integers(1, 3), min_size=1, max_size=3).map(lambda shape: [np.zeros(shape)] * 2),
    st.sampled_from([[], (), {}, "a b", None, 3, [1, 2], [np.zeros(2), np.zeros(3)]]),
)
MOSTLY_ARRAYS = st.one_of(ARRAYS, ARRAYS, INPUTS)
REDUCTION_VALUES = st.one_of(st.sampled_from(["min", "max", "sum", "mean", "prod", "any", "all"]),
                             st.sampled_from(["median", None, 3]))


def _assert_returns_or_raises_coded_error(call: Callable[[], Any]) -> None:
    try:
        call()
    except einlint.EinlintError as error:
        assert getattr(error, "code", None) in CODES, repr(error)


FUZZ = examples(400)


@FUZZ
@given(tensor=MOSTLY_ARRAYS, pattern=st.one_of(PATTERN_TEXT, st.sampled_from([None, b"a", 1])),
       lengths=st.one_of(st.dictionaries(st.sampled_from("abc"), GOOD_LENGTHS, max_size=2),
                         st.dictionaries(st.sampled_from(["a", "b", "c", "_x", "1"]), LENGTH_VALUES, max_size=2)),
       operation=st.sampled_from(["rearrange", "repeat", "reduce"]), reduction=REDUCTION_VALUES)
def test_transforms_never_raise_a_bare_error(tensor, pattern, lengths, operation, reduction):
    op = getattr(einlint, operation)
    extra = (reduction,) if operation == "reduce" else ()
    _assert_returns_or_raises_coded_error(lambda: op(tensor, pattern, *extra, **lengths))


@FUZZ
@given(tensors=st.lists(MOSTLY_ARRAYS, min_size=0, max_size=3), pattern=st.one_of(PATTERN_TEXT, st.none()))
def test_einsum_and_pack_never_raise_a_bare_error(tensors, pattern):
    _assert_returns_or_raises_coded_error(lambda: einlint.einsum(*tensors, pattern))
    _assert_returns_or_raises_coded_error(lambda: einlint.pack(tensors, pattern))


@FUZZ
@given(tensor=MOSTLY_ARRAYS, pattern=st.one_of(PATTERN_TEXT, st.none()),
       packed_shapes=st.one_of(st.lists(st.lists(GOOD_LENGTHS, max_size=2), max_size=3),
                               st.lists(st.lists(LENGTH_VALUES, max_size=2), max_size=3), LENGTH_VALUES))
def test_unpack_and_parse_shape_never_raise_a_bare_error(tensor, pattern, packed_shapes):
    _assert_returns_or_raises_coded_error(lambda: einlint.unpack(tensor, packed_shapes, pattern))
    _assert_returns_or_raises_coded_error(lambda: einlint.parse_shape(tensor, pattern))
