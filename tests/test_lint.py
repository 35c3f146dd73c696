"""The kit's code is ruff clean (the configuration is in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

from rnnkit.kit.paths import KIT_ROOT


def test_ruff_finds_nothing():
    ruff = Path(sys.executable).parent / "ruff"
    done = subprocess.run([str(ruff), "check", "--no-cache", "."], cwd=KIT_ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:]
