"""What a student can install (the wheel) holds the public checks and no answers."""

import subprocess
import sys
import zipfile

import pytest

from rnnkit.paths import KIT_ROOT

pytestmark = pytest.mark.slow


def test_the_wheel_has_the_checks_but_no_solutions_or_hidden_suites(tmp_path):
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp_path), str(KIT_ROOT)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("rnnkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "rnnkit/checks/rnn.py" in names and "rnnkit/checks/lstm.py" in names
    assert "rnnkit/gradcheck.py" in names
    leaks = [n for n in names if n.startswith(("solutions/", "hidden/", "tests/"))
             or "test_rnn" in n or "test_lstm" in n]
    assert not leaks
