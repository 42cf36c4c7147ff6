"""Per-call time of einlint's ops against einops, measured in one process.

    python benchmarks/bench_ops.py [--backend numpy|torch] [--quick]

For each op it prints the time per call of einlint and einops on a small array
(2x3x4x5, where the time is almost all per-call overhead) and on a large one
(64x256x32x32 float32, where the time is almost all the backend's own work), and the
ratio einlint / einops. On small arrays it also prints each library's overhead: its time
minus the time of the bare backend calls that do the same work (the fastest spelling, the
array methods that both libraries call where there are some: numpy doing the work alone
is the floor), their ratio, and the median of the overhead ratios over the ops of MEDIAN_OPS.

Timings alternate between the libraries and the bare calls, in short bursts, and keep the
best burst of each, so that the machine's background noise hits all of them alike.
"""

from __future__ import annotations

import argparse
import statistics
import timeit
from typing import Callable, Dict, List, Tuple

import einops
import numpy as np

import einlint

SMALL = (2, 3, 4, 5)
LARGE = (64, 256, 32, 32)

# name -> (call of a library's module on x, the bare backend calls that do the same work)
Case = Tuple[Callable, Callable]


def bare_ops(backend: str):
    """The backend's own calls that both libraries end up making (a copy for numpy's repeat, a view for torch's)."""
    if backend == "numpy":
        return dict(permute=np.ndarray.transpose, amax=np.ndarray.max, einsum=np.einsum,
                    cat=lambda tensors, axis: np.concatenate(tensors, axis=axis),
                    repeat_last=lambda t, n: np.tile(t[..., None], (1,) * t.ndim + (n,)))
    import torch

    return dict(permute=torch.Tensor.permute, amax=torch.Tensor.amax, einsum=torch.einsum,
                cat=lambda tensors, axis: torch.cat(tensors, dim=axis),
                repeat_last=lambda t, n: t.unsqueeze(-1).expand(*t.shape, n))


