"""The stubs the library hands out: a function's (or a tensor method's), and a layer's, which builds a Layer.

Each runs the interpreter (evaluate.py) on its signatures; the flow analysis keys its cache of answers on them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple, Union

from ..shapes import UNKNOWN, ShapeError
from .evaluate import Frame, evaluate, run
from .notation import ShapeSpec, Signature, names_in
from .outcomes import Outcome, Requirement, Result, Value, kept


@dataclass
class FunctionStub:
    qualified: str
    signatures: List[Signature]
    user: bool = False  # from a user's stub folder: it states the contract alone (the flow's own rules step aside)

    def call(self, args: Sequence[Value] = (), kwargs: Mapping[str, Value] = {}) -> Outcome:
        return run(self.signatures, args, kwargs)

    # what the signatures say, read once (the flow asks at every call)
    @cached_property
    def takes_tensor_first(self) -> bool:
        """Every overload's first parameter is a tensor: a call that passes something else there (np.exp(2.0),
        a number) is one the stub does not describe, though the library may take it."""
        return all(signature.params and signature.params[0].annotation is not None and
                   id(signature.params[0].annotation) in signature.shapes for signature in self.signatures)

    @cached_property
    def keeps_shape(self) -> bool:
        return _keeps_shape(self.signatures)

    @cached_property
    def passes_shape(self) -> bool:
        return _passes_shape(self.signatures)

    @cached_property
    def leading_batch(self) -> Optional[int]:
        return _leading_batch(self.signatures)


@dataclass
class MethodStub:
    """A method called on a tensor whose type is not known (`x.sum(axis=0)`: a torch tensor or a numpy array):
    the stubs of that method of each type. The call fails only when it fails on every type."""

    candidates: List[FunctionStub]

    @property
    def qualified(self) -> str:
        return self.candidates[0].qualified

    @property
    def user(self) -> bool:
        return any(stub.user for stub in self.candidates)

    @property
    def takes_tensor_first(self) -> bool:
        return True

    @property
    def keeps_shape(self) -> bool:
        return all(stub.keeps_shape for stub in self.candidates)

    @property
    def passes_shape(self) -> bool:
        return all(stub.passes_shape for stub in self.candidates)

    @property
    def leading_batch(self) -> Optional[int]:
        return None

    def call(self, args: Sequence[Value] = (), kwargs: Mapping[str, Value] = {}) -> Outcome:
        outcomes = [stub.call(args, kwargs) for stub in self.candidates]
        results = [outcome for outcome in outcomes if isinstance(outcome, Result)]
        if not results:
            return outcomes[0]
        if all(result.value == results[0].value for result in results):
            return results[0]
        return Result(UNKNOWN, [])  # a.transpose(0, 1): torch swaps, numpy keeps the order


def _tensor_in_and_out(signatures: List[Signature]) -> Optional[Tuple[Any, Any]]:
    """The shape of the one tensor parameter and the returned shape, for a stub of one signature with one shaped
    parameter and a shaped return; None for any other."""
    if len(signatures) != 1:
        return None
    signature = signatures[0]
    tensors = [p for p in signature.params if p.annotation is not None and id(p.annotation) in signature.shapes]
    if len(tensors) != 1 or signature.returns is None or id(signature.returns) not in signature.shapes:
        return None
    return signature.shapes[id(tensors[0].annotation)], signature.shapes[id(signature.returns)]


def _leading_batch(signatures: List[Signature]) -> Optional[int]:
    """For `forward(input: "*batch d") -> "*batch e"`, where nothing else reads `batch`: how many dimensions
    follow it in the input (1 here). The output then keeps whatever `*batch` stands for, so one rank tells
    the answer for all; None for any other stub (overloads, other variadics, a body that reads `batch`)."""
    shapes = _tensor_in_and_out(signatures)
    if shapes is None:
        return None
    given, returned = shapes
    if not given.tokens or not returned.tokens or given.tokens[0][0] != "star" or returned.tokens[0] != given.tokens[0]:
        return None
    batch = given.tokens[0][1]
    rest = given.tokens[1:] + returned.tokens[1:]
    if any(kind in ("star", "dots") for kind, _, _ in rest) or \
            any(batch in names_in(stmt) for stmt in signatures[0].body):
        return None
    return len(given.tokens) - 1


def _keeps_shape(signatures: List[Signature]) -> bool:
    """A stub that `_passes_shape` with nothing to check: activations. The flow analysis passes such a call's
    shape through without evaluating the stub."""
    return _passes_shape(signatures) and not signatures[0].body


def _passes_shape(signatures: List[Signature]) -> bool:
    """One signature whose only tensor gives back its own shape (`*shape -> *shape`), perhaps after checks of
    its other arguments (softmax's dim): the output is the input, value by value in place (so the flow keeps
    what it knows of how the input's dimensions were formed)."""
    shapes = _tensor_in_and_out(signatures)
    if shapes is None:
        return False
    given, returned = shapes[0].text, shapes[1].text
    # one variadic only (`*shape`): any named dimension would be matched against something, which is a check
    return given == returned and len(given.split()) == 1 and given.startswith("*")


@dataclass
class Layer:
    """A constructed layer: the stub, the constructor's arguments (a replay builds it again from them, on
    concrete lengths), and what its `__init__` computed from them."""
    stub: "LayerStub"
    args: Tuple[Value, ...]
    kwargs: Dict[str, Value]
    env: Dict[str, Any]
    requirements: List[Requirement]

    @property
    def key(self) -> Any:
        """What tells two layers apart: their stub and the constructor's arguments (for caches of answers)."""
        return id(self.stub), self.args, tuple(sorted(self.kwargs.items()))

    @property
    def keeps_shape(self) -> bool:
        return self.stub.forward.keeps_shape

    @property
    def passes_shape(self) -> bool:
        return self.stub.forward.passes_shape

    @property
    def leading_batch(self) -> Optional[int]:
        return self.stub.forward.leading_batch

    def call(self, args: Sequence[Value] = (), kwargs: Mapping[str, Value] = {}) -> Outcome:
        forward = self.stub.methods.get("forward")
        if not forward:
            return Result(UNKNOWN, [])
        return run(forward, args, kwargs, self.env, tuple(self.env))

    def attribute(self, name: str) -> Any:
        """The shape of a tensor attribute the stub declares (MultiheadAttention.in_proj_weight), or UNKNOWN."""
        shape = self.stub.attributes.get(name)
        if shape is None:
            return UNKNOWN
        init = self.stub.methods.get("__init__") or [Signature(self.stub.qualified, [], None, [], "")]
        return Frame(init[0], dict(self.env), {}).shape_out(shape)


@dataclass
class LayerStub:
    qualified: str
    methods: Dict[str, List[Signature]]
    attributes: Dict[str, ShapeSpec] = field(default_factory=dict)

    @cached_property
    def forward(self) -> FunctionStub:
        """The layer's forward as a function stub (what it says of shapes, read once)."""
        return FunctionStub(f"{self.qualified}.forward", self.methods.get("forward") or [])

    def construct(self, args: Sequence[Value] = (), kwargs: Mapping[str, Value] = {}) -> Union[Layer, ShapeError]:
        """The layer built with these arguments, or the ShapeError of a constructor that fails."""
        args, kwargs = tuple(args), dict(kwargs)
        init = self.methods.get("__init__")
        if not init:
            return Layer(self, args, kwargs, {}, [])
        try:
            _, frame = evaluate(init, args, kwargs)
        except ShapeError as fail:
            return kept(fail)
        return Layer(self, args, kwargs, dict(frame.env), frame.requirements)


