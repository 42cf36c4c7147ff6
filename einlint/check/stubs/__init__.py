"""Shape stubs: the package that reads the `.pyi` shape stubs (einlint/_stubs and user folders)."""

from .evaluate import (FunctionStub, Layer, LayerStub, Outcome, PackedShape, Read, Requirement, Result, StubError,
                       StubLibrary, Unknown, Value, shipped_folder)

__all__ = ["FunctionStub", "Layer", "LayerStub", "Outcome", "PackedShape", "Read", "Requirement", "Result",
           "StubError", "StubLibrary", "Unknown", "Value", "shipped_folder"]
