"""Collecting a hostile or odd LMS zip (the table in tests/hostile/zips.py) never puts one
student's work under another's id, never drops a student, and never touches other students."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from hostile.zips import ASSIGNMENT, CASES, COLLECTED, ZipCase, notebook_bytes
from nbgrader.utils import parse_utc
from test_collect import collect_timed, set_due_date

from rnnkit.kit.collect import collect_zip


def plant(course: Path, students: tuple[str, ...]) -> None:
    """Submissions already collected before the download, each with its own bytes."""
    for student in students:
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        (folder / f"{ASSIGNMENT}.ipynb").write_bytes(notebook_bytes(f"earlier:{student}"))
        (folder / "timestamp.txt").write_text("2024-01-01 00:00:00.000000 UTC")


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (relative path -> sha256), to prove nothing changed."""
    return {str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()} if folder.exists() else {}


def test_the_table_is_consistent():
    slugs = [case.slug for case in CASES]
    assert len(slugs) == len(set(slugs))
    for case in CASES:
        assert bool(case.error) != bool(case.written), case.slug


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.slug)
def test_hostile_zip(case: ZipCase, tmp_path):
    course = tmp_path / "course"
    plant(course, case.existing)
    if case.due is not None:
        set_due_date(course, case.due, ASSIGNMENT)
    before = {student: snapshot(course / "submitted" / student) for student in case.existing}
    course_before = snapshot(course)
    download = tmp_path / "download.zip"
    case.build(download)
    roster = None
    if case.roster is not None:
        roster = tmp_path / "roster.csv"
        roster.write_text(case.roster, encoding="utf-8")

    if case.error:
        with pytest.raises(ValueError, match=re.escape(case.error)) as refused:
            collect_zip(download, course, ASSIGNMENT, roster=roster)
        assert "\n" not in str(refused.value)
        assert snapshot(course) == course_before
        return

    collected, started, ended = collect_timed(download, course, roster=roster)

    landed = {submission.member: student for student, submission in collected.written.items()}
    assert set(landed) == set(case.written)
    for member, pattern in case.written.items():
        assert re.fullmatch(pattern, landed[member]), (member, landed[member])
        written = course / "submitted" / landed[member] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        assert written.read_bytes() == notebook_bytes(member)
    # Nothing else appeared, and every student not collected now is byte for byte as before.
    assert {p.name for p in (course / "submitted").iterdir()} == (set(landed.values())
                                                                   | set(case.existing))
    for student in set(case.existing) - set(landed.values()):
        assert snapshot(course / "submitted" / student) == before[student], student

    for text in case.skipped:
        assert any(line.startswith(text) for line in collected.skipped), (text, collected.skipped)
    for text in case.notes:
        assert any(text in note for note in collected.notes), (text, collected.notes)
    if not case.notes:
        assert not collected.notes
    assert {s.member for s in collected.written.values() if s.late} == case.late
    # What nbgrader reads after grading (release_feedback needs both) is there for everyone.
    for member, student in landed.items():
        folder = course / "submitted" / student / ASSIGNMENT
        stamp = (folder / "timestamp.txt").read_text()
        assert collected.written[student].timestamp == stamp
        when = parse_utc(stamp)  # nbgrader can read every one
        if case.timestamps.get(member) == COLLECTED:
            assert started <= when <= ended, (member, stamp)
        elif member in case.timestamps:
            assert stamp == case.timestamps[member], member
        assert re.fullmatch("[0-9a-f]{128}", (folder / "submission_secret.txt").read_text())
