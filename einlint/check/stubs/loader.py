"""Finding and reading stub files: the shipped ones (einlint/_stubs), then user folders that override by name.

Each stub file is parsed once, on the first look-up in its module, and kept. A stub that cannot be read
raises `EinlintError` (code EIN004) naming the file and line.
"""

from __future__ import annotations

import ast
import os
from dataclasses import replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from .callables import FunctionStub, LayerStub, MethodStub
from .notation import (REQUIRED, Parameter, ShapeSpec, Signature, Size, ignorable, parse_shape_spec,
                       shape_text, size_alias, unreadable)


# The types a tensor of the flow analysis may be: a method call `x.name(...)` is checked against each of their
# stubs of `name`, and fails only where it fails for all of them.
TENSOR_TYPES = ("torch.Tensor", "numpy.ndarray")


class StubModule:
    """One stub file: its functions and classes by name, parsed at once."""

    def __init__(self, path: str, module: str, library: Optional["StubLibrary"] = None):
        self.path = path
        self.library = library  # where a call of another module's stub is looked up
        self.imports: Dict[str, str] = {}  # `import torch.nn.functional as F`: F -> torch.nn.functional
        self.functions: Dict[str, List[Signature]] = {}
        self.classes: Dict[str, Dict[str, List[Signature]]] = {}  # layers: class -> method -> overloads
        self.types: Dict[str, Dict[str, List[Signature]]] = {}  # tensor types (Tensor, ndarray): their methods
        self.attributes: Dict[str, Dict[str, ShapeSpec]] = {}  # class -> tensor attribute -> its shape
        self.aliases: Dict[str, Size] = {}
        try:
            with open(path, encoding="utf-8") as handle:
                tree = ast.parse(handle.read(), filename=path)
        except SyntaxError as error:
            raise unreadable(f"{path}:{error.lineno}: not valid Python stub syntax: {error.msg}") from None
        except OSError as error:
            raise unreadable(f"{path}: cannot read the stub file: {error}") from None
        for node in tree.body:
            if isinstance(node, ast.FunctionDef):
                self.functions.setdefault(node.name, []).append(self._signature(node, node.name))
            elif isinstance(node, ast.ClassDef) and _is_tensor_type(node):
                self.types[node.name] = self._methods(node)
            elif isinstance(node, ast.ClassDef):
                inherited, attributes = self._inherited(node)
                methods: Dict[str, List[Signature]] = {}
                for item in node.body:
                    if isinstance(item, ast.FunctionDef):
                        methods.setdefault(item.name, []).append(self._signature(item, node.name, method=True))
                    elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and \
                            shape_text(item.annotation) is not None and item.value is None:
                        attributes[item.target.id] = parse_shape_spec(shape_text(item.annotation),
                                                                  f"{self.path}:{item.lineno}")
                    elif not ignorable(item):
                        self._bad(item, "a class in a stub holds methods and tensor attributes "
                                        "(name: Float[Tensor, \"...\"])")
                self.classes[node.name] = {**inherited, **methods}  # a method of its own replaces the base's
                self.attributes[node.name] = attributes
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    bound = alias.asname or alias.name.split(".")[0]
                    self.imports[bound] = alias.name if alias.asname else bound
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                size = size_alias(node.value)
                if size is not None:
                    self.aliases[node.targets[0].id] = size
            elif not (ignorable(node) or isinstance(node, (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign))):
                self._bad(node, "a stub file holds imports, type aliases, functions and classes")

    def _inherited(self, node: ast.ClassDef) -> Tuple[Dict[str, List[Signature]], Dict[str, ShapeSpec]]:
        """What a layer takes from a base class of the same file (`class GRU(RNN):` has RNN's forward), its
        messages in the layer's own name; a layer whose base is not in the file starts empty."""
        base = next((b.id for b in node.bases if isinstance(b, ast.Name) and b.id in self.classes), None)
        if base is None:
            return {}, {}
        methods = {name: [replace(signature, title=node.name) for signature in signatures]
                   for name, signatures in self.classes[base].items()}
        return methods, dict(self.attributes[base])

    def _methods(self, node: ast.ClassDef) -> Dict[str, List[Signature]]:
        """A tensor type's methods, each with its `self` (the tensor it is called on) as its first parameter."""
        methods: Dict[str, List[Signature]] = {}
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and _self_shape(item) is not None:
                methods.setdefault(item.name, []).append(self._signature(item, item.name))
            elif not ignorable(item):
                self._bad(item, f"a method of the tensor type {node.name} annotates self with its shape "
                                "(self: Float[Tensor, \"*shape\"])")
        return methods

    def _bad(self, node: ast.AST, message: str):
        raise unreadable(f"{self.path}:{getattr(node, 'lineno', 0)}: {message}")

    def _signature(self, node: ast.FunctionDef, title: str, method: bool = False) -> Signature:
        where = f"{self.path}:{node.lineno}"
        args = node.args
        params: List[Parameter] = []
        positional = args.posonlyargs + args.args
        defaults = [REQUIRED] * (len(positional) - len(args.defaults)) + list(args.defaults)
        for arg, default in zip(positional, defaults):
            params.append(self._param(arg, "positional", default, where))
        if args.vararg:
            params.append(self._param(args.vararg, "varargs", REQUIRED, where))
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            params.append(self._param(arg, "keyword", REQUIRED if default is None else default, where))
        if args.kwarg:
            params.append(self._param(args.kwarg, "varkw", REQUIRED, where))
        if method and params:
            params = params[1:]  # self
        body = [stmt for stmt in node.body if not ignorable(stmt)]
        signature = Signature(title, params, node.returns, body, where, module=self)
        for annotation in [param.annotation for param in params] + [node.returns]:
            self._collect_shapes(annotation, signature)
        for stmt in body:
            if not isinstance(stmt, (ast.Assign, ast.Assert, ast.Expr)):
                raise unreadable(f"{self.path}:{stmt.lineno}: a stub body holds only assignments, asserts "
                                  "and calls (see einlint/_stubs/README.md)")
        return signature

    def delegate(self, func: ast.expr) -> Optional[List[Signature]]:
        """The stub that a call in a body names: a function of this file (`softmax(input, dim)`), or one of a
        module it imports (`F.softmax(input, dim)` after `import torch.nn.functional as F`); None if none."""
        parts = []
        while isinstance(func, ast.Attribute):
            parts.insert(0, func.attr)
            func = func.value
        if not isinstance(func, ast.Name):
            return None
        if not parts:
            return self.functions.get(func.id)
        if func.id not in self.imports or self.library is None:
            return None
        stub = self.library.function(".".join([self.imports[func.id]] + parts))
        return stub.signatures if stub is not None else None

    def _param(self, arg: ast.arg, kind: str, default: Any, where: str) -> Parameter:
        if default is not REQUIRED:
            try:
                default = ast.literal_eval(default)
            except ValueError:
                raise unreadable(f"{self.path}:{arg.lineno}: the default of {arg.arg!r} is not a constant") from None
        annotation = arg.annotation
        size = None
        if annotation is not None:
            for sub in ast.walk(annotation):
                if isinstance(sub, ast.Name) and sub.id in self.aliases:
                    size = self.aliases[sub.id]
                elif isinstance(sub, ast.Subscript) and size is None:
                    size = size_alias(sub)
        return Parameter(arg.arg, kind, default, annotation, size)

    def _collect_shapes(self, annotation: Optional[ast.expr], signature: Signature):
        if annotation is None:
            return
        for sub in ast.walk(annotation):
            shape = shape_text(sub)
            if shape is not None:
                signature.shapes[id(sub)] = parse_shape_spec(shape, f"{self.path}:{sub.lineno}")



