"""Students collected from a Canvas zip go through nbgrader's whole feedback and export chain.

``nbgrader release_feedback`` reads every feedback folder's timestamp.txt and
submission_secret.txt and stops the whole class at the first student without them, so
collect-zip writes both (tests/test_collect.py proves what they hold). Here a small course
collects a Canvas download with one student on time and one marked ``_LATE``, grades it with
``rnnkit autograde``, and runs ``nbgrader generate_feedback``, ``release_feedback`` and
``export``: the late student is 1 s late, with the penalty the course's nbgrader plugin gives.
"""

from __future__ import annotations

import csv
import zipfile
from datetime import timedelta

import nbformat
import pytest
from nbgrader.plugins import LateSubmissionPlugin
from nbgrader.utils import notebook_hash, parse_utc
from test_gradebook_fidelity import ASSIGNMENT, DUE, make_course, recorded
from test_nbgrader_e2e import nbgrader

from rnnkit.cli import main
from rnnkit.grading.gradebook import course_config
from rnnkit.nb.fill import fill_release, reference_answers

pytestmark = pytest.mark.slow

ON_TIME = ("garciaana_111_9000_rnn.ipynb", "garciaana_111")  # Canvas member, collected id
LATE = ("lopezbruno_LATE_222_9001_rnn.ipynb", "lopezbruno_222")


def test_canvas_students_get_feedback_and_canvas_lateness(tmp_path, capsys):
    course = make_course(tmp_path / "course")  # the rnn release, due at DUE, 'zero' penalty
    release_nb = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    answered = nbformat.writes(fill_release(release_nb, reference_answers(ASSIGNMENT)))
    download = tmp_path / "download.zip"
    with zipfile.ZipFile(download, "w") as archive:
        for member, _ in (ON_TIME, LATE):
            archive.writestr(member, answered)

    assert main(["collect-zip", ASSIGNMENT, str(download), "--course-dir", str(course)]) == 0
    assert f"note: {LATE[1]}: Canvas marked it late but not how late" in capsys.readouterr().out
    assert main(["autograde", ASSIGNMENT, "--course-dir", str(course), "--jobs", "2"]) == 0

    for step in ("generate_feedback", "release_feedback"):
        done = nbgrader(course, step, ASSIGNMENT)
        assert done.returncode == 0, done.stderr[-3000:]
    released = course / "exchange" / course_config(course).coursedir.course_id / "feedback"
    for _, student in (ON_TIME, LATE):  # the page is named by a hash of the submission's secret
        secret = (course / "submitted" / student / ASSIGNMENT / "submission_secret.txt")
        page = released / f"{notebook_hash(secret=secret.read_text(), notebook_id=ASSIGNMENT)}.html"
        assert "Score:" in page.read_text(), student

    done = nbgrader(course, "export", "--to", str(tmp_path / "grades.csv"))
    assert done.returncode == 0, done.stderr[-3000:]
    with open(tmp_path / "grades.csv", newline="") as grades:
        rows = {row["student_id"]: row for row in csv.DictReader(grades)}
    late, on_time = rows[LATE[1]], rows[ON_TIME[1]]
    assert parse_utc(late["duedate"]) == DUE
    assert parse_utc(late["timestamp"]) - DUE == timedelta(seconds=1)
    assert parse_utc(on_time["timestamp"]) == DUE
    assert recorded(course)[LATE[1]]["submission"]["total_seconds_late"] == 1
    raw = float(late["raw_score"])
    plugin = LateSubmissionPlugin(parent=course_config(course))  # the course's settings
    assert float(late["late_submission_penalty"]) == plugin.late_submission_penalty(
        LATE[1], raw, 1.0) == raw == 30.0
    assert float(on_time["late_submission_penalty"]) == 0.0
    assert float(on_time["score"]) == 30.0
