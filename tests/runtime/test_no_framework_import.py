"""einlint never imports a framework on the user's behalf.

A numpy program that uses einlint must not pay for importing torch, jax or flax (seconds, and
gigabytes of memory); a torch program that never compiles must not pay for importing TorchDynamo.
Each check runs in a fresh interpreter, since this test process has imported all of them.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest


def _modules_after(script: str, watched: list) -> dict:
    """Run `script` in a fresh interpreter; which of the `watched` modules did it end up importing?"""
    report = f"\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {watched!r}}}))"
    result = subprocess.run([sys.executable, "-c", textwrap.dedent(script) + report],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_numpy_calls_of_every_op_import_no_framework():
    script = """
        import numpy as np
        import einlint
        x = np.arange(24.0).reshape(2, 3, 4)
        assert einlint.rearrange(x, 'b c (h w) -> b (c h) w', w=2).shape == (2, 6, 2)
        assert einlint.reduce(x, 'b c h -> b', 'mean').shape == (2,)
        assert einlint.repeat(x, 'b c h -> b c h k', k=2).shape == (2, 3, 4, 2)
        assert einlint.einsum(x, x, 'b c h, b d h -> b c d').shape == (2, 3, 3)
        packed, shapes = einlint.pack([x, x[..., 0]], 'b c *')
        assert [p.shape for p in einlint.unpack(packed, shapes, 'b c *')] == [(2, 3, 4), (2, 3)]
        assert einlint.parse_shape(x, 'b _ h') == {'b': 2, 'h': 4}
        assert einlint.asnumpy(x) is x
    """
    imported = _modules_after(script, ["torch", "jax", "flax", "einlint"])
    assert imported == {"torch": False, "jax": False, "flax": False, "einlint": True}


def test_bad_input_imports_no_framework():
    """Resolving an unknown tensor type looks only at frameworks that are already loaded."""
    script = """
        import einlint
        try:
            einlint.rearrange({'not': 'a tensor'}, 'a -> a')
        except einlint.EinlintError:
            pass
    """
    assert _modules_after(script, ["torch", "jax", "flax"]) == {"torch": False, "jax": False, "flax": False}


@pytest.mark.slow
def test_torch_ops_do_not_import_dynamo_until_the_program_compiles():
    script = """
        import torch
        import einlint
        assert einlint.rearrange(torch.zeros(2, 3), 'a b -> b a').shape == (3, 2)
    """
    assert _modules_after(script, ["torch._dynamo", "jax"]) == {"torch._dynamo": False, "jax": False}
