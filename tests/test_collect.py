"""Collecting an LMS zip download into submitted/ (hostile zips: tests/test_collect_hostile.py)."""

import functools
import os
import re
import sys
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nbgrader.api import Gradebook
from nbgrader.utils import parse_utc

from rnnkit.cli import main
from rnnkit.grading.gradebook import course_config as course_settings
from rnnkit.kit.collect import collect_zip, identify, load_roster

MOODLE_ANA = "Ana Garcia_123_assignsubmission_file_"
DUE = datetime(2024, 3, 1, 12, 0, 0)  # UTC, naive, as nbgrader stores due dates
FAR_DUE = datetime(2999, 1, 1)  # not passed when the test runs
NOW = "the collection time"  # an expected timestamp: between just before and after collecting


@pytest.mark.parametrize("member, student, late", [
    ("garciaana_LATE_12345_67890_rnn.ipynb", "garciaana_12345", True),
    ("lopezbruno_222_333_rnn-1.ipynb", "lopezbruno_222", False),
    ("garcíaana_7_8_rnn.ipynb", "garciaana_7", False),  # Canvas keeps accented letters
    ("Carla Núñez_4567_assignsubmission_file_/rnn.ipynb", "carla_nunez_4567", False),
    ("Carla Núñez_4567_assignsubmission_file_/sub/dir/rnn.ipynb", "carla_nunez_4567", False),
    ("Carla Núñez_4567_assignsubmission_file_rnn.ipynb", "carla_nunez_4567", False),
    ("diego/rnn.ipynb", "diego", False),
    ("diego/elena/rnn.ipynb", "diego", False),
    ("elena.ipynb", "elena", False),
])
def test_students_are_named_after_the_lms_conventions(member, student, late):
    claim = identify(member)
    assert claim.identity.default_id == student
    assert claim.late is late


def test_the_original_file_name_is_what_the_student_uploaded():
    assert identify("garciaana_LATE_1_2_my_rnn_3_4_x.ipynb").original == "my_rnn_3_4_x.ipynb"
    assert identify(f"{MOODLE_ANA}/old/rnn.ipynb").original == "rnn.ipynb"
    assert identify(f"{MOODLE_ANA}rnn.ipynb").original == "rnn.ipynb"


def make_zip(path, members, date_time=(2024, 3, 1, 12, 0, 0)):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time), data)
    return path


def test_collect_writes_one_notebook_per_student_and_skips_unsafe_members(tmp_path):
    download = make_zip(tmp_path / "download.zip", {
        "ana_1_2_rnn.ipynb": b'{"cells": []}',
        "ana_1_3_notes.ipynb": b"notes",
        "../../evil.ipynb": b"x",
        "/abs/evil2.ipynb": b"x",
        "bruno_4_5_readme.txt": b"hi",
    })
    course = tmp_path / "course"
    collected = collect_zip(download, course, "rnn")
    assert {s: w.member for s, w in collected.written.items()} == {"ana_1": "ana_1_2_rnn.ipynb"}
    assert (course / "submitted/ana_1/rnn/rnn.ipynb").read_bytes() == b'{"cells": []}'
    assert any("unsafe path" in s for s in collected.skipped)
    assert any("not a notebook" in s for s in collected.skipped)
    assert any("another notebook" in s for s in collected.skipped)
    assert not (tmp_path / "evil.ipynb").exists()
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ana_1"]


def test_oversized_members_are_not_extracted(tmp_path, monkeypatch):
    monkeypatch.setattr("rnnkit.kit.collect.MAX_NOTEBOOK_BYTES", 10)
    download = make_zip(tmp_path / "d.zip", {"ana/rnn.ipynb": b"0" * 1000, "bo.ipynb": b"{}"})
    collected = collect_zip(download, tmp_path / "course", "rnn")
    assert list(collected.written) == ["bo"]
    assert "too large" in collected.skipped[0]


def test_notebooks_too_large_in_all_are_refused_before_writing(tmp_path, monkeypatch):
    monkeypatch.setattr("rnnkit.kit.collect.MAX_TOTAL_BYTES", 100)
    download = make_zip(tmp_path / "d.zip", {"ana.ipynb": b"0" * 60, "bo.ipynb": b"0" * 60})
    with pytest.raises(ValueError, match="MiB of notebooks"):
        collect_zip(download, tmp_path / "course", "rnn")
    assert not (tmp_path / "course").exists()


# --- time ---------------------------------------------------------------------------------


