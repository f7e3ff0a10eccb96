"""Being moved: remove when fixed. What the architecture tests tolerate today, and nothing more.

Each list can only shrink: a test fails on an entry that no longer holds, so whoever fixes the
code removes the entry in the same commit. The imports that still cross a fence are listed where
ruff reads them: [tool.ruff.lint.per-file-ignores] in pyproject.toml.
"""

# Import cycles among product modules: each entry is one strongly connected component, exactly.
CYCLES: list[set[str]] = []

# Product modules over the size limit (tests/architecture/test_module_size.py).
LONG_MODULES: set[str] = set()
