"""The course as people see it: JupyterLab with nbgrader's extensions, on a temporary course,
driven in headless Chromium by Playwright.

- Student: opens the English release with the reference answers filled in, runs all cells from
  Lab's Run menu, and sees every public check's output, ✓ lines and no ✗ line.
- Instructor: after ``rnnkit autograde``, opens the formgrader from Lab's Nbgrader menu and sees
  every submission graded, with the gradebook's scores, and none needing manual grading.

Screenshots are saved in ``$RNNKIT_ARTEFACTS/browser/`` (default ``/tmp/rnnkit-artefacts/``),
outside the checkout, and their folder is printed; a failing step saves ``failed-*.png`` there.

Needs Debian's ``chromium`` (``make browser`` installs it as root; Playwright's own browser
download needs the internet, which CI lacks) and the ``playwright`` package (requirements.lock).
Without them the tests are skipped with the reason, except on CI, where they fail.

Timeouts only stop a hang; on an idle machine the server starts in 2 s, a kernel in 2 s, the
notebook runs in 6 s and a page loads in 1 s. With 2 cores shared by several busy processes,
these take ten times longer and more, hence the margins below.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from rnnkit.grading import manifest
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.kit.course import init_course
from rnnkit.kit.paths import KIT_ROOT
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import answers_for_functions, fill_release, reference_answers, source_answers

pytestmark = pytest.mark.slow

ASSIGNMENT = "rnn"
VENV_BIN = Path(sys.executable).parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Root (CI's user) needs --no-sandbox; no internet: nothing is fetched in the background.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync",
                 "--disable-quic", "--disable-dev-shm-usage"]
ARTEFACTS = Path(os.environ.get("RNNKIT_ARTEFACTS", "/tmp/rnnkit-artefacts")) / "browser"

SERVER_START_S = 120  # jupyter lab answering /api/status
PAGE_S = 120  # a page, the kernel's start, or a formgrader table appearing
RUN_ALL_S = 300  # every cell of the notebook run
AUTOGRADE_S = 900  # `rnnkit autograde` on two submissions

# Each code cell of the open notebook, in order: its prompt ("[3]:", "[*]:", "[ ]:"; null when
# its code is hidden, as the figures' are), its code, its output and what it wrote to stderr
# (where Lab also shows tracebacks). textContent, not innerText: cells out of view are not laid
# out.
CELLS_JS = """() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell'), cell => ({
  prompt: cell.querySelector('.jp-Placeholder-prompt') ? null
          : (cell.querySelector('.jp-InputPrompt') || {}).textContent || '',
  code: (cell.querySelector('.cm-content') || {}).textContent || '',
  output: (cell.querySelector('.jp-OutputArea') || {}).textContent || '',
  stderr: Array.from(cell.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'),
    out => out.textContent).join('')}))"""
# The kernel is idle when the status bar names it and says so (the toolbar's indicator says
# idle before there is a kernel, and Run All then opens the kernel chooser).
KERNEL_IDLE_JS = """() => {
  const status = document.querySelector('.jp-StatusBar-TextItem[title^="Change kernel"]');
  return status !== null && /^(?!No Kernel).+ \\| Idle$/.test(status.textContent.trim());
}"""
# Run All is over when the first cell has run, none is queued or running and the kernel is
# idle (after an error the cells below it are not run, so "every cell numbered" might never
# come), or when a dialog stops it.
RUN_ALL_OVER_JS = """() => {
  if (document.querySelector('.jp-Dialog')) return true;
  const prompts = Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt'),
                             p => p.textContent);
  return prompts.length > 0 && /\\d/.test(prompts[0]) && !prompts.some(p => p.includes('*'))
         && (""" + KERNEL_IDLE_JS + """)();
}"""


def require_browser() -> None:
    """Skip (fail on CI, where `make test` installs them) without chromium or playwright."""
    missing = []
    if not Path(CHROMIUM).is_file():
        missing.append("Debian's chromium (`make browser` as root, or `sudo apt-get install "
                       "chromium`)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package (`make` installs requirements.lock)")
    if missing:
        reason = "the browser test needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + "; CI must run it", pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An English course with the rnn assignment released (``rnnkit init``)."""
    return init_course(tmp_path_factory.mktemp("browser") / "course", "en", [ASSIGNMENT])


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on (as the system picks one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def jupyter_environment(home: Path) -> dict[str, str]:
    """This environment with Jupyter's config, data and runtime folders fresh under ``home``:
    no one's settings, workspaces or kernels leak in, and Lab's news feed (which would reach
    for the internet) is off."""
    folders = {name: home / name for name in ("config", "data", "runtime", "ipython")}
    for folder in folders.values():
        folder.mkdir(parents=True)
    (folders["config"] / "labconfig").mkdir()
    (folders["config"] / "labconfig" / "page_config.json").write_text(json.dumps(
        {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    return {**os.environ,
            "PATH": os.pathsep.join([str(VENV_BIN), os.environ.get("PATH", "")]),
            "JUPYTER_CONFIG_DIR": str(folders["config"]),
            "JUPYTER_DATA_DIR": str(folders["data"]),
            "JUPYTER_RUNTIME_DIR": str(folders["runtime"]),
            "IPYTHONDIR": str(folders["ipython"])}


class Lab:
    """A running ``jupyter lab``: its address and token, and its log for failure messages."""

    def __init__(self, url: str, token: str, log: Path) -> None:
        self.url, self.token, self.log = url, token, log

    def request(self, path: str, method: str = "GET") -> int:
        """The HTTP status of ``path`` (``/api/status``), authenticated with the token."""
        call = urllib.request.Request(self.url + path, method=method,
                                      headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(call, timeout=30) as answer:
            return answer.status

    def log_tail(self) -> str:
        """The end of the server's log."""
        return self.log.read_text(errors="replace")[-3000:]


@pytest.fixture(scope="module")
def lab(course: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """``jupyter lab`` serving ``course`` (nbgrader's server and Lab extensions are enabled by
    its install, in the virtualenv's etc/jupyter), shut down with its kernels at the end."""
    require_browser()
    home = tmp_path_factory.mktemp("jupyter")
    token, port = secrets.token_hex(16), free_port()
    command = [str(VENV_BIN / "jupyter"), "lab", "--no-browser", f"--port={port}",
               "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={course}"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = home / "jupyter.log"
    # nbgrader's formgrader reads nbgrader_config.py from the folder the server runs in.
    with log.open("wb") as out:
        server = subprocess.Popen(command, cwd=course, env=jupyter_environment(home),
                                  stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    running = Lab(f"http://127.0.0.1:{port}", token, log)
    try:
        wait_for_server(server, running)
        yield running
    finally:
        stop_server(server, running)


def wait_for_server(server: subprocess.Popen, lab: Lab) -> None:
    """Return once ``lab`` answers; fail, with its log, if it exits or stays silent."""
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"jupyter lab exited with {server.returncode}:\n{lab.log_tail()}")
        with contextlib.suppress(OSError):
            if lab.request("/api/status") == 200:
                return
        time.sleep(0.5)
    pytest.fail(f"jupyter lab did not answer in {SERVER_START_S} s:\n{lab.log_tail()}")


def stop_server(server: subprocess.Popen, lab: Lab) -> None:
    """Ask the server to shut down (it stops its kernels first); signal it if it does not."""
    with contextlib.suppress(OSError):
        lab.request("/api/shutdown", method="POST")
    try:
        server.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@pytest.fixture(scope="module")
def browser(lab: Lab, tmp_path_factory: pytest.TempPathFactory):
    """Debian's Chromium, headless, with a fresh profile, logged in to ``lab``."""
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    print(f"browser test screenshots: {ARTEFACTS}")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"), executable_path=CHROMIUM,
            args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 900})
        context.set_default_timeout(PAGE_S * 1000)
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser):
    """A new tab, closed after the test."""
    tab = browser.new_page()
    yield tab
    tab.close()


@contextlib.contextmanager
def screenshot_if_failing(page, name: str) -> Iterator[None]:
    """Run the block; if it raises, save what the page shows as ``failed-<name>.png``."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=ARTEFACTS / f"failed-{name}.png")
        raise


def open_lab(page, lab: Lab, path: str = "") -> None:
    """Open Lab (at ``path``, a file of the course) and wait for its menu bar."""
    page.goto(f"{lab.url}/lab{'/tree/' + path if path else ''}?token={lab.token}")
    page.locator(".lm-MenuBar-itemLabel", has_text="Nbgrader").wait_for()


def menu(page, title: str, command: str) -> None:
    """Click Lab's menu ``title`` and its item running ``command`` (its stable id)."""
    page.locator(".lm-MenuBar-itemLabel", has_text=title).click()
    page.locator(f'li.lm-Menu-item[data-command="{command}"]').click()


def run_all(page) -> list[dict[str, str | None]]:
    """Run All from Lab's Run menu in the open notebook; its code cells once all have run
    (see CELLS_JS). Fails, saying where, if Run All stopped early or a cell wrote to stderr."""
    page.wait_for_function(KERNEL_IDLE_JS, timeout=PAGE_S * 1000, polling=500)
    menu(page, "Run", "runmenu:run-all")
    page.wait_for_function(RUN_ALL_OVER_JS, timeout=RUN_ALL_S * 1000, polling=500)
    dialog = page.locator(".jp-Dialog")
    if dialog.count():
        pytest.fail(f"Lab asked instead of running: {dialog.inner_text()}", pytrace=False)
    cells = page.evaluate(CELLS_JS)
    for index, cell in enumerate(cells):
        if cell["stderr"]:
            pytest.fail(f"code cell {index} (counting from 0) wrote to stderr:\n"
                        f"{cell['stderr'][-3000:]}", pytrace=False)
        if cell["prompt"] is not None and not re.fullmatch(r"\[\d+\]:", cell["prompt"]):
            pytest.fail(f"Run All did not run code cell {index} (counting from 0), "
                        f"{cell['code'][:80]!r}: its prompt is {cell['prompt']!r}", pytrace=False)
    return cells


def test_student_runs_the_release_and_sees_every_public_check_pass(course, lab, page):
    release = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    work = course / "student" / ASSIGNMENT
    work.mkdir(parents=True)
    nb = fill_release(release, source_answers(ASSIGNMENT, "en"))
    nbformat.write(nb, work / release.name)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    checks = {i: c.metadata["nbgrader"]["grade_id"] for i, c in enumerate(code_cells)
              if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("check_")}
    assert checks, "the release has no public check cell"

    with screenshot_if_failing(page, "student"):
        open_lab(page, lab, f"student/{ASSIGNMENT}/{release.name}")
        cells = run_all(page)
        assert len(cells) == len(code_cells), "Lab shows another notebook than the one written"
        shown = page.locator(".jp-Notebook .jp-CodeCell")
        for index, grade_id in checks.items():
            code, output = cells[index]["code"], cells[index]["output"]
            assert re.sub(r"\s", "", code) == re.sub(r"\s", "", code_cells[index].source), \
                f"code cell {index} is not {grade_id}"
            assert "✓" in output and "✗" not in output, f"{grade_id} printed: {output}"
            first_line = shown.nth(index).locator(".jp-OutputArea-output").first
            first_line.scroll_into_view_if_needed()
            assert first_line.is_visible(), f"{grade_id}'s output is not shown"
            shown.nth(index).screenshot(path=ARTEFACTS / f"student-{grade_id}.png")
        page.screenshot(path=ARTEFACTS / "student-notebook.png")


def submit(course: Path, student: str, nb: nbformat.NotebookNode) -> None:
    """Put ``nb`` where nbgrader's exchange leaves a submission, with its timestamp."""
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    (folder / "timestamp.txt").write_text("2026-03-01 12:00:00.000000 UTC")


def shown_score(text: str) -> tuple[float, float]:
    """(score, max) from the formgrader's "21 / 26"."""
    match = re.fullmatch(r"\s*([\d.]+) / ([\d.]+)\s*", text)
    assert match, f"not a score: {text!r}"
    return float(match[1]), float(match[2])


def test_instructor_sees_autograded_scores_and_nothing_to_grade_by_hand(course, lab, page):
    release = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    mistakes = {e.slug: e for e in load_entries(KIT_ROOT / "tests" / "mistakes" / ASSIGNMENT)}
    submit(course, "ana", fill_release(release, source_answers(ASSIGNMENT, "en")))
    submit(course, "beto", fill_release(release, {
        **reference_answers(ASSIGNMENT),
        **answers_for_functions(mistakes["no_flow_from_next_step"].code_by_function)}))
    done = subprocess.run([sys.executable, "-m", "rnnkit.cli", "autograde", ASSIGNMENT,
                           "--course-dir", str(course)], capture_output=True, text=True,
                          timeout=AUTOGRADE_S)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    with CourseGradebook(course) as gradebook:
        expected = {row["student"]: (row["score"], row["max_score"])
                    for row in gradebook.table(ASSIGNMENT)}
    full = manifest.load(ASSIGNMENT).max_score
    said = f"{expected}; rnnkit autograde said:\n{done.stdout[-2000:]}{done.stderr[-2000:]}"
    assert expected["ana"] == (full, full), said
    assert expected["beto"][1] == full and expected["beto"][0] < full, said

    with screenshot_if_failing(page, "instructor"):
        open_lab(page, lab)
        menu(page, "Nbgrader", "nbgrader:open-formgrader")
        formgrader = page.locator("iframe[src*='formgrader']").element_handle().content_frame()
        formgrader.wait_for_url(re.compile(r"/formgrader/manage_assignments/?$"))
        assignments = formgrader.locator("#main-table tr")
        assignments.filter(has=formgrader.get_by_role("link", name=ASSIGNMENT, exact=True)) \
            .locator("td.num-submissions a").click()
        formgrader.wait_for_url(re.compile(rf"/formgrader/manage_submissions/{ASSIGNMENT}/?$"))
        submissions = read_table(formgrader, "td.student-id", len(expected))
        page.screenshot(path=ARTEFACTS / "instructor-manage-submissions.png")

        formgrader.get_by_role("link", name="Manual Grading").click()
        # The assignments, then the assignment's notebooks: both links are named like it.
        for listing in (r"/formgrader/gradebook/?$", rf"/formgrader/gradebook/{ASSIGNMENT}/?$"):
            formgrader.wait_for_url(re.compile(listing))
            formgrader.locator("#main-table").get_by_role(
                "link", name=ASSIGNMENT, exact=True).click()
        formgrader.wait_for_url(re.compile(rf"/formgrader/gradebook/{ASSIGNMENT}/{ASSIGNMENT}/?$"))
        notebooks = read_table(formgrader, "td.name a.name-shown", len(expected))
        page.screenshot(path=ARTEFACTS / "instructor-manual-grading.png")

    assert {row["student"]: shown_score(row["score"]) for row in submissions} == expected
    statuses = {row["student"]: row["status"] for row in submissions}
    assert set(statuses.values()) == {"graded"}, f"the formgrader's statuses: {statuses}"
    assert {row["student"]: shown_score(row["score"]) for row in notebooks} == expected
    flagged = [row["student"] for row in notebooks if row["needs manual grade"]]
    assert not flagged, f"the formgrader says these need manual grading: {flagged}"


# Each row of a formgrader table: the text of each cell by its class, the student (the text of
# the element `student` selects) and whether the row is marked as needing manual grading (an
# icon and a search tag in the needs-manual-grade column).
ROWS_JS = """(table, student) => Array.from(table.querySelectorAll('tr'), row => {
  const found = {};
  row.querySelectorAll('td').forEach(td => {
    for (const name of td.classList) found[name] = td.textContent.trim();
  });
  found['student'] = ((row.querySelector(student) || {}).textContent || '').trim();
  const manual = row.querySelector('td.needs-manual-grade');
  found['needs manual grade'] = Boolean(
    manual && (manual.querySelector('.glyphicon') || manual.getAttribute('data-search')));
  return found;
})"""


def read_table(formgrader, student: str, rows: int) -> list[dict[str, str | bool]]:
    """The rows of the formgrader's table once all ``rows`` are loaded (see ROWS_JS); the
    selector ``student`` finds the element naming the student in a row."""
    table = formgrader.locator("#main-table")
    names = table.locator(student)
    names.nth(rows - 1).wait_for(state="attached")
    assert names.count() == rows, f"{names.count()} rows in the formgrader, expected {rows}"
    return table.evaluate(ROWS_JS, student)
