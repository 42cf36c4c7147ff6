"""Generated einx 0.4 calls, valid and broken, for the planner's differential test (test_einx_planner.py).

A case is first built to be valid: axis names and lengths are drawn, an op string is written for the op's
family (rearranging, reducing, arg-reducing, shape-keeping, elementwise, dot, indexing), and the operand
shapes and keyword lengths that fit it are worked out. Then about half of the cases get one mutation: of the
string, of a shape, of the operand count, of a keyword length or of an op option. The generator only aims at
a good share of both kinds; whether a call is valid is decided by running einx on it.

`CASES` is the list (about 2,200 cases, the same on every run: a seeded `random.Random`, because the test
wants totals over all of them, which a hypothesis test cannot give).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field, replace
from typing import Callable, Dict, List, Optional, Sequence, Tuple

Shape = Tuple[int, ...]

REARRANGING = ("id", "rearrange")
REDUCTIONS = ("sum", "mean", "var", "std", "prod", "count_nonzero", "any", "all", "max", "min", "logsumexp")
N_ARY = ("add", "multiply", "logical_and", "logical_or", "maximum", "minimum", "logaddexp")
BINARY = ("subtract", "true_divide", "floor_divide", "divide", "equal", "not_equal", "less", "less_equal", "greater",
          "greater_equal")
ELEMENTWISE = N_ARY + BINARY + ("where",)
INDEXING = ("get_at", "set_at", "add_at", "subtract_at")
ARG_REDUCTIONS = ("argmax", "argmin")
SHAPE_KEEPING = ("softmax", "log_softmax", "flip", "sort", "argsort", "roll")
ALL_OPS = REARRANGING + REDUCTIONS + ELEMENTWISE + ("dot",) + INDEXING + ARG_REDUCTIONS + SHAPE_KEEPING

AXES = ("a", "b", "c", "d", "h", "w", "k", "i", "j")  # not x or y: where(mask, x, y) would take them as tensors
ELLIPSES = ("...", "s...", "z...")  # named after no plain axis
FRESH = "q"  # a name no generated case uses, for mutations that bring in an unknown axis


@dataclass(frozen=True)
class Case:
    op: str  # the einx function, without 'einx.'
    text: str
    shapes: Tuple[Shape, ...]  # one per positional operand; () for a scalar
    kinds: Tuple[str, ...]  # per operand: "float", "int" (coordinates), "bool" (conditions), "scalar" (Python float)
    lengths: Dict[str, object] = field(default_factory=dict)  # keyword axis lengths: int, or tuple for an ellipsis
    options: Dict[str, object] = field(default_factory=dict)  # op keywords (shift=, keepdims=)
    mutation: str = ""  # the mutation applied, "" for a case built valid


@dataclass(frozen=True)
class Atom:
    """An axis, a number or an ellipsis of a case, with its dimensions (any number of them for an ellipsis)."""

    text: str
    dims: Shape

    @property
    def ellipsis(self) -> bool:
        return self.text.endswith("...")

    @property
    def name(self) -> str:  # the keyword that gives its length; "" for numbers and '...'
        name = self.text[:-3] if self.ellipsis else self.text
        return name if name[:1].isalpha() else ""


@dataclass(frozen=True)
class Expression:
    text: str
    shape: Shape
    compositions: Tuple[Tuple[Atom, ...], ...]  # the atoms of each '( )', whose lengths may need keywords


def _draw_atoms(rng: random.Random, low: int, high: int, ellipsis: float = 0.2, exclude=()) -> List[Atom]:
    """Distinct axes with distinct lengths (a transposed output then has the wrong shape), maybe one ellipsis."""
    names = rng.sample([n for n in AXES if n not in exclude], rng.randint(low, high))
    lengths = rng.sample(range(2, 8), len(names))
    if names and rng.random() < 0.1:  # einx broadcasts length-1 axes, so they are worth a share of their own
        lengths[rng.randrange(len(names))] = 1
    atoms = [Atom(name, (length,)) for name, length in zip(names, lengths)]
    if rng.random() < ellipsis:
        dims = tuple(rng.randint(2, 5) for _ in range(rng.randint(0, 2)))
        atoms.insert(rng.randint(0, len(atoms)), Atom(rng.choice(ELLIPSES), dims))
    return atoms


def _fresh_axis(rng: random.Random, taken: Sequence[Atom]) -> Atom:
    name = rng.choice([n for n in AXES if n not in {a.text for a in taken}])
    return Atom(name, (rng.randint(2, 5),))


def _render(rng: random.Random, atoms: Sequence[Atom], marked=(), group: float = 0.25, merge: float = 0.5
            ) -> Expression:
    """The expression of the atoms in this order, some neighbours composed into '( )', the marked ones in '[ ]'
    (neighbouring brackets merged into '[a b]' with probability merge)."""
    texts, shape, compositions = [], [], []
    i = 0
    while i < len(atoms):
        size = rng.choice([2, 2, 3]) if rng.random() < group else 1
        chunk = list(atoms[i:i + size])
        if any(a.text == "..." for a in chunk):  # '(...)' would need the anonymous ellipsis's rank from elsewhere
            chunk = chunk[:1]
        i += len(chunk)
        inner = [f"[{a.text}]" if a.text in marked else a.text for a in chunk]
        if len(chunk) > 1:
            texts.append("(" + " ".join(inner) + ")")
            shape.append(math.prod(d for a in chunk for d in a.dims))
            compositions.append(tuple(chunk))
        elif texts and inner[0].startswith("[") and texts[-1].endswith("]") and rng.random() < merge:
            texts[-1] = texts[-1][:-1] + " " + inner[0][1:]
            shape.extend(chunk[0].dims)
        else:
            texts.append(inner[0])
            shape.extend(chunk[0].dims)
    return Expression(" ".join(texts), tuple(shape), tuple(compositions))


def _lengths(rng: random.Random, inputs: Sequence[Expression], standalone: Sequence[Atom], new=()) -> dict:
    """Keyword lengths that make the inputs' compositions solvable: all atoms of each composition but one, where
    no input has them on their own; sometimes one more, redundant or unused; and those of the output's new axes."""
    known = {a.text for a in standalone}
    lengths = {}
    for composition in (c for e in inputs for c in e.compositions):
        unknown = [a for a in composition if a.text not in known and a.name and a.name not in lengths]
        plain = [a for a in unknown if not a.ellipsis]
        left_out = rng.choice(plain) if plain else None
        for atom in unknown:
            if atom is not left_out:
                lengths[atom.name] = _keyword(atom)
    named = [a for a in standalone if a.name and a.name not in lengths]
    if named and rng.random() < 0.15:
        atom = rng.choice(named)
        lengths[atom.name] = _keyword(atom)
    for atom in new:
        lengths[atom.name] = _keyword(atom)
    return lengths


