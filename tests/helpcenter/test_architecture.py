"""The house rules a newcomer relies on: apps depend one way (toward `articles`), nothing reads
another module's private names, and no module grows past 500 lines."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
APPS = ("articles", "diagnosis", "search", "feedback", "helpcenter")
# Which apps each app may import. `helpcenter` is the project: its shared error pages are used
# by every app; its URLs and settings import the apps, never the other way.
ALLOWED = {
    "articles": {"articles"},
    "diagnosis": {"diagnosis", "articles", "helpcenter"},
    "search": {"search", "articles", "helpcenter"},
    "feedback": {"feedback", "diagnosis", "search", "articles", "helpcenter"},
    "helpcenter": set(APPS),
}


def modules() -> list[Path]:
    return [
        path
        for app in APPS
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) for every import in the file, relative ones made absolute."""
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found: list[tuple[str, list[str]]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((base, [alias.name for alias in node.names]))
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_dependencies_point_toward_articles(path: Path) -> None:
    app = path.relative_to(ROOT).parts[0]
    for module, _names in imports(path):
        top = module.split(".")[0]
        if top in APPS:
            assert top in ALLOWED[app], f"{path.relative_to(ROOT)} imports {module}"


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_reads_another_modules_private_names(path: Path) -> None:
    own = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for module, names in imports(path):
        if module.split(".")[0] in APPS and module != own:
            private = [n for n in names if n.startswith("_") and not n.startswith("__")]
            assert not private, f"{path.relative_to(ROOT)} imports {private} from {module}"


def test_no_module_is_over_500_lines() -> None:
    long = {
        str(p.relative_to(ROOT)): n
        for p in [*modules(), *sorted((ROOT / "bench").glob("*.py"))]
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not long
