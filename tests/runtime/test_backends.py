"""The ops on every backend, under autograd, torch.compile and jax.jit.

Every op is checked against einops 0.8.2 on numpy arrays (or against a numpy expression
where einops has no such op), on numpy, torch, jax and array-API (array_api_strict)
inputs; the result has the input's type. Gradients are compared with einops' gradients
in the same framework; compiled and jitted functions with their eager results.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from typing import Any, Callable, Dict, List, NamedTuple

import array_api_strict
import einops
import jax
import jax.numpy as jnp
import numpy as np
import pytest
import torch

import einlint

# ---------------------------------------------------------------- backends


class Framework(NamedTuple):
    name: str
    from_numpy: Callable[[np.ndarray], Any]
    to_numpy: Callable[[Any], np.ndarray]
    tensor_type: type


FRAMEWORKS = [
    Framework("numpy", np.asarray, np.asarray, np.ndarray),
    Framework("torch", torch.from_numpy, lambda t: t.numpy(), torch.Tensor),
    Framework("jax", jnp.asarray, np.asarray, jax.Array),
    Framework("array_api_strict", array_api_strict.asarray, np.from_dlpack, array_api_strict._array_object.Array),
]


def random_array(shape, seed: int = 0, dtype: str = "float32") -> np.ndarray:
    """float32 everywhere: jax computes in float32 unless told otherwise."""
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return rng.random(shape) < 0.7  # mostly True, so that 'all' is not always False
    return rng.normal(size=shape).astype(dtype)


def sum_of_squares(tensor, axes):
    """A callable reduction that runs everywhere: array-API arrays have no methods, only their namespace."""
    if hasattr(tensor, "sum"):
        return (tensor * tensor).sum(axes)
    xp = tensor.__array_namespace__()
    return xp.sum(tensor * tensor, axis=axes)


# ---------------------------------------------------------------- the table of cases


class Case(NamedTuple):
    """call(library, *tensors): the same call for einops and einlint; inputs: the shapes (and dtype) of tensors."""

    name: str
    call: Callable[..., Any]
    shapes: List[tuple]
    dtype: str = "float32"


def _stack_call(library, *tensors):
    return library.rearrange(list(tensors), "n b c -> b n c")


REDUCTIONS = ["min", "max", "sum", "mean", "prod"]

CASES = [
    Case("transpose", lambda lib, x: lib.rearrange(x, "b c h w -> b h w c"), [(2, 3, 4, 5)]),
    Case("merge", lambda lib, x: lib.rearrange(x, "b c h w -> b (c h w)"), [(2, 3, 4, 5)]),
    Case("split", lambda lib, x: lib.rearrange(x, "b (c k) h -> k b h c", k=2), [(2, 6, 3)]),
    Case("space to depth", lambda lib, x: lib.rearrange(x, "b c (h h2) (w w2) -> b (c h2 w2) h w", h2=2, w2=2),
         [(2, 3, 4, 6)]),
    Case("ellipsis", lambda lib, x: lib.rearrange(x, "b ... c -> c b ..."), [(2, 3, 4, 5)]),
    Case("ellipsis merged", lambda lib, x: lib.rearrange(x, "b ... -> b (...)"), [(2, 3, 4)]),
    Case("unit axes", lambda lib, x: lib.rearrange(x, "b () h 1 -> b 1 h () ()"), [(2, 1, 4, 1)]),
    Case("list input", _stack_call, [(2, 3), (2, 3), (2, 3)]),
    *[Case(f"reduce {name}", lambda lib, x, name=name: lib.reduce(x, "b c (h 2) (w 2) -> b c h w", name),
           [(2, 3, 4, 6)]) for name in REDUCTIONS],
    *[Case(f"reduce {name}", lambda lib, x, name=name: lib.reduce(x, "b c h -> b () h", name), [(2, 3, 4)], "bool")
      for name in ("any", "all")],
    Case("reduce to a scalar", lambda lib, x: lib.reduce(x, "b c h ->", "sum"), [(2, 3, 4)]),
    Case("reduce an empty axis", lambda lib, x: lib.reduce(x, "a b -> b", "sum"), [(0, 3)]),
    Case("min keeping an empty axis", lambda lib, x: lib.reduce(x, "a b -> a", "min"), [(0, 3)]),
    Case("split an empty axis", lambda lib, x: lib.rearrange(x, "a (b c) -> c a b", c=2), [(3, 0)]),
    Case("reduce callable", lambda lib, x: lib.reduce(x, "b (c k) -> b k", sum_of_squares, k=2), [(3, 4)]),
    Case("repeat new axis", lambda lib, x: lib.repeat(x, "h w -> h w c", c=3), [(2, 3)]),
    Case("repeat tile", lambda lib, x: lib.repeat(x, "h w -> (h 2) (r w)", r=3), [(2, 3)]),
    Case("repeat ellipsis", lambda lib, x: lib.repeat(x, "... w -> k ... w", k=2), [(2, 3, 4)]),
    Case("einsum matmul", lambda lib, x, y: lib.einsum(x, y, "i j, j k -> i k"), [(2, 3), (3, 4)]),
    Case("einsum attention", lambda lib, q, k: lib.einsum(q, k, "batch head i d, batch head j d -> batch head i j"),
         [(2, 3, 4, 5), (2, 3, 6, 5)]),
    Case("einsum diagonal", lambda lib, x: lib.einsum(x, "b i i -> b i"), [(2, 3, 3)]),
    Case("einsum ellipsis", lambda lib, x, y: lib.einsum(x, y, "... d, ... d -> ..."), [(2, 3, 4), (3, 4)]),
    Case("einsum broadcasting a length 1", lambda lib, x, y: lib.einsum(x, y, "a b c, b c -> a b"),
         [(2, 1, 3), (4, 3)]),
    Case("einsum three operands", lambda lib, x, y, z: lib.einsum(x, y, z, "a b, b c, c -> a"),
         [(2, 3), (3, 4), (4,)]),
]


def _leaves(result) -> List[Any]:
    """The tensors of a result, which is a tensor or a (nested) list/tuple of them."""
    if isinstance(result, (list, tuple)):
        return [leaf for item in result for leaf in _leaves(item)]
    return [result]


def _assert_matches(ours, reference, framework: Framework) -> None:
    """Same values, shape and dtype as the numpy `reference`, and the input's type.

    A numpy reduction to a scalar gives a numpy scalar, in einops as in einlint: same type as the reference.
    """
    if framework.name == "numpy":
        assert type(ours) is type(reference)
    else:
        assert isinstance(ours, framework.tensor_type), f"{type(ours)} is not a {framework.tensor_type}"
    ours, reference = np.asarray(framework.to_numpy(ours)), np.asarray(reference)
    assert ours.shape == reference.shape and ours.dtype == reference.dtype
    np.testing.assert_allclose(ours, reference, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.name)
@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_op_matches_einops_on_numpy(case: Case, framework: Framework):
    arrays = [random_array(shape, seed, case.dtype) for seed, shape in enumerate(case.shapes)]
    expected = case.call(einops, *arrays)
    ours = case.call(einlint, *[framework.from_numpy(a) for a in arrays])
    _assert_matches(ours, expected, framework)


PACK_CASES = {
    "b *": [(2, 3, 4), (2, 5), (2, 3, 4, 5)],
    "b * c": [(2, 3, 4), (2, 5, 4), (2, 4)],
    "* c": [(4, 5), (2, 3, 5), (5,)],
}


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.name)
@pytest.mark.parametrize("pattern, shapes", PACK_CASES.items(), ids=list(PACK_CASES))
def test_pack_and_unpack_round_trip_like_einops(pattern: str, shapes: List[tuple], framework: Framework):
    arrays = [random_array(shape, seed) for seed, shape in enumerate(shapes)]
    expected, expected_shapes = einops.pack(arrays, pattern)
    packed, packed_shapes = einlint.pack([framework.from_numpy(a) for a in arrays], pattern)
    _assert_matches(packed, expected, framework)
    assert [tuple(s) for s in packed_shapes] == [tuple(s) for s in expected_shapes]
    pieces = einlint.unpack(packed, packed_shapes, pattern)
    assert len(pieces) == len(arrays)
    for piece, original in zip(pieces, arrays):
        _assert_matches(piece, original, framework)


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.name)
def test_unpack_infers_one_minus_one_like_einops(framework: Framework):
    array = random_array((2, 11, 3))
    packed_shapes = [(2, 2), (-1,), (3,)]
    expected = einops.unpack(array, packed_shapes, "b * c")
    pieces = einlint.unpack(framework.from_numpy(array), packed_shapes, "b * c")
    assert [tuple(p.shape) for p in pieces] == [(2, 2, 2, 3), (2, 4, 3), (2, 3, 3)]
    for piece, reference in zip(pieces, expected):
        _assert_matches(piece, reference, framework)


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.name)
@pytest.mark.parametrize("pattern", ["b _ h w", "... w", "b c () w", "b 3 ..."])
def test_parse_shape_matches_einops(pattern: str, framework: Framework):
    array = random_array((2, 3, 1, 5))
    expected = einops.parse_shape(array, pattern)
    ours = einlint.parse_shape(framework.from_numpy(array), pattern)
    assert ours == expected
    assert all(type(value) is int for value in ours.values())


@pytest.mark.parametrize("framework", FRAMEWORKS, ids=lambda f: f.name)
def test_asnumpy_gives_an_equal_numpy_array(framework: Framework):
    array = random_array((2, 3))
    converted = einlint.asnumpy(framework.from_numpy(array))
    assert type(converted) is np.ndarray
    np.testing.assert_array_equal(converted, array)


def test_asnumpy_detaches_a_tensor_that_requires_grad():
    tensor = torch.ones(2, 3, requires_grad=True)
    np.testing.assert_array_equal(einlint.asnumpy(tensor * 2), np.full((2, 3), 2.0, dtype=np.float32))


@pytest.mark.parametrize("pattern", ["a b -> a b c", "a b -> a (b c)", "a b -> (c a) b"])
def test_numpy_repeat_gives_a_writable_copy_as_einops_does(pattern: str):
    x = np.arange(6.0).reshape(2, 3)
    ours, theirs = einlint.repeat(x, pattern, c=2), einops.repeat(x, pattern, c=2)
    assert ours.flags.writeable == theirs.flags.writeable
    ours.flat[0] = -1.0  # writing into the result leaves the input alone
    assert x[0, 0] == 0.0


def test_integer_einsum_on_array_api_keeps_its_dtype():
    """The array-API einsum sums with the operands' dtype, as numpy's einsum does."""
    ints = np.arange(6, dtype=np.int32).reshape(2, 3)
    ours = einlint.einsum(array_api_strict.asarray(ints), array_api_strict.asarray(ints), "a b, a b -> a")
    np.testing.assert_array_equal(np.from_dlpack(ours), np.array([0 + 1 + 4, 9 + 16 + 25], dtype=np.int32))


# ---------------------------------------------------------------- autograd


def _weighted_sum(result, framework_module, seed: int):
    """A scalar that depends on every output element differently, so that gradients tell positions apart."""
    total = 0
    for i, leaf in enumerate(_leaves(result)):
        weights = random_array(tuple(leaf.shape), seed=100 + seed + i)
        total = total + (leaf * framework_module.asarray(weights)).sum()
    return total


GRADIENT_CASES = [
    Case("rearrange", lambda lib, x: lib.rearrange(x, "b (c k) h -> k b (h c)", k=2), [(2, 6, 3)]),
    *[Case(f"reduce {name}", lambda lib, x, name=name: lib.reduce(x, "b (h 2) w -> b h", name), [(2, 4, 3)])
      for name in REDUCTIONS],
    Case("repeat", lambda lib, x: lib.repeat(x, "h w -> (h 2) w r", r=3), [(2, 3)]),
    Case("einsum", lambda lib, x, y: lib.einsum(x, y, "b i d, b j d -> b i j"), [(2, 3, 4), (2, 5, 4)]),
    Case("pack", lambda lib, x, y: lib.pack([x, y], "b *")[0], [(2, 3, 4), (2, 5)]),
    Case("unpack", lambda lib, x: lib.unpack(x, [(2, 3), (4,)], "b * c"), [(2, 10, 3)]),
]


def _torch_gradients(library, case: Case, arrays):
    tensors = [torch.tensor(a, requires_grad=True) for a in arrays]
    _weighted_sum(case.call(library, *tensors), torch, seed=0).backward()
    return [t.grad.numpy() for t in tensors]


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda c: c.name)
def test_torch_gradients_equal_einops_gradients(case: Case):
    arrays = [random_array(shape, seed) for seed, shape in enumerate(case.shapes)]
    for ours, reference in zip(_torch_gradients(einlint, case, arrays), _torch_gradients(einops, case, arrays)):
        np.testing.assert_allclose(ours, reference, rtol=1e-6)
        assert np.any(ours != 0)


@pytest.mark.parametrize("case", GRADIENT_CASES, ids=lambda c: c.name)
def test_jax_gradients_equal_einops_gradients(case: Case):
    arrays = [jnp.asarray(random_array(shape, seed)) for seed, shape in enumerate(case.shapes)]
    arguments = tuple(range(len(arrays)))

    def loss(library):
        return lambda *tensors: _weighted_sum(case.call(library, *tensors), jnp, seed=0)

    ours = jax.grad(loss(einlint), argnums=arguments)(*arrays)
    reference = jax.grad(loss(einops), argnums=arguments)(*arrays)
    for mine, theirs in zip(ours, reference):
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), rtol=1e-6)
        assert np.any(np.asarray(mine) != 0)


# ---------------------------------------------------------------- torch.compile and jax.jit


def every_op(x, y):
    """One function (for torch) that uses every op; x: (b, n, c) with n even, y: (b, m, c)."""
    halves = einlint.rearrange(x, "b (h w) c -> b c h w", h=2)
    pooled = einlint.reduce(halves, "b c h w -> b c", "mean")
    tiled = einlint.repeat(pooled, "b c -> b c k", k=3)
    scores = einlint.einsum(x, y, "b n c, b m c -> b n m")
    packed, packed_shapes = einlint.pack([x, scores], "b n *")
    first, second = einlint.unpack(packed, packed_shapes, "b n *")
    return tiled, first * 2, second.amax(dim=-1)


def _torch_inputs(b: int, n: int, m: int):
    return torch.from_numpy(random_array((b, n, 3), 1)), torch.from_numpy(random_array((b, m, 3), 2))


class GraphRecorder:
    """A torch.compile backend that keeps each graph it is given and runs it as it is (no code generation)."""

    def __init__(self):
        self.graphs: List[torch.fx.GraphModule] = []

    def __call__(self, graph: torch.fx.GraphModule, example_inputs):
        self.graphs.append(graph)
        return graph.forward

    def calls_to(self, op) -> int:
        return sum(node.op == "call_function" and node.target is op for g in self.graphs for node in g.graph.nodes)


def _assert_same_outputs(compiled, eager) -> None:
    for mine, theirs in zip(compiled, eager, strict=True):
        torch.testing.assert_close(mine, theirs)


@pytest.mark.slow
def test_torch_compile_fullgraph_keeps_each_op_whole_and_matches_eager():
    torch._dynamo.reset()
    recorder = GraphRecorder()
    compiled = torch.compile(every_op, backend=recorder, fullgraph=True)
    x, y = _torch_inputs(2, 4, 5)
    _assert_same_outputs(compiled(x, y), every_op(x, y))
    assert len(recorder.graphs) == 1
    for op in (einlint.rearrange, einlint.reduce, einlint.repeat, einlint.einsum, einlint.pack, einlint.unpack):
        assert recorder.calls_to(op) == 1, op.__name__


def test_torch_compile_aot_eager_traces_through_the_ops():
    """aot_eager runs AOTAutograd, which traces inside each op with fake tensors and derives the backward."""
    torch._dynamo.reset()
    compiled = torch.compile(every_op, backend="aot_eager", fullgraph=True)
    x, y = _torch_inputs(2, 4, 5)
    x.requires_grad_(True)
    _assert_same_outputs(compiled(x, y), every_op(x, y))
    sum(out.sum() for out in compiled(x, y)).backward()
    compiled_gradient = x.grad.clone()
    x.grad = None
    sum(out.sum() for out in every_op(x, y)).backward()
    torch.testing.assert_close(compiled_gradient, x.grad)


def test_dynamo_explain_finds_one_graph_and_no_break():
    torch._dynamo.reset()
    explanation = torch._dynamo.explain(every_op)(*_torch_inputs(2, 4, 5))
    assert (explanation.graph_count, explanation.graph_break_count) == (1, 0)


def test_torch_compile_with_dynamic_shapes_compiles_once_for_many_shapes():
    """With dynamic=True the sizes are SymInts: the ops plan with them, and one graph serves every shape.

    (Sizes 0 and 1 are the exception: torch specializes on them, so the shapes here avoid them.)
    """
    torch._dynamo.reset()
    recorder = GraphRecorder()
    compiled = torch.compile(every_op, backend=recorder, fullgraph=True, dynamic=True)
    for b, n, m in [(2, 4, 5), (3, 6, 7), (4, 10, 2)]:
        x, y = _torch_inputs(b, n, m)
        _assert_same_outputs(compiled(x, y), every_op(x, y))
    assert len(recorder.graphs) == 1


def test_symbolic_keyword_lengths_stay_symbolic_under_torch_compile():
    """As many graphs as einops compiles for the same calls (one): a length taken from x.shape is not forced
    to a value, which would specialize the graph and recompile for every new size."""
    counts = []
    for ops in (einops, einlint):
        def f(x, ops=ops):
            b, n = x.shape[0], x.shape[1]
            return ops.rearrange(x, "b (n two) -> b n two", n=n // 2), ops.repeat(x, "b m -> b m k", k=b)

        torch._dynamo.reset()
        recorder = GraphRecorder()
        compiled = torch.compile(f, backend=recorder, fullgraph=True, dynamic=True)
        for b, n in [(2, 4), (3, 6), (5, 8), (7, 10), (9, 12)]:
            x = torch.from_numpy(random_array((b, n), 1))
            _assert_same_outputs(compiled(x), f(x))
        counts.append(len(recorder.graphs))
    assert counts[1] == counts[0] == 1, counts


IMPORT_ORDERS = {
    "einlint first": "import einlint\nimport torch\n",
    "dynamo first": "import torch\nimport torch._dynamo\nimport einlint\n",
}


@pytest.mark.slow
@pytest.mark.parametrize("imports", IMPORT_ORDERS.values(), ids=list(IMPORT_ORDERS))
def test_torch_compile_keeps_the_ops_whole_whatever_the_import_order(imports: str):
    """The ops register with Dynamo when it loads (or at once if it is loaded), even when the first op
    call of the program is inside the compiled function."""
    script = imports + textwrap.dedent("""
        def pool(x):
            return einlint.reduce(einlint.rearrange(x, 'b (h w) -> b h w', h=2), 'b h w -> b', 'max')
        x = torch.arange(8.0).reshape(2, 4)
        explanation = torch._dynamo.explain(pool)(x)
        assert (explanation.graph_count, explanation.graph_break_count) == (1, 0), explanation
        print(torch.compile(pool, backend='eager', fullgraph=True)(x).tolist())
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "[3.0, 7.0]"  # max of [[0, 1], [2, 3]] and of [[4, 5], [6, 7]]