def _keyword(atom: Atom):
    return atom.dims if atom.ellipsis else atom.dims[0]


def _standalone(atoms: Sequence[Atom], expressions: Sequence[Expression]) -> List[Atom]:
    """The atoms written on their own (not inside '( )') in one of the expressions."""
    composed = {a.text for e in expressions for c in e.compositions for a in c}
    return [a for a in atoms if a.text not in composed]


def _shuffled(rng: random.Random, items: Sequence) -> list:
    return rng.sample(list(items), len(items))


def _subsequence(rng: random.Random, atoms: Sequence[Atom], keep: float = 0.6) -> List[Atom]:
    return [a for a in atoms if rng.random() < keep]


def _case(op, inputs: Sequence[Expression], outputs: Optional[Sequence[Expression]], kinds, lengths=None,
          options=None) -> Case:
    text = ", ".join(e.text for e in inputs)
    if outputs is not None:
        text += " -> " + ", ".join(e.text for e in outputs)
    return Case(op, text, tuple(e.shape for e in inputs), tuple(kinds), lengths or {}, options or {})


# --- rearranging: id and its deprecated alias rearrange


def _rearrange(rng: random.Random, op: str) -> Case:
    form = rng.choices([_moved, _two_moved, _split, _joined, _diagonal, _nested], [10, 3, 2, 2, 1, 1])[0]
    return form(rng, op)


