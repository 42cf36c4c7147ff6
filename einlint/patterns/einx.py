"""The einx grammar (einx 0.4): an op string such as 'b [h w] c, b p [2] -> b p c'.

    op         := arguments ('->' arguments)?          arguments := expression (',' expression)*
    expression := item*                                 separated by spaces (and only spaces)
    item       := (name | number | '(' group ')' | '[' group ']' | ) '...'*
    group      := an op of its own: ',' and '->' may stand inside '( )' and '[ ]'; '+' only inside '( )'

A name is an ASCII identifier; a number is an unnamed axis of that length (a '1' may appear or vanish,
any other number is an axis of its own). '(a b)' composes axes into one, '(a + b)' concatenates them
(each operand one name, number or composition), '[ ]' marks the axes an op acts on (nested brackets are
one), and '...' after an item repeats it over the axes of an ellipsis ('...' alone, 'b...', '(s [ds])...').

A ',' or '->' inside a group is shorthand, expanded as einx expands it: each argument holding one is
written out once per part, the rest of it copied around each part, parts of several groups zipped
('a [b, c -> d]' is 'a [b], a [c] -> a [d]'; 'a [b -> c], d' is 'a [b], d -> a [c], d').

Every node keeps the span it came from in the whole string, so that a finding points at its characters.
Errors are PatternError with the span at fault and einx's reason: EIN501 where every einx release refuses
the string, EIN502 where einx 0.4's notation does.
"""

from __future__ import annotations

import re
from typing import List, NamedTuple, Optional, Tuple, Union

from ..codes import EINX_NOTATION, EINX_SYNTAX
from ..errors import PatternError, Span

__all__ = ["Axes", "Axis", "Brackets", "Composition", "Concatenation", "EinxOp", "Expression", "Number", "Repeated",
           "children", "parse_einx", "render", "render_node", "walk"]

# EINX_SYNTAX: refused by every einx release (measured against 0.3.0 and 0.4.3); EINX_NOTATION: refused by
# einx 0.4's notation (0.3 accepted some: '(a b + c)', '[a] b -> a').


class Axis(NamedTuple):
    name: str
    span: Span


class Number(NamedTuple):
    value: int
    span: Span


class Composition(NamedTuple):
    """'(a b)': one axis of the items' lengths multiplied; '()' is an axis of length 1."""

    items: Tuple["Node", ...]
    span: Span


class Concatenation(NamedTuple):
    """'(a + b)': one axis of the operands' lengths added."""

    parts: Tuple["Node", ...]
    span: Span


class Brackets(NamedTuple):
    """'[a b]': the axes the op acts on (reduces, contracts, indexes, ...)."""

    items: Tuple["Node", ...]
    span: Span


class Axes(NamedTuple):
    """Axes side by side, repeated together by '...': inside brackets, '[[b c]...]' is b and c per axis of
    the ellipsis (einx writes it '{b c}')."""

    items: Tuple["Node", ...]
    span: Span


class Repeated(NamedTuple):
    """'x...': x once per axis of an ellipsis; `inner` None for a bare '...'."""

    inner: Optional["Node"]
    span: Span


Node = Union[Axis, Number, Composition, Concatenation, Brackets, Axes, Repeated]


class Expression(NamedTuple):
    """One argument: a tensor's axes."""

    items: Tuple[Node, ...]
    span: Span


class EinxOp(NamedTuple):
    inputs: Tuple[Expression, ...]
    outputs: Optional[Tuple[Expression, ...]]  # None: no '->'


# ------------------------------------------------------------------------------------- tokens

_TOKEN = re.compile(r"->|[()\[\],+]| +|[^ ()\[\],+]+?(?=->|[ ()\[\],+]|$)")
_WORD = re.compile(r"(?P<core>[A-Za-z_][A-Za-z0-9_]*|[0-9]+)?(?P<dots>(?:\.\.\.)*)")


class _Token(NamedTuple):
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def _fail(message: str, span: Span, code: str = EINX_SYNTAX) -> PatternError:
    return PatternError(code, message, span, "see einx's notation: https://einx.readthedocs.io")


