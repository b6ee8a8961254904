"""Architecture rule: no function of the package is more complex than a newcomer can read alone
(cyclomatic complexity 25 at most, as `radon cc` counts it)."""
from __future__ import annotations

from pathlib import Path

import pytest

radon = pytest.importorskip("radon.complexity")

MAX_CC = 25
PACKAGE = Path(__file__).resolve().parent.parent / "kg"


def _blocks(blocks):
    """Functions, classes and methods, and the functions defined inside them."""
    for b in blocks:
        yield b
        yield from _blocks(getattr(b, "closures", []))


def test_no_function_above_the_complexity_limit():
    over = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for block in _blocks(radon.cc_visit(path.read_text(encoding="utf-8"))):
            if block.complexity > MAX_CC:
                over.append(f"{path.relative_to(PACKAGE.parent)}:{block.lineno} {block.name} ({block.complexity})")
    assert not over, "复杂度超过 25：\n" + "\n".join(over)


def test_the_check_sees_methods_and_inner_functions():
    branches = "".join(f"        if z == {i}:\n            return {i}\n" for i in range(30))
    code = f"def f(y):\n    def g(z):\n{branches}    return g\n"
    assert max(b.complexity for b in _blocks(radon.cc_visit(code))) > MAX_CC