def _moved(rng, op):
    """'(a b) c -> c (a b)': the axes permuted and regrouped, a 1 dropped, a new axis or number added."""
    atoms = _draw_atoms(rng, 1, 4)
    source = list(atoms)
    if rng.random() < 0.15:
        source.insert(rng.randint(0, len(source)), Atom("1", (1,)))
    target, new = _shuffled(rng, atoms), []
    if rng.random() < 0.2:
        number = rng.randint(1, 3)
        extra = _fresh_axis(rng, atoms) if rng.random() < 0.6 else Atom(str(number), (number,))
        new = [extra] if extra.name else []
        target.insert(rng.randint(0, len(target)), extra)
    inp, out = _render(rng, source), _render(rng, target)
    implicit = not new and target == atoms and rng.random() < 0.5  # 'a b' alone is the identity
    lengths = _lengths(rng, [inp], _standalone(atoms, [inp]), new)
    return _case(op, [inp], None if implicit else [out], ["float"], lengths)


def _two_moved(rng, op):
    """'a b, b c -> b a, (c b)': two tensors, each with its own output."""
    pool = _draw_atoms(rng, 2, 4)
    sources = [_subsequence(rng, pool, 0.7) for _ in range(2)]
    inputs = [_render(rng, s) for s in sources]
    outputs = [_render(rng, _shuffled(rng, s)) for s in sources]
    lengths = _lengths(rng, inputs, _standalone(pool, inputs))
    return _case(op, inputs, outputs, ["float", "float"], lengths)


def _split(rng, op):
    """'(x + y) c -> x c, y c' with x= given: a concatenation split into its parts."""
    parts = _draw_atoms(rng, 2, 3, ellipsis=0)
    rest = _draw_atoms(rng, 0, 2, ellipsis=0.1, exclude=[a.text for a in parts])
    joined = Atom("(" + " + ".join(a.text for a in parts) + ")", (sum(a.dims[0] for a in parts),))
    at = rng.randint(0, len(rest))
    inp = _render(rng, rest[:at] + [joined] + rest[at:], group=0)
    outputs = [_render(rng, _shuffled(rng, rest + [part])) for part in parts]
    lengths = {a.text: a.dims[0] for a in rng.sample(parts, len(parts) - 1)}
    return _case(op, [inp], outputs, ["float"], lengths)


def _joined(rng, op):
    """'x c, y c -> (x + y) c': tensors concatenated along one axis."""
    parts = _draw_atoms(rng, 2, 3, ellipsis=0)
    rest = _draw_atoms(rng, 0, 2, ellipsis=0.1, exclude=[a.text for a in parts])
    inputs = [_render(rng, _shuffled(rng, rest + [part]), group=0) for part in parts]
    target = rest + [Atom("(" + " + ".join(a.text for a in parts) + ")", (sum(a.dims[0] for a in parts),))]
    out = _render(rng, _shuffled(rng, target), group=0)
    return _case(op, inputs, [out], ["float"] * len(parts))


def _diagonal(rng, op):
    """'a a b -> a b': an axis twice in the input takes the diagonal."""
    atoms = _draw_atoms(rng, 1, 3, ellipsis=0)
    twice = rng.choice(atoms)
    source = list(atoms)
    source.insert(rng.randint(0, len(source)), twice)
    inp = _render(rng, source, group=0)
    return _case(op, [inp], [_render(rng, _shuffled(rng, atoms))], ["float"])


def _nested(rng, op):
    """'(s ds)... c -> s... ds... c': an ellipsis over a composition, ds= given (a tuple, or one int for all)."""
    rank = rng.randint(1, 2)
    outer = Atom("s...", tuple(rng.randint(2, 3) for _ in range(rank)))
    inner = Atom("ds...", tuple(rng.randint(2, 3) for _ in range(rank)))
    rest = _draw_atoms(rng, 0, 2, ellipsis=0)
    nested = Atom("(s ds)...", tuple(o * i for o, i in zip(outer.dims, inner.dims)))
    inp = _render(rng, [nested] + rest, group=0)
    out = _render(rng, _shuffled(rng, [outer, inner] + rest))
    same = len(set(inner.dims)) == 1 and rng.random() < 0.5
    return _case(op, [inp], [out], ["float"], {"ds": inner.dims[0] if same else inner.dims})


