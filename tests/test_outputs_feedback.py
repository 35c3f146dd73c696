"""`rnnkit feedback`: nbgrader's feedback pages of a graded class (tests/outputs_class.py), with
the grader's notes on the whole notebook, which plain `nbgrader generate_feedback` leaves out.
"""

from __future__ import annotations

import html
from pathlib import Path

import pytest
from outputs_class import ASSIGNMENT, HTML_PRINTED, STUDENTS, graded_course

from rnnkit.cli import main

HEADING = "The grader's notes on the whole notebook"


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return graded_course(tmp_path_factory)


def page(course: Path, student: str) -> str:
    return (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text(
        encoding="utf-8")


def test_every_student_gets_nbgraders_page_with_the_notes_on_their_notebook(course, capsys):
    assert main(["feedback", ASSIGNMENT, "--course-dir", str(course)]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed == [f"wrote {course / 'feedback' / student / ASSIGNMENT / 'rnn.html'}"
                       for student in STUDENTS]
    dani, eva, ana = (page(course, student) for student in ("dani", "eva", "ana"))
    for text in (dani, eva, ana):
        assert "Score:" in text  # nbgrader's own page
    assert HEADING in html.unescape(dani) and "made the process end" in dani
    assert HEADING in html.unescape(eva) and "JSON" in eva
    assert HEADING not in html.unescape(ana)  # no notes, no section
    # What dani's code printed is shown as text: the page runs none of it.
    assert "<script>" not in dani and HTML_PRINTED in html.unescape(dani)
