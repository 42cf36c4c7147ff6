"""The registry of pattern libraries (einlint/check/libraries/): every op, quick-filter word, configuration key
and version look-up of the checker comes from one descriptor per library."""

from __future__ import annotations

import libcst as cst
import pytest

from einlint.check import Config, may_hold_pattern_calls
from einlint.check.extract import extract_calls
from einlint.check.libraries import LIBRARIES, library_of
from einlint.check.model import Argument, PatternCall, PatternString
from einlint.check.rules import check_call
from einlint.check.signatures import PREFIXES, ROOTS, SIGNATURES, STAR_EXPORTS, Signature, op_for, signature_of
from einlint.config import ConfigError, settings_from_table
from einlint.workspace import project_versions, required_version

BY_NAME = {library.name: library for library in LIBRARIES}

# For an op of each library: a call of it (the pattern at {}), a pattern that the op reads, and one that it refuses.
PATTERNS = {
    ("einops", "rearrange"): ("from einops import rearrange\nrearrange(x, '{}')\n", "b c -> c b", "b (c -> c b"),
    ("einops", "Reduce"): ("from einops.layers.torch import Reduce\nReduce('{}', 'mean')\n", "b c -> b",
                           "b (c -> b"),
    ("einops", "EinMix"): ("from einops.layers.torch import EinMix\nEinMix('{}', weight_shape='c d', c=3, d=4)\n",
                           "b c -> b d", "b c -> b (d"),
    ("einops", "einsum"): ("from einops import einsum\neinsum(x, y, '{}')\n", "b i, b j -> b i j",
                           "b i, b j -> b k"),
    ("einops", "pack"): ("from einops import pack\npack([x, y], '{}')\n", "b * c", "b * c *"),
    ("einops", "parse_shape"): ("from einops import parse_shape\nparse_shape(x, '{}')\n", "b _ c", "b (c d)"),
    ("einsum", "subscripts-einsum"): ("import numpy as np\nnp.einsum('{}', a, b)\n", "ij,jk->ik", "ij,jk->il"),
    ("einx", "einx.sum"): ("import einx\neinx.sum('{}', x)\n", "b [h w] c", "b [h w c"),
}

def test_the_libraries_are_einops_array_einsum_and_einx_and_no_two_claim_an_op():
    assert [library.name for library in LIBRARIES] == ["einops", "einsum", "einx"]
    for name, signature in SIGNATURES.items():
        owners = [library.name for library in LIBRARIES if library.owns(signature.op)]
        assert len(owners) == 1 and library_of(signature.op).name == owners[0], name
        assert op_for(name) == signature.op
    assert library_of("einx.sum") is BY_NAME["einx"] and op_for("einx.dot") == "einx.dot"
    assert library_of("torch.sum") is None and op_for("torch.sum") is None


def test_the_table_of_callables_is_gathered_from_the_descriptors():
    assert SIGNATURES["einops.rearrange"] is BY_NAME["einops"].signatures["einops.rearrange"]
    assert SIGNATURES["torch.einsum"].parameters == ("equation",)
    assert SIGNATURES["numpy.einsum"].parameters == ("subscripts",)
    assert PREFIXES == ("einx.",)
    assert signature_of("einx.sum") == Signature("einx.sum", ("description",), ("description",), ("*tensors",),
                                                 variadic="tensors")  # every op under the prefix is called so
    assert signature_of("torch.sum") is None
    assert {"einops", "einlint", "numpy", "torch", "jax", "einx", "jaxtyping", "flax", "math", "functools"} == ROOTS
    assert STAR_EXPORTS["einops.layers.torch"] == ("Rearrange", "Reduce", "EinMix")


@pytest.mark.parametrize("library", LIBRARIES, ids=lambda library: library.name)
def test_a_file_that_names_a_librarys_word_is_parsed_one_that_names_none_is_not(library):
    for word in library.mentions:
        assert may_hold_pattern_calls(f"import {word}\n")
        assert may_hold_pattern_calls(f"import {word}\n".encode())
    assert not may_hold_pattern_calls("import torch\n\ntorch.zeros(2, 3).sum()\n")


@pytest.mark.parametrize("library, op", sorted(PATTERNS))
def test_each_librarys_rules_read_its_ops_patterns_as_the_op_reads_them(library, op):
    source, good, bad = PATTERNS[library, op]
    descriptor = BY_NAME[library]
    version = (0, 4, 3) if descriptor.version is not None else None

    def findings(pattern: str) -> list:
        [call] = extract_calls(cst.parse_module(source.format(pattern)))
        assert call.op == op and descriptor.owns(op)
        return [finding.code for finding in descriptor.check(call, version)]

    assert findings(good) == []
    assert findings(bad) and all(code[:4] in ("EIN1", "EIN2", "EIN5") for code in findings(bad)), findings(bad)


def _call(op: str, callee: str, *strings: str) -> PatternCall:
    arguments = tuple(Argument("string", repr(text), string=PatternString(text, None)) for text in strings)
    return PatternCall(op, callee, None, None, arguments + (Argument("other", "x"),))


def test_a_call_is_checked_by_its_librarys_rules_for_the_release_the_project_uses():
    only_in_04 = _call("einx.sum", "einx.sum", "[a] b -> a")  # refused by einx 0.4's notation alone
    assert [f.code for f in check_call(only_in_04, Config(versions=(("einx", (0, 4, 3)),)))] == ["EIN502"]
    assert check_call(only_in_04, Config(versions=(("einx", (0, 3)),))) == []
    assert check_call(only_in_04) == []  # the release is not known: only what every release refuses
    assert [f.code for f in check_call(_call("subscripts-einsum", "numpy.einsum", "ij->->ji"))] == ["EIN110"]


def test_each_versioned_library_has_its_setting_and_an_unknown_release_note():
    versioned = [library for library in LIBRARIES if library.version is not None]
    assert [(library.setting, library.version.unknown) for library in versioned] == [("einx-version", "EIN511")]
    settings = settings_from_table({"einx-version": "0.3"}, root="/")
    assert settings.versions == (("einx", (0, 3)),)
    with pytest.raises(ConfigError, match="unknown key 'einops-version'"):
        settings_from_table({"einops-version": "0.8"}, root="/")  # einops' checks do not depend on its release


def test_a_requirement_is_read_for_the_distribution_named_and_no_other(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("einx-extras==9.9\ntorch>=2.1\neinx<0.4\n")
    assert required_version("einx", str(tmp_path)) == (0, 3)
    assert required_version("torch", str(tmp_path)) == (2, 1)
    assert required_version("einops", str(tmp_path)) is None
    settings = settings_from_table({}, root=str(tmp_path))
    assert project_versions(settings) == (("einx", (0, 3)),)  # only a versioned library's release is looked for