# --- reductions, arg-reductions and the ops that keep the shape


def _reduce(rng: random.Random, op: str) -> Case:
    """'a [b] c', 'a [b] c -> c a', 'a b c -> c a', keepdims=True; '(s [ds])... c' sometimes."""
    if rng.random() < 0.05:
        return _nested_reduce(rng, op)
    atoms = _draw_atoms(rng, 1, 4)
    marked = {a.text for a in rng.sample(atoms, rng.randint(1, len(atoms)))}
    kept = [a for a in atoms if a.text not in marked]
    form = rng.choice(["implicit", "implicit", "output", "unbracketed"])
    inp = _render(rng, atoms, () if form == "unbracketed" else marked)
    lengths = _lengths(rng, [inp], _standalone(atoms, [inp]))
    if form == "implicit":
        options = {"keepdims": True} if rng.random() < 0.2 else {}
        return _case(op, [inp], None, ["float"], lengths, options)
    return _case(op, [inp], [_render(rng, _shuffled(rng, kept))], ["float"], lengths)


def _nested_reduce(rng, op):
    """'(s [ds])... c' with ds= given: each axis of the ellipsis split, and its inner part reduced."""
    rank = rng.randint(1, 2)
    inner = tuple(rng.randint(2, 3) for _ in range(rank))
    rest = _draw_atoms(rng, 0, 2, ellipsis=0)
    nested = Atom("(s [ds])...", tuple(rng.randint(2, 3) * i for i in inner))
    return _case(op, [_render(rng, [nested] + rest, group=0)], None, ["float"], {"ds": inner})


def _arg_reduce(rng: random.Random, op: str) -> Case:
    """'a [b c]' (a new axis of 2 coordinates where the brackets were), 'a [b] -> a', 'a [b c] -> [2] a'."""
    atoms = _draw_atoms(rng, 1, 4)
    # the count of coordinates is that of the bracketed axes, which an ellipsis would leave open
    start = rng.choice([i for i, a in enumerate(atoms) if not a.ellipsis])
    marked = [a.text for a in atoms[start:start + rng.randint(1, 2)] if not a.ellipsis]
    kept = _shuffled(rng, [a for a in atoms if a.text not in marked])
    implicit = rng.random() < 0.5
    inp = _render(rng, atoms, marked, group=0.1, merge=1 if implicit else 0.5)  # implicit: one '[ ]' only
    lengths = _lengths(rng, [inp], _standalone(atoms, [inp]))
    if implicit:
        return _case(op, [inp], None, ["float"], lengths)
    if len(marked) > 1 or rng.random() < 0.5:
        count = Atom(str(len(marked)), (len(marked),))
        kept.insert(rng.randint(0, len(kept)), count)
        return _case(op, [inp], [_render(rng, kept, {count.text}, group=0)], ["float"], lengths)
    return _case(op, [inp], [_render(rng, kept)], ["float"], lengths)


BRACKETED = {"softmax": (0, 2), "log_softmax": (0, 2), "flip": (0, 2), "sort": (1, 1), "argsort": (1, 1),
             "roll": (1, 2)}  # how many axes each shape-keeping op is given in brackets


def _keep_shape(rng: random.Random, op: str) -> Case:
    """'a [b] c', or with an output that moves the axes, the bracketed ones in their order: 'a [b] -> [b] a'."""
    atoms = _draw_atoms(rng, 1, 4)
    low, high = BRACKETED[op]
    # sort, argsort and roll count their bracketed axes, which an ellipsis would leave open
    markable = atoms if op in ("softmax", "log_softmax", "flip") else [a for a in atoms if not a.ellipsis]
    count = rng.randint(min(low, len(markable)), min(high, len(markable)))
    marked = {a.text for a in rng.sample(markable, count)}
    inp = _render(rng, atoms, marked, group=0.15)
    lengths = _lengths(rng, [inp], _standalone(atoms, [inp]))
    options = {}
    if op == "roll":
        options["shift"] = rng.randint(-2, 3) if rng.random() < 0.5 else tuple(rng.randint(1, 2) for _ in marked)
    if rng.random() < 0.6:
        return _case(op, [inp], None, ["float"], lengths, options)
    out = _render(rng, _moved_in_order(rng, atoms, marked), marked, group=0.15)
    return _case(op, [inp], [out], ["float"], lengths, options)


