"""The package's layers: imports go down only, and the heavy third-party tools stay in their layer.

running → reporting → analysis → inputs. ``pmo_lib/__init__.py`` (the notebooks' one import)
and ``pmo_lib/cli.py`` (the ``pmo`` command) sit above all four and may import any of them;
no layer imports them. Every import counts, also one inside a function or under
``TYPE_CHECKING``: a lazy import is still a dependency.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pmo_lib"
LAYERS = ("inputs", "analysis", "reporting", "running")
TOP = len(LAYERS)  # __init__ and cli
ENTRY_POINTS = {"pmo_lib", "pmo_lib.cli"}
# Third-party packages only one layer may import.
ONLY_IN = {"papermill": "running", "nbclient": "running", "jupyter_client": "running",
           "matplotlib": "reporting", "seaborn": "reporting", "IPython": "reporting"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    """The layer index of a ``pmo_lib`` module: 0 inputs … 3 running, 4 the entry points.

    ``pmo_lib.something`` outside the layers is the package's ``__init__`` (a name imported
    from it, such as ``__version__``) or the command line: the entry points.
    """
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else TOP


def imports(source: str, module: str, *, is_package: bool = False) -> list[tuple[int, str]]:
    """Every (line, absolute module) the source imports, at any depth of the tree.

    For ``from . import theme`` the target is ``<package>.theme``, which may be a module or a
    name defined in the package's ``__init__``.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
            if node.module:
                found.append((node.lineno, ".".join(base + [node.module])))
            else:  # ``from . import theme``, ``from .. import __version__``: each name is the target
                found += [(node.lineno, ".".join(base + [alias.name])) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, node.module or ""))
    return found


def violations(source: str, module: str, *, is_package: bool = False) -> list[str]:
    own = layer_of(module)
    own_name = LAYERS[own] if own < TOP else "the entry points"
    problems = []
    for line, target in imports(source, module, is_package=is_package):
        root = target.split(".")[0]
        if root == "pmo_lib" and layer_of(target) > own:
            shown = ".".join(target.split(".")[:3]) if layer_of(target) < TOP else (
                "pmo_lib.cli" if target.startswith("pmo_lib.cli") else "pmo_lib")
            problems.append(f"{module}:{line} imports {shown}, a layer above {own_name}")
        elif root in ONLY_IN and (own == TOP or LAYERS[own] != ONLY_IN[root]):
            problems.append(f"{module}:{line} imports {root}, which only {ONLY_IN[root]}/ may import")
    return problems


def all_modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_data" not in p.parts)


def test_every_module_is_in_a_layer():
    stray = [module_name(p) for p in all_modules()
             if module_name(p) not in ENTRY_POINTS and module_name(p).split(".")[1] not in LAYERS]
    assert not stray, f"modules outside the four layers: {stray}"


def test_imports_go_down_only_and_third_party_tools_stay_in_their_layer():
    problems = []
    for path in all_modules():
        problems += violations(path.read_text(encoding="utf-8"), module_name(path),
                               is_package=path.name == "__init__.py")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("module, source, expected", [
    # a lazy import inside a function still counts
    ("pmo_lib.analysis.register", "def f():\n    from ..reporting.report import kpi_value_text\n",
     "pmo_lib.analysis.register:2 imports pmo_lib.reporting.report, a layer above analysis"),
    ("pmo_lib.reporting.index", "from ..running.runner import _cycle_slugs\n",
     "pmo_lib.reporting.index:1 imports pmo_lib.running.runner, a layer above reporting"),
    ("pmo_lib.inputs.sample", "from .. import __version__\n",
     "pmo_lib.inputs.sample:1 imports pmo_lib, a layer above inputs"),
    ("pmo_lib.analysis.kpis", "import pmo_lib\n", "pmo_lib.analysis.kpis:1 imports pmo_lib, a layer above analysis"),
    ("pmo_lib.reporting.render", "import papermill as pm\n",
     "pmo_lib.reporting.render:1 imports papermill, which only running/ may import"),
    ("pmo_lib.running.execute", "def f():\n    import matplotlib.pyplot\n",
     "pmo_lib.running.execute:2 imports matplotlib, which only reporting/ may import"),
    ("pmo_lib.cli", "from IPython.display import HTML\n",
     "pmo_lib.cli:1 imports IPython, which only reporting/ may import"),
])
def test_the_check_catches_what_it_should(module, source, expected):
    assert violations(source, module) == [expected]


@pytest.mark.parametrize("module, source", [
    ("pmo_lib.running.runner", "from ..reporting.index import write_index\nfrom ..inputs.workspace import load_workspace\n"),
    ("pmo_lib.reporting.report", "from . import theme\nfrom ..analysis.trends import kpi_trends\n"),
    ("pmo_lib.cli", "from .running.runner import run_workspace\nfrom .inputs.text import plural\n"),
    ("pmo_lib.analysis.maturity", "from ..inputs.model import MaturityModel\nimport scipy.stats\n"),
])
def test_the_check_lets_downward_imports_through(module, source):
    assert violations(source, module) == []


def exists(module: str) -> bool:
    path = PACKAGE.parent.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def test_every_import_of_the_package_names_one_of_its_modules():
    """A stale path (``from ..kpis import``) fails here, not only when its function first runs.

    An editable install of another checkout could otherwise answer the import silently.
    """
    missing = []
    for path in all_modules():
        module = module_name(path)
        for line, target in imports(path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"):
            if target.startswith("pmo_lib") and not exists(target) and (
                    target not in from_package(path.read_text(encoding="utf-8"), module) or
                    not exists(target.rpartition(".")[0])):
                missing.append(f"{module}:{line} imports {target}, which is no module of the package")
    assert not missing, "\n".join(missing)


def from_package(source: str, module: str) -> set[str]:
    """The targets of ``from . import name``: a module, or a name the package defines."""
    package = module.rpartition(".")[0]
    return {".".join(package.split(".")[:len(package.split(".")) - (node.level - 1)] + [alias.name])
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.ImportFrom) and node.level and not node.module for alias in node.names}


def test_a_stale_path_is_caught():
    assert not exists("pmo_lib.kpis") and exists("pmo_lib.analysis.kpis") and exists("pmo_lib.reporting")
