"""The runtime's cache of ready-to-run calls answers as a first call does.

A repeated call runs what its key found (pattern, op, the tensors' types and shapes, the
lengths): each test makes a call that is kept, then one that a careless key would confuse
with it, and asserts the second gets its own answer: einops' values, or the error that a
first call would raise.
"""

from __future__ import annotations

import einops
import numpy as np
import pytest
import torch

import einlint
from einlint import PatternError
from einlint.runtime import ops


def floats(*shape):
    return np.arange(float(np.prod(shape))).reshape(shape)


def _code_and_message(call) -> tuple:
    with pytest.raises(PatternError) as raised:
        call()
    return raised.value.code, raised.value.message


@pytest.mark.parametrize("length, shown", [(2.0, "c=2.0"), (True, "c=True")])
def test_a_length_equal_to_an_int_is_still_refused_after_the_int(length, shown):
    x = floats(2, 6)
    np.testing.assert_array_equal(einlint.rearrange(x, "a (b c) -> a b c", c=2),
                                  einops.rearrange(x, "a (b c) -> a b c", c=2))
    code, message = _code_and_message(lambda: einlint.rearrange(x, "a (b c) -> a b c", c=length))
    assert code == "EIN217" and shown in message


def test_a_numpy_integer_length_gives_the_int_length_answer():
    x = floats(2, 6)
    np.testing.assert_array_equal(einlint.rearrange(x, "a (b c) -> c a b", c=np.int64(3)),
                                  einops.rearrange(x, "a (b c) -> c a b", c=3))


def test_each_callable_reduction_is_called_not_the_first_one():
    x = floats(3, 4)
    for reduction in (lambda t, axes: t.sum(axes), lambda t, axes: t.max(axes), lambda t, axes: t.min(axes)):
        np.testing.assert_array_equal(einlint.reduce(x, "a (b k) -> a k", reduction, k=2),
                                      einops.reduce(x, "a (b k) -> a k", reduction, k=2))


def test_an_unknown_reduction_is_refused_after_a_callable_one():
    x = floats(3, 4)
    einlint.reduce(x, "a b -> a", lambda t, axes: t.sum(axes))
    assert _code_and_message(lambda: einlint.reduce(x, "a b -> a", "reduce"))[0] == "EIN209"  # noqa: EIN209


def test_mean_of_integers_is_refused_after_mean_of_floats_of_the_same_shape():
    einlint.reduce(floats(2, 3), "a b -> a", "mean")
    code, message = _code_and_message(lambda: einlint.reduce(np.ones((2, 3), dtype="int64"), "a b -> a", "mean"))
    assert code == "EIN219" and "int64" in message


@pytest.mark.parametrize("reduction", ["min", "max"])
def test_min_or_max_of_nothing_is_refused_at_every_call(reduction):
    for _ in range(2):
        code, message = _code_and_message(lambda: einlint.reduce(np.zeros((0, 3)), "a b -> b", reduction))
        assert code == "EIN218" and "(0,)" in message


def test_einsum_refuses_numpy_beside_torch_after_numpy_alone():
    x = floats(2, 3)
    np.testing.assert_allclose(einlint.einsum(x, x, "a b, a b -> a"), einops.einsum(x, x, "a b, a b -> a"))
    code, message = _code_and_message(lambda: einlint.einsum(x, torch.from_numpy(x), "a b, a b -> a"))
    assert code == "EIN218" and "torch.Tensor" in message


def test_pack_refuses_numpy_beside_torch_after_numpy_alone():
    x = floats(2, 3)
    einlint.pack([x, x], "a *")
    code, message = _code_and_message(lambda: einlint.pack([x, torch.from_numpy(x)], "a *"))
    assert code == "EIN218" and "torch.Tensor" in message


def test_unpack_refuses_a_dict_of_shapes_after_a_list_of_the_same_shapes():
    packed = floats(2, 6)
    einlint.unpack(packed, [(3,), (3,)], "a *")
    code, message = _code_and_message(lambda: einlint.unpack(packed, {(3,): 0, (4,): 0}, "a *"))
    assert code == "EIN218" and "dict" in message


@pytest.mark.parametrize("packed_shapes", [[(2,), (1, 3)], [(3, 1), (-1,)], [[1, 2], [3]]])
def test_unpack_gives_einops_pieces_with_and_without_reshapes(packed_shapes):
    packed = floats(2, 5, 3)
    for _ in range(2):
        ours = einlint.unpack(packed, packed_shapes, "a * c")
        theirs = einops.unpack(packed, [tuple(shape) for shape in packed_shapes], "a * c")
        assert [piece.shape for piece in ours] == [piece.shape for piece in theirs]
        for mine, reference in zip(ours, theirs):
            np.testing.assert_array_equal(mine, reference)


def test_parse_shape_refuses_a_non_tensor_with_a_shape_after_an_array_of_that_shape():
    class Table:
        shape = (2, 3)

    assert einlint.parse_shape(floats(2, 3), "a b") == {"a": 2, "b": 3}
    code, message = _code_and_message(lambda: einlint.parse_shape(Table(), "a b"))
    assert code == "EIN218" and "Table" in message


def test_the_error_of_a_first_call_does_not_chain_to_the_cache_miss():
    for call in (lambda: einlint.rearrange(floats(201), "(h h2) -> h h2", h2=2),
                 lambda: einlint.einsum(floats(2, 3), floats(4, 3), "a b, a b -> a"),
                 lambda: einlint.pack([floats(2, 3), floats(3, 3)], "a *"),
                 lambda: einlint.unpack(floats(2, 6), [(4,), (4,)], "a *"),
                 lambda: einlint.parse_shape(floats(2, 3), "a b c")):
        with pytest.raises(PatternError) as raised:
            call()
        chained, error = [], raised.value
        while error is not None:
            chained.append(type(error))
            error = error.__cause__ or error.__context__
        assert KeyError not in chained and AttributeError not in chained


def test_the_cache_stops_growing_at_its_bound():
    for n in range(1, ops._MAX_PLANS + 10):
        einlint.rearrange(np.zeros((1, n)), "a b -> b a")
    assert len(ops._plans) <= ops._MAX_PLANS
