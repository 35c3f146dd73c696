"""Collecting an LMS zip download into submitted/."""

import zipfile

import pytest

from rnnkit.cli import main
from rnnkit.collect import collect_zip, student_id


@pytest.mark.parametrize("member, student", [
    ("garciaana_LATE_12345_67890_rnn.ipynb", "garciaana"),
    ("lopezbruno_222_333_rnn-1.ipynb", "lopezbruno"),
    ("Carla Núñez_4567_assignsubmission_file_/rnn.ipynb", "carla_nunez_4567"),
    ("diego/rnn.ipynb", "diego"),
    ("elena.ipynb", "elena"),
])
def test_students_are_named_after_the_lms_conventions(member, student):
    assert student_id(member) == student


def make_zip(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
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
    assert collected.written == {"ana": "ana_1_2_rnn.ipynb"}
    assert (course / "submitted/ana/rnn/rnn.ipynb").read_bytes() == b'{"cells": []}'
    assert any("unsafe path" in s for s in collected.skipped)
    assert any("not a notebook" in s for s in collected.skipped)
    assert any("another notebook" in s for s in collected.skipped)
    assert not (tmp_path / "evil.ipynb").exists()
    assert sorted(p.name for p in (course / "submitted").iterdir()) == ["ana"]


def test_oversized_members_are_not_extracted(tmp_path, monkeypatch):
    monkeypatch.setattr("rnnkit.collect.MAX_NOTEBOOK_BYTES", 10)
    download = make_zip(tmp_path / "d.zip", {"ana/rnn.ipynb": b"0" * 1000})
    collected = collect_zip(download, tmp_path / "course", "rnn")
    assert not collected.written and "too large" in collected.skipped[0]


def test_cli_reports_what_it_collected(tmp_path, capsys):
    download = make_zip(tmp_path / "d.zip", {"ana/rnn.ipynb": b"{}"})
    assert main(["collect-zip", "rnn", str(download), "--course-dir", str(tmp_path)]) == 0
    assert "collected 1 submissions" in capsys.readouterr().out
