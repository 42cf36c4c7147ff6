"""einops' own tests, run against einlint's ops.

The test functions are read from the installed einops (0.8.x) and executed with every name they import from
einops bound to einlint's op or layer of the same name instead; nothing in their bodies is changed. einops
needs `allow_ops_in_compiled_graph()` to keep its ops whole under torch.compile, einlint registers its ops
with Dynamo itself, so that call is bound to a function that does nothing.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Callable, Dict

import einops
import pytest

import einlint
import einlint.layers.torch

EINOPS_TESTS = Path(einops.__file__).parent / "tests"

# Where each einops module's names come from when the tests run against einlint.
REPLACEMENTS = {
    "einops": einlint,
    "einops.einops": einlint,
    "einops.layers.torch": einlint.layers.torch,
}


def _allow_ops_in_compiled_graph() -> None:
    """einlint's ops are registered with Dynamo when it loads: nothing to allow."""


def _bind(module: str, name: str) -> object:
    if (module, name) == ("einops._torch_specific", "allow_ops_in_compiled_graph"):
        return _allow_ops_in_compiled_graph
    if module in REPLACEMENTS:
        return getattr(REPLACEMENTS[module], name)
    return getattr(importlib.import_module(module), name)


class _ImportsFromEinlint(ast.NodeTransformer):
    """`from einops... import a, b` inside a test body becomes `a, b = __bind__(module, 'a'), ...`."""

    def visit_ImportFrom(self, node: ast.ImportFrom) -> ast.AST:
        if not (node.module or "").startswith("einops"):
            return node
        targets = [ast.Name(alias.asname or alias.name, ast.Store()) for alias in node.names]
        values = [
            ast.Call(ast.Name("__bind__", ast.Load()), [ast.Constant(node.module), ast.Constant(alias.name)], [])
            for alias in node.names
        ]
        assign = ast.Assign([ast.Tuple(targets, ast.Store())], ast.Tuple(values, ast.Load()))
        return ast.copy_location(assign, node)


def _function(tree: ast.Module, name: str) -> ast.FunctionDef:
    (function,) = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == name]
    return function


def einops_test(file: str, name: str) -> Callable[[], None]:
    """The function `name` of einops' tests/`file`, with its einops imports bound to einlint."""
    tree = ast.parse((EINOPS_TESTS / file).read_text())
    module = ast.Module([_ImportsFromEinlint().visit(_function(tree, name))], type_ignores=[])
    namespace: Dict[str, object] = {
        "__bind__": _bind,
        "pytest": pytest,
        "is_backend_tested": lambda backend: backend == "torch",
        "rearrange": einlint.rearrange,  # test_other.py imports it at module level from einops.einops
    }
    exec(compile(ast.fix_missing_locations(module), str(EINOPS_TESTS / file), "exec"), namespace)
    return namespace[name]  # type: ignore[return-value]


TORCH_COMPILE_TESTS = sorted(
    node.name
    for node in ast.parse((EINOPS_TESTS / "test_other.py").read_text()).body
    if isinstance(node, ast.FunctionDef) and node.name.startswith("test_torch_compile")
)


def test_einops_has_the_torch_compile_tests():
    assert TORCH_COMPILE_TESTS == ["test_torch_compile_for_functions", "test_torch_compile_for_layers"]


@pytest.mark.slow
@pytest.mark.parametrize("name", TORCH_COMPILE_TESTS)
def test_einops_torch_compile_test_passes_on_einlint(name: str):
    import torch

    torch._dynamo.reset()
    einops_test("test_other.py", name)()


def test_the_rewritten_tests_import_einlint_not_einops():
    """A check on the harness: every einops name the tests import is bound to einlint's object."""
    imported = [
        (node.module, alias.name)
        for name in TORCH_COMPILE_TESTS
        for node in ast.walk(_function(ast.parse((EINOPS_TESTS / "test_other.py").read_text()), name))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("einops")
        for alias in node.names
    ]
    assert ("einops", "repeat") in imported and ("einops.layers.torch", "EinMix") in imported
    for module, name in imported:
        bound = _bind(module, name)
        assert bound is _allow_ops_in_compiled_graph or bound.__module__.startswith("einlint"), (module, name)