def test_nbgrader_reads_a_moodle_timestamp_as_the_zip_time_in_the_servers_zone(tmp_path):
    download = make_zip(tmp_path / "d.zip", {f"{MOODLE_ANA}/rnn.ipynb": b"{}"},
                        date_time=(2024, 7, 1, 23, 30, 2))
    collected = collect_zip(download, tmp_path, "rnn", timezone_name="Europe/Madrid")
    stamp = (tmp_path / "submitted/ana_garcia_123/rnn/timestamp.txt").read_text()
    assert stamp == collected.written["ana_garcia_123"].timestamp
    assert parse_utc(stamp) == datetime(2024, 7, 1, 21, 30, 2)  # Madrid is UTC+2 in July


def test_the_command_reads_moodle_times_in_the_courses_time_zone(tmp_path, capsys):
    """Without --timezone, the course's nbgrader setting (Exchange.timezone) applies."""
    (tmp_path / "nbgrader_config.py").write_text(
        'c = get_config()  # noqa: F821\nc.Exchange.timezone = "Europe/Madrid"\n')
    download = make_zip(tmp_path / "d.zip", {f"{MOODLE_ANA}/rnn.ipynb": b"{}"},
                        date_time=(2024, 7, 1, 23, 30, 2))
    assert main(["collect-zip", "rnn", str(download), "--course-dir", str(tmp_path)]) == 0
    stamp = (tmp_path / "submitted/ana_garcia_123/rnn/timestamp.txt").read_text()
    assert parse_utc(stamp) == datetime(2024, 7, 1, 21, 30, 2)


@functools.cache
def empty_gradebook() -> bytes:
    """An empty nbgrader gradebook (SQLite), made once: nbgrader runs ``alembic`` to make one,
    which takes seconds."""
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        # alembic is installed beside this Python, which may not be on PATH
        patch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent),
                                              os.environ.get("PATH", "")]))
        Gradebook(f"sqlite:///{folder}/gradebook.db").close()
        return Path(folder, "gradebook.db").read_bytes()


def set_due_date(course: Path, due: datetime | None, assignment: str = "rnn") -> None:
    """Add ``assignment``, due at ``due`` (naive UTC), to the course's gradebook (made here)."""
    settings = course_settings(course).coursedir
    database = Path(settings.db_url.removeprefix("sqlite:///"))
    if not database.exists():
        database.parent.mkdir(parents=True, exist_ok=True)
        database.write_bytes(empty_gradebook())
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        gradebook.update_or_create_assignment(assignment, duedate=due)


def collect_timed(download: Path, course: Path, **options: object):
    """collect_zip, and the UTC times (naive, as nbgrader's parse_utc gives) just before and
    just after it ran: a timestamp of the collection time lies between them."""
    before = datetime.now(UTC).replace(tzinfo=None)
    collected = collect_zip(download, course, "rnn", **options)
    return collected, before, datetime.now(UTC).replace(tzinfo=None)


def submitted_time(course: Path, student: str) -> datetime:
    """The submission's time as nbgrader reads its timestamp.txt (naive UTC)."""
    return parse_utc((course / "submitted" / student / "rnn" / "timestamp.txt").read_text())


@pytest.mark.parametrize("due, member, expected, note", [
    (DUE, "ana_1_2_rnn.ipynb", DUE, None),  # on time, collected after the due date
    (FAR_DUE, "ana_1_2_rnn.ipynb", NOW, None),  # on time, collected before the due date
    (DUE, "ana_LATE_1_2_rnn.ipynb", DUE + timedelta(seconds=1),
     "ana_1: Canvas marked it late but not how late: {stamp} says 1 s after the due date; "
     "if the course's late penalty depends on how late, write the real submission time there"),
    (None, "ana_LATE_1_2_rnn.ipynb", NOW,
     "ana_1: Canvas marked it late, but the gradebook has no due date for rnn, so nothing is "
     "late: add one (nbgrader db assignment add rnn --duedate=...)"),
    (None, "ana_1_2_rnn.ipynb", NOW, None),
], ids=["on-time", "on-time-before-due", "late", "late-no-due-date", "on-time-no-due-date"])
def test_canvas_timestamps_say_what_canvas_judged_against_the_gradebooks_due_date(
        tmp_path, due, member, expected, note):
    course = tmp_path / "course"
    set_due_date(course, due)
    set_due_date(course, DUE, assignment="lstm")  # another assignment's due date is not rnn's
    stale = course / "submitted" / "ana_1" / "rnn" / "timestamp.txt"  # an earlier download's
    stale.parent.mkdir(parents=True)
    stale.write_text("2020-01-01 00:00:00.000000 UTC")
    collected, before, after = collect_timed(make_zip(tmp_path / "d.zip", {member: b"{}"}),
                                             course)
    when = submitted_time(course, "ana_1")
    assert parse_utc(collected.written["ana_1"].timestamp) == when
    if expected is NOW:
        assert before <= when <= after
    else:
        assert when == expected
    if note is None:
        assert collected.notes == []
    else:
        assert len(collected.notes) == 1
        assert collected.notes[0].startswith(note.format(stamp=stale)), collected.notes


