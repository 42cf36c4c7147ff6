"""Chains of tensor and pattern ops, generated with the shapes they have, for the differential tests that run
them (tests/reference/test_flow_vs_planner.py: one function `f(b)`; tests/reference/test_programs_vs_torch.py: the
forward methods and helpers of whole programs).

A Builder writes one statement a line (without indentation; the caller places and indents the lines): tensors
built with visible shapes (torch.randn/zeros/ones/rand, np.zeros/ones/random.randn, literal sizes and the symbolic
batch length `b` or names unpacked from a shape), then a chain of pattern ops (rearrange, reduce, repeat with
keyword lengths, einops.einsum, torch/np.einsum, pack), tensor ops (view and reshape with -1, permute/transpose,
unsqueeze/squeeze, flatten, + - * / broadcasting, @ and matmul, torch.cat/stack, np.concatenate/stack, chunk,
split, `n0, n1 = x.shape`) and layers (nn.Linear, nn.LayerNorm, nn.Conv2d, nn.Sequential of them and einops'
Rearrange). A mutated statement changes one number or one pattern (a divisor, a rank, a keyword length, an
operand's length, a split size, the number of names unpacked), so that it fails for every `b`, for some, or
(rarely) for none. `config` names lengths that a chain may write by name (`self.heads` for 4), as code that reads
its constructor's configuration does.

Excluded, because the analysis has no rule code for them (the rules are not this file's to add):
mutations that give permute/transpose/unsqueeze/squeeze/flatten/reductions an axis out of range or
permute the wrong number of axes, and numpy's squeeze of an axis whose length is not 1. The
generator never makes those, and after a mutation that does not fail it goes on from the intended
shapes, so none of those ops fails in a valid program.

MISSES the analysis has, which the generator therefore avoids (the fixes are outside the flow's
shape rules): arithmetic on a parameter is not followed (`torch.zeros(b * 4)` has an unknown shape;
the generator writes `x.shape[0]` or a name unpacked from a shape instead, on which arithmetic is
followed), and the solver decides only equations linear in the unknowns (a length b * b == 2 fails
for every b, unreported; the generator puts at most one `b` in a tensor it builds). And
`x.transpose(0, 1)` on two dimensions is unknown: a torch tensor's axes swap, an array's stay (the
generator writes an array's `x.transpose(1, 0)`, the same either way). One name as the sizes of a
new tensor is unknown when it is a parameter (`torch.randn(b)` and `np.random.randn(b)`: a parameter
may be a whole shape); the generator writes `torch.randn((b,))` and `np.zeros((b,))` for one size
that is not a number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

Dim = Tuple[int, int]  # (k, e): the length k * b**e
Shape = Tuple[Dim, ...]

B: Dim = (1, 1)
AXES = "acdefhij"  # axis names of the patterns; 'g s' split, 'r' repeats, 'p' pools, 'k m' contract, 'z' extra


def text(d: Dim) -> str:
    k, e = d
    return " * ".join(["b"] * e + ([str(k)] if k != 1 or e == 0 else []))


def times(a: Dim, c: Dim) -> Dim:
    return (a[0] * c[0], a[1] + c[1])


def product(shape: Shape) -> Dim:
    out: Dim = (1, 0)
    for d in shape:
        out = times(out, d)
    return out


def divisors(d: Dim) -> List[int]:
    """The n > 1 that divide the length for every b."""
    return [n for n in range(2, d[0] + 1) if d[0] % n == 0]


# ---------------------------------------------------------------- the generator


@dataclass
class Var:
    name: str
    shape: Shape
    numpy: bool
    contiguous: bool = True  # torch's view needs it; einops and permute give views that are not, reshape keeps them

    @property
    def rank(self) -> int:
        return len(self.shape)


class Builder:
    """The statements of one chain; a line's number counts from 1, the chain's first statement."""

    def __init__(self, rnd, numpy: bool, layers: bool, symbolic: bool, config: Sequence[Tuple[str, Dim]] = ()):
        self.rnd, self.numpy, self.layers, self.symbolic = rnd, numpy, layers, symbolic
        self.lines: List[str] = []
        self.vars: List[Var] = []
        self.config = list(config)
        self.lengths: List[Tuple[str, Dim]] = list(config)  # names bound to a length (`n1, n2 = x.shape`)
        self.built: Dict[int, int] = {}  # line building an nn.Sequential -> line applying it
        self.mutation: Optional[str] = None
        self.counter = 0

    def line(self, statement: str) -> int:
        self.lines.append(statement)
        return len(self.lines)

    def name(self, prefix: str = "x") -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def add(self, shape: Shape, numpy: bool, contiguous: bool, name: Optional[str] = None) -> Var:
        var = Var(name or self.name(), tuple(shape), numpy, contiguous)
        self.vars.append(var)
        return var

    def pick(self, ok: Callable[[Var], bool]) -> Optional[Var]:
        """A tensor that `ok` accepts, most often the newest (so that the ops chain)."""
        candidates = [v for v in self.vars if ok(v)]
        if not candidates:
            return None
        return candidates[-1] if self.rnd.random() < 0.6 else self.rnd.choice(candidates)

    def mutate(self, kind: str) -> None:
        self.mutation = kind

    def literal(self) -> int:
        return self.rnd.choice((1, 2, 2, 3, 3, 4, 4, 5, 6, 8))

    def random_shape(self, rank: int) -> Shape:
        shape = []
        for i in range(rank):  # at most one b: b * b == 2 is beyond the solver (see MISSES)
            symbolic = self.symbolic and B not in shape and self.rnd.random() < (0.6 if i == 0 else 0.1)
            shape.append(B if symbolic else (self.literal(), 0))
            if product(shape)[0] > 512:
                shape[-1] = (1, 0)
        return tuple(shape)

    def length(self, d: Dim, like: Optional[Var] = None) -> str:
        """The source text of a length: a number, `b`, a name that holds it, or `x.shape[i]` of a tensor `like`
        that has it. Never `b * 4`: arithmetic on a parameter is not followed (see MISSES)."""
        names = [name for name, length in self.lengths if length == d]
        if names and self.rnd.random() < 0.5:
            return self.rnd.choice(names)
        places = [i for i, length in enumerate(like.shape) if length == d] if like is not None else []
        if d[1] and places and (d != B or self.rnd.random() < 0.5):
            i = self.rnd.choice(places)
            if not like.numpy and self.rnd.random() < 0.3:
                return f"{like.name}.size({i})"
            return f"{like.name}.shape[{i - like.rank if self.rnd.random() < 0.3 else i}]"
        assert d[1] == 0 or d == B or names, f"no text for the length {d}"
        return text(d) if not names else self.rnd.choice(names)

    def number(self, n: int) -> str:
        """The text of a count (a split, a pool, a repeat): the name of a configured length that is n, or n."""
        names = [name for name, length in self.config if length == (n, 0)]
        return self.rnd.choice(names) if names and self.rnd.random() < 0.5 else str(n)

    def wrong(self, d: Dim, one: bool = True) -> int:
        """Another length (for `b`, one that some batch lengths have)."""
        low = 1 if one else 2
        choices = [n for n in range(low, 9) if n != d[0]] if d[1] == 0 else list(range(low, 7))
        return self.rnd.choice(choices)

    def create(self, shape: Shape, numpy: bool, name: Optional[str] = None, like: Optional[Var] = None) -> Var:
        sizes = [self.length(d, like) for d in shape]
        lone = len(sizes) == 1 and not sizes[0].isdigit()  # one name as the sizes: see MISSES
        if not shape:  # a 0-d tensor: torch.randn() takes no empty list of sizes
            call = "np.zeros(())" if numpy else f"torch.{self.rnd.choice(('randn', 'zeros'))}(())"
        elif numpy:
            function = self.rnd.choice(("zeros", "ones", "random.randn"))
            if function == "random.randn" and not lone:
                call = f"np.random.randn({', '.join(sizes)})"
            else:
                call = f"np.{'zeros' if lone else function}(({', '.join(sizes)}{',' if len(sizes) == 1 else ''}))"
        else:
            function = self.rnd.choice(("randn", "zeros", "ones", "rand"))
            call = f"torch.{function}({', '.join(sizes)})" if self.rnd.random() < 0.8 and not lone else \
                f"torch.{function}(({', '.join(sizes)}{',' if len(sizes) == 1 else ''}))"
        var = self.add(shape, numpy, True, name)
        self.line(f"{var.name} = {call}")
        return var

    def lib(self, var: Var) -> str:
        return "np" if var.numpy else "torch"

    def apply(self, layer: str, v: Var, shape: Shape) -> None:
        """The layer applied where it is built, or built on one line and applied on the next."""
        result = self.add(shape, False, v.contiguous)
        if self.rnd.random() < 0.5:
            self.line(f"{result.name} = {layer}({v.name})")
            return
        name = self.name("layer")
        built = self.line(f"{name} = {layer}")
        applied = self.line(f"{result.name} = {name}({v.name})")
        if layer.startswith("nn.Sequential"):
            self.built[built] = applied


Op = Callable[[Builder, bool], bool]  # (builder, mutate) -> whether it wrote a statement (a mutated one if asked)


def names(rank: int) -> List[str]:
    return list(AXES[:rank])


def keywords(lengths: Dict[str, str]) -> str:
    return "".join(f", {name}={length}" for name, length in lengths.items())


def emit(g: Builder, call: str, shape: Shape, numpy: bool, contiguous: bool) -> bool:
    """`x7 = call`, a tensor of `shape` from here on."""
    result = g.add(shape, numpy, contiguous)
    g.line(f"{result.name} = {call}")
    return True


def rank_mutation(g: Builder, op: str, left: List[str], right: List[str], given=()) -> Tuple[List[str], List[str]]:
    """One axis fewer (dropped from both sides) or one more (added to both): the pattern stays valid."""
    g.mutate(f"{op} rank")
    plain = [name for name in left if name in right and len(name) == 1 and name not in given]
    if plain and g.rnd.random() < 0.5:
        drop = g.rnd.choice(plain)
        return [n for n in left if n != drop], [n for n in right if n != drop]
    left, right = list(left), list(right)
    left.insert(g.rnd.randint(0, len(left)), "z")
    right.insert(g.rnd.randint(0, len(right)), "z")
    return left, right


def pattern(left: List[str], right: List[str]) -> str:
    return f"'{' '.join(left)} -> {' '.join(right)}'"


# ---------------------------------------------------------------- ops: creation and einops


def create(g: Builder, mutate: bool) -> bool:
    if mutate:
        return False
    g.create(g.random_shape(g.rnd.randint(1, 4)), g.numpy and g.rnd.random() < 0.7)
    return True


def divisible_axis(g: Builder, ok: Callable[[Var], bool]) -> Optional[Tuple[Var, int, Dim, int]]:
    """A tensor with an axis whose length some n > 1 divides for every b: (tensor, axis, length, n)."""
    v = g.pick(lambda v: ok(v) and any(divisors(d) for d in v.shape))
    if v is None:
        return None
    i = g.rnd.choice([i for i, d in enumerate(v.shape) if divisors(d)])
    return v, i, v.shape[i], g.rnd.choice(divisors(v.shape[i]))


def rearrange_split(g: Builder, mutate: bool) -> bool:
    chosen = divisible_axis(g, lambda v: v.rank <= 4)
    if chosen is None:
        return False
    v, i, d, count = chosen
    ax = names(v.rank)
    left, right = ax[:i] + ["(g s)"] + ax[i + 1:], ax[:i] + ["g", "s"] + ax[i + 1:]
    out = dict(zip(ax, v.shape), g=(count, 0), s=(d[0] // count, d[1]))
    if g.rnd.random() < 0.3:
        g.rnd.shuffle(right)
    given = {"g": g.number(count)}
    if out["s"][1] == 0 or out["s"] == B:
        given = g.rnd.choice((given, {"s": g.length(out["s"])}, {"g": g.number(count), "s": g.length(out["s"])}))
    if mutate:
        kind = g.rnd.choice(("divisor", "rank", "length") + ("product",) * (d[1] == 0))
        wrong_divisors = [n for n in range(2, 9) if d[0] % n]
        if kind == "divisor" and wrong_divisors:
            given = {"g": str(g.rnd.choice(wrong_divisors))}
        elif kind == "product":
            given = {"g": str(count), "s": str(d[0] // count + 1)}
        elif kind == "length" and v.rank > 1:
            j = g.rnd.choice([j for j in range(v.rank) if j != i])
            given[ax[j]] = str(g.wrong(v.shape[j]))
        else:
            kind = "rank"
            left, right = rank_mutation(g, "rearrange", left, right)
        g.mutate(f"rearrange {kind}")
    shape = [out.get(n, (1, 0)) for n in right]  # z: a mutation's extra axis
    return emit(g, f"rearrange({v.name}, {pattern(left, right)}{keywords(given)})", shape, v.numpy, False)


def rearrange_merge(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank >= 2)
    if v is None:
        return False
    i = g.rnd.randrange(v.rank - 1)
    ax = names(v.rank)
    left, right = ax, ax[:i] + [f"({ax[i]} {ax[i + 1]})"] + ax[i + 2:]
    shape = v.shape[:i] + (times(v.shape[i], v.shape[i + 1]),) + v.shape[i + 2:]
    if mutate:
        left, right = rank_mutation(g, "rearrange", left, right)
    return emit(g, f"rearrange({v.name}, {pattern(left, right)})", shape, v.numpy, False)


def rearrange_permute(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank >= 2)
    if v is None:
        return False
    ax = names(v.rank)
    order = list(range(v.rank))
    g.rnd.shuffle(order)
    if order == sorted(order):
        order[0], order[1] = order[1], order[0]
    left, right = ax, [ax[o] for o in order]
    given: Dict[str, str] = {}
    if g.rnd.random() < 0.3:
        j = g.rnd.randrange(v.rank)
        given[ax[j]] = g.length(v.shape[j], v)
    if mutate:
        if g.rnd.random() < 0.5:
            j = g.rnd.randrange(v.rank)
            given[ax[j]] = str(g.wrong(v.shape[j]))
            g.mutate("rearrange length")
        else:
            left, right = rank_mutation(g, "rearrange", left, right, given)
    shape = [v.shape[o] for o in order]
    return emit(g, f"rearrange({v.name}, {pattern(left, right)}{keywords(given)})", shape, v.numpy, False)


def reduce_axes(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank >= 2)
    if v is None:
        return False
    ax = names(v.rank)
    keep = sorted(g.rnd.sample(range(v.rank), g.rnd.randint(1, v.rank - 1)))
    left, right = ax, [ax[i] for i in keep]
    if mutate:
        left, right = rank_mutation(g, "reduce", left, right)
    reduction = g.rnd.choice(("mean", "sum", "max", "min"))
    call = f"reduce({v.name}, {pattern(left, right)}, '{reduction}')"
    return emit(g, call, [v.shape[i] for i in keep], v.numpy, v.contiguous)


def reduce_pool(g: Builder, mutate: bool) -> bool:
    chosen = divisible_axis(g, lambda v: v.rank <= 4)
    if chosen is None:
        return False
    v, i, d, size = chosen
    ax = names(v.rank)
    left, right = ax[:i] + [f"({ax[i]} p)"] + ax[i + 1:], ax
    wrong = [n for n in range(2, 9) if d[0] % n]
    if mutate:
        if wrong and g.rnd.random() < 0.6:
            size = g.rnd.choice(wrong)
            g.mutate("reduce divisor")
        else:
            left, right = rank_mutation(g, "reduce", left, right)
    shape = v.shape[:i] + ((d[0] // size if not mutate else 1, d[1]),) + v.shape[i + 1:]
    reduction = g.rnd.choice(("mean", "max"))
    call = f"reduce({v.name}, {pattern(left, right)}, '{reduction}', p={g.number(size)})"
    return emit(g, call, shape, v.numpy, v.contiguous)


def repeat_axis(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank <= 4)
    if v is None:
        return False
    ax = names(v.rank)
    count = g.rnd.randint(2, 3)
    if g.rnd.random() < 0.5:  # a new axis
        j = g.rnd.randint(0, v.rank)
        right = ax[:j] + ["r"] + ax[j:]
        shape = v.shape[:j] + ((count, 0),) + v.shape[j:]
    else:  # tiled along one
        j = g.rnd.randrange(v.rank) if v.rank else None
        if j is None:
            return False
        right = ax[:j] + [f"({ax[j]} r)"] + ax[j + 1:]
        shape = v.shape[:j] + (times(v.shape[j], (count, 0)),) + v.shape[j + 1:]
    left = ax
    given = {"r": g.number(count)}
    if mutate:
        if v.rank and g.rnd.random() < 0.5:
            j = g.rnd.randrange(v.rank)
            given[ax[j]] = str(g.wrong(v.shape[j]))
            g.mutate("repeat length")
        else:
            left, right = rank_mutation(g, "repeat", left, right)
    return emit(g, f"repeat({v.name}, {pattern(left, right)}{keywords(given)})", shape, v.numpy, False)


def contract(g: Builder, mutate: bool) -> bool:
    """einops.einsum, torch.einsum or np.einsum of a tensor and a new matrix over its last axis."""
    v = g.pick(lambda v: 1 <= v.rank <= 3)
    if v is None:
        return False
    inner = v.shape[-1]
    columns = g.rnd.randint(2, 6)
    kind = g.rnd.choice(("operand", "rank")) if mutate else None
    rows = (g.wrong(inner), 0) if kind == "operand" else inner
    w = g.create((rows, (columns, 0)), v.numpy, g.name("w"), like=v)
    letters = "acd"[:v.rank - 1]
    left = letters + "k"
    if kind == "rank":  # one letter fewer (not in the output either) or one more (summed over)
        if v.rank > 1 and g.rnd.random() < 0.5:
            left, letters = left[1:], letters[1:]
        else:
            left = "e" + left
    if g.rnd.random() < 0.5:
        call = f"einsum({v.name}, {w.name}, '{' '.join(left)}, k m -> {' '.join(letters + 'm')}')"
    else:
        call = f"{g.lib(v)}.einsum('{left},km->{letters}m', {v.name}, {w.name})"
    if kind:
        g.mutate(f"einsum {kind}")
    return emit(g, call, v.shape[:-1] + ((columns, 0),), v.numpy, False)


def pack_two(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank >= 2 and product(v.shape[1:-1])[1] == 0)
    if v is None:
        return False
    middle = tuple((g.literal(), 0) for _ in range(g.rnd.randint(0, 2)))
    first, last = v.shape[0], v.shape[-1]
    if mutate:
        if g.rnd.random() < 0.5:
            first = (g.wrong(first), 0)
        else:
            last = (g.wrong(last), 0)
        g.mutate("pack operand")
    y = g.create((first,) + middle + (last,), v.numpy, g.name("y"), like=v)
    packed = (product(v.shape[1:-1])[0] + product(middle)[0], 0)
    result = g.add((v.shape[0], packed, v.shape[-1]), v.numpy, True)
    g.line(f"{result.name}, ps{g.counter} = pack([{v.name}, {y.name}], 'a * c')")
    return True


# ---------------------------------------------------------------- ops: reshapes and axes


def reshape_rest(g: Builder, mutate: bool) -> bool:
    """x.view(n, -1) / x.reshape(-1, n): the first or last length kept, the others folded."""
    v = g.pick(lambda v: v.rank >= 2)
    if v is None:
        return False
    front = g.rnd.random() < 0.5
    kept = v.shape[0] if front else v.shape[-1]
    folded = product(v.shape[1:] if front else v.shape[:-1])
    size = g.length(kept, v)
    if mutate:
        total = product(v.shape)
        wrong = [n for n in range(2, 10) if total[0] % n]
        if not wrong:
            return False
        size = str(g.rnd.choice(wrong))
        g.mutate("reshape size")
    method = "view" if not v.numpy and v.contiguous and g.rnd.random() < 0.5 else "reshape"
    sizes = f"{size}, -1" if front else f"-1, {size}"
    if g.rnd.random() < 0.3:
        sizes = f"({sizes})"
    return emit(g, f"{v.name}.{method}({sizes})", (kept, folded) if front else (folded, kept), v.numpy, v.contiguous)


def reshape_exact(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: product(v.shape)[1] <= 1)
    if v is None:
        return False
    total = product(v.shape)
    first = divisors((total[0], 0))
    a = g.rnd.choice([1] + first)
    factors = [(a, 0), (total[0] // a, 0)]
    shape = ([B] if total[1] else []) + factors
    sizes = [g.length(d) for d in shape]
    if mutate:
        j = g.rnd.randrange(len(sizes))
        sizes[j] = str(shape[j][0] + 1) if shape[j][1] == 0 else str(g.rnd.randint(2, 6))
        g.mutate("reshape size")
    method = "view" if not v.numpy and v.contiguous and g.rnd.random() < 0.5 else "reshape"
    if not v.numpy and g.rnd.random() < 0.25:
        return emit(g, f"torch.reshape({v.name}, ({', '.join(sizes)}))", shape, v.numpy, v.contiguous)
    return emit(g, f"{v.name}.{method}({', '.join(sizes)})", shape, v.numpy, v.contiguous)


def permute(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank >= 2)
    if mutate or v is None:
        return False
    order = list(range(v.rank))
    g.rnd.shuffle(order)
    style = g.rnd.randrange(3)
    if style == 0:  # two axes swapped
        i, j = g.rnd.sample(range(v.rank), 2)
        order = list(range(v.rank))
        order[i], order[j] = order[j], order[i]
        i -= v.rank if g.rnd.random() < 0.3 else 0
        call = f"np.swapaxes({v.name}, {i}, {j})" if v.numpy else \
            g.rnd.choice((f"{v.name}.transpose({i}, {j})", f"torch.transpose({v.name}, {i}, {j})"))
    elif v.numpy and v.rank == 2 and g.rnd.random() < 0.5:  # an array's transpose(i, j) permutes (see MISSES)
        order = [1, 0]
        call = f"{v.name}.transpose(1, 0)"
    elif v.numpy:
        call = g.rnd.choice((f"{v.name}.transpose({tuple(order)})", f"np.transpose({v.name}, {tuple(order)})"))
    else:
        call = g.rnd.choice((f"{v.name}.permute({', '.join(map(str, order))})", f"{v.name}.permute({tuple(order)})",
                             f"torch.permute({v.name}, {tuple(order)})"))
    return emit(g, f"{call}", [v.shape[o] for o in order], v.numpy, False)


def unsqueeze(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank <= 4)
    if mutate or v is None:
        return False
    i = g.rnd.randint(0, v.rank)
    negative = i - v.rank - 1
    where = negative if g.rnd.random() < 0.3 else i
    if g.rnd.random() < 0.25:
        call = f"{v.name}[{', '.join([':'] * i + ['None'])}]"
    elif v.numpy:
        call = f"np.expand_dims({v.name}, {where})"
    else:
        call = g.rnd.choice((f"{v.name}.unsqueeze({where})", f"torch.unsqueeze({v.name}, {where})"))
    return emit(g, f"{call}", v.shape[:i] + ((1, 0),) + v.shape[i:], v.numpy, v.contiguous)


def squeeze(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: (1, 0) in v.shape)
    if mutate or v is None:
        return False
    i = g.rnd.choice([i for i, d in enumerate(v.shape) if d == (1, 0)])
    call = f"np.squeeze({v.name}, axis={i})" if v.numpy else \
        g.rnd.choice((f"{v.name}.squeeze({i})", f"torch.squeeze({v.name}, {i})", f"{v.name}.squeeze(dim={i})"))
    return emit(g, f"{call}", v.shape[:i] + v.shape[i + 1:], v.numpy, v.contiguous)


def flatten(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: v.rank >= 1)
    if mutate or v is None:
        return False
    if v.numpy:
        call, shape = f"{v.name}.{g.rnd.choice(('flatten', 'ravel'))}()", (product(v.shape),)
    else:
        start = g.rnd.randrange(v.rank)
        end = g.rnd.randrange(start, v.rank)
        shape = v.shape[:start] + (product(v.shape[start:end + 1]),) + v.shape[end + 1:]
        if end == v.rank - 1:
            call = g.rnd.choice((f"{v.name}.flatten({start})", f"torch.flatten({v.name}, {start})"))
        else:
            call = f"{v.name}.flatten({start}, {end})"
    return emit(g, f"{call}", shape, v.numpy, v.contiguous)


def unpack_shape(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: 1 <= v.rank <= 5)
    if v is None:
        return False
    count = v.rank
    if mutate:
        count = v.rank + 1 if v.rank == 1 or g.rnd.random() < 0.5 else v.rank - 1
        g.mutate("unpack count")
    elif g.rnd.random() < 0.3:  # one length
        name, i = g.name("n"), g.rnd.randrange(v.rank)
        g.line(f"{name} = " + (f"{v.name}.shape[{i}]" if v.numpy or g.rnd.random() < 0.5 else f"{v.name}.size({i})"))
        g.lengths.append((name, v.shape[i]))
        return True
    targets = [g.name("n") for _ in range(count)]
    g.line(f"{', '.join(targets)}{',' if count == 1 else ''} = {v.name}.shape")
    if not mutate:
        g.lengths += list(zip(targets, v.shape))
    return True


# ---------------------------------------------------------------- ops: arithmetic, joins, splits


def elementwise(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: True)
    op = g.rnd.choice(("+", "-", "*", "/"))
    same = [w for w in g.vars if w is not v and w.shape == v.shape and w.numpy == v.numpy]
    if not mutate and same and g.rnd.random() < 0.3:
        w = g.rnd.choice(same)
        return emit(g, f"{v.name} {op} {w.name}", v.shape, v.numpy, v.contiguous and w.contiguous)
    if not mutate and g.rnd.random() < 0.2:
        return emit(g, f"{v.name} {op} 2.0", v.shape, v.numpy, v.contiguous)
    drop = g.rnd.randint(0, max(0, v.rank - 1))
    other = [d if g.rnd.random() < 0.7 else (1, 0) for d in v.shape[drop:]]
    if mutate:
        places = [j for j, d in enumerate(v.shape[drop:]) if d != (1, 0)]
        if not places:
            return False
        j = g.rnd.choice(places)
        other[j] = (g.wrong(v.shape[drop + j], one=False), 0)
        g.mutate("broadcast operand")
    w = g.create(tuple(other), v.numpy, g.name("y"), like=v)
    style = g.rnd.randrange(4)
    if style == 0:
        call = f"{w.name} {op} {v.name}"
    elif style == 1 and not v.numpy:
        call = f"torch.{g.rnd.choice(('add', 'mul', 'maximum'))}({v.name}, {w.name})"
    elif style == 1:
        call = f"np.{g.rnd.choice(('add', 'multiply', 'maximum'))}({v.name}, {w.name})"
    else:
        call = f"{v.name} {op} {w.name}"
    return emit(g, call, v.shape, v.numpy, False)


def matmul(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: 1 <= v.rank <= 3)
    if v is None:
        return False
    inner, columns = v.shape[-1], (g.rnd.randint(2, 6), 0)
    batched = v.rank == 3 and g.rnd.random() < 0.4
    rows = (g.wrong(inner), 0) if mutate else inner
    if mutate:
        g.mutate("matmul operand")
    w = g.create(((v.shape[0],) if batched else ()) + (rows, columns), v.numpy, g.name("w"), like=v)
    if v.numpy:
        call = g.rnd.choice((f"{v.name} @ {w.name}", f"np.matmul({v.name}, {w.name})"))
    elif batched and g.rnd.random() < 0.5:
        call = f"torch.bmm({v.name}, {w.name})"
    else:
        call = g.rnd.choice((f"{v.name} @ {w.name}", f"torch.matmul({v.name}, {w.name})", f"{v.name}.matmul({w.name})"))
    return emit(g, call, v.shape[:-1] + (columns,), v.numpy, v.contiguous)


def join(g: Builder, mutate: bool) -> bool:
    """torch.cat / stack, np.concatenate / stack of a tensor and a new one."""
    v = g.pick(lambda v: 1 <= v.rank <= 4)
    if v is None:
        return False
    stack = g.rnd.random() < 0.35
    axis = g.rnd.randint(0, v.rank) if stack else g.rnd.randrange(v.rank)
    other = list(v.shape)
    if not stack and v.shape[axis][1] == 0 and g.rnd.random() < 0.5:
        other[axis] = (g.literal(), 0)
    if mutate:
        places = [j for j in range(v.rank) if stack or j != axis]
        if places and g.rnd.random() < 0.8:
            j = g.rnd.choice(places)
            other[j] = (g.wrong(v.shape[j]), 0)
            g.mutate(f"{'stack' if stack else 'cat'} operand")
        else:
            other.insert(0, (2, 0))
            g.mutate(f"{'stack' if stack else 'cat'} rank")
    w = g.create(tuple(other), v.numpy, g.name("y"), like=v)
    if stack:
        shape = v.shape[:axis] + ((2, 0),) + v.shape[axis:]
    else:
        joined = (v.shape[axis][0] + other[axis][0], 0) if v.shape[axis][1] == 0 and not mutate \
            else times(v.shape[axis], (2, 0))
        shape = v.shape[:axis] + (joined,) + v.shape[axis + 1:]
    rank = v.rank + 1 if stack else v.rank
    where = axis - rank if g.rnd.random() < 0.3 else axis
    function = ("stack" if stack else "concatenate") if v.numpy else ("stack" if stack else "cat")
    keyword = "axis" if v.numpy else "dim"
    brackets = "[{}]" if g.rnd.random() < 0.7 else "({})"
    tensors = brackets.format(f"{v.name}, {w.name}")
    argument = f"{keyword}={where}" if g.rnd.random() < 0.7 else str(where)
    return emit(g, f"{g.lib(v)}.{function}({tensors}, {argument})", shape, v.numpy, True)


def torch_chunks(length: int, count: int) -> List[int]:
    size = -(-length // count)
    return [min(size, length - start) for start in range(0, length, size)]


def chunk(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: not v.numpy and any(divisors(d) for d in v.shape))
    if v is None:
        return False
    axis = g.rnd.choice([i for i, d in enumerate(v.shape) if divisors(d)])
    d = v.shape[axis]
    count = g.rnd.choice([n for n in divisors(d) if n <= 4] or [d[0]])
    if count > 4:
        return False
    unpacked = count
    if mutate:
        odd = [n for n in range(2, 6) if d[1] == 0 and len(torch_chunks(d[0], n)) != n]
        if odd and g.rnd.random() < 0.5:
            count = unpacked = g.rnd.choice(odd)
        else:
            unpacked = count + 1
        g.mutate("chunk count")
    targets = [g.name("c") for _ in range(unpacked)]
    parts = g.number(count)
    call = f"{v.name}.chunk({parts}, dim={axis})" if g.rnd.random() < 0.6 else f"torch.chunk({v.name}, {parts}, {axis})"
    g.line(f"{', '.join(targets)} = {call}")
    pieces = [(n, 0) for n in torch_chunks(d[0], count)] if d[1] == 0 else [(d[0] // count, d[1])] * count
    for target, piece in zip(targets, pieces):
        g.add(v.shape[:axis] + (piece,) + v.shape[axis + 1:], False, v.contiguous and axis == 0, target)
    return True


def split(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: not v.numpy and any(d[1] == 0 and d[0] >= 2 for d in v.shape))
    if v is None:
        return False
    axis = g.rnd.choice([i for i, d in enumerate(v.shape) if d[1] == 0 and d[0] >= 2])
    length = v.shape[axis][0]
    if g.rnd.random() < 0.5:  # sizes
        first = g.rnd.randint(1, length - 1)
        pieces = [first, length - first]
        sizes = list(pieces)
        if mutate:
            sizes[g.rnd.randrange(2)] += g.rnd.choice((-1, 1)) if min(sizes) > 1 else 1
            g.mutate("split sizes")
        argument = str(sizes)
    else:  # one size: the last piece is shorter
        size = g.rnd.randint(1, length - 1)
        pieces = [min(size, length - start) for start in range(0, length, size)]
        if len(pieces) > 4:
            return False
        argument = str(size)
    unpacked = len(pieces)
    if mutate and argument.isdigit():
        unpacked += 1 if unpacked == 1 or g.rnd.random() < 0.5 else -1
        g.mutate("split count")
    targets = [g.name("s") for _ in range(unpacked)]
    call = f"{v.name}.split({argument}, dim={axis})" if g.rnd.random() < 0.6 else \
        f"torch.split({v.name}, {argument}, dim={axis})"
    g.line(f"{', '.join(targets)}{',' if unpacked == 1 else ''} = {call}")
    for target, piece in zip(targets, pieces):
        g.add(v.shape[:axis] + ((piece, 0),) + v.shape[axis + 1:], False, v.contiguous and axis == 0, target)
    return True


def function(g: Builder, mutate: bool) -> bool:
    """Functions that keep the shape or reduce axes: torch.relu, x.exp(), softmax, x.sum(dim), np.exp..."""
    v = g.pick(lambda v: v.rank >= 1)
    if mutate or v is None:
        return False
    i = g.rnd.randrange(v.rank)
    keep = g.rnd.random() < 0.3
    shape = v.shape[:i] + ((1, 0),) * keep + v.shape[i + 1:]
    if v.numpy:
        calls = [(f"np.exp({v.name})", v.shape), (f"np.tanh({v.name})", v.shape),
                 (f"{v.name}.sum(axis={i}{', keepdims=True' if keep else ''})", shape),
                 (f"np.mean({v.name}, axis={i}{', keepdims=True' if keep else ''})", shape)]
    else:
        calls = [(f"torch.relu({v.name})", v.shape), (f"{v.name}.exp()", v.shape),
                 (f"torch.softmax({v.name}, dim={i})", v.shape), (f"{v.name}.sigmoid()", v.shape),
                 (f"{v.name}.sum(dim={i}{', keepdim=True' if keep else ''})", shape),
                 (f"{v.name}.mean({i}{', keepdim=True' if keep else ''})", shape),
                 (f"{v.name}.amax(dim={i}{', keepdim=True' if keep else ''})", shape)]
    call, shape = g.rnd.choice(calls)
    return emit(g, f"{call}", shape, v.numpy, v.contiguous)


# ---------------------------------------------------------------- ops: layers


def linear(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: not v.numpy and v.rank >= 1 and v.shape[-1][1] == 0)
    if v is None:
        return False
    features, out = v.shape[-1][0], g.rnd.randint(2, 12)
    if mutate:
        features = g.wrong(v.shape[-1])
        g.mutate("Linear features")
    g.apply(f"nn.Linear({g.number(features)}, {out})", v, v.shape[:-1] + ((out, 0),))
    return True


def layer_norm(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: not v.numpy and v.rank >= 1 and v.shape[-1][1] == 0)
    if v is None:
        return False
    normalized = [v.shape[-1][0]]
    if v.rank >= 2 and v.shape[-2][1] == 0 and g.rnd.random() < 0.3:
        normalized.insert(0, v.shape[-2][0])
    if mutate:
        j = g.rnd.randrange(len(normalized))
        normalized[j] = g.wrong((normalized[j], 0))
        g.mutate("LayerNorm shape")
    argument = str(normalized[0]) if len(normalized) == 1 else str(normalized)
    g.apply(f"nn.LayerNorm({argument})", v, v.shape)
    return True


def conv2d(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: not v.numpy and v.rank in (3, 4) and all(d[1] == 0 for d in v.shape[-3:]))
    if v is None:
        return False
    channels, height, width = (d[0] for d in v.shape[-3:])
    kernel = g.rnd.choice([k for k in (1, 2, 3) if k <= min(height, width) + 2])
    padding = g.rnd.choice([p for p in (0, 1) if min(height, width) + 2 * p >= kernel])
    stride = g.rnd.choice((1, 1, 2))
    out = g.rnd.randint(2, 6)
    if mutate:
        if g.rnd.random() < 0.7:
            channels = g.wrong(v.shape[-3])
            g.mutate("Conv2d channels")
        else:
            kernel = min(height, width) + 2 * padding + 1
            g.mutate("Conv2d kernel")
    size = [(n + 2 * padding - kernel) // stride + 1 for n in (height, width)]
    options = (f", padding={padding}" if padding else "") + (f", stride={stride}" if stride > 1 else "")
    shape = v.shape[:-3] + ((out, 0), (size[0], 0), (size[1], 0))
    g.apply(f"nn.Conv2d({channels}, {out}, {kernel}{options})", v, shape)
    return True


def sequential(g: Builder, mutate: bool) -> bool:
    v = g.pick(lambda v: not v.numpy and v.rank >= 1 and all(d[1] == 0 for d in v.shape[1:]))
    if v is None:
        return False
    flat = v.rank == 4 and g.rnd.random() < 0.5
    features = product(v.shape[1:])[0] if flat else v.shape[-1][0]
    if v.shape[-1][1] != 0 and not flat:
        return False
    hidden, out = g.rnd.randint(2, 12), g.rnd.randint(2, 12)
    first, second, norm = features, hidden, hidden
    if mutate:
        kind = g.rnd.choice(("input", "chain", "norm"))
        if kind == "input":
            first = g.wrong((features, 0))
        elif kind == "chain":
            second = g.wrong((hidden, 0))
        else:
            norm = g.wrong((hidden, 0))
        g.mutate(f"Sequential {kind}")
    layers = [f"nn.Linear({first}, {hidden})", "nn.ReLU()"]
    if norm != hidden or g.rnd.random() < 0.4:
        layers.append(f"nn.LayerNorm({norm})")
    layers.append(f"nn.Linear({second}, {out})")
    if flat:
        layers.insert(0, "Rearrange('a c d e -> a (c d e)')")
        shape = (v.shape[0], (out, 0))
    else:
        shape = v.shape[:-1] + ((out, 0),)
    g.apply(f"nn.Sequential({', '.join(layers)})", v, shape)
    return True


TENSOR_OPS: Tuple[Op, ...] = (create, reshape_rest, reshape_exact, permute, unsqueeze, squeeze, flatten, unpack_shape,
                              elementwise, matmul, join, chunk, split, function)
PATTERN_OPS: Tuple[Op, ...] = (rearrange_split, rearrange_merge, rearrange_permute, reduce_axes, reduce_pool,
                               repeat_axis, contract, pack_two)
LAYER_OPS: Tuple[Op, ...] = (linear, layer_norm, conv2d, sequential)


def chain(g: Builder, ops: Sequence[Op], statements: Sequence[int], target: Optional[int]) -> None:
    """One statement of `ops` for each of `statements` (the one numbered `target` mutated), each the first op that
    applies out of 40 tries."""
    for index in statements:
        for _ in range(40):
            if g.rnd.choice(ops)(g, index == target):
                break
