"""Drive JupyterLab headless through the README's authoring example and compare it with the PDF.

    PYTHONPATH=. .venv/bin/python bench/lab_preview.py [--out /tmp/lab-shots]

It copies the kit's notebooks to a temporary folder, adds the README's "add a section for one client"
example as a notebook, starts ``jupyter lab`` on that folder, opens the notebook in Debian's chromium
(playwright), runs every cell, and takes screenshots of a badge, a notice, a table and a figure as
JupyterLab shows them; it then saves the notebook, runs ``pmo.preview()``, renders the saved notebook
to PDF with the client template and writes the PDF's pages as PNG. Look at the images side by side:
the badges, notices, tables and figure numbers must look the same.

Not a test: it starts a Jupyter server and a browser and takes 30 to 90 seconds on 2 cores, more than the
suite's budget. ``tests/reporting/test_authoring_example.py`` checks the example's code and text;
``tests/reporting/test_report.py`` checks the styles the elements carry.
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def example_notebook(path: Path) -> Path:
    """The README's example as a notebook: setup (remove-cell), the section, and a preview cell."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from tests.reporting.test_authoring_example import example_blocks

    blocks = [(language, code) for language, code in example_blocks() if language in ("python", "markdown")]
    cells = [new_markdown_cell("# Cost watch", metadata={"tags": ["remove-cell"]})]
    for n, (language, code) in enumerate(blocks):
        tags = {"tags": ["remove-cell"]} if n == 0 else {}
        cells.append(new_markdown_cell(code, metadata=tags) if language == "markdown"
                     else new_code_cell(code, metadata=tags))
    cells.append(new_code_cell("pmo.preview()", metadata={"tags": ["remove-cell"]}))
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                            "language": "python"}})
    nbformat.write(nb, str(path))
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_lab(folder: Path, port: int, token: str, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--allow-root", f"--port={port}",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={folder}", "--ServerApp.ip=127.0.0.1",
               f"--LabApp.workspaces_dir={folder.parent / 'lab-workspaces'}", "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    process = subprocess.Popen(command, stdout=log.open("w"), stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2)
            return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError(f"jupyter lab did not start; see {log}")


def save(page) -> None:
    """File > Save Notebook, then wait until the tab is no longer marked as changed."""
    page.get_by_role("menuitem", name="File", exact=True).click()
    page.get_by_text("Save Notebook", exact=True).first.click()
    page.wait_for_function("!document.querySelector('.jp-mod-current.jp-mod-dirty')", timeout=30_000)
    page.wait_for_timeout(500)


#: The notebook on show (JupyterLab keeps other open notebooks in the page, hidden).
SHOWN = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"


def run_all(page) -> None:
    """Run > Run All Cells, then wait until no cell is queued or running."""
    page.locator(SHOWN).first.click()
    page.keyboard.press("Escape")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    # Done when every code cell shows an execution count ("[7]:"): none queued ("[*]:") or not yet run ("[ ]:").
    # (Waiting to see a "*" first races with a fast run.)
    page.wait_for_function("[...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell "
                           ".jp-InputPrompt')].every(e => /\\[\\d+\\]/.test(e.textContent))", timeout=300_000)
    page.wait_for_timeout(1000)


def run_kit_notebook(page, url: str, out: Path, stem: str) -> list[Path]:
    """Open a kit notebook, run it on the sample, and screenshot its dashboard, a badge table and a figure."""
    page.goto(url + "&reset")  # a fresh layout: only this notebook open
    page.wait_for_selector(f"{SHOWN} .jp-Cell", timeout=60_000)
    page.wait_for_timeout(3000)
    run_all(page)
    shots = []
    for name, selector in (("dashboard", f"{SHOWN} .jp-OutputArea-output .pmo-dashboard"),
                           ("badge-table", f"{SHOWN} .jp-OutputArea-output table.pmo-table:has(.rag)"),
                           ("notice", f"{SHOWN} .jp-OutputArea-output .pmo-notice"),
                           ("figure", f"{SHOWN} .jp-OutputArea-output figure.pmo-figure >> nth=1")):
        element = page.locator(selector).first
        if element.count():
            element.scroll_into_view_if_needed()
            shots.append(out / f"lab-{stem}-{name}.png")
            element.screenshot(path=str(shots[-1]))
    return shots


def drive(url: str, out: Path, kit: tuple[str, ...] = ()) -> list[Path]:
    """Open the notebook, run all, screenshot the elements, save, preview; the screenshots' paths."""
    from playwright.sync_api import sync_playwright

    shots = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector(f"{SHOWN} .jp-Cell", timeout=60_000)
        page.wait_for_timeout(3000)  # let the kernel start; Run All queues the cells behind it anyway
        no_news = page.get_by_role("button", name="No", exact=True)
        if no_news.count():
            no_news.first.click()  # JupyterLab asks once whether to fetch its news
        run_all(page)
        for name, selector in (("badge", ".pmo-notice .rag"), ("notice", ".pmo-notice"),
                               ("table", "table.pmo-table"), ("table-badge", "table.pmo-table .rag"),
                               ("figure", "figure.pmo-figure")):
            element = page.locator(f"{SHOWN} .jp-OutputArea-output {selector}").first
            element.scroll_into_view_if_needed()
            shots.append(out / f"lab-{name}.png")
            element.screenshot(path=str(shots[-1]))
        # the section as a whole, as an analyst sees it
        page.locator(f"{SHOWN} .jp-OutputArea-output .pmo-notice").first.scroll_into_view_if_needed()
        shots.append(out / "lab-section.png")
        page.screenshot(path=str(shots[-1]))
        # save, then run the preview cell again: it renders the saved notebook
        save(page)
        page.locator(f"{SHOWN} .jp-Cell").last.locator(".jp-InputArea-prompt").click()
        page.keyboard.press("Shift+Enter")
        frame = page.wait_for_selector(".jp-OutputArea-output iframe[title='Report preview']", timeout=120_000)
        frame.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        shots.append(out / "lab-preview.png")
        frame.screenshot(path=str(shots[-1]))
        save(page)
        for name in kit:
            shots += run_kit_notebook(page, url.replace("04_cost_watch.ipynb", name).replace("&reset", ""), out, Path(name).stem)
        browser.close()
    return shots


def pdf_pages(notebook: Path, out: Path) -> list[Path]:
    """Render the saved notebook with the client template to PDF, and its pages to PNG."""
    import nbformat

    from pmo_lib.reporting.preview import preview_context
    from pmo_lib.reporting.render import render_html, render_pdf
    from pmo_lib import load_workspace

    ws = load_workspace(None)
    nb = nbformat.read(str(notebook), as_version=4)
    page = render_html(nb, context=preview_context(nb, notebook, workspace=ws, cycle=ws.cycle(None).name))
    (out / "report.html").write_text(page, encoding="utf-8")
    pdf = render_pdf(page, out / "report.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(pdf), str(out / "pdf-page")], check=True)
    return sorted(out.glob("pdf-page*.png"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="/tmp/lab-shots", help="folder for the screenshots and the PDF pages")
    parser.add_argument("--kit", nargs="*", default=[], metavar="NOTEBOOK",
                        help="also run these kit notebooks in Lab and screenshot their badges, tables and figures "
                             "(e.g. 03_governance_report.ipynb)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pmo-lab-"))
    from pmo_lib.inputs.resources import NOTEBOOKS_DIR

    shutil.copytree(NOTEBOOKS_DIR, work / "notebooks")
    notebook = example_notebook(work / "notebooks" / "04_cost_watch.ipynb")
    port, token = free_port(), secrets.token_hex(16)
    started = time.monotonic()
    lab = start_lab(work / "notebooks", port, token, out / "jupyter-lab.log")
    try:
        shots = drive(f"http://127.0.0.1:{port}/lab/tree/{notebook.name}?token={token}&reset", out, tuple(args.kit))
    finally:
        lab.terminate()
        lab.wait(timeout=30)
    pages = pdf_pages(notebook, out)
    print(f"{time.monotonic() - started:.0f} s")
    for path in shots + pages:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