def test_without_a_gradebook_canvas_times_are_the_collection_time_and_none_is_made(tmp_path):
    download = make_zip(tmp_path / "d.zip", {"ana_LATE_1_2_rnn.ipynb": b"{}"})
    collected, before, after = collect_timed(download, tmp_path)
    assert before <= submitted_time(tmp_path, "ana_1") <= after
    assert "no due date for rnn" in collected.notes[0]
    assert not (tmp_path / "gradebook.db").exists()


def test_a_gradebook_that_cannot_be_read_is_refused_before_writing(tmp_path):
    (tmp_path / "gradebook.db").write_text("not a database")
    download = make_zip(tmp_path / "d.zip", {"ana_1_2_rnn.ipynb": b"{}"})
    with pytest.raises(ValueError, match="cannot read the due date of rnn from the gradebook"):
        collect_zip(download, tmp_path, "rnn")
    assert not (tmp_path / "submitted").exists()


def test_plain_zip_timestamps_are_the_collection_time(tmp_path):
    set_due_date(tmp_path, DUE)  # a plain zip is no LMS's judgement: the due date is not read
    download = make_zip(tmp_path / "d.zip", {"ana/rnn.ipynb": b"{}"}, (2020, 1, 1, 0, 0, 0))
    collected, before, after = collect_timed(download, tmp_path)
    assert before <= submitted_time(tmp_path, "ana") <= after
    assert collected.notes == []


def test_a_moodle_file_time_that_is_no_date_gives_the_collection_time_and_a_note(tmp_path):
    download = make_zip(tmp_path / "d.zip", {f"{MOODLE_ANA}/rnn.ipynb": b"{}"},
                        date_time=(2024, 0, 0, 0, 0, 0))  # month 0: what a zip can hold
    collected, before, after = collect_timed(download, tmp_path)
    assert before <= submitted_time(tmp_path, "ana_garcia_123") <= after
    assert collected.notes == [f"ana_garcia_123: its time in the Moodle zip is not a date: "
                               f"{tmp_path}/submitted/ana_garcia_123/rnn/timestamp.txt says "
                               f"when it was collected; write the submission time there if "
                               f"it matters"]


def test_every_submission_gets_a_secret_of_its_own_as_nbgrader_submit_writes(tmp_path):
    members = {"ana/rnn.ipynb": b"{}", f"{MOODLE_ANA}/rnn.ipynb": b"{}",
               "bo_7_8_rnn.ipynb": b"{}"}
    download = make_zip(tmp_path / "d.zip", members)

    def secrets() -> dict[str, str]:
        collect_zip(download, tmp_path, "rnn")
        return {path.parts[-3]: path.read_text()
                for path in (tmp_path / "submitted").glob("*/rnn/submission_secret.txt")}

    first = secrets()
    assert sorted(first) == ["ana", "ana_garcia_123", "bo_7"]
    assert all(re.fullmatch("[0-9a-f]{128}", secret) for secret in first.values())
    assert len(set(first.values())) == 3
    again = secrets()  # a new download is a new submission: a new secret, like a new submit
    assert set(again.values()).isdisjoint(first.values())


def test_an_unknown_time_zone_is_refused(tmp_path):
    download = make_zip(tmp_path / "d.zip", {"ana.ipynb": b"{}"})
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'.*Europe/Madrid"):
        collect_zip(download, tmp_path, "rnn", timezone_name="Mars/Olympus")


# --- roster -------------------------------------------------------------------------------


def test_roster_reads_nbgraders_student_columns(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("\ufeffid,first_name,last_name,email,lms_user_id,section\n"
                      "A1,Ana,García,ana@x.org,123,B\n\n  A2 , Bo,,, 456 ,\n", encoding="utf-8")
    students = load_roster(roster)
    assert sorted(students) == ["123", "456"]
    assert students["123"].id == "A1" and students["123"].full_name == "Ana García"
    assert students["456"].id == "A2" and students["456"].full_name == "Bo"


@pytest.mark.parametrize("text, problem, fix", [
    ("student,lms_user_id\nana,1\n", "has no 'id' column", "must name the columns"),
    ("id,canvas\nana,1\n", "has no 'lms_user_id' column", "e.g. id,lms_user_id,"),
    ("", "has no 'id' column", "must name the columns"),
    ("id,lms_user_id\n", "has no students", "add one line per student"),
    ("id,lms_user_id\nana,\n", "line 2 has no lms_user_id", "every student needs"),
    ("id,lms_user_id\n,7\n", "line 2 has no id", "every student needs"),
    ("id,lms_user_id\n../x,7\n", "cannot be a folder name", "use letters, digits"),
    ("id,lms_user_id\nana,7\nbo,7\n", "lines 2 and 3 both have lms_user_id 7",
     "each student appears once"),
    ("id,lms_user_id\nAna,7\nana,8\n", "lines 2 and 3 both have id ana",
     "each student appears once"),
    ('id,lms_user_id\n"ana,7\nbo,8\n', "not valid CSV", "save it as CSV"),
])
def test_a_malformed_roster_is_one_line_naming_problem_and_fix(tmp_path, text, problem, fix):
    roster = tmp_path / "roster.csv"
    roster.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=problem) as refused:
        load_roster(roster)
    assert fix in str(refused.value) and "\n" not in str(refused.value)


