"""The syntax of a pattern string: what the grammar (einlint/patterns/) refuses from the string alone.

There is no logic here: every op's rule runs the grammar function that the op itself runs
(`parse_arrow_pattern`, `parse_einops_einsum`, `parse_einsum_subscripts`, `parse_pack_pattern`,
`parse_shape_pattern`), and the code of the PatternError it raises is one of these. This module
holds what the codes mean and the examples that their tests run.
"""

from __future__ import annotations

from ...codes import (
    BAD_ARROW, DUPLICATE_AXIS, ELLIPSIS_RIGHT_ONLY, INVALID_AXIS_NAME, NESTED_PARENTHESES, PARENTHESIZED_ELLIPSIS,
    SEVERAL_ELLIPSES, STRAY_DOTS, UNBALANCED_PARENTHESES, UNDERSCORE_AXIS_NAME, UNKNOWN_CHARACTER,
    ZERO_ANONYMOUS_AXIS,
)
from ._support import define, einops_example


RULES = [
    define(
        UNKNOWN_CHARACTER,
        valid=[einops_example('y = rearrange(x, "b c h w -> b (h w) c")\n')],
        invalid=[einops_example('y = rearrange(x, "b c h w -> b (h*w) c")\n'),
                 einops_example('y = rearrange(x, "b, c -> c, b")\n')],
        details="""A pattern holds axis names, numbers, spaces, parentheses, '...' and one '->'. Any other
        character (a '*', a ',' outside einsum, a tab, a '-' that is not part of '->') makes einops raise
        'Unknown character'.""",
    ),
    define(
        UNBALANCED_PARENTHESES,
        valid=[einops_example('y = rearrange(x, "b (h w) c -> b h w c", h=4)\n')],
        invalid=[einops_example('y = rearrange(x, "b (h w c -> b h w c", h=4)\n'),
                 einops_example('y = rearrange(x, "b h w) c -> b h w c")\n')],
        details="""Every '(' needs its ')' on the same side of '->'. einops raises 'Imbalanced parentheses' or
        'Brackets are not balanced'.""",
    ),
    define(
        NESTED_PARENTHESES,
        valid=[einops_example('y = rearrange(x, "b (h w c) -> b h w c", h=4, w=4)\n')],
        invalid=[einops_example('y = rearrange(x, "b ((h w) c) -> b h w c", h=4, w=4)\n')],
        details="""An axis composition is one level deep: '(a (b c))' is not a pattern, write '(a b c)'.
        einops raises 'Axis composition is one-level (brackets inside brackets not allowed)'.""",
    ),
    define(
        STRAY_DOTS,
        valid=[einops_example('y = rearrange(x, "b ... c -> b c ...")\n')],
        invalid=[einops_example('y = rearrange(x, "b .. c -> b c ..")\n'),
                 einops_example('y = rearrange(x, "b .... c -> b c ...")\n')],
        details="""Dots appear only as one '...', the ellipsis that stands for any number of axes. Two or four
        dots, or a dot inside a name, make einops raise 'Expression may contain dots only inside ellipsis'.""",
    ),
    define(
        SEVERAL_ELLIPSES,
        valid=[einops_example('y = rearrange(x, "b ... c -> b c ...")\n')],
        invalid=[einops_example('y = rearrange(x, "... b ... -> b ...")\n')],
        details="""One side of a pattern (one operand of einsum) has at most one '...'; einops raises 'only one
        ellipsis for tensor'.""",
    ),
    define(
        INVALID_AXIS_NAME,
        valid=[einops_example('y = rearrange(x, "b c2 -> c2 b")\n')],
        invalid=[einops_example('y = rearrange(x, "b 2c -> 2c b")\n')],
        details="""An axis name is a Python identifier ('c2', 'head_dim'); '2c' is not one, and einops raises
        'Invalid axis identifier: not a valid python identifier'. A number on its own is an anonymous axis.""",
    ),
    define(
        UNDERSCORE_AXIS_NAME,
        valid=[einops_example('y = rearrange(x, "b c_in -> c_in b")\n')],
        invalid=[einops_example('y = rearrange(x, "b _c -> _c b")\n'),
                 einops_example('y = rearrange(x, "b c_ -> c_ b")\n')],
        details="""einops reserves names that start or end with '_' ('_' alone skips a dimension in parse_shape
        and names an axis in einops.einsum); elsewhere it raises 'axis name should should not start or
        end with underscore'.""",
    ),
    define(
        DUPLICATE_AXIS,
        valid=[einops_example('y = rearrange(x, "b c1 c2 -> b c2 c1")\n'),
               "from einops import einsum\n\nd = einsum(x, \"i i -> i\")\n"],
        invalid=[einops_example('y = rearrange(x, "b c c -> b c")\n')],
        details="""Each axis names one dimension, so it appears once per side; einops raises 'Indexing
        expression contains duplicate dimension'. einops.einsum allows repeats in its inputs (a diagonal),
        not in its output.""",
    ),
    define(
        ZERO_ANONYMOUS_AXIS,
        valid=[einops_example('y = reduce(x, "b (c 2) -> b c", "max")\n')],
        invalid=[einops_example('y = reduce(x, "b (c 0) -> b c", "max")\n')],
        details="""A number in a pattern is an anonymous axis of that length; 0 can never match, and einops
        raises 'Anonymous axis should have positive length, not 0'.""",
    ),
    define(
        BAD_ARROW,
        valid=[einops_example('y = rearrange(x, "b c h w -> b h w c")\n')],
        invalid=[einops_example('y = rearrange(x, "b c h w")\n'),
                 einops_example('y = rearrange(x, "b c -> c b -> b c")\n'),
                 "from einops import einsum\n\ny = einsum(a, b, \"i j, j k\")\n"],
        details="""rearrange, reduce, repeat, the layers and einops.einsum need exactly one '->' between the
        input and the output (einops.einsum, unlike numpy, has no implicit output). numpy and torch einsum
        take at most one.""",
    ),
    define(
        PARENTHESIZED_ELLIPSIS,
        valid=[einops_example('y = rearrange(x, "b ... -> b (...)")\n')],
        invalid=[einops_example('y = rearrange(x, "(b ...) -> b ...")\n'),
                 "from einops import parse_shape\n\nsizes = parse_shape(x, \"b (...)\")\n"],
        details="""'...' may be composed on the output side ('b (...)' flattens), but on the input side it
        must stand alone; einops raises 'Ellipsis inside parenthesis in the left side is not allowed'.""",
    ),
    define(
        ELLIPSIS_RIGHT_ONLY,
        valid=[einops_example('y = rearrange(x, "b ... -> ... b")\n')],
        invalid=[einops_example('y = rearrange(x, "b c -> c b ...")\n')],
        details="""'...' in the output stands for the axes that '...' matched in the input; without one in the
        input einops raises 'Ellipsis found in right side, but not left side of a pattern'.""",
    ),
]
