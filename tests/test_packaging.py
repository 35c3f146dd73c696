"""What a student can install (the wheel) holds the public checks and no answers."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rnnkit.paths import KIT_ROOT

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


def test_the_wheel_has_the_checks_but_no_solutions_or_hidden_suites(tmp_path):
    names = zipfile.ZipFile(build_wheel(tmp_path)).namelist()
    assert "rnnkit/checks/rnn.py" in names and "rnnkit/checks/lstm.py" in names
    assert "rnnkit/gradcheck.py" in names
    leaks = [n for n in names if n.startswith(("solutions/", "hidden/", "tests/"))
             or "test_rnn" in n or "test_lstm" in n]
    assert not leaks