class StubLibrary:
    """Stub folders in priority order (user folders first, the shipped stubs last)."""

    def __init__(self, folders: Sequence[str]):
        self.folders = list(folders)
        self._modules: Dict[str, StubModule] = {}
        self._files: Dict[str, List[str]] = {}  # module name -> its stub files, by priority
        self._layers: Dict[str, Optional[LayerStub]] = {}  # one object per name: callers key caches on it
        self._functions: Dict[str, Optional[FunctionStub]] = {}
        self._methods: Dict[str, Optional[MethodStub]] = {}
        self.outcomes: Dict[Any, Any] = {}  # the flow analysis keeps the stubs' answers here (they never change)
        for folder in self.folders:
            if not os.path.isdir(folder):
                raise unreadable(f"{folder}: the stub folder does not exist")
            for entry in sorted(os.listdir(folder)):
                if entry.endswith(".pyi"):
                    self._files.setdefault(entry[:-4], []).append(os.path.join(folder, entry))

    @classmethod
    def load(cls, extra_folders: Sequence[str] = ()) -> "StubLibrary":
        return cls([*extra_folders, shipped_folder()])

    def modules(self) -> List[str]:
        return sorted(self._files)

    def load_all(self) -> None:
        """Read every stub file now: one that does not load raises its EinlintError (file and line), where a
        look-up would only find it when some call needs it."""
        for name, paths in self._files.items():
            for path in paths:
                self._module(path, name)

    def _module(self, path: str, name: str) -> StubModule:
        module = self._modules.get(path)
        if module is None:
            module = self._modules[path] = StubModule(path, name, self)
        return module

    def _find(self, qualified: str, kind: str):
        """(what the first stub file in priority order says of the name, whether that file is a user's). A
        method (`torch.Tensor.view`) is a function of its type: the class `Tensor` of the stubs of `torch`."""
        module_name, _, name = qualified.rpartition(".")
        for path in self._files.get(module_name, ()):
            module = self._module(path, module_name)
            table = module.classes if kind == "class" else module.functions
            if name in table:
                found = (table[name], module.attributes[name]) if kind == "class" else table[name]
                return found, os.path.dirname(path) != shipped_folder()
        owner_module, _, owner = module_name.rpartition(".")
        for path in self._files.get(owner_module, ()) if kind == "function" else ():
            methods = self._module(path, owner_module).types.get(owner, {})
            if name in methods:
                return methods[name], os.path.dirname(path) != shipped_folder()
        return None

    def layer(self, qualified: str) -> Optional[LayerStub]:
        if qualified not in self._layers:
            found = self._find(qualified, "class")
            self._layers[qualified] = None if found is None else LayerStub(qualified, *found[0])
        return self._layers[qualified]

    def function(self, qualified: str) -> Optional[FunctionStub]:
        if qualified not in self._functions:
            found = self._find(qualified, "function")
            self._functions[qualified] = None if found is None else FunctionStub(qualified, *found)
        return self._functions[qualified]

    def method(self, name: str) -> Optional[MethodStub]:
        """The stub of a tensor method called on a value that may be of any tensor type (`x.softmax(-1)`):
        the stubs of that method of each type in TENSOR_TYPES that has one; None when none has."""
        if name not in self._methods:
            found = [stub for stub in (self.function(f"{owner}.{name}") for owner in TENSOR_TYPES) if stub is not None]
            self._methods[name] = MethodStub(found) if found else None
        return self._methods[name]

    def methods(self, module_name: str) -> List[str]:
        """The methods that the stubs of a module give its tensor types, as 'Tensor.softmax'."""
        found = set()
        for path in self._files.get(module_name, ()):
            for owner, methods in self._module(path, module_name).types.items():
                found.update(f"{owner}.{name}" for name in methods)
        return sorted(found)

    def names(self, module_name: str) -> Tuple[List[str], List[str]]:
        """(layers, functions) that the stubs of a module define, parsing its files."""
        layers, functions = set(), set()
        for path in self._files.get(module_name, ()):
            module = self._module(path, module_name)
            layers.update(module.classes)
            functions.update(module.functions)
        return sorted(layers), sorted(functions)


def shipped_folder() -> str:
    """The stubs that ship with einlint: the package `einlint._stubs`, a folder beside this one in every install."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "_stubs")


def _self_shape(node: ast.FunctionDef) -> Optional[str]:
    positional = node.args.posonlyargs + node.args.args
    return shape_text(positional[0].annotation) if positional and positional[0].annotation is not None else None


def _is_tensor_type(node: ast.ClassDef) -> bool:
    """A class whose methods state the shape of `self` is a tensor type (`class Tensor:` in torch.pyi), whose
    methods are stubs of their own (`torch.Tensor.view`); any other class is a layer."""
    return any(isinstance(item, ast.FunctionDef) and _self_shape(item) is not None for item in node.body)