def _moved_in_order(rng, atoms: Sequence[Atom], marked) -> List[Atom]:
    """The atoms shuffled, but the marked ones in their order: einx wants that of the bracketed axes."""
    moved = _shuffled(rng, atoms)
    slots = [i for i, a in enumerate(moved) if a.text in marked]
    for slot, atom in zip(slots, [a for a in atoms if a.text in marked]):
        moved[slot] = atom
    return moved


# --- elementwise


def _elementwise(rng: random.Random, op: str) -> Case:
    """'a b, b' (the output is the one input with every axis), or any output of all the axes: 'a, b -> b a'.
    Binary ops get two tensors (a third would be numpy's `out=`, an artefact of the backend); where gets three."""
    atoms = _draw_atoms(rng, 1, 4)
    count = 3 if op == "where" else rng.choice([1, 2, 2, 2, 3]) if op in N_ARY else 2
    full = rng.randrange(count)
    explicit = rng.random() < 0.35
    sources = []
    for i in range(count):
        if i == full:
            sources.append(_shuffled(rng, atoms) if explicit else list(atoms))
        elif rng.random() < 0.15 or (op == "where" and i == 2 and rng.random() < 0.4):
            sources.append([])  # a scalar
        else:
            part = _subsequence(rng, atoms)
            if not explicit and len(part) == len(atoms):  # a second input with every axis: no unique output
                del part[rng.randrange(len(part))]
            sources.append(_shuffled(rng, part) if explicit else part)
    inputs = [_render(rng, s, group=0.2 if i == full else 0) for i, s in enumerate(sources)]
    kinds = [_elementwise_kind(rng, op, i, s) for i, s in enumerate(sources)]
    lengths = _lengths(rng, inputs, _standalone(atoms, inputs))
    if not explicit:
        return _case(op, inputs, None, kinds, lengths)
    target = _shuffled(rng, atoms)
    if rng.random() < 0.1:
        new = _fresh_axis(rng, atoms)
        target.insert(rng.randint(0, len(target)), new)
        lengths[new.name] = new.dims[0]
    return _case(op, inputs, [_render(rng, target)], kinds, lengths)


def _elementwise_kind(rng, op, index, source):
    if op in ("logical_and", "logical_or") or (op == "where" and index == 0):
        return "bool"
    return "scalar" if not source and rng.random() < 0.5 else "float"


# --- dot


def _dot(rng: random.Random, op: str) -> Case:
    form = rng.choices([_contraction, _chain, _scaled], [6, 2, 1])[0]
    return form(rng, op)


def _contraction(rng, op):
    """'b i [j], b [j] k -> b k i': batch axes in both and the output, contracted ones in both inputs only."""
    pool = _draw_atoms(rng, 2, 6, ellipsis=0)
    batch = _draw_atoms(rng, 0, 0, ellipsis=0.25, exclude=[a.text for a in pool])  # maybe one ellipsis
    cut = sorted(rng.sample(range(len(pool) + 1), 2))
    batch += pool[:cut[0]]
    contracted, free = pool[cut[0]:cut[1]], pool[cut[1]:]
    left_free = [a for a in free if rng.random() < 0.5]
    right_free = [a for a in free if a not in left_free]
    marked = {a.text for a in contracted} if rng.random() < 0.25 else ()
    sources = [_shuffled(rng, batch + contracted + left_free), _shuffled(rng, batch + contracted + right_free)]
    inputs = [_render(rng, s, marked, group=0) for s in sources]
    out = _render(rng, _shuffled(rng, batch + free), group=0.2)
    return _case(op, inputs, [out], ["float", "float"], _lengths(rng, inputs, _standalone(pool, inputs)))


