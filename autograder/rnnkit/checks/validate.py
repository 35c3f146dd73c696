"""What ``nbgrader validate`` learns from the public checks.

A released grading cell is only a comment (its hidden tests are stripped out), so nbgrader's
validator, which judges grading cells only, would find nothing wrong in a notebook whose
exercises are all still stubs and say "Success!". Under ``nbgrader validate`` (nbgrader sets
``NBGRADER_EXECUTION=validate`` in the kernel it starts), every public check remembers its
verdict, and when a grading cell then runs (the one after the check), it prints on stderr the
first failure of each function it names whose public check fails: nbgrader counts that cell as
failed and shows that text as its error. The grading cells' comments say so to the student.

Outside ``nbgrader validate`` (Jupyter, ``nbgrader autograde``, ``rnnkit check``) nothing here
does anything, so Run All and grading behave as if this module did not exist.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from typing import Any

__all__ = ["remember", "validating"]

LINE_WIDTH = 80  # what nbgrader validate shows of a line of an error, and a margin

# function name -> the line nbgrader validate shows for it (only failing checks are kept)
_failing: dict[str, str] = {}


def validating() -> bool:
    """Whether this kernel runs under ``nbgrader validate``."""
    return os.environ.get("NBGRADER_EXECUTION") == "validate"


def remember(function: str, failure: str | None) -> None:
    """Record the verdict of ``function``'s public check: None when it passed, else what
    nbgrader validate will show as the error of that function's grading cell."""
    if not validating():
        return
    if failure is None:
        _failing.pop(function, None)
    else:
        _failing[function] = failure
    _listen_to_cells()


def _listen_to_cells() -> None:
    """Have IPython call :func:`_report_in_grading_cell` before each cell (once per kernel)."""
    try:
        from IPython import get_ipython
    except ImportError:  # not in a notebook: there are no grading cells to speak in
        return
    shell = get_ipython()
    if shell is not None and _report_in_grading_cell not in shell.events.callbacks.get(
            "pre_run_cell", []):
        shell.events.register("pre_run_cell", _report_in_grading_cell)


def _report_in_grading_cell(info: Any) -> None:
    """Before a released grading cell (a cell of comments only) runs, print on stderr the
    failure of each function it names."""
    cell = getattr(info, "raw_cell", "") or ""
    lines = [line.strip() for line in cell.splitlines() if line.strip()]
    if not lines or not all(line.startswith("#") for line in lines):
        return
    for function, failure in _failing.items():
        if re.search(rf"(?<!\w){re.escape(function)}(?!\w)", cell):
            # nbgrader validate cuts the lines of an error at 87 characters: wrap them
            print(textwrap.fill(failure, LINE_WIDTH), file=sys.stderr)