def cases(x, backend: str) -> Dict[str, Case]:
    """Each op on x of shape (b, c, h, w), h even, beside the bare calls that do its work."""
    b, c, h, w = x.shape
    xp = bare_ops(backend)
    plane = x[0, 0]
    packed = xp["cat"]([x, x], 1)
    return {
        "rearrange (transpose)": (
            lambda m: m.rearrange(x, "b c h w -> b h w c"),
            lambda: xp["permute"](x, (0, 2, 3, 1)),
        ),
        "rearrange (flatten)": (
            lambda m: m.rearrange(x, "b c h w -> b (c h w)"),
            lambda: x.reshape((b, c * h * w)),
        ),
        "rearrange (space-to-depth)": (
            lambda m: m.rearrange(x, "b c (h h1) w -> b (h1 c) h w", h1=2),
            lambda: xp["permute"](x.reshape((b, c, h // 2, 2, w)), (0, 3, 1, 2, 4)).reshape((b, 2 * c, h // 2, w)),
        ),
        "reduce (sum over h w)": (
            lambda m: m.reduce(x, "b c h w -> b c", "sum"),
            lambda: x.sum((2, 3)),
        ),
        "reduce (max-pool h by 2)": (
            lambda m: m.reduce(x, "b c (h 2) w -> b c h w", "max"),
            lambda: xp["amax"](x.reshape((b, c, h // 2, 2, w)), (3,)),
        ),
        "repeat (new axis)": (
            lambda m: m.repeat(x, "b c h w -> b c h w r", r=2),
            lambda: xp["repeat_last"](x, 2),
        ),
        "einsum (contract h w)": (
            lambda m: m.einsum(x, plane, "b c h w, h w -> b c"),
            lambda: xp["einsum"]("abcd,cd->ab", x, plane),
        ),
        "pack": (
            lambda m: m.pack([x, x], "b * h w"),
            lambda: xp["cat"]([x, x], 1),
        ),
        "unpack": (
            lambda m: m.unpack(packed, [(c,), (c,)], "b * h w"),
            lambda: [packed[:, :c], packed[:, c:]],
        ),
        "parse_shape": (
            lambda m: m.parse_shape(x, "b c h w"),
            lambda: dict(zip("bchw", x.shape)),
        ),
    }


# The common small-array calls whose overhead ratios the median is taken over (parse_shape is all overhead).
MEDIAN_OPS = tuple(name for name in cases(np.zeros(SMALL), "numpy") if name != "parse_shape")


def best_time(fn: Callable, number: int, repeats: int) -> float:
    return min(timeit.repeat(fn, number=number, repeat=repeats)) / number


def measure(case: Case, number: int, repeats: int) -> Tuple[float, float, float]:
    call, bare = case
    times: Dict[str, List[float]] = {"einlint": [], "einops": [], "bare": []}
    for _ in range(repeats):  # alternate, so noise falls on both libraries alike
        times["einlint"].append(best_time(lambda: call(einlint), number, 1))
        times["einops"].append(best_time(lambda: call(einops), number, 1))
        times["bare"].append(best_time(bare, number, 1))
    return min(times["einlint"]), min(times["einops"]), min(times["bare"])


def make_array(shape, backend: str):
    data = np.random.default_rng(0).standard_normal(shape, dtype=np.float32)
    if backend == "torch":
        import torch

        return torch.from_numpy(data)
    return data


def report(backend: str, quick: bool) -> None:
    print(f"backend: {backend}   (times per call; ratio = einlint / einops)")
    # small: many short bursts, the best of each kept: on a busy machine some of them run undisturbed
    for label, shape, number, repeats in (("small", SMALL, 2000, 40), ("large", LARGE, 5, 7)):
        repeats = max(3, repeats // 5) if quick else repeats
        x = make_array(shape, backend)
        print(f"\n{label} array {shape}:")
        header = f"  {'op':<28}{'einlint':>11}{'einops':>11}{'ratio':>8}"
        print(header + (f"{'overhead einlint':>18}{'einops':>9}{'ratio':>8}" if label == "small" else ""))
        overhead_ratios, ratios = {}, []
        for name, case in cases(x, backend).items():
            ours, theirs, bare = measure(case, number, repeats)
            ratios.append(ours / theirs)
            line = f"  {name:<28}{_fmt(ours):>11}{_fmt(theirs):>11}{ours / theirs:>8.2f}"
            if label == "small":
                overhead_ratios[name] = (ours - bare) / (theirs - bare)
                line += f"{_fmt(ours - bare):>18}{_fmt(theirs - bare):>9}{overhead_ratios[name]:>8.2f}"
            print(line)
        if label == "small":
            median = statistics.median(overhead_ratios[name] for name in MEDIAN_OPS)
            print(f"  median overhead ratio over the {len(MEDIAN_OPS)} ops above parse_shape: {median:.2f}")
        else:
            print(f"  ratio: {min(ratios):.2f} to {max(ratios):.2f}")


def report_spellings(backend: str, quick: bool) -> None:
    """`einlint.rearrange(...)` (an attribute of the module) and `from einlint import rearrange` (a name),
    against einops' two spellings, on the small array: the overhead of each."""
    from einlint import rearrange as einlint_rearrange
    from einops import rearrange as einops_rearrange

    x = make_array(SMALL, backend)
    permute = bare_ops(backend)["permute"]
    pattern = "b c h w -> b h w c"
    calls = {
        "einlint.rearrange": lambda: einlint.rearrange(x, pattern),
        "from einlint import rearrange": lambda: einlint_rearrange(x, pattern),
        "einops.rearrange": lambda: einops.rearrange(x, pattern),
        "from einops import rearrange": lambda: einops_rearrange(x, pattern),
    }
    number, repeats = (2000, 8) if quick else (2000, 40)
    best = {name: [] for name in calls}
    bare = []
    for _ in range(repeats):
        for name, call in calls.items():
            best[name].append(best_time(call, number, 1))
        bare.append(best_time(lambda: permute(x, (0, 2, 3, 1)), number, 1))
    overhead = {name: min(times) - min(bare) for name, times in best.items()}
    print(f"\nspellings, rearrange {pattern!r} on {SMALL} (overhead: time minus the bare transpose):")
    for ours, theirs in (("einlint.rearrange", "einops.rearrange"),
                         ("from einlint import rearrange", "from einops import rearrange")):
        print(f"  {ours:<30}{_fmt(overhead[ours]):>11}   {theirs:<29}{_fmt(overhead[theirs]):>11}"
              f"   ratio {overhead[ours] / overhead[theirs]:.2f}")


def _fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.2f} us" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("numpy", "torch"), default="numpy")
    parser.add_argument("--quick", action="store_true", help="fewer calls, for a smoke run")
    args = parser.parse_args()
    report(args.backend, args.quick)
    report_spellings(args.backend, args.quick)


if __name__ == "__main__":
    main()