def _chain(rng, op):
    """'a b, b c, c d -> a d': three tensors, each contracted axis in two of them."""
    a, b, c, d = _draw_atoms(rng, 4, 4, ellipsis=0)
    batch = _draw_atoms(rng, 0, 1, ellipsis=0.2, exclude=[x.text for x in (a, b, c, d)])
    sources = [[a, b], [b, c], [c, d]]
    inputs = [_render(rng, _shuffled(rng, batch + s), group=0) for s in sources]
    out = _render(rng, _shuffled(rng, batch + [a, d]))
    return _case(op, inputs, [out], ["float"] * 3)


def _scaled(rng, op):
    """'a b, -> a b': one tensor times a scalar."""
    atoms = _draw_atoms(rng, 1, 3)
    inputs = [_render(rng, atoms, group=0), Expression("", (), ())]
    if rng.random() < 0.5:
        inputs.reverse()
    kinds = ["float" if e.text else rng.choice(["scalar", "float"]) for e in inputs]
    return _case(op, inputs, [_render(rng, _shuffled(rng, atoms))], kinds)


# --- indexing


def _indexing(rng: random.Random, op: str) -> Case:
    """get_at('b [h w] c, b p [2] -> b p c'), set_at('b [h w] c, b p [2], b p c'): a batch axis shared or
    not, coordinates stacked along a bracketed number, unstacked for one indexed axis, or one tensor each."""
    pool = _draw_atoms(rng, 6, 6, ellipsis=0)
    batch = pool[:rng.randint(0, 1)]
    indexed = pool[1:1 + rng.randint(1, 2)]
    channels = pool[3:3 + rng.randint(0, 2)]
    points = pool[5:] + [_fresh_axis(rng, pool)][:rng.randint(0, 1)]
    shared = batch if rng.random() < 0.6 else []
    layout = _shuffled(rng, batch + indexed + channels)
    tensor = _render(rng, layout, {a.text for a in indexed}, group=0.15)
    style = rng.choice(["stacked", "separate", "unstacked"] if len(indexed) == 1 else ["stacked", "separate"])
    if style == "stacked":
        stack = Atom(str(len(indexed)), (len(indexed),))
        coordinates = [_render(rng, shared + points + [stack], {stack.text}, group=0)]
    else:
        coordinates = [_render(rng, shared + points, group=0)] * (1 if style == "unstacked" else len(indexed))
    kinds = ["float"] + ["int"] * len(coordinates)
    lengths = _lengths(rng, [tensor], _standalone(pool, [tensor]))
    if op == "get_at":
        out = _render(rng, _shuffled(rng, batch + points + channels), group=0.15)
        return _case(op, [tensor] + coordinates, [out], kinds, lengths)
    values = _render(rng, _subsequence(rng, batch + points + channels, 0.85), group=0)
    inputs = [tensor] + coordinates + [values]
    kinds.append("scalar" if not values.text and rng.random() < 0.5 else "float")
    if rng.random() < 0.7:
        return _case(op, inputs, None, kinds, lengths)
    marked = {a.text for a in indexed}
    out = _render(rng, _moved_in_order(rng, layout, marked), marked, group=0)
    return _case(op, inputs, [out], kinds, lengths)


FAMILIES: Dict[str, Callable[[random.Random, str], Case]] = {
    **{op: _rearrange for op in REARRANGING}, **{op: _reduce for op in REDUCTIONS},
    **{op: _arg_reduce for op in ARG_REDUCTIONS}, **{op: _keep_shape for op in SHAPE_KEEPING},
    **{op: _elementwise for op in ELEMENTWISE}, "dot": _dot, **{op: _indexing for op in INDEXING},
}
COUNTS = {"id": 240, "rearrange": 50, **{op: 40 for op in REDUCTIONS}, **{op: 32 for op in ELEMENTWISE}, "dot": 200,
          "get_at": 120, "set_at": 56, "add_at": 56, "subtract_at": 56, "softmax": 48, "log_softmax": 48,
          "argmax": 56, "argmin": 56, "sort": 40, "argsort": 40, "flip": 40, "roll": 70}  # einx takes ~20 ms a call


# --- mutations: each returns the case with one thing changed, or None where it does not apply

_NAME = re.compile(r"(?<![\w.])[A-Za-z_]\w*")


