"""The package's layout stays as docs/architecture.md draws it (a static check of the code).

Subpackages form layers in the order of the work; at module level each imports only from
its own layer and those below (a convenience method that needs a higher layer imports it
inside the method, as MNE's ``raw.plot()`` does). No private name or private module is
imported across subpackages, the package root holds a few plain modules, and no file
grows past 700 lines.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "ecgtoolkit"

#: The layers, bottom up (docs/architecture.md says why each boundary is where it is).
LAYERS = (
    "core",
    "signal",
    "generators",
    "io",
    "store",
    "databases",
    "measurement",
    "comparison",
    "training",
    "plot",
    "viewer",
    "report",
    "cli",
)
MAX_LINES = 700
MAX_ROOT_MODULES = 6


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _subpackage(module: str) -> str | None:
    """The layer of a module (None for the root's own modules)."""
    parts = module.split(".")
    if len(parts) < 2 or parts[0] != "ecgtoolkit" or parts[1] not in LAYERS:
        return None
    return parts[1]


def _resolve(path: Path, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    package = _name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(path: Path, source: str | None = None) -> list[tuple[str, list[str], bool]]:
    """(module, names, at module level) of every import of ``ecgtoolkit`` code in a file.

    ``from . import x`` where ``x`` is a submodule counts as an import of that module.
    Imports under ``if TYPE_CHECKING:`` are for type hints only and are left out.
    """
    tree = ast.parse(path.read_text(encoding="utf-8") if source is None else source)
    found: list[tuple[str, list[str], bool]] = []

    def visit(node: ast.AST, top: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                continue
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("ecgtoolkit"):
                        found.append((alias.name, [], top))
            elif isinstance(child, ast.ImportFrom):
                module = _resolve(path, child)
                if not module.startswith("ecgtoolkit"):
                    continue
                names = [a.name for a in child.names]
                submodules = [n for n in names if _is_module(f"{module}.{n}")]
                for sub in submodules:
                    found.append((f"{module}.{sub}", [], top))
                rest = [n for n in names if n not in submodules]
                if rest or not submodules:
                    found.append((module, rest, top))
            inner = top and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            visit(child, inner)

    visit(tree, True)
    return found


def _is_module(module: str) -> bool:
    relative = Path(*module.split("."))
    return (ROOT / relative).with_suffix(".py").is_file() or (ROOT / relative).is_dir()


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_every_subpackage_is_a_known_layer():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert folders == set(LAYERS)


def test_imports_go_down_at_module_level():
    rank = {layer: i for i, layer in enumerate(LAYERS)}
    upward = []
    for path in _modules():
        own = _subpackage(_name(path))
        if own is None:
            continue
        for module, _, top in _imports(path):
            target = _subpackage(module)
            if top and module == "ecgtoolkit":
                upward.append(f"{path.relative_to(ROOT)} imports the package root")
            elif top and target is not None and rank[target] > rank[own]:
                upward.append(f"{path.relative_to(ROOT)} imports {module} ({target} > {own})")
    assert not upward, "\n".join(upward)


def test_no_private_name_or_module_crosses_a_subpackage():
    crossing = []
    for path in _modules():
        own = _subpackage(_name(path))
        for module, names, _ in _imports(path):
            target = _subpackage(module)
            if target is None or target == own:
                continue
            private_module = any(_private(part) for part in module.split(".")[1:])
            private_names = [n for n in names if _private(n)]
            if private_module or private_names:
                crossing.append(f"{path.relative_to(ROOT)}: {module} {private_names}")
    assert not crossing, "\n".join(crossing)


def test_root_holds_few_plain_modules():
    plain = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(plain) <= MAX_ROOT_MODULES, plain


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_file_over_700_lines(path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines"


def test_the_check_sees_a_violation():
    """The import reader finds an upward, a private and a root import (it can fail)."""
    probe = PACKAGE / "core" / "probe.py"  # not a file: the source is given
    found = _imports(
        probe,
        "from ..plot.ecg import plot_ecg\nfrom ..io._files import check_given\n"
        "from .. import __version__\nfrom . import units\n"
        "if TYPE_CHECKING:\n    from ..viewer import view\n"
        "def later():\n    from ..report import realism_report\n",
    )
    assert ("ecgtoolkit.plot.ecg", ["plot_ecg"], True) in found
    assert ("ecgtoolkit.io._files", ["check_given"], True) in found
    assert ("ecgtoolkit", ["__version__"], True) in found
    assert ("ecgtoolkit.report", ["realism_report"], False) in found
    assert ("ecgtoolkit.core.units", [], True) in found
    assert not any(m == "ecgtoolkit.viewer" for m, _, _ in found)
