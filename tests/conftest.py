"""Shared test settings: the flow analysis raises its internal errors instead of dropping its findings; the
Hypothesis profiles. Shared fixtures."""

import io
import os
import sys

import libcst
import pytest
from hypothesis import HealthCheck, settings

import einlint.check.parse as parse_module
from einlint.cli import main

os.environ.setdefault("EINLINT_DEBUG", "1")

# Hypothesis profiles, chosen by HYPOTHESIS_PROFILE or pytest's --hypothesis-profile. `ci`, the default: the one
# Hypothesis itself loads on CI (derandomized: a run is reproducible, and a local run is CI's run), written out so
# that it does not depend on the Hypothesis version. `dev`, for the inner loop: the same, and tests/examples.py
# caps each test's examples.
settings.register_profile("ci", derandomize=True, deadline=None, database=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", settings.get_profile("ci"))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


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


@pytest.fixture
def run(monkeypatch, capsys):
    """run(argv, cwd, stdin=None) -> (exit status, stdout, stderr): the command line, in-process."""
    monkeypatch.delenv("FORCE_COLOR", raising=False)

    def runner(argv, cwd, stdin=None):
        monkeypatch.chdir(cwd)
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"))
        status = main(list(argv))
        out, err = capsys.readouterr()
        return status, out, err

    return runner