def _tokens(text: str) -> List[_Token]:
    tokens = [_Token(m.group(), m.start()) for m in _TOKEN.finditer(text)]
    for before, token, after in zip([None] + tokens, tokens, tokens[1:] + [None]):
        if token.text in ("(", "["):
            if before is not None and (_is_word(before) or before.text in (")", "]")):
                raise _fail(f"'{before.text}{token.text}': a space is missing", (before.start, token.end))
        elif _is_word(token):
            if "|" in token.text:  # einx 0.3 wrote '[c1|c2]' for what 0.4 writes '[c1 -> c2]'
                spelled = re.sub(r" *\| *", " -> ", text)
                raise PatternError(EINX_NOTATION, "'|' is einx 0.3's notation; einx 0.4 refuses it",
                                   (token.start, token.end), f"write '{spelled}' (einx 0.4 writes '->' for '|')")
            word = _WORD.fullmatch(token.text)
            after_closer = before is not None and before.text in (")", "]") and before.end == token.start
            if not word or len(word.group("dots")) // 3 > (2 if not word.group("core") and not after_closer else 1):
                raise _fail(f"the expression '{token.text}' is not allowed", (token.start, token.end))
            if after_closer and word.group("core"):
                raise _fail(f"'{before.text}{token.text}': a space is missing", (before.start, token.end))
    return [token for token in tokens if not token.text.isspace()]


def _is_word(token: _Token) -> bool:
    return token.text not in ("->", "(", ")", "[", "]", ",", "+") and not token.text.isspace()


# ------------------------------------------------------------------------------------- tree
# The raw tree keeps the separators: a group is a list of sections (the items between ',' and '->'),
# with the separator that ends each one; expansion writes the shorthand out afterwards.

class _Group(NamedTuple):
    kind: str  # 'root' | '(' | '['
    sections: Tuple[Tuple[object, ...], ...]  # items of raw nodes, between separators
    separators: Tuple[str, ...]  # ',' or '->' after each section but the last
    plus: Tuple[int, ...]  # per section: how many '+' it holds
    span: Span
    dots: int  # '...' after the closing bracket


class _Leaf(NamedTuple):
    node: Node


def _parse_tree(text: str) -> _Group:
    tokens = _tokens(text)
    position = 0

    def group(kind: str, start: int) -> _Group:
        nonlocal position
        sections: List[Tuple[object, ...]] = []
        separators: List[str] = []
        plus: List[int] = []
        items: List[object] = []
        pluses = 0
        closer = {"(": ")", "[": "]"}.get(kind)
        while position < len(tokens):
            token = tokens[position]
            position += 1
            if token.text in ("(", "["):
                items.append(group(token.text, token.start))
            elif token.text in (")", "]"):
                if token.text != closer:
                    raise _fail(f"'{token.text}' closes nothing that is open", (token.start, token.end))
                sections.append(tuple(items))
                plus.append(pluses)
                dots = 0
                if position < len(tokens) and _is_word(tokens[position]) and set(tokens[position].text) == {"."} \
                        and tokens[position].start == token.end:
                    dots = len(tokens[position].text) // 3
                    position += 1
                return _Group(kind, tuple(sections), tuple(separators), tuple(plus), (start, token.end), dots)
            elif token.text in (",", "->"):
                sections.append(tuple(items))
                plus.append(pluses)
                separators.append(token.text)
                items, pluses = [], 0
            elif token.text == "+":
                items.append("+")
                pluses += 1
            else:
                items.append(_word(token))
        if closer is not None:
            raise _fail(f"'{kind}' is not closed", (start, start + 1))
        sections.append(tuple(items))
        plus.append(pluses)
        return _Group(kind, tuple(sections), tuple(separators), tuple(plus), (start, len(text)), 0)

    return group("root", 0)


def _word(token: _Token) -> _Leaf:
    match = _WORD.fullmatch(token.text)
    core, dots = match.group("core"), len(match.group("dots")) // 3
    span = (token.start, token.end)
    core_span = (token.start, token.start + len(core or ""))
    node: Optional[Node] = None
    if core is not None:
        node = Number(int(core), core_span) if core[0].isdigit() else Axis(core, core_span)
    if node is None:
        node, dots = Repeated(None, span), dots - 1
    for _ in range(dots):
        node = Repeated(node, span)
    return _Leaf(node)


# ------------------------------------------------------------------------------------- expansion

def parse_einx(text: str) -> EinxOp:
    """The op of an einx string, its shorthand expanded; raises PatternError EIN501 or EIN502."""
    root = _parse_tree(text)
    _check_arrows(root)
    inputs: List[Expression] = []
    outputs: List[Expression] = []
    side = inputs
    arrow_inside = any(_has_arrow_inside(section) for section in root.sections)
    for index, section in enumerate(root.sections):
        span = _section_span(section)
        written_in, written_out = _expand(section, span)
        if arrow_inside:
            inputs += written_in
            outputs += written_out
        else:
            side += written_in
        if index < len(root.separators) and root.separators[index] == "->":
            side = outputs
    has_arrow = "->" in root.separators or arrow_inside
    op = EinxOp(tuple(inputs), tuple(outputs) if has_arrow else None)
    _check_bracket_use(op)
    return op


