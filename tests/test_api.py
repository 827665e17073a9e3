"""The notebook API: grouped, browsable, every name documented in one line."""
from __future__ import annotations

import types

import pytest

import pmo_lib as pmo


def test_every_exported_name_resolves_and_has_a_one_line_summary():
    for name in pmo.__all__:
        assert hasattr(pmo, name), name
        if name == "__version__":
            continue
        line = pmo._summary(name)
        assert line and len(line) < 160, (name, line)
        assert not line.startswith(("Built-in", "int(", "str(", "tuple(", "list(")), (name, line)


def test_the_groups_cover_the_api_once_each():
    grouped = [name for _, names in pmo.GROUPS.values() for name in names]
    assert list(pmo.GROUPS) == ["loading", "analysis", "display", "recording"]
    assert len(grouped) == len(set(grouped))
    assert set(grouped) == set(pmo.__all__) - {"help", "__version__"}


def test_dir_shows_the_api_without_submodules_and_subpackages_stay_importable():
    names = dir(pmo)
    assert names == sorted(pmo.__all__)
    assert not [n for n in names if isinstance(getattr(pmo, n), types.ModuleType)]
    import pmo_lib.analysis
    import pmo_lib.inputs
    import pmo_lib.reporting.report
    import pmo_lib.running

    assert pmo.inputs is pmo_lib.inputs and pmo.reporting.report.table is pmo.table


def test_scripting_names_stay_importable_outside_the_notebook_api():
    from pmo_lib import create_sample_workspace, render_html, run_workspace  # noqa: F401

    assert "run_workspace" not in pmo.__all__ and "render_html" not in pmo.__all__


def test_help_prints_each_group_and_names_every_name_on_a_screen(capsys):
    pmo.help()
    out = capsys.readouterr().out
    listed = {n.strip() for line in out.splitlines() if line.startswith("  ") for n in line.split(",")} - {""}
    for key, (purpose, names) in pmo.GROUPS.items():
        assert f"{key.capitalize()}: {purpose}" in out
        assert set(names) <= listed
        assert f'pmo.help("{key}")' in out
    assert len(out.splitlines()) < 80


def test_help_of_a_group_gives_one_line_per_name(capsys):
    for key, (purpose, names) in pmo.GROUPS.items():
        pmo.help(key)
        out = capsys.readouterr().out
        for name in names:
            assert any(line.split()[:1] == [name] and pmo._summary(name) in line for line in out.splitlines()), name
    pmo.help("display")
    assert "Render a result table" in capsys.readouterr().out


def test_help_of_one_group_and_a_wrong_group(capsys):
    pmo.help("recording")
    out = capsys.readouterr().out
    assert "record" in out and "load_workspace" not in out
    with pytest.raises(ValueError, match="choose from loading, analysis, display, recording"):
        pmo.help("plotting")


def test_the_package_docstring_lists_the_groups():
    for key in pmo.GROUPS:
        assert key.capitalize() in pmo.__doc__