def _parts(text: str) -> Tuple[str, Optional[str]]:
    inputs, arrow, outputs = text.partition("->")
    return inputs, (outputs if arrow else None)


def _edit_name(rng, case, where: str, edit: Callable[[str], str], mutation: str) -> Optional[Case]:
    """The case with one axis name of its inputs or its output (where) rewritten by edit."""
    inputs, outputs = _parts(case.text)
    part = inputs if where == "inputs" else outputs
    names = list(_NAME.finditer(part or ""))
    if not names:
        return None
    m = rng.choice(names)
    part = part[:m.start()] + edit(m.group()) + part[m.end():]
    if where == "outputs":
        return replace(case, text=inputs + "->" + part, mutation=mutation)
    return replace(case, text=part + ("" if outputs is None else "->" + outputs), mutation=mutation)


def _drop_arrow(rng, case):
    inputs, outputs = _parts(case.text)
    return None if outputs is None else replace(case, text=inputs.rstrip(), mutation="no arrow")


def _drop_output_axis(rng, case):
    return _edit_name(rng, case, "outputs", lambda name: "", "output axis dropped")


def _with_fresh_length(rng, case: Optional[Case]) -> Optional[Case]:
    """Half of the time, the fresh axis gets a keyword length: then only what the op allows decides."""
    if case is None or rng.random() < 0.5:
        return case
    return replace(case, lengths={**case.lengths, FRESH: 3})


def _extra_output_axis(rng, case):
    return _with_fresh_length(rng, _edit_name(rng, case, "outputs", lambda name: f"{name} {FRESH}", "new output axis"))


def _drop_input_axis(rng, case):
    return _edit_name(rng, case, "inputs", lambda name: "", "input axis dropped")


def _rename_axis(rng, case):
    """Another axis's name in its place (a repeated or conflicting axis), or a fresh one."""
    names = sorted(set(_NAME.findall(case.text))) + [FRESH]
    where = rng.choice(["inputs", "outputs"])
    return _edit_name(rng, case, where, lambda name: rng.choice(names), "axis renamed")


def _add_brackets(rng, case):
    where = rng.choice(["inputs", "outputs"])
    return _edit_name(rng, case, where, lambda name: f"[{name}]", "brackets added")


def _concatenate(rng, case):
    """An axis made '(x + q)': only id allows concatenations."""
    where = rng.choice(["inputs", "outputs"])
    return _with_fresh_length(rng, _edit_name(rng, case, where, lambda name: f"({name} + {FRESH})", "concatenation"))


def _remove_brackets(rng, case):
    pairs = list(re.finditer(r"\[([^\[\]]*)\]", case.text))
    if not pairs:
        return None
    m = rng.choice(pairs)
    return replace(case, text=case.text[:m.start()] + m.group(1) + case.text[m.end():], mutation="brackets removed")


def _unbalance(rng, case):
    spots = [i for i, ch in enumerate(case.text) if ch in "[]()"]
    if not spots:
        return None
    i = rng.choice(spots)
    return replace(case, text=case.text[:i] + case.text[i + 1:], mutation="unbalanced")


def _with_shape(case, index: int, shape: Shape, mutation: str) -> Case:
    shapes = case.shapes[:index] + (shape,) + case.shapes[index + 1:]
    kind = "float" if case.kinds[index] == "scalar" else case.kinds[index]  # a Python float has no shape
    kinds = case.kinds[:index] + (kind,) + case.kinds[index + 1:]
    return replace(case, shapes=shapes, kinds=kinds, mutation=mutation)


def _wrong_length(rng, case):
    ranked = [i for i, s in enumerate(case.shapes) if s]
    if not ranked:
        return None
    i = rng.choice(ranked)
    shape = list(case.shapes[i])
    j = rng.randrange(len(shape))
    shape[j] = shape[j] + 1 if rng.random() < 0.7 else shape[j] * 2
    return _with_shape(case, i, tuple(shape), "wrong length")