def test_a_roster_that_is_not_utf8_or_missing_is_one_line(tmp_path):
    latin = tmp_path / "latin.csv"
    latin.write_bytes("id,lms_user_id\nnúñez,1\n".encode("latin-1"))
    with pytest.raises(ValueError, match="not UTF-8 text: save it as CSV"):
        load_roster(latin)
    with pytest.raises(ValueError, match="no such file; give a CSV with the columns id,"):
        load_roster(tmp_path / "nowhere.csv")


# --- command line -------------------------------------------------------------------------


@pytest.fixture
def course_config(tmp_path):
    """The command needs a course folder (one with nbgrader_config.py): tmp_path is one."""
    (tmp_path / "nbgrader_config.py").write_text("c = get_config()  # noqa: F821\n")


def test_cli_reports_what_it_collected(tmp_path, capsys, course_config):
    download = make_zip(tmp_path / "d.zip", {
        "garciaana_LATE_123_9_rnn.ipynb": b"{}", "Ana/rnn.ipynb": b"{}", "ana/rnn.ipynb": b"{}",
        "lopez_77_8_rnn.ipynb": b"{}"})
    roster = tmp_path / "roster.csv"
    roster.write_text("id,lms_user_id,first_name,last_name\nA1,123,Ana,García\n")
    assert main(["collect-zip", "rnn", str(download), "--course-dir", str(tmp_path),
                 "--roster", str(roster)]) == 0
    out = capsys.readouterr().out
    assert "collected 4 submissions" in out
    assert "A1" in out and "(Ana García)  LATE" in out
    assert "note: A1: Canvas marked it late, but the gradebook has no due date for rnn" in out
    assert "note: 2 students would all be 'ana'" in out
    assert "note: Canvas user 77 (lopez) is not in the roster" in out


@pytest.mark.parametrize("build, problem", [
    (lambda path: None, "no such file"),
    (lambda path: path.write_bytes(b"PK not really"), "not a zip file"),
    (lambda path: make_zip(path, {}), "is empty"),
    (lambda path: make_zip(path, {"a.pdf": b"%PDF"}), "has no notebook to collect"),
    (lambda path: make_zip(path, {"a\nrnnkit: all fine\x1b[2J.pdf": b""}), "\\nrnnkit: all"),
])
def test_cli_refuses_bad_downloads_in_one_line(tmp_path, capsys, build, problem,
                                                course_config):
    download = tmp_path / "d.zip"
    build(download)
    assert main(["collect-zip", "rnn", str(download), "--course-dir", str(tmp_path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("rnnkit: ") and problem in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert not (tmp_path / "submitted").exists()


def test_cli_refuses_a_malformed_roster_in_one_line(tmp_path, capsys, course_config):
    download = make_zip(tmp_path / "d.zip", {"ana.ipynb": b"{}"})
    roster = tmp_path / "roster.csv"
    roster.write_text("id;lms_user_id\nana;1\n")
    assert main(["collect-zip", "rnn", str(download), "--course-dir", str(tmp_path),
                 "--roster", str(roster)]) == 2
    err = capsys.readouterr().err
    assert "has no 'id' column" in err and err.count("\n") == 1


def test_cli_prints_names_from_the_zip_on_one_line_without_terminal_escapes(tmp_path, capsys,
                                                                           course_config):
    download = make_zip(tmp_path / "d.zip", {"eve\x1b[2J/rnn.ipynb": b"{}",
                                              "bo\ncollected 99 submissions.ipynb": b"{}",
                                              "x\x1b]0;owned\x07.pdf": b""})
    assert main(["collect-zip", "rnn", str(download), "--course-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    lines = out.splitlines()
    assert len(lines) == 4 and lines[-1].startswith("collected 2 submissions")
    assert "eve\\x1b[2J/rnn.ipynb" in out and "bo\\ncollected 99" in out
