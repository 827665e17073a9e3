"""``import pmo_lib`` and ``pmo --help`` load no heavy tool: the notebook API loads on first use, in a kernel at once."""
from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "matplotlib", "seaborn", "scipy", "openpyxl", "pandera", "pydantic", "papermill")


def loaded_after(code: str) -> set[str]:
    """The heavy top-level packages a fresh interpreter has loaded after running ``code``."""
    probe = code + "\nimport sys\nprint(' '.join(sorted({m.split('.')[0] for m in sys.modules})))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    return set(out.split()) & set(HEAVY)


def test_importing_the_kit_or_asking_the_command_for_help_loads_no_heavy_tool():
    assert loaded_after("import pmo_lib") == set()
    asks_for_help = ("import contextlib, io, pmo_lib.cli\n"
                     "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                     "    pmo_lib.cli.main(['--help'])")
    assert loaded_after(asks_for_help) == set()


def test_a_name_loads_what_it_needs_and_stays_the_same_object():
    assert loaded_after("import pmo_lib\npmo_lib.Problem") == set()  # the errors need nothing heavy
    assert "pandas" in loaded_after("import pmo_lib\npmo_lib.compute_kpis")
    import pmo_lib
    from pmo_lib.analysis.kpis import compute_kpis

    assert pmo_lib.compute_kpis is compute_kpis and "compute_kpis" in vars(pmo_lib)  # kept after the first use


def test_a_notebook_kernel_gets_the_whole_notebook_api_and_the_house_table_style_at_import():
    probe = ("from IPython.core.interactiveshell import InteractiveShell\n"
             "shell = InteractiveShell.instance()\n"
             "import pandas as pd, pmo_lib\n"
             "missing = [n for n in pmo_lib.__all__ if n not in vars(pmo_lib)]\n"
             "formatter = shell.display_formatter.formatters['text/html'].lookup_by_type(pd.DataFrame)\n"
             "print(missing, formatter.__name__)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["[]", "_frame_html_or_none"]