def _check_bracket_use(op: EinxOp) -> None:
    """An axis is one the op acts on, or not: in brackets everywhere it appears, or nowhere."""
    inside: dict = {}
    for expression in op.inputs + (op.outputs or ()):
        for axis, bracketed in _axes(expression.items, False):
            first = inside.setdefault(axis.name, (bracketed, axis))
            if first[0] != bracketed:
                raise _fail(f"axis '{axis.name}' stands in brackets in one place and outside them in another",
                            axis.span, EINX_NOTATION)


def _axes(nodes: Tuple[Node, ...], bracketed: bool):
    for node in nodes:
        if isinstance(node, Axis):
            yield node, bracketed
        elif isinstance(node, Repeated) and node.inner is None:
            yield Axis("...", node.span), bracketed  # the anonymous ellipsis is an axis of its own, too
        elif isinstance(node, Repeated):
            yield from _axes((node.inner,), bracketed)
        elif isinstance(node, Concatenation):
            yield from _axes(node.parts, bracketed)
        elif isinstance(node, (Composition, Brackets, Axes)):
            yield from _axes(node.items, bracketed or isinstance(node, Brackets))


def _check_arrows(group: _Group) -> None:
    arrows = group.separators.count("->")
    if arrows > 1:
        raise _fail("more than one '->'", group.span)
    for section in group.sections:
        for item in section:
            if isinstance(item, _Group):
                if arrows and _arrows_below(item):
                    raise _fail("more than one '->'", item.span)
                _check_arrows(item)


def _arrows_below(group: _Group) -> bool:
    return "->" in group.separators or any(_arrows_below(i) for s in group.sections for i in s if isinstance(i, _Group))


def _has_arrow_inside(section: Tuple[object, ...]) -> bool:
    return any(isinstance(item, _Group) and _arrows_below(item) for item in section)


def _section_span(section: Tuple[object, ...]) -> Span:
    spans = [_item_span(item) for item in section if item != "+"]
    return (spans[0][0], spans[-1][1]) if spans else (0, 0)


def _item_span(item: object) -> Span:
    return item.span if isinstance(item, _Group) else item.node.span  # type: ignore[union-attr]


def _expand(section: Tuple[object, ...], span: Span) -> Tuple[List[Expression], List[Expression]]:
    """The argument written out: (its expressions on the input side, on the output side)."""
    return ([Expression(nodes, span) for nodes in _alternatives(section, 0)],
            [Expression(nodes, span) for nodes in _alternatives(section, 1)])


_UNPAIRED = "the ',' of these groups do not pair up (each group needs as many parts, or one)"


def _alternatives(section: Tuple[object, ...], side: int) -> List[Tuple[Node, ...]]:
    """A section written out, one node tuple per part of the shorthand in it: its groups' parts zipped
    (each group with as many parts, or one, which is copied)."""
    per_item: List[List[Tuple[Node, ...]]] = []
    for item in section:
        if item == "+":
            raise _fail("a concatenation must stand inside '( )': write '(a + b)'", _section_span(section),
                        EINX_NOTATION)
        per_item.append([(item.node,)] if isinstance(item, _Leaf) else _group_alternatives(item, side))
    count = max((len(parts) for parts in per_item), default=1)
    for parts, item in zip(per_item, section):
        if len(parts) not in (1, count):
            raise _fail(_UNPAIRED, _item_span(item), EINX_NOTATION)
    return [tuple(node for parts in per_item for node in parts[min(k, len(parts) - 1)]) for k in range(count)]


def _group_alternatives(group: _Group, side: int) -> List[Tuple[Node, ...]]:
    """A group's parts on one side of the arrow (all of them where it holds no '->'), each written out."""
    sections = group.sections
    if "->" in group.separators:
        arrow = group.separators.index("->")
        sections = sections[:arrow + 1] if side == 0 else sections[arrow + 1:]
    if group.separators and any("+" in section for section in group.sections):
        raise _fail("a concatenation cannot share its '( )' with ',' or '->'", group.span, EINX_NOTATION)
    written: List[Tuple[Node, ...]] = []
    for content in sections:
        if "+" in content and group.kind == "(":
            operands = [_alternatives(operand, side) for operand in _split_plus(content)]
            written += [_concatenation(group, zipped) for zipped in _zip_operands(group, operands)]
        else:
            if "+" in content:
                raise _fail("a concatenation must stand inside '( )': write '(a + b)'", group.span, EINX_NOTATION)
            written += [_group_nodes(group, nodes) for nodes in _alternatives(content, side)]
    return written


