"""The test suite's own structure: a test module never imports another test module. Shared data
comes from tests/factories (builders) and conftest.py (fixtures), so each test module can be read,
run and moved on its own. The browser tests (tests/e2e) import only their conftest and helpers."""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str, package: tuple[str, ...]) -> list[tuple[int, str]]:
    """Every module a source imports (``from a import b`` counts ``a`` and ``a.b``, which may be a
    module), relative imports resolved against ``package``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = ".".join(package[: len(package) - node.level + 1]) if node.level else ""
            module = ".".join(p for p in (base, node.module or "") if p)
            found.append((node.lineno, module))
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def is_test_module(dotted: str) -> bool:
    return dotted.startswith("tests.") and dotted.rsplit(".", 1)[-1].startswith("test_")


def test_no_test_module_imports_another_test_module():
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        package = path.relative_to(TESTS.parent).with_suffix("").parts[:-1]
        for lineno, module in imported_modules(path.read_text(encoding="utf-8"), package):
            if is_test_module(module):
                offenders.append(f"{path.relative_to(TESTS.parent)}:{lineno} imports {module}")
    assert offenders == []


def test_the_check_catches_relative_absolute_and_module_imports_but_not_helpers():
    source = ("from .test_national import x\n"
              "from tests.applications.test_excellent_book import y\n"
              "from tests.recommendations import test_batches\n"
              "import tests.api.test_api\n"
              "from tests.factories.evaluation import ALL\n"
              "from .conftest import expert\n"
              "from tests import factories as f\n")
    modules = [m for _line, m in imported_modules(source, ("tests", "evaluation"))]
    assert [m for m in modules if is_test_module(m)] == [
        "tests.evaluation.test_national", "tests.applications.test_excellent_book",
        "tests.recommendations.test_batches", "tests.api.test_api",
    ]
