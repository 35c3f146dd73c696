"""`rnnkit export`: an assignment's grades as the CSV that Moodle's or Canvas's grade import reads,
scores after the late penalty exactly as nbgrader's own export computes them, students without a
submission left empty (not 0), run for real on a graded temporary course (tests/outputs_class.py).
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.plugins.export import CsvExportPlugin
from outputs_class import ASSIGNMENT, ROSTER, STUDENTS, graded_course, roster

from rnnkit.cli import main
from rnnkit.grading.gradebook import course_config


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return graded_course(tmp_path_factory)


def export(capsys, course: Path, tmp_path: Path, *options: str) -> tuple[list[list[str]], str]:
    """Run `rnnkit export` from inside the course; the CSV's rows and what it printed."""
    out = tmp_path / "lms.csv"
    code = main(["export", ASSIGNMENT, *options, "--out", str(out), "--course-dir", str(course)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    with open(out, newline="", encoding="utf-8") as grades:
        return list(csv.reader(grades)), printed


def nbgrader_scores(course: Path, tmp_path: Path) -> dict[str, dict[str, str]]:
    """nbgrader's own export of the course (its CSV plugin), by student id."""
    settings = course_config(course).coursedir
    out = tmp_path / "nbgrader-grades.csv"
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        CsvExportPlugin(to=str(out)).export(gradebook)
    with open(out, newline="") as grades:
        return {row["student_id"]: row for row in csv.DictReader(grades)
                if row["assignment"] == ASSIGNMENT}


def test_canvas_csv_has_its_columns_points_row_and_nbgraders_scores(course, tmp_path, capsys):
    rows, printed = export(capsys, course, tmp_path, "--format", "canvas",
                           "--roster", str(roster(tmp_path)))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
    assert rows[1][0].strip() == "Points Possible" and rows[1][1:5] == ["", "", "", ""]
    assert float(rows[1][5]) == 30
    by_id = {row[1]: row for row in rows[2:]}
    assert list(by_id) == ["101", "102", "103", "104", "105", "106"]  # the roster's order
    assert by_id["104"][:5] == ["Sanz, Jr., Dani", "104", "S104", "dani.sanz", "L2"]

    nbgrader = nbgrader_scores(course, tmp_path)
    for lms_id, student in zip(["101", "102", "103", "104", "105"], STUDENTS, strict=True):
        assert float(by_id[lms_id][5]) == float(nbgrader[student]["score"]), student
    assert float(nbgrader["ana"]["score"]) > 20  # on time: the score itself
    assert float(nbgrader["beto"]["raw_score"]) > 0 and by_id["102"][5] == "0"  # late: zeroed
    assert by_id["103"][5] == "0"  # carla's blank notebook is graded: 0
    assert by_id["106"][5] == ""  # fede never submitted: no grade, not 0
    assert "for 6 students (5 graded, 1 without a grade)" in printed
    assert "note:" not in printed


def test_moodle_csv_maps_users_by_id_number_and_names_the_grade_item(course, tmp_path, capsys):
    rows, _ = export(capsys, course, tmp_path, "--format", "moodle", "--item", "RNN lab",
                     "--roster", str(roster(tmp_path)))
    assert rows[0] == ["First name", "Last name", "ID number", "Email address",
                       "Assignment: RNN lab (Real)"]
    by_email = {row[3]: row for row in rows[1:]}
    assert by_email["ana@example.org"][:3] == ["Ana", "García", "A-1"]
    nbgrader = nbgrader_scores(course, tmp_path)
    assert float(by_email["ana@example.org"][4]) == float(nbgrader["ana"]["score"])
    assert by_email["beto@example.org"][4] == "0"
    assert by_email["fede@example.org"][4] == ""


def test_moodle_without_every_id_number_maps_by_email_and_names_who_cannot_match(
        course, tmp_path, capsys):
    partial = ROSTER.replace(",A-5,", ",,").replace("carla@example.org", "")
    rows, printed = export(capsys, course, tmp_path, "--format", "moodle",
                           "--roster", str(roster(tmp_path, partial)))
    assert rows[0] == ["First name", "Last name", "Email address",
                       f"Assignment: {ASSIGNMENT} (Real)"]
    assert "note: carla has no email" in printed
    assert printed.count("note:") == 1


def test_a_graded_student_missing_from_the_roster_is_left_out_and_named(course, tmp_path, capsys):
    without_eva = "\n".join(line for line in ROSTER.splitlines() if not line.startswith("eva,"))
    rows, printed = export(capsys, course, tmp_path, "--format", "canvas",
                           "--roster", str(roster(tmp_path, without_eva)))
    assert "105" not in [row[1] for row in rows]
    assert "note: eva has a grade but is not in the roster" in printed


def test_without_a_roster_the_gradebooks_students_and_ids_are_used(course, tmp_path, capsys):
    copy = tmp_path / "course"  # the gradebook is changed: a copy of the shared course
    shutil.copytree(course, copy, symlinks=True)
    settings = course_config(copy).coursedir
    with Gradebook(settings.db_url, settings.course_id) as gradebook:  # nbgrader db student import
        gradebook.update_or_create_student("ana", first_name="Ana", last_name="García",
                                           lms_user_id="101")
    rows, printed = export(capsys, copy, tmp_path, "--format", "canvas")
    assert [row[1] for row in rows[2:]] == ["101", "", "", "", ""]
    assert rows[2][0] == "García, Ana"
    assert "for 5 students (5 graded, 0 without a grade)" in printed
    assert printed.count("Canvas can match them in no way") == 4
