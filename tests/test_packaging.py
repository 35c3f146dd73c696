"""What a student can install (the wheel) holds the public checks and no answers, and its
`rnnkit check` works where only the wheel is installed."""

import importlib
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from rnnkit import assignments
from rnnkit.checks import stored
from rnnkit.kit import expected
from rnnkit.kit.paths import KIT_ROOT, RELEASES

pytestmark = pytest.mark.slow

# Tool state and build output, never part of what is packaged: a copy without them is what a
# fresh clone holds (the solutions and hidden suites stay in, so a leak would still show).
NOT_COPIED = shutil.ignore_patterns(".git", ".venv", "__pycache__", "*.egg-info", "build",
                                    "dist", ".pytest_cache", ".ruff_cache", ".demo", ".rnnkit",
                                    ".ipynb_checkpoints")


def build_wheel(work: Path) -> Path:
    """Build the wheel from a copy of the checkout under ``work`` and return its path.

    setuptools writes build/ and rnnkit.egg-info/ next to pyproject.toml, so building from the
    checkout itself would leave them there, where other tests (and a second run beside this
    one) would find them.
    """
    tree, out = work / "kit", work / "wheel"
    shutil.copytree(KIT_ROOT, tree, ignore=NOT_COPIED, symlinks=True)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "--no-cache-dir", "-q", "-w", str(out),
                           str(tree)], capture_output=True, text=True, cwd=work)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = out.glob("rnnkit-*.whl")
    return wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def test_the_wheel_has_the_checks_but_no_solutions_or_hidden_suites(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for name in assignments.names():  # each assignment's spec, mistakes and public checks
        assert {f"rnnkit/assignments/{name}/{part}.py" for part in ("__init__", "mistakes",
                                                                     "checks")} <= set(names)
    assert "rnnkit/checks/notebook.py" in names  # rnnkit check
    for name in assignments.names():  # the torch answers its checks read (rnnkit.checks.stored)
        if expected.has_stored_answers(name):
            assert f"rnnkit/assignments/{name}/{stored.FILE_NAME}" in names
    assert "rnnkit/gradcheck.py" in names
    leaks = [n for n in names if n.startswith(("solutions/", "tests/")) or "/hidden/" in n
             or "test_rnn" in n or "test_lstm" in n]
    assert not leaks
    # The grader and the rest of the instructor kit are the instructor's: students get the
    # checks, not the grading machinery.
    assert not [n for n in names if n.startswith(("rnnkit/kit/", "rnnkit/grading/",
                                                  "rnnkit/sandbox/", "rnnkit/nb/",
                                                  "rnnkit/outputs/"))]


def install(wheel: Path, folder: Path) -> Path:
    """A virtualenv in ``folder`` with the wheel installed, as a student has it; its other
    packages (numpy, torch, nbformat...) are this environment's, whose own rnnkit (the
    checkout, installed editable) is not seen. Returns the venv's bin folder."""
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                           "--no-deps", "--no-index", "-q", str(wheel)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                           "'purelib'))"], capture_output=True, text=True, check=True)
    ours = sysconfig.get_path("purelib")  # a path, not a site dir: its .pth files stay unread
    (Path(site.stdout.strip()) / "kit_dependencies.pth").write_text(ours + "\n")
    return venv / "bin"


def test_rnnkit_check_works_from_the_wheel_and_instructor_commands_say_what_they_need(
        wheel, tmp_path):
    bin_folder = install(wheel, tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RNNKIT_LANG")}
    blank = RELEASES / "rnn" / "rnn.ipynb"

    def rnnkit(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([str(bin_folder / "rnnkit"), *args], capture_output=True,
                              text=True, cwd=tmp_path, env=env, timeout=600)

    where = subprocess.run([str(bin_folder / "python"), "-c", "import rnnkit; print(rnnkit."
                            "__file__)"], capture_output=True, text=True, env=env)
    assert where.stdout.startswith(str(tmp_path)), where.stdout + where.stderr
    done = rnnkit("check", str(blank))
    assert done.returncode == 1, done.stderr[-2000:]
    checks = len(importlib.import_module("rnnkit.assignments.rnn.checks").__all__)
    assert f"0 de {checks} comprobaciones públicas pasan." in done.stdout  # the release's
    for args in (["grade", str(blank), "--assignment", "rnn"], ["gradebook", "rnn"]):
        done = rnnkit(*args)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        (line,) = done.stderr.strip().splitlines()
        assert "is for instructors" in line and "rnnkit check NOTEBOOK" in line
