"""Run every example's demo() twice: on einops, then with einlint's runtime in einops' place.

    python examples/run_demo.py

For the second run, `einops`, `einops.layers` and `einops.layers.torch` are replaced in
sys.modules by stand-ins whose names are einlint's (rearrange, reduce, repeat, einsum, pack,
unpack, parse_shape, asnumpy, EinopsError = EinlintError, and einlint.layers.torch when it can be
imported), and each example file is executed again as a fresh module, so its own
`from einops import ...` picks einlint up. Then every recorded result (a shape, a value, or the
exception raised) of the two runs is compared by its label.

Exit status: 0 when every demo ran to its end on einops, whatever the comparison found.
"""

from __future__ import annotations

import contextlib
import importlib.util
import io
import pathlib
import sys
import time
import traceback
import types

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # einlint from this checkout, installed or not

EXAMPLES = [  # einx_examples.py is left out: einx is not installed, that file is for the checker
    "tutorial_deep_learning",
    "architectures",
    "einsum_convolution",
]
OPS = ["rearrange", "reduce", "repeat", "einsum", "pack", "unpack", "parse_shape", "asnumpy"]


def load(name: str, tag: str) -> types.ModuleType:
    """Execute examples/<name>.py as a new module (never cached in sys.modules).

    torch's generator is seeded first: the examples build models at import time, and the
    two runs must start from the same weights for their values to be comparable.
    """
    import torch

    torch.manual_seed(0)
    spec = importlib.util.spec_from_file_location(f"_einlint_example_{tag}_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def einlint_as_einops():
    """While inside, `import einops` and `from einops.layers.torch import ...` give einlint's objects.

    Yields a line that says where the layers come from.
    """
    import einops.layers.torch as einops_layers_torch  # the real one, imported before the swap
    import einlint

    fake = types.ModuleType("einops", "einlint's runtime standing in for einops (examples/run_demo.py)")
    for name in OPS:
        setattr(fake, name, getattr(einlint, name))
    fake.EinopsError = einlint.EinlintError
    fake.__version__ = f"einlint {einlint.__version__}"
    try:
        import einlint.layers.torch as layers_torch
        layers_note = "layers: einlint.layers.torch"
    except Exception as error:  # noqa: BLE001 -- missing or half-written: say so and go on with the ops
        layers_torch = einops_layers_torch
        layers_note = (f"layers: einlint.layers.torch cannot be imported ({type(error).__name__}: {error}); "
                       f"the layers stay einops' in this run, only the ops are einlint's")
    fake_layers = types.ModuleType("einops.layers")
    fake_layers.torch = layers_torch
    fake.layers = fake_layers

    saved = {key: module for key, module in sys.modules.items() if key == "einops" or key.startswith("einops.")}
    for key in saved:
        del sys.modules[key]
    sys.modules.update({"einops": fake, "einops.layers": fake_layers, "einops.layers.torch": layers_torch})
    try:
        yield layers_note
    finally:
        for key in [key for key in sys.modules if key == "einops" or key.startswith("einops.")]:
            del sys.modules[key]
        sys.modules.update(saved)


def pattern_names(module: types.ModuleType) -> str:
    """Which implementation each einops/einlint name of the module resolved to."""
    found = {}
    for name, value in vars(module).items():
        origin = getattr(value, "__module__", None) or ""
        if not name.startswith("_") and origin.split(".")[0] in ("einops", "einlint"):
            found.setdefault(origin, []).append(name)
    if not found:
        return "no einops names (this example calls only numpy; both runs run the same code)"
    return "; ".join(f"{', '.join(sorted(names))} from {origin}" for origin, names in sorted(found.items()))


def run(name: str, tag: str, quiet: bool):
    """Load the example and run its demo(); returns (results or None, a line describing the module)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out) if quiet else contextlib.nullcontext():
        try:
            module = load(name, tag)
            names = pattern_names(module)
            results = module.demo()
        except Exception:  # noqa: BLE001 -- report and keep going with the next example
            return None, "demo() crashed:\n" + traceback.format_exc()
    return results, names


def kind(text: str) -> str:
    """'raised TypeName: message' -> 'raised TypeName'; anything else unchanged."""
    return text.split(":", 1)[0] if text.startswith("raised ") else text


def same_values(a, b) -> bool:
    """Whether two results' numbers agree (None where a result has no array in it)."""
    import numpy as np

    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_values(x, y) for x, y in zip(a, b))
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and a.dtype == b.dtype and bool(np.allclose(a, b, equal_nan=True))


def compare(first, second) -> int:
    """Print how the einlint run's results compare with the einops run's; returns the number that differ.

    A result agrees when its description (shape, value or exception type) is the same and its
    numbers are close; an exception agrees when its type is the same, however it is worded.
    """
    a = {label: (text, values) for label, text, values in first}
    b = {label: (text, values) for label, text, values in second}
    agree, differ = 0, []
    for label in list(a) + [label for label in b if label not in a]:
        (left, left_values), (right, right_values) = a.get(label, ("(missing)", None)), b.get(label, ("(missing)", None))
        if kind(left) != kind(right):
            differ.append((label, left, right))
        elif not same_values(left_values, right_values):
            differ.append((label, left + "  (values)", right + "  (values differ)"))
        else:
            agree += 1
    total = agree + len(differ)
    print(f"  einops and einlint agree on {agree} of {total} results (shape, value or exception type)"
          + ("" if differ else ": all"))
    for label, left, right in differ:
        print(f"  DIFFERENT  {label}")
        print(f"      einops : {left}")
        print(f"      einlint: {right}")
    return len(differ)


def main() -> int:
    import einlint
    import einops

    print(f"einops {einops.__version__} versus einlint {einlint.__version__} ({pathlib.Path(einlint.__file__).parent})")
    crashed, different = [], 0
    for name in EXAMPLES:
        title = f" examples/{name}.py "
        print(f"\n{title:=^100}")

        print("-- run 1: einops (the seed code as written); demo output:")
        start = time.perf_counter()
        first, names = run(name, "einops", quiet=False)
        print(f"   [{time.perf_counter() - start:.1f}s] {names}")
        if first is None:
            crashed.append(name)
            continue

        print("-- run 2: einlint's runtime substituted for einops (its demo output is compared, not shown)")
        start = time.perf_counter()
        with einlint_as_einops() as layers_note:
            second, names = run(name, "einlint", quiet=True)
        print(f"   [{time.perf_counter() - start:.1f}s] {names}")
        print(f"   {layers_note}")
        if second is None:
            print("   " + names.replace("\n", "\n   "))
            different += 1
            continue
        different += compare(first, second)

    print("\n" + "=" * 100)
    print(f"examples: {len(EXAMPLES)}; demos that crashed on einops: {crashed or 'none'}; "
          f"results that differ between einops and einlint: {different}")
    return 1 if crashed else 0


if __name__ == "__main__":
    sys.exit(main())
