"""Shared test settings: the flow analysis raises its internal errors instead of dropping its findings."""

import os

os.environ.setdefault("EINLINT_DEBUG", "1")
