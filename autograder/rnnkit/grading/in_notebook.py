"""The bridge nbgrader's grading cells call inside the student's kernel.

``grade_function("rnn", "rnn_forward", globals())`` runs the hidden tests of one function
against the notebook's own namespace, prints one line per test and returns the points earned,
which nbgrader (>= 0.6) records as the cell's partial credit. This is plain nbgrader's trust
model (the student's code shares the kernel); ``rnnkit grade`` is the isolated path and uses the
same suite, so both give the same score to honest submissions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rnnkit.grading import suite
from rnnkit.grading.results import format_tests
from rnnkit.grading.student import NamespaceStudent


def grade_function(assignment: str, function: str, namespace: Mapping[str, Any]) -> float:
    """Run the hidden tests of ``function``; print the feedback and return the points earned."""
    results = suite.run(assignment, NamespaceStudent(namespace), functions=[function])
    print("\n".join(format_tests(results)))
    return sum(r.earned for r in results)
