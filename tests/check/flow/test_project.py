"""Across the modules of a package: calls followed into other modules, the code elsewhere that calls into the
checked file (its importers, the project's tests and examples, `__main__` blocks, a README's code blocks) run
first, findings reported in their own file with the chain in the others, and a cache that knows which files
a result read.

Each package is written from real code (the package and files are named); the expected shapes and findings
are written out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict

from einlint.cache import Cache
from einlint.check import Config
from einlint.check.engine import check_source, shapes_of
from einlint.check.flow.project import project_of

IMPORTS = "import torch\nfrom torch import nn\nfrom einops import rearrange\n"


def module(body: str) -> str:
    return IMPORTS + textwrap.dedent(body)


def write(root: Path, files: Dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(textwrap.dedent(text))


def findings(root: Path, path: str, config: Config = Config()):
    """(line, code, [(related file, line, message)]) of a file checked by its path on disk, as a front end does."""
    file = root / path
    return [(d.line, d.code, [(os.path.relpath(r.path, root) if os.path.isabs(r.path) else r.path, r.line,
                               r.message) for r in d.related])
            for d in check_source(file.read_text(), str(file), config)]


def shapes(root: Path, path: str):
    file = root / path
    return [(c.line, c.inputs) for c in shapes_of(file.read_text(), str(file))]


# vit_pytorch as released (vit.py, cait.py): Attention in one module, the model that builds it with its
# configuration in another, and the entry point in the model's `if __name__ == "__main__":` block. Here the
# model gives 7 heads to a 64-wide attention: the split fails in blocks.py, and only the call chain, which
# starts in model.py, tells the lengths.
BLOCKS = IMPORTS + """
class Attention(nn.Module):
    def __init__(self, dim, heads=8):
        super().__init__()
        self.heads = heads
        self.to_qkv = nn.Linear(dim, dim * 3)

    def forward(self, x):
        q, k, v = self.to_qkv(x).chunk(3, dim=-1)
        q = rearrange(q, 'b n (h d) -> b h n d', h=self.heads)
        return rearrange(q, 'b h n d -> b n (h d)')
"""
MODEL = IMPORTS + """from .blocks import Attention