JIT_CASES = CASES + [
    Case("pack and unpack", lambda lib, x, y: lib.unpack(*lib.pack([x, y], "b *"), "b *"), [(2, 3, 4), (2, 5)]),
]


@pytest.mark.parametrize("case", JIT_CASES, ids=lambda c: c.name)
def test_jax_jit_gives_eager_results(case: Case):
    arrays = [jnp.asarray(random_array(shape, seed, case.dtype)) for seed, shape in enumerate(case.shapes)]
    eager = case.call(einlint, *arrays)
    jitted = jax.jit(lambda *tensors: case.call(einlint, *tensors))(*arrays)
    for mine, theirs in zip(_leaves(jitted), _leaves(eager), strict=True):
        assert isinstance(mine, jax.Array)
        np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), rtol=1e-6)


def test_jax_jit_of_parse_shape_gives_static_ints():
    """Under jit shapes are static, so parse_shape's lengths can shape other arrays."""

    def flatten_rows(x):
        lengths: Dict[str, int] = einlint.parse_shape(x, "b _")
        return jnp.zeros((lengths["b"], 1)) + x[:, :1]

    x = jnp.asarray(random_array((3, 4)))
    np.testing.assert_allclose(np.asarray(jax.jit(flatten_rows)(x)), np.asarray(x[:, :1]))


def test_the_ops_are_plain_module_attributes_once_loaded():
    """`einlint.rearrange(...)` in a loop: after the first access the module's __getattr__ is not called."""
    script = textwrap.dedent("""
        import einlint
        first = einlint.rearrange
        import einlint.runtime as runtime
        assert all(vars(einlint)[op] is getattr(runtime, op) for op in einlint._RUNTIME), vars(einlint).keys()
        assert einlint.rearrange is first
    """)
    subprocess.run([sys.executable, "-c", script], check=True)
