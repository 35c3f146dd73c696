"""The public checks' stored torch answers (rnnkit.checks.stored): computed here, with torch.

Every public check of an assignment runs on the reference solution while its oracle records
what torch answers (only the answers a right notebook needs are recorded: the known mistakes'
wrong values are computed when a student's value is wrong, never here). :func:`write` stores
them beside the assignment, in the students' wheel; :func:`stale` says how the stored file
differs from a fresh computation (a test keeps it empty).

    python -m rnnkit.kit.expected [ASSIGNMENT ...]     rewrite the stored answers (default: all)
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import inspect
import io
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from rnnkit import assignments
from rnnkit.checks import stored
from rnnkit.checks.stored import StoredOracle
from rnnkit.kit.paths import SOLUTIONS

__all__ = ["compute", "has_stored_answers", "stale", "write"]

# Two computations of the same float64 formulas agree this closely (torch's own kernels are
# deterministic on the CPU); real changes of the inputs or of the oracle are far above it.
RTOL, ATOL = 1e-12, 1e-14


def has_stored_answers(assignment: str) -> bool:
    """Whether the assignment's public checks read a torch oracle's stored answers (their
    module's ORACLE is a StoredOracle)."""
    return isinstance(getattr(_checks(assignment), "ORACLE", None), StoredOracle)


def compute(assignment: str) -> dict[str, stored.Answer]:
    """key -> torch's answer, for every oracle call the assignment's public checks make on the
    reference solution (their printed reports are discarded)."""
    checks = _checks(assignment)
    solution = _solution(assignment)
    with checks.ORACLE.recording() as answers, contextlib.redirect_stdout(io.StringIO()):
        for name in checks.__all__:
            check = getattr(checks, name)
            check(*(getattr(solution, arg) for arg in inspect.signature(check).parameters))
    return answers


def write(assignment: str) -> Path:
    """Compute the assignment's stored answers and write them; returns the file."""
    path = _checks(assignment).ORACLE.path
    stored.save(path, compute(assignment))
    return path


def stale(assignment: str) -> list[str]:
    """How the stored answers differ from a fresh computation, one line per difference (empty
    when they are current)."""
    path = _checks(assignment).ORACLE.path
    if not path.is_file():
        return [f"{path} is missing"]
    kept, fresh = stored.load(path), compute(assignment)
    lines = [f"{key}: not stored" for key in fresh.keys() - kept.keys()]
    lines += [f"{key}: stored, but no check asks for it" for key in kept.keys() - fresh.keys()]
    lines += [f"{key}: stored value differs" for key in fresh.keys() & kept.keys()
              if not _same(kept[key], fresh[key])]
    return sorted(lines)


def _same(first: Any, second: Any) -> bool:
    if isinstance(first, dict | tuple) or isinstance(second, dict | tuple):
        if type(first) is not type(second) or len(first) != len(second):
            return False
        pairs = ((first[k], second.get(k)) for k in first) if isinstance(first, dict) else zip(
            first, second, strict=True)
        return all(_same(a, b) for a, b in pairs)
    return second is not None and np.shape(first) == np.shape(second) and np.allclose(
        first, second, rtol=RTOL, atol=ATOL)


def _checks(assignment: str) -> ModuleType:
    return importlib.import_module(f"{assignments.get(assignment).module}.checks")


def _solution(assignment: str) -> ModuleType:
    """The reference solution, solutions/<assignment>.py, as a module."""
    path = SOLUTIONS / f"{assignment}.py"
    spec = importlib.util.spec_from_file_location(f"_rnnkit_solution_{assignment}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main(argv: list[str]) -> int:
    chosen = argv or [name for name in assignments.names() if has_stored_answers(name)]
    for name in chosen:
        print(f"{name}: {write(name)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
