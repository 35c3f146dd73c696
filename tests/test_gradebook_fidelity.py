"""After ``rnnkit autograde`` everything plain nbgrader allows after grading still works and
looks the same. One class, submitted the way nbgrader's exchange leaves it (timestamp.txt,
submission_secret.txt, one student 25 s late), is graded twice: by ``nbgrader autograde`` in
one copy of the course and by rnnkit in the other. Both must leave the same gradebook (scores,
needs_manual_grade, comments, timestamps, lateness, late penalties of nbgrader's plugin), the
same files in autograded/, and the same ``nbgrader export``; feedback is generated and released
from rnnkit's grades."""

from __future__ import annotations

import csv
import json
import os
import shutil
from datetime import datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook
from nbgrader.utils import notebook_hash
from test_nbgrader_e2e import nbgrader, submit

from rnnkit.grading.classroom import STATE_FILE, autograde_class
from rnnkit.grading.gradebook import course_config
from rnnkit.kit.course import release
from rnnkit.kit.paths import KIT_ROOT, SOURCE
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import answers_for_functions, fill_release, reference_answers, source_answers

pytestmark = pytest.mark.slow
ASSIGNMENT = "rnn"
DUE = datetime(2024, 3, 1, 12, 0, 0)  # UTC, as nbgrader stores due dates

# The course's database and exchange sit inside it (found from the config file itself), so a
# copy of the course is a separate course; late work gets nbgrader's 'zero' penalty.
COURSE_CONFIG = '''
import os
_here = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.db_url = "sqlite:///" + os.path.join(_here, "grades", "fidelity.db")
c.Exchange.root = os.path.join(_here, "exchange")
c.LateSubmissionPlugin.penalty_method = "zero"
'''


def make_course(root: Path) -> Path:
    """A course with its own config (database elsewhere than gradebook.db), the assignment
    released in English and due at DUE."""
    root.mkdir()
    (root / "source").symlink_to(SOURCE, target_is_directory=True)
    (root / "grades").mkdir()
    (root / "exchange").mkdir()
    config = (KIT_ROOT / "nbgrader_config.py").read_text() + COURSE_CONFIG
    (root / "nbgrader_config.py").write_text(config)
    release(ASSIGNMENT, root, "en")
    settings = course_config(root).coursedir
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE)
    return root


def exchange_submission(course: Path, student: str, nb: nbformat.NotebookNode,
                        seconds_after_due: float) -> Path:
    """``submitted/<student>/rnn/`` as ``nbgrader collect`` leaves it."""
    notebook = submit(course, ASSIGNMENT, student, nb)
    stamp = DUE + timedelta(seconds=seconds_after_due)
    (notebook.parent / "timestamp.txt").write_text(f"{stamp:%Y-%m-%d %H:%M:%S.%f} UTC")
    (notebook.parent / "submission_secret.txt").write_text(f"secret-of-{student}-" + "ab" * 60)
    return notebook


def submit_class(course: Path) -> None:
    release_nb = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    mistake = load_entries(KIT_ROOT / "tests" / "mistakes" / ASSIGNMENT)[0]
    mistaken = {**reference_answers(ASSIGNMENT),
                **answers_for_functions(mistake.code_by_function)}
    exchange_submission(course, "ana", fill_release(release_nb, source_answers(ASSIGNMENT, "en")),
                        -3600)
    exchange_submission(course, "beto", fill_release(release_nb, mistaken), 24.87)
    exchange_submission(course, "carla", nbformat.read(release_nb, as_version=4), -10)
    dani = exchange_submission(course, "dani", fill_release(release_nb, reference_answers(
        ASSIGNMENT)), 7200).parent
    # Other files the way nbgrader copies them: kept, in folders too, unless ignored.
    (dani / "notes.txt").write_text("my notes")
    (dani / "data").mkdir()
    (dani / "data" / "sample.csv").write_text("1,2\n")
    (dani / "__pycache__").mkdir()
    (dani / "__pycache__" / "helper.cpython-311.pyc").write_bytes(b"\0")
    (dani / ".ipynb_checkpoints").mkdir()
    (dani / ".ipynb_checkpoints" / "rnn-checkpoint.ipynb").write_text("{}")


def recorded(course: Path) -> dict[str, dict]:
    """Everything the gradebook holds about each student's submission, ids left out."""
    settings = course_config(course).coursedir

    def fields(row: object, **more: object) -> dict:
        return {**{k: v for k, v in row.to_dict().items() if k != "id"}, **more}

    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        return {
            sub.student.id: {
                "submission": fields(sub, total_seconds_late=sub.total_seconds_late),
                "notebooks": {
                    nb.name: fields(nb, late_submission_penalty=nb.late_submission_penalty)
                    for nb in sub.notebooks},
                "grades": {g.name: fields(g, score=g.score)
                           for nb in sub.notebooks for g in nb.grades},
                "comments": {c.name: (c.auto_comment, c.manual_comment)
                             for nb in sub.notebooks for c in nb.comments},
            }
            for sub in gradebook.assignment_submissions(ASSIGNMENT)
        }


def autograded_files(course: Path) -> dict[str, bytes | None]:
    """Each file in autograded/ by path; the bytes of all but the notebooks."""
    root = course / "autograded"
    return {str(p.relative_to(root)): None if p.suffix == ".ipynb" else p.read_bytes()
            for p in root.rglob("*") if p.is_file()}