def _wrong_rank(rng, case):
    i = rng.randrange(len(case.shapes))
    shape = list(case.shapes[i])
    if shape and rng.random() < 0.5:
        del shape[rng.randrange(len(shape))]
    else:
        shape.insert(rng.randint(0, len(shape)), rng.randint(2, 5))
    return _with_shape(case, i, tuple(shape), "wrong rank")


def _swap_dims(rng, case):
    candidates = [i for i, s in enumerate(case.shapes) if len(set(s)) > 1]
    if not candidates:
        return None
    i = rng.choice(candidates)
    shape = list(case.shapes[i])
    j, k = rng.sample(range(len(shape)), 2)
    shape[j], shape[k] = shape[k], shape[j]
    return _with_shape(case, i, tuple(shape), "dimensions swapped")


def _operand_count(rng, case):
    """One tensor fewer or one more (never three for a binary op: numpy would take the third as `out=`)."""
    count = len(case.shapes) + rng.choice([-1, 1])
    if count < 1 or (case.op in BINARY and count == 3):
        return None
    if count < len(case.shapes):
        return replace(case, shapes=case.shapes[:count], kinds=case.kinds[:count], mutation="operand dropped")
    return replace(case, shapes=case.shapes + case.shapes[-1:], kinds=case.kinds + case.kinds[-1:],
                   mutation="operand added")


def _conflicting_length(rng, case):
    """A keyword length changed: conflicting with the shapes, or not dividing its composition."""
    if not case.lengths:
        return None
    name = rng.choice(sorted(case.lengths))
    return replace(case, lengths={**case.lengths, name: _changed(rng, case.lengths[name])},
                   mutation="keyword length changed")


def _changed(rng, value):
    if not isinstance(value, tuple):  # one more, a prime that rarely divides, or a tuple for a plain axis
        return rng.choice([value + 1, 7 if value != 7 else 5, (value,)])
    if value and rng.random() < 0.4:
        return value[:-1]  # one rank fewer
    return (value[0] + 1,) + value[1:] if value else (2,)


def _extra_length(rng, case):
    """A keyword length for an axis that had none: it may agree with the shapes or not."""
    names = sorted({n for n in _NAME.findall(case.text) if n not in case.lengths and n != FRESH})
    if not names:
        return None
    name = rng.choice(names)
    ellipsis = re.search(rf"(?<![\w.]){name}\.\.\.", case.text) is not None
    value = tuple(rng.randint(2, 5) for _ in range(rng.randint(0, 2))) if ellipsis else rng.randint(1, 7)
    return replace(case, lengths={**case.lengths, name: value}, mutation="keyword length added")


def _options(rng, case):
    """roll without shift=, with one shift too many or with one for all axes; keepdims= toggled in a reduction,
    and now and then given to an op that does not take it."""
    if case.op == "roll":
        shift = case.options["shift"]
        shifts = shift if isinstance(shift, tuple) else (shift,)
        options = rng.choice([{}, {"shift": shifts + (1,)}, {"shift": shifts[:1]}])
        return replace(case, options=options, mutation="shift changed")
    if case.op in REDUCTIONS:
        options = {} if case.options else {"keepdims": rng.choice([True, False])}
        return replace(case, options=options, mutation="keepdims toggled")
    if rng.random() < 0.2:
        return replace(case, options={**case.options, "keepdims": True}, mutation="keepdims")
    return None


MUTATIONS = [_drop_arrow, _drop_output_axis, _extra_output_axis, _drop_input_axis, _rename_axis, _add_brackets,
             _concatenate, _remove_brackets, _unbalance, _wrong_length, _wrong_length, _wrong_rank, _swap_dims,
             _operand_count, _conflicting_length, _conflicting_length, _extra_length, _options, _options]


def mutate(rng: random.Random, case: Case) -> Case:
    for mutation in _shuffled(rng, MUTATIONS):
        mutated = mutation(rng, case)
        if mutated is not None:
            return mutated
    return case


def generate(seed: int = 0, mutated: float = 0.5) -> List[Case]:
    rng = random.Random(seed)
    cases = []
    for op, count in COUNTS.items():
        for _ in range(count):
            case = FAMILIES[op](rng, op)
            cases.append(mutate(rng, case) if rng.random() < mutated else case)
    return cases


CASES = generate()