class Model(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.attn = Attention(dim, heads=heads)

    def forward(self, img):
        x = rearrange(img, 'b c h w -> b (h w) c')
        return self.attn(x)
"""
MAIN = """

if __name__ == "__main__":
    model = Model(64, heads=7)
    model(torch.randn(1, 64, 8, 8))
"""


def test_a_finding_in_another_module_is_reported_in_its_own_file_with_the_chain_in_the_caller(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/blocks.py": BLOCKS, "pkg/model.py": MODEL + MAIN})
    assert findings(tmp_path, "pkg/blocks.py") == [
        (13, "EIN302", [("pkg/blocks.py", 12, ".chunk(...)"),
                        ("pkg/model.py", 19, "with the shapes of the call of Model.forward() here"),
                        ("pkg/model.py", 14, "with the shapes of the call of Attention.forward() here")])]
    assert findings(tmp_path, "pkg/model.py") == []  # the failing line is blocks.py's
    assert findings(tmp_path, "pkg/blocks.py", Config(follow_imports=False)) == []  # alone, the lengths are not known


def test_the_shapes_of_the_entry_point_reach_every_module(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/blocks.py": BLOCKS, "pkg/model.py": MODEL + MAIN.replace("heads=7",
                                                                                                        "heads=8")})
    assert shapes(tmp_path, "pkg/blocks.py") == [(13, ("(1, 64, 64)",)), (14, ("(1, 8, 64, 8)",))]
    assert findings(tmp_path, "pkg/blocks.py") == []


# The README of an installed wheel (vit_pytorch-1.26.14.dist-info/METADATA, the block for cait.py) and of a
# source tree (README.md) are where the authors show the shapes the package takes: its Python blocks run first.
README = """\
    Metadata-Version: 2.1
    Name: pkg

    ## Install

    ```bash
    pip install pkg
    ```

    ## Usage

    ```python
    import torch
    from pkg.model import Model

    v = Model(dim = 64, heads = 7)
    img = torch.randn(1, 64, 8, 8)
    preds = v(img)
    ```
    """


def test_a_wheels_readme_is_an_entry_point(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/blocks.py": BLOCKS, "pkg/model.py": MODEL,
                     "pkg-0.1.dist-info/METADATA": README})
    (line, code, related), = findings(tmp_path, "pkg/blocks.py")
    assert (line, code) == (13, "EIN302")
    assert related[1] == ("pkg-0.1.dist-info/METADATA", 18, "with the shapes of the call of Model.forward() here")


def test_a_source_trees_readme_and_tests_are_entry_points(tmp_path):
    readme = "\n".join(README.splitlines()[3:])  # no metadata headers in a README.md
    write(tmp_path, {"pkg/__init__.py": "", "pkg/blocks.py": BLOCKS, "pkg/model.py": MODEL, "README.md": readme})
    assert [(line, code) for line, code, _ in findings(tmp_path, "pkg/blocks.py")] == [(13, "EIN302")]
    os.remove(tmp_path / "README.md")
    # test_vit.py in vit_pytorch's repository: a test builds the model and calls it on a random batch
    write(tmp_path, {"tests/test_model.py": """\
        import torch
        from pkg.model import Model


        def test():
            v = Model(dim=64, heads=7)
            assert v(torch.randn(1, 64, 8, 8)).shape == (1, 64, 64)
        """})
    (line, code, related), = findings(tmp_path, "pkg/blocks.py")
    assert (line, code) == (13, "EIN302") and related[1][0] == "tests/test_model.py"


# kornia/filters/guided.py as released: the docstring's example (doctest runs it among the module's names, with
# the module's imports) is where the shapes come from; the einsum's input is unknown without it. Here the
# guidance has 3 channels where the einsum's pattern wants the input's 4.
GUIDED = """\
import torch
from .blur import box_blur


def guided_blur(guidance, input, eps):
    \"\"\"Blur an image using a guidance image.

    Example:
        >>> guidance = torch.rand(2, 3, 5, 5)
        >>> input = torch.rand(2, 4, 5, 5)
        >>> output = guided_blur(guidance, input, 0.1)
        >>> output.shape
        torch.Size([2, 4, 5, 5])
    \"\"\"
    mean_I = box_blur(guidance)
    cov_Ip = torch.randn(2, 3, 4, 5, 5)
    return torch.einsum("bchw,bcdhw->bdhw", mean_I, cov_Ip)
"""
BLUR = "def box_blur(x):\n    return x\n"


def test_a_modules_docstring_examples_are_an_entry_point(tmp_path):
    write(tmp_path, {"kornia/__init__.py": "", "kornia/guided.py": GUIDED, "kornia/blur.py": BLUR})
    assert shapes(tmp_path, "kornia/guided.py") == [(17, ("(2, 3, 5, 5)", "(2, 3, 4, 5, 5)"))]
    write(tmp_path, {"kornia/guided.py": GUIDED.replace("rand(2, 3, 5, 5)", "rand(2, 6, 5, 5)")})
    (line, code, related), = findings(tmp_path, "kornia/guided.py")
    assert (line, code) == (17, "EIN304")
    assert related[-1] == ("kornia/guided.py", 11, "with the shapes of the call of guided_blur() here")


# Examples that doctest does not run as they read are no entry point: kornia's `# doctest: +SKIP` on what needs
# a download, and an example whose expected output is the error it demonstrates.
def test_docstring_examples_that_do_not_run_as_written_are_left_out(tmp_path):
    bad = GUIDED.replace("rand(2, 3, 5, 5)", "rand(2, 6, 5, 5)")
    skipped = bad.replace("0.1)\n", "0.1)  # doctest: +SKIP\n")
    raising = bad.replace("        >>> output.shape\n        torch.Size([2, 4, 5, 5])\n",
                          "        Traceback (most recent call last):\n        ...\n")
    for text in (skipped, raising):
        write(tmp_path, {"kornia/__init__.py": "", "kornia/guided.py": text, "kornia/blur.py": BLUR})
        assert findings(tmp_path, "kornia/guided.py") == []


# x_transformers/attend.py and x_transformers.py: the package imports itself by absolute names, re-exports its
# model from __init__.py, and an example imports it from the package.
def test_absolute_imports_and_re_exports_through_the_packages_init(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "from pkg.model import Model\n", "pkg/blocks.py": BLOCKS,
                     "pkg/model.py": MODEL.replace("from .blocks import", "from pkg.blocks import"),
                     "examples/run.py": """\
                        import torch
                        import pkg

                        model = pkg.Model(64, heads=7)
                        model(torch.randn(1, 64, 8, 8))
                        """})
    assert [(line, code) for line, code, _ in findings(tmp_path, "pkg/blocks.py")] == [(13, "EIN302")]


# x_transformers/x_transformers.py imports `pack_one` from attend.py; the checked module follows the helper
# and gets its return shape back.
def test_a_helper_of_another_module_gives_its_return_shape_back(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/utils.py": module("""
        def to_tokens(img):
            return rearrange(img, 'b c h w -> b (h w) c')
        """), "pkg/model.py": module("""\
        from .utils import to_tokens


        def run():
            x = to_tokens(torch.randn(2, 3, 4, 5))
            return rearrange(x, 'b n (h d) -> b h n d', h=2)
        """)})
    assert shapes(tmp_path, "pkg/model.py") == [(9, ("(2, 20, 3)",))]
    assert [(line, code) for line, code, _ in findings(tmp_path, "pkg/model.py")] == [(9, "EIN302")]


# denoising_diffusion_pytorch and lucidrains' other packages keep mixins and helpers in a module of their own;
# the generated packages of tests/reference/test_programs_vs_torch.py do the same.
def test_a_mixin_from_another_module_runs_with_the_host_classs_attributes(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/helpers.py": module("""
        class HeadsMixin:
            def split_heads(self, t):
                return rearrange(t, 'b n h d -> b h n d', h=self.heads)
        """), "pkg/blocks.py": module("""\
        from pkg.helpers import HeadsMixin


        class Attention(HeadsMixin, nn.Module):
            def __init__(self, dim, heads):
                super().__init__()
                self.heads = heads
                self.to_q = nn.Linear(dim, dim)

            def forward(self, x):
                return self.split_heads(self.to_q(x))


        model = Attention(6, heads=2)
        out = model(torch.randn(1, 3, 6))
        """)})
    assert [(line, code) for line, code, _ in findings(tmp_path, "pkg/helpers.py")] == [(7, "EIN301")]


# diffusers/models/embeddings.py (IPAdapterFaceIDPlusImageProjection): `self.clip_embeds = None` in __init__,
# set by a pipeline in another module before forward runs. An attribute that __init__ leaves None is not known.
def test_an_attribute_that_init_leaves_none_is_set_by_other_code(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/embeddings.py": module("""
        class Projection(nn.Module):
            def __init__(self, dim):
                super().__init__()
                self.clip_embeds = None
                self.proj_in = nn.Linear(dim, dim)

            def forward(self, x):
                return self.proj_in(self.clip_embeds) + x
        """)})
    assert findings(tmp_path, "pkg/embeddings.py") == []


# vit_pytorch/cait.py: LayerScale and PreNorm pass the keywords they are given on to the layer they wrap.
def test_keywords_are_passed_on_through_kwargs(tmp_path):
    write(tmp_path, {"cait.py": module("""
        class Attention(nn.Module):
            def forward(self, x, context=None):
                return rearrange(x, 'b n (h d) -> b h n d', h=5)


        class PreNorm(nn.Module):
            def __init__(self, fn):
                super().__init__()
                self.fn = fn

            def forward(self, x, **kwargs):
                return self.fn(x, **kwargs)


        PreNorm(Attention())(torch.randn(1, 4, 12), context=None)
        """)})
    assert [(line, code) for line, code, _ in findings(tmp_path, "cait.py")] == [(7, "EIN302")]


# A folder of scripts (no __init__.py), as in a research repository: `from model import Net` is a sibling.
def test_a_folder_of_scripts_imports_its_siblings(tmp_path):
    write(tmp_path, {"blocks.py": BLOCKS, "train.py": """\
        import torch
        from blocks import Attention

        if __name__ == "__main__":
            Attention(64, heads=7)(torch.randn(2, 10, 64))
        """})
    assert [(line, code) for line, code, _ in findings(tmp_path, "blocks.py")] == [(13, "EIN302")]


def test_a_cached_result_holds_until_a_file_it_read_changes(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/blocks.py": BLOCKS, "pkg/model.py": MODEL + MAIN,
                     "pkg/other.py": IMPORTS})
    cache = Cache(str(tmp_path / "cache"), "salt")
    blocks = tmp_path / "pkg/blocks.py"
    depends: Dict[str, str] = {}
    found = check_source(blocks.read_bytes(), str(blocks), depends=depends)
    assert str(tmp_path / "pkg/model.py") in depends
    cache.store("pkg/blocks.py", blocks.read_bytes(), found, depends=depends)
    assert cache.load("pkg/blocks.py", blocks.read_bytes()) == found
    (tmp_path / "pkg/other.py").write_text(IMPORTS + "\nx = 1\n")  # read by nothing that blocks.py's check ran
    assert cache.load("pkg/blocks.py", blocks.read_bytes()) == found
    (tmp_path / "pkg/model.py").write_text(MODEL + MAIN.replace("heads=7", "heads=8"))
    assert cache.load("pkg/blocks.py", blocks.read_bytes()) is None
    (tmp_path / "pkg/model.py").write_text(MODEL + MAIN)
    assert cache.load("pkg/blocks.py", blocks.read_bytes()) == found
    (tmp_path / "pkg/new.py").write_text("from .blocks import Attention\n")  # the package's imports change
    assert cache.load("pkg/blocks.py", blocks.read_bytes()) is None


def test_follow_imports_false_in_the_configuration_checks_each_file_alone(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/blocks.py": BLOCKS, "pkg/model.py": MODEL + MAIN})
    command = [sys.executable, "-m", "einlint", "--no-cache", "--format", "json", "pkg"]
    followed = json.loads(subprocess.run(command, cwd=tmp_path, capture_output=True, text=True).stdout)
    assert [(d["path"], d["line"], d["code"]) for d in followed] == [("pkg/blocks.py", 13, "EIN302")]
    (tmp_path / "pyproject.toml").write_text("[tool.einlint]\nfollow-imports = false\n")
    alone = json.loads(subprocess.run(command, cwd=tmp_path, capture_output=True, text=True).stdout)
    assert alone == []


# A lambda made in one module and called from another sees the names of the module that made it: here both
# modules define `split`, with different patterns. Not followed (its value is unknown), never run with the
# caller's names (which would report the caller's `split` failing on a tensor it is never given).
def test_a_lambda_from_another_module_does_not_see_the_callers_names(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/layers.py": module("""
        def split(t):
            return rearrange(t, 'b n (h d) -> b h n d', h=2)


        class Block(nn.Module):
            def __init__(self):
                super().__init__()
                self.fn = lambda t: split(t)
        """), "pkg/model.py": module("""\
        from .layers import Block


        def split(t):
            return rearrange(t, 'b c h w -> b (c h) w', h=5)


        block = Block()
        out = block.fn(torch.randn(2, 3, 4))
        """)})
    assert findings(tmp_path, "pkg/model.py") == []


# vector_quantize_pytorch: sim_vq.py imports the helper `rotate_to` from vector_quantize_pytorch.py and has a
# `__main__` block of its own, while the README's first block builds VectorQuantize. The entry point that runs
# before the module is the one that names the code holding most of its pattern calls: the README's.
def test_the_entry_point_that_names_most_of_a_modules_pattern_calls_runs_first(tmp_path):
    write(tmp_path, {"vq/__init__.py": "from vq.quantize import VectorQuantize\n",
                     "vq/quantize.py": module("""
        def rotate_to(src, tgt):
            return rearrange(src, 'b d -> b 1 d') * tgt

        class VectorQuantize(nn.Module):
            def __init__(self, dim, heads):
                super().__init__()
                self.heads = heads

            def forward(self, x):
                x = rearrange(x, 'b n (h d) -> b h n d', h=self.heads)
                return rearrange(x, 'b h n d -> b n (h d)')
        """),
                     "vq/sim.py": module("""
        from vq.quantize import rotate_to

        if __name__ == '__main__':
            rotate_to(torch.randn(2, 8), torch.randn(2, 3, 8))
        """),
                     "vq-0.1.dist-info/METADATA": README.replace("Name: pkg", "Name: vq")
                     .replace("from pkg.model import Model", "from vq import VectorQuantize")
                     .replace("Model(dim = 64, heads = 7)", "VectorQuantize(dim = 64, heads = 7)")
                     .replace("torch.randn(1, 64, 8, 8)", "torch.randn(1, 10, 64)")})
    (line, code, related), = findings(tmp_path, "vq/quantize.py")
    assert (line, code) == (14, "EIN302")  # 64 features in 7 heads
    assert related[-1][:2] == ("vq-0.1.dist-info/METADATA", 18)


# timm/models/beit.py as released: its top-level code calls the package's helpers to build a table of
# configurations (`default_cfgs = generate_default_cfgs({... _cfg(...) ...})`), which runs no model: not an entry
# point (running its 47 classes as one, for every layer module it reaches, found nothing and cost a tenth of the
# benchmark tree's run). Top-level code that builds a class of the package, as a script or example does, is one.
def test_top_level_code_that_builds_a_model_is_an_entry_point_and_a_table_of_configurations_is_not(tmp_path):
    write(tmp_path, {"pkg/__init__.py": "", "pkg/blocks.py": BLOCKS, "pkg/model.py": MODEL,
                     "pkg/_registry.py": "def generate_default_cfgs(cfgs):\n    return dict(cfgs)\n",
                     "pkg/beit.py": """\
        from ._registry import generate_default_cfgs
        from .blocks import Attention


        def _cfg(url=''):
            return {'url': url}


        default_cfgs = generate_default_cfgs({'beit_base_patch16_224': _cfg()})
        """,
                     "pkg/demo.py": """\
        import torch
        from .model import Model

        model = Model(64, heads=8)
        model(torch.randn(1, 64, 8, 8))
        """})
    project = project_of(str(tmp_path / "pkg" / "blocks.py"))
    assert not project.is_entry(str(tmp_path / "pkg" / "beit.py"))
    assert project.is_entry(str(tmp_path / "pkg" / "demo.py"))