def exported(course: Path, to: Path) -> list[dict[str, str]]:
    done = nbgrader(course, "export", "--to", str(to))
    assert done.returncode == 0, done.stderr[-3000:]
    with open(to, newline="") as grades:  # rows in the order students were first recorded
        return sorted(csv.DictReader(grades), key=lambda row: row["student_id"])


def test_rnnkit_autograde_records_what_nbgrader_autograde_records(tmp_path):
    plain = make_course(tmp_path / "plain")
    submit_class(plain)
    kit = tmp_path / "kit"
    shutil.copytree(plain, kit, symlinks=True)

    done = nbgrader(plain, "autograde", ASSIGNMENT)
    assert done.returncode == 0, done.stderr[-3000:]
    summary = autograde_class(kit, ASSIGNMENT, jobs=2, progress=False)
    assert (summary.graded, summary.failed) == (4, []), summary.failed

    by_nbgrader, by_rnnkit = recorded(plain), recorded(kit)
    assert set(by_rnnkit) == {"ana", "beto", "carla", "dani"}
    for student in by_nbgrader:
        assert by_rnnkit[student] == by_nbgrader[student], student
    # What the issue saw wrong, stated on its own: lateness, penalties, no manual grading left.
    beto = by_rnnkit["beto"]
    assert beto["submission"]["timestamp"] == "2024-03-01T12:00:24.870000"
    assert beto["submission"]["total_seconds_late"] == pytest.approx(24.87)
    assert 0 < beto["notebooks"]["rnn"]["late_submission_penalty"] == beto["submission"]["score"]
    assert by_rnnkit["ana"]["notebooks"]["rnn"]["late_submission_penalty"] is None
    assert not any(g["needs_manual_grade"] for s in by_rnnkit.values()
                   for g in s["grades"].values())
    assert by_rnnkit["carla"]["comments"]["answer_rnn_forward"][0] == "No response."

    plain_files, kit_files = autograded_files(plain), autograded_files(kit)
    for student in by_rnnkit:  # rnnkit's own state file is the one extra
        assert kit_files.pop(f"{student}/{ASSIGNMENT}/{STATE_FILE}")
    assert kit_files == plain_files
    assert {f"beto/{ASSIGNMENT}/timestamp.txt", f"beto/{ASSIGNMENT}/submission_secret.txt",
            f"dani/{ASSIGNMENT}/data/sample.csv"} <= set(kit_files)

    assert exported(kit, tmp_path / "kit.csv") == exported(plain, tmp_path / "plain.csv")
    rows = {row["student_id"]: row for row in exported(kit, tmp_path / "kit.csv")}
    assert all(row["timestamp"] for row in rows.values())
    assert float(rows["dani"]["late_submission_penalty"]) == float(rows["dani"]["raw_score"]) > 0

    done = nbgrader(kit, "generate_feedback", ASSIGNMENT)
    assert done.returncode == 0, done.stderr[-3000:]
    done = nbgrader(kit, "release_feedback", ASSIGNMENT)
    assert done.returncode == 0, done.stderr[-3000:]
    # fetch_feedback finds a student's feedback by this hash of their submission's secret.
    released = kit / "exchange" / course_config(kit).coursedir.course_id / "feedback"
    for student in by_rnnkit:
        secret = (kit / "submitted" / student / ASSIGNMENT / "submission_secret.txt").read_text()
        html = (released / f"{notebook_hash(secret=secret, notebook_id=ASSIGNMENT)}.html")
        assert "Score:" in html.read_text(), student


def test_resubmission_and_hostile_files(tmp_path):
    course = make_course(tmp_path / "course")
    release_nb = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    honest = fill_release(release_nb, reference_answers(ASSIGNMENT))
    eva = exchange_submission(course, "eva", honest, -60).parent
    # A student's own "rnnkit-results.json", a link to a file they may not read, a FIFO.
    (eva / STATE_FILE).write_text(json.dumps({"sha256": "", "score": 99}))
    (eva / "secret.txt").symlink_to(tmp_path / "instructor-only.txt")
    os.mkfifo(eva / "pipe")
    (tmp_path / "instructor-only.txt").write_text("exam answers")
    bad_stamp = exchange_submission(course, "fede", honest, 0).parent / "timestamp.txt"
    bad_stamp.write_text("the day before the deadline")

    summary = autograde_class(course, ASSIGNMENT, jobs=1, progress=False)
    assert summary.graded == 1
    assert len(summary.failed) == 1 and "fede" in summary.failed[0]
    assert "timestamp.txt" in summary.failed[0]
    out = course / "autograded" / "eva" / ASSIGNMENT
    assert not (out / "secret.txt").exists() and not (out / "pipe").exists()
    assert (out / "submission_secret.txt").is_file()
    assert json.loads((out / STATE_FILE).read_text())["score"] == 30.0
    assert recorded(course)["eva"]["submission"]["total_seconds_late"] == 0

    # The same notebook submitted again after the deadline is graded again, as nbgrader does.
    (out / "leftover.txt").write_text("from an earlier grading")
    (eva / "timestamp.txt").write_text(f"{DUE + timedelta(seconds=90):%Y-%m-%d %H:%M:%S.%f} UTC")
    again = autograde_class(course, ASSIGNMENT, jobs=1, progress=False)
    assert again.graded == 1 and again.unchanged == 0
    eva_now = recorded(course)["eva"]
    assert eva_now["submission"]["total_seconds_late"] == 90
    assert eva_now["notebooks"]["rnn"]["late_submission_penalty"] == 30.0
    assert not (out / "leftover.txt").exists()
    assert (out / "timestamp.txt").read_bytes() == (eva / "timestamp.txt").read_bytes()
