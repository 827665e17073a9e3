"""The wheel carries the notebooks and templates, and a kit installed from it runs outside the checkout.

Both tests build the wheel offline: pip with ``--no-build-isolation`` uses this
environment's setuptools (``make install`` brings one new enough) instead of
downloading one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# What the build reads: the project's metadata, its package and the two data folders.
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "pmo_lib", "notebooks", "templates"]
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".*")


def _data_files(folder: str) -> dict[str, bytes]:
    """The repository's files of one data folder, as the wheel names them, without hidden or cache files."""
    root = REPO / folder
    return {f"pmo_lib/_data/{folder}/{p.relative_to(root).as_posix()}": p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and not any(part.startswith(".") or part == "__pycache__"
                                       for part in p.relative_to(root).parts)}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The kit's wheel, built from a copy of the sources (no build/ or egg-info left in the checkout)."""
    base = tmp_path_factory.mktemp("wheel")
    src = base / "src"
    src.mkdir()
    for name in SOURCES:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, src / name, ignore=IGNORE)
        else:
            shutil.copy2(REPO / name, src / name)
    out = base / "dist"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "--quiet", "-w", str(out), str(src)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, (
        "pip wheel failed (the build needs setuptools>=77 in this environment: `make install` brings it)\n"
        + done.stdout + done.stderr)
    (built,) = out.glob("pmo_playbook_kit-*.whl")
    return built


