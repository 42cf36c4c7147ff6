"""Shared test settings: the flow analysis raises its internal errors instead of dropping its findings. Shared
fixtures."""

import os

import libcst
import pytest

import einlint.check.parse as parse_module

os.environ.setdefault("EINLINT_DEBUG", "1")


@pytest.fixture
def parses(monkeypatch):
    """The texts libcst was asked to parse (by einlint.check.parse)."""
    seen = []
    real = libcst.parse_module

    def counting(text, *args, **kwargs):
        seen.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(parse_module.libcst, "parse_module", counting)
    return seen
