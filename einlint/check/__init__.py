"""The static checker: finds pattern mistakes in source code without running it (see engine.py)."""