def test_wheel_carries_notebooks_and_templates(wheel):
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        expected = {**_data_files("notebooks"), **_data_files("templates")}
        for name in ("notebooks/00_playbook.ipynb", "notebooks/01_maturity_assessment.ipynb",
                     "notebooks/02_kpi_analysis.ipynb", "notebooks/03_governance_report.ipynb",
                     "templates/kpi_catalog.yaml", "templates/maturity_model.yaml", "templates/playbook.yaml",
                     "templates/pmo.yaml", "templates/report/conf.json", "templates/report/index.html.j2",
                     "templates/report/report.css", "templates/report/index.css"):
            assert f"pmo_lib/_data/{name}" in expected, f"{name} is missing from the repository"
        # Every notebook and every template file, byte for byte, and nothing else under _data.
        assert {n for n in names if n.startswith("pmo_lib/_data/")} == set(expected)
        for name, content in expected.items():
            assert archive.read(name) == content, name
        # Every module of every layer (a subpackage missing from pyproject's packages is not built),
        # and no checkout folders at the top of the wheel.
        package = REPO / "pmo_lib"
        modules = {p.relative_to(REPO).as_posix() for p in package.rglob("*.py")
                   if "__pycache__" not in p.parts}
        assert {"pmo_lib/__init__.py", "pmo_lib/inputs/resources.py", "pmo_lib/cli.py",
                "pmo_lib/reporting/render.py"} <= modules
        assert modules <= names, sorted(modules - names)
        # the reports' translations (issue 22): every catalogue and its compiled form, byte for byte
        catalogues = {p.relative_to(REPO).as_posix(): p.read_bytes() for p in (package / "locale").rglob("*")
                      if p.suffix in (".po", ".mo", ".pot")}
        assert {"pmo_lib/locale/de/LC_MESSAGES/pmo.mo", "pmo_lib/locale/fr/LC_MESSAGES/pmo.mo"} <= set(catalogues)
        for name, content in catalogues.items():
            assert archive.read(name) == content, name
        dist_info = "-".join(wheel.name.split("-")[:2]) + ".dist-info"
        assert {n.split("/")[0] for n in names} == {"pmo_lib", dist_info}
        assert "pmo = pmo_lib.cli:main" in archive.read(
            next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()


def _fresh_venv(root: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed, offline.

    The kit's dependencies are this environment's: a .pth file puts its site-packages
    after the new one's (its own .pth files, such as an editable install's, are not run
    from there), so nothing is downloaded and the kit itself comes from the wheel.
    Jupyter's data files (nbconvert's base templates) that pip would have installed with
    nbconvert are linked in the same way.
    """
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    ours = dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]])
    (Path(purelib) / "_dev_dependencies.pth").write_text("\n".join(ours) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                           "--quiet", str(wheel)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    from jupyter_core.paths import jupyter_path

    nbconvert = next(Path(p) for p in jupyter_path("nbconvert", "templates") if (Path(p) / "lab").is_dir())
    (venv / "share" / "jupyter" / "nbconvert").mkdir(parents=True)
    (venv / "share" / "jupyter" / "nbconvert" / "templates").symlink_to(nbconvert, target_is_directory=True)
    return python


@pytest.mark.notebook
def test_installed_wheel_runs_outside_the_checkout(wheel, tmp_path):
    python = _fresh_venv(tmp_path, wheel)
    bin_dir = python.parent
    work = tmp_path / "elsewhere"
    work.mkdir()
    # As a user's shell would be: no checkout on the path, no template overrides, no
    # JUPYTER_PATH (its kernels would come before the venv's), no Jupyter data of this user's.
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHONPATH", "PMO_TEMPLATES", "PMO_NOTEBOOKS", "JUPYTER_PATH", "VIRTUAL_ENV"}}
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-user")
    env["PATH"] = os.pathsep.join([str(bin_dir), env.get("PATH", "")])

    def run(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
        done = subprocess.run(list(args), cwd=work, env=env, capture_output=True, text=True, timeout=timeout)
        assert done.returncode == 0, f"{args} exited {done.returncode}\n{done.stdout}\n{done.stderr}"
        return done

    # The kit, its templates and its notebooks come from the new environment, not the checkout.
    where = run(str(python), "-c", "import pmo_lib, pmo_lib.inputs.resources as r; "
                "print(pmo_lib.__file__); print(r.TEMPLATES_DIR); print(r.NOTEBOOKS_DIR)").stdout.split()
    venv = python.parent.parent.resolve()
    for path in where:
        assert Path(path).resolve().is_relative_to(venv), (path, venv)
        assert not Path(path).resolve().is_relative_to(REPO), path
    assert Path(where[1]).name == "templates" and (Path(where[1]) / "report" / "conf.json").is_file()

    # The kernel the notebooks run in is the new environment's python (the README's step).
    run(str(python), "-m", "ipykernel", "install", "--sys-prefix", "--name", "python3")
    kernel = run(str(python), "-c", "from jupyter_client.kernelspec import KernelSpecManager; "
                 "print(KernelSpecManager().get_kernel_spec('python3').argv[0])").stdout.strip()
    assert Path(kernel).parent.parent == python.parent.parent, kernel

    pmo = str(bin_dir / "pmo")
    run(pmo, "init", str(tmp_path / "acme"))
    assert (tmp_path / "acme" / "pmo.yaml").is_file() and (tmp_path / "acme" / "maturity_model.example.yaml").is_file()
    assert (tmp_path / "acme" / "questionnaire.pdf").is_file()

    run(pmo, "demo", "--workspace", str(tmp_path / "sample"), "--out", str(tmp_path / "demo"),
        "--cycle", "2026-Q3", "--jobs", "1", "--format", "html")
    (org,) = (tmp_path / "demo").iterdir()
    for name in ("00_playbook", "01_maturity_assessment", "02_kpi_analysis", "03_governance_report"):
        assert (org / "2026-q3" / f"{name}.html").is_file(), name
    assert (org / "index.html").is_file()

    run(pmo, "run", str(tmp_path / "sample"), "--out", str(tmp_path / "run"), "--cycle", "2026-Q2",
        "--jobs", "1", "--format", "pdf")
    (org,) = (tmp_path / "run").iterdir()
    for name in ("00_playbook", "01_maturity_assessment", "02_kpi_analysis", "03_governance_report"):
        assert (org / "2026-q2" / f"{name}.pdf").stat().st_size > 10_000, name
    assert (org / "2026-q2" / "results" / "kpis.csv").is_file()