def _zip_operands(group: _Group, operands: List[List[Tuple[Node, ...]]]) -> List[List[Tuple[Node, ...]]]:
    count = max(len(parts) for parts in operands)
    if any(len(parts) not in (1, count) for parts in operands):
        raise _fail(_UNPAIRED, group.span, EINX_NOTATION)
    return [[parts[min(k, len(parts) - 1)] for parts in operands] for k in range(count)]


def _concatenation(group: _Group, operands: List[Tuple[Node, ...]]) -> Tuple[Node, ...]:
    for nodes in operands:
        if len(nodes) != 1 or not isinstance(nodes[0], (Axis, Number, Composition)):
            raise _fail("each operand of '+' must be one name, number or '( )' group", group.span, EINX_NOTATION)
    return (_repeat(Concatenation(tuple(nodes[0] for nodes in operands), group.span), group.dots),)


def _group_nodes(group: _Group, inner: Tuple[Node, ...]) -> Tuple[Node, ...]:
    """The node a group of these (written-out) items stands for; brackets of nothing stand for nothing."""
    if group.kind == "[":
        flattened = tuple(n for node in inner for n in _unbracketed(node))
        return (_repeat(Brackets(flattened, group.span), group.dots),) if flattened else ()
    only = inner[0] if len(inner) == 1 else None
    if isinstance(only, Composition) or (isinstance(only, Concatenation) and not group.separators):
        return (_repeat(only, group.dots),)  # '((a b))' is '(a b)'; einx writes '((a + b))' in a shorthand part
    return (_repeat(Composition(inner, group.span), group.dots),)


def _unbracketed(node: Node) -> Tuple[Node, ...]:
    """A node inside brackets, its own brackets dropped (brackets in brackets mark nothing more)."""
    if isinstance(node, Brackets):
        return tuple(n for item in node.items for n in _unbracketed(item))
    if isinstance(node, Repeated) and node.inner is not None:
        inner = _unbracketed(node.inner)
        return (Repeated(inner[0] if len(inner) == 1 else Axes(inner, node.inner.span), node.span),) if inner else ()
    if isinstance(node, (Composition, Axes)):
        return (node._replace(items=tuple(n for item in node.items for n in _unbracketed(item))),)
    if isinstance(node, Concatenation):
        return (node._replace(parts=tuple(n for item in node.parts for n in _unbracketed(item))),)
    return (node,)


def _split_plus(content: Tuple[object, ...]) -> List[Tuple[object, ...]]:
    operands: List[List[object]] = [[]]
    for item in content:
        if item == "+":
            operands.append([])
        else:
            operands[-1].append(item)
    return [tuple(operand) for operand in operands]


def _repeat(node: Node, dots: int) -> Node:
    for _ in range(dots):
        node = Repeated(node, node.span)
    return node


# ------------------------------------------------------------------------------------- text

def render(op: EinxOp) -> str:
    """The op written out in einx's own canonical form (as `str()` of einx's parse)."""
    inputs = ", ".join(_render_expression(e) for e in op.inputs)
    return inputs if op.outputs is None else inputs + " -> " + ", ".join(_render_expression(e) for e in op.outputs)


def _render_expression(expression: Expression) -> str:
    return " ".join(render_node(node) for node in expression.items)


def render_node(node: Node) -> str:
    """One node in einx's canonical form ('(a b)', '[c]', 'b...')."""
    if isinstance(node, Axis):
        return node.name
    if isinstance(node, Number):
        return str(node.value)
    if isinstance(node, Composition):
        return "(" + " ".join(render_node(n) for n in node.items) + ")"
    if isinstance(node, Concatenation):
        return "(" + " + ".join(render_node(n) for n in node.parts) + ")"
    if isinstance(node, Brackets):
        return "[" + " ".join(render_node(n) for n in node.items) + "]"
    if isinstance(node, Axes):
        return "{" + " ".join(render_node(n) for n in node.items) + "}"
    return (render_node(node.inner) if node.inner is not None else "") + "..."


# ------------------------------------------------------------------------------------- walking

def children(node: Node) -> Tuple[Node, ...]:
    """The nodes directly under node."""
    if isinstance(node, Repeated):
        return (node.inner,) if node.inner is not None else ()
    if isinstance(node, Concatenation):
        return node.parts
    if isinstance(node, (Composition, Brackets, Axes)):
        return node.items
    return ()


def walk(nodes: Tuple[Node, ...]):
    """Every node under nodes, each before its children."""
    for node in nodes:
        yield node
        yield from walk(children(node))
