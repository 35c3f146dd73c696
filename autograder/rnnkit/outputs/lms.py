"""An assignment's grades as a CSV file that Moodle or Canvas imports as it is.

Scores come from nbgrader's gradebook, after the late penalty, as ``nbgrader export`` computes
them: the score less the penalty, never below 0. A student without a submission has no grade:
their cell is left empty, not 0.

Who is who: the roster (``--roster``: the CSV that ``rnnkit collect-zip`` and ``nbgrader db
student import`` read) maps each nbgrader student id to the LMS's ids and names; without one,
the students of nbgrader's gradebook are exported with the names, email and lms_user_id it
holds. Besides the roster's own columns (id, lms_user_id, first_name, last_name, email) the
export reads, when present, ``id_number`` (Moodle's ID number) and ``sis_user_id``,
``sis_login_id``, ``section`` (Canvas's).

- Moodle (Grades > Import > CSV file): First name, Last name, ID number (only when every student
  has one), Email address, and the grade named as Moodle's own export names an assignment's,
  ``Assignment: <item> (Real)``. Moodle's import page then identifies users by ID number (else
  by email address) and maps the column to the grade item called ``<item>`` by itself. These
  are the names of an English Moodle; in another language, pick them on the mapping page.
- Canvas (Grades > Import): Student, ID, SIS User ID, SIS Login ID, Section and the assignment's
  column, then a Points Possible row. Canvas finds each student by ID (the Canvas user id:
  lms_user_id), else by the SIS ids. A column named as Canvas exports an existing assignment
  (``RNN (1234)``) fills that assignment; another name makes a new one, worth the points given.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from rnnkit.grading.results import write_text_atomically

FORMATS = ("moodle", "canvas")
EXTRA_ROSTER_COLUMNS = ("id_number", "sis_user_id", "sis_login_id", "section")
CANVAS_POINTS_ROW = "    Points Possible"  # as Canvas's own export writes it


@dataclass(frozen=True)
class Person:
    """A student as the LMS knows them: ``student`` is the nbgrader id; the rest may be empty."""

    student: str
    first_name: str = ""
    last_name: str = ""
    email: str = ""
    lms_user_id: str = ""
    id_number: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


@dataclass(frozen=True)
class Exported:
    """What an export wrote: the file, how many students it lists and how many have a grade,
    and notes for the instructor (students the LMS cannot match, graded students left out)."""

    path: Path
    students: int
    graded: int
    notes: list[str]


def export_grades(course: Path, assignment: str, lms: str, out: Path, *,
                  roster: Path | None = None, item: str | None = None) -> Exported:
    """Write the grades of ``assignment`` as the CSV that ``lms`` imports.

    Inputs:
    - course: the nbgrader course folder (its gradebook holds the grades)
    - assignment: the assignment id, e.g. "rnn"
    - lms: "moodle" or "canvas"
    - out: the CSV file to write (replaced whole)
    - roster: optional class list (see the module's docstring); else the gradebook's students
    - item: the grade item's name in the LMS (default: the assignment id)

    Returns an :class:`Exported`. Raises ValueError (cause and fix) for an unknown format, a
    bad roster, or a course whose gradebook has no such assignment.
    """
    if lms not in FORMATS:
        raise ValueError(f"unknown format {lms!r}: choose one of {', '.join(FORMATS)}")
    listed = roster_people(roster) if roster is not None else None
    scores, max_score, known = gradebook_scores(course, assignment)
    people = listed if listed is not None else known
    notes = []
    if listed is not None:
        ids = {person.student for person in listed}
        notes += [f"{student} has a grade but is not in the roster {roster}: left out; add "
                  f"them to the roster" for student in sorted(set(scores) - ids)]
    table = _moodle if lms == "moodle" else _canvas
    rows, unmatched = table(people, scores, max_score, item or assignment)
    write_text_atomically(Path(out), _csv_text(rows))
    graded = sum(person.student in scores for person in people)
    return Exported(Path(out), len(people), graded, notes + unmatched)


def gradebook_scores(course: Path, assignment: str
                     ) -> tuple[dict[str, float], float, list[Person]]:
    """The grades nbgrader recorded for ``assignment`` in ``course``.

    Returns (student id -> score after the late penalty, the assignment's max score, every
    student of the gradebook with the names, email and lms_user_id it holds). Raises
    ValueError when the course has no gradebook or the gradebook no such assignment; a
    missing gradebook file is not created.
    """
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.engine import make_url

    from rnnkit.grading.gradebook import course_config

    coursedir = course_config(course).coursedir
    no_grades = (f"the gradebook of {course} has no grades of {assignment}: run `rnnkit "
                 f"autograde {assignment}` there first")
    url = make_url(coursedir.db_url)
    if url.get_backend_name() == "sqlite" and url.database and not Path(url.database).exists():
        raise ValueError(no_grades)
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        try:
            max_score = float(gradebook.find_assignment(assignment).max_score)
        except MissingEntry:
            raise ValueError(no_grades) from None
        scores = {submission.student.id: max(0.0, float(submission.score) - float(
            submission.late_submission_penalty or 0.0))
            for submission in gradebook.assignment_submissions(assignment)}
        people = [Person(s.id, s.first_name or "", s.last_name or "", s.email or "",
                         s.lms_user_id or "") for s in sorted(gradebook.students,
                                                             key=lambda s: s.id)]
    return scores, max_score, people


def roster_people(path: Path) -> list[Person]:
    """The students of a roster CSV, in its order (read and checked as ``collect-zip`` reads
    it, see rnnkit.kit.collect.load_roster), with its optional LMS columns
    (EXTRA_ROSTER_COLUMNS)."""
    from rnnkit.kit.collect import load_roster

    students = load_roster(Path(path))  # a ValueError names what is wrong with the file
    rows = csv.reader(io.StringIO(Path(path).read_text(encoding="utf-8-sig"), newline=""))
    header = [column.strip() for column in next(rows, [])]
    extra: dict[str, dict[str, str]] = {}
    for row in rows:
        values = dict(zip(header, (cell.strip() for cell in row), strict=False))
        extra[values.get("id", "")] = {key: values.get(key, "") for key in EXTRA_ROSTER_COLUMNS}
    return [Person(student.id, student.first_name, student.last_name, student.email, lms_id,
                   **extra.get(student.id, {}))
            for lms_id, student in students.items()]


def _moodle(people: list[Person], scores: dict[str, float], max_score: float,
            item: str) -> tuple[list[list[str]], list[str]]:
    """Moodle's rows and the students it cannot match (no ID number column: no email)."""
    by_id_number = bool(people) and all(person.id_number for person in people)
    header = ["First name", "Last name", *(["ID number"] if by_id_number else []),
              "Email address", f"Assignment: {item} (Real)"]
    rows, unmatched = [header], []
    for person in people:
        rows.append([person.first_name, person.last_name,
                     *([person.id_number] if by_id_number else []), person.email,
                     _points(scores.get(person.student))])
        if not by_id_number and not person.email:
            unmatched.append(f"{person.student} has no email (and not every student has an "
                             f"id_number): Moodle cannot match them; add it to the roster")
    return rows, unmatched


def _canvas(people: list[Person], scores: dict[str, float], max_score: float,
            item: str) -> tuple[list[list[str]], list[str]]:
    """Canvas's rows and the students it can only match by name (no Canvas or SIS id)."""
    rows = [["Student", "ID", "SIS User ID", "SIS Login ID", "Section", item],
            [CANVAS_POINTS_ROW, "", "", "", "", _points(max_score)]]
    unmatched = []
    for person in people:
        name = ", ".join(part for part in (person.last_name, person.first_name) if part)
        rows.append([name, person.lms_user_id, person.sis_user_id, person.sis_login_id,
                     person.section, _points(scores.get(person.student))])
        if not (person.lms_user_id or person.sis_user_id or person.sis_login_id):
            match = "only by name" if name else "in no way"
            unmatched.append(f"{person.student} has no Canvas user id (lms_user_id) nor SIS id: "
                             f"Canvas can match them {match}; add one to the roster")
    return rows, unmatched


def _points(score: float | None) -> str:
    """A score as the LMS reads it ("22", "12.5"); no grade is an empty cell."""
    return "" if score is None else format(round(score, 6), ".12g")


def _csv_text(rows: list[list[str]]) -> str:
    text = io.StringIO()
    csv.writer(text, lineterminator="\r\n").writerows(rows)  # RFC 4180, as both LMSs export
    return text.getvalue()
