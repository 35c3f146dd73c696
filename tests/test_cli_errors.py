"""Every subcommand, fed bad input, answers with one line naming the cause and the fix and the
documented exit code (2), never a traceback; `grade --json` still writes a results.json (score 0
and the message), so Gradescope or CI never shows "failed to execute".

Each row: the arguments (``{course}``, ``{empty}``, ``{tmp}`` and ``{release}`` are filled in),
and a piece of the one line the command must print on stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest

from rnnkit.cli import main
from rnnkit.kit.paths import KIT_ROOT, RELEASES

RELEASE = RELEASES / "rnn" / "rnn.ipynb"

ROWS = [
    # grade
    ("grade-missing-notebook", "grade {tmp}/none.ipynb --assignment rnn", "no notebook at"),
    ("grade-unknown-assignment", "grade {release} --assignment rnnn",
     "unknown assignment 'rnnn': choose one of rnn, lstm"),
    ("grade-folder-as-notebook", "grade {tmp} --assignment rnn", "no notebook at"),
    ("grade-unwritable-json", "grade {release} --assignment rnn --json /proc/x/results.json",
     "cannot write /proc/x/results.json"),
    # release
    ("release-not-a-course", "release rnn --course-dir {empty}",
     "is not an nbgrader course folder"),
    ("release-unknown-assignment", "release rnnn --course-dir {course}",
     "unknown assignment 'rnnn': choose one of rnn, lstm"),
    ("release-english-into-the-kit", f"release rnn --lang en --course-dir {KIT_ROOT}",
     "rnnkit init COURSE --lang en"),
    # init
    ("init-non-empty-folder", "init {course}", "already exists and is not empty"),
    ("init-inside-the-kit", f"init {KIT_ROOT}/my-course --lang en",
     "inside the kit's checkout"),
    # collect-zip
    ("collect-missing-zip", "collect-zip rnn {tmp}/none.zip --course-dir {course}",
     "no such file"),
    ("collect-not-a-zip", "collect-zip rnn {release} --course-dir {course}", "not a zip"),
    ("collect-empty-zip", "collect-zip rnn {tmp}/empty.zip --course-dir {course}", "empty"),
    ("collect-not-a-course", "collect-zip rnn {tmp}/empty.zip --course-dir {empty}",
     "is not an nbgrader course folder"),
    ("collect-unknown-assignment", "collect-zip rnnn {tmp}/empty.zip --course-dir {course}",
     "unknown assignment 'rnnn'"),
    # autograde
    ("autograde-not-a-course", "autograde rnn --course-dir {empty}",
     "is not an nbgrader course folder"),
    ("autograde-unknown-assignment", "autograde rnnn --course-dir {course}",
     "unknown assignment 'rnnn'"),
    ("autograde-missing-course", "autograde rnn --course-dir {tmp}/nowhere",
     "is not an nbgrader course folder"),
    # gradebook
    ("gradebook-unknown-assignment", "gradebook foo --course-dir {course}",
     "unknown assignment 'foo': choose one of rnn, lstm"),
    ("gradebook-not-a-course", "gradebook rnn --course-dir {empty}",
     "is not an nbgrader course folder"),
    # sync-points
    ("sync-points-unknown-assignment", "sync-points rnnn", "unknown assignment 'rnnn'"),
    # export
    ("export-unknown-format", "export rnn --format blackboard --out {tmp}/g.csv --course-dir "
     "{course}", "unknown format 'blackboard': choose one of moodle, canvas"),
    ("export-nothing-graded", "export rnn --format canvas --out {tmp}/g.csv --course-dir {course}",
     "has no grades of rnn: run `rnnkit autograde rnn` there first"),
    ("export-missing-roster", "export rnn --format canvas --out {tmp}/g.csv --roster "
     "{tmp}/none.csv --course-dir {course}", "none.csv: no such file"),
    ("export-unwritable-out", "export rnn --format moodle --out /proc/x/g.csv --course-dir "
     "{course}", "cannot write /proc/x/g.csv"),
    ("export-not-a-course", "export rnn --format moodle --out {tmp}/g.csv --course-dir {empty}",
     "is not an nbgrader course folder"),
    # gradescope
    ("gradescope-unknown-assignment", "gradescope rnnn --out {tmp}/a.zip --course-dir {course}",
     "unknown assignment 'rnnn'"),
    ("gradescope-not-a-course", "gradescope rnn --out {tmp}/a.zip --course-dir {empty}",
     "is not an nbgrader course folder"),
    ("gradescope-unwritable-out", "gradescope rnn --out /proc/x/a.zip --course-dir {course}",
     "cannot write /proc/x/a.zip"),
    # report
    ("report-nothing-graded", "report rnn --out {tmp}/r.html --course-dir {course}",
     "no results of rnn"),
    ("report-unknown-assignment", "report rnnn --out {tmp}/r.html --course-dir {course}",
     "unknown assignment 'rnnn'"),
    # feedback
    ("feedback-nothing-graded", "feedback rnn --course-dir {course}",
     "no autograded notebooks of rnn"),
    ("feedback-not-a-course", "feedback rnn --course-dir {empty}",
     "is not an nbgrader course folder"),
]


@pytest.fixture
def places(tmp_path: Path) -> dict[str, str]:
    """A course folder (config only), an empty folder, an empty zip, the kit's release."""
    course, empty = tmp_path / "course", tmp_path / "empty"
    course.mkdir()
    empty.mkdir()
    shutil.copy(KIT_ROOT / "nbgrader_config.py", course)
    with zipfile.ZipFile(tmp_path / "empty.zip", "w"):
        pass
    return {"course": str(course), "empty": str(empty), "tmp": str(tmp_path),
            "release": str(RELEASE)}


@pytest.mark.parametrize("argv, message", [row[1:] for row in ROWS], ids=[r[0] for r in ROWS])
def test_bad_input_is_one_line_with_cause_and_fix(argv, message, places, capsys):
    before = sorted(os.listdir(KIT_ROOT))
    code = main(argv.format(**places).split())
    out, err = capsys.readouterr()
    assert code == 2
    assert err.startswith("rnnkit: ") and err.count("\n") == 1, err
    assert message in err
    assert "Traceback" not in out + err
    assert sorted(os.listdir(KIT_ROOT)) == before, "a failed command wrote into the kit"


@pytest.mark.parametrize("argv", [
    "grade {tmp}/none.ipynb --assignment rnn --json {tmp}/out.json",
    "grade {release} --assignment nope --json {tmp}/out.json",
])
def test_grade_json_is_written_even_when_grading_cannot_start(argv, places, capsys):
    assert main(argv.format(**places).split()) == 2
    results = json.loads((Path(places["tmp"]) / "out.json").read_text(encoding="utf-8"))
    assert results["score"] == 0 and results["tests"] == []
    assert results["output"] == capsys.readouterr().err.strip()


def test_every_subcommand_has_a_row():
    from rnnkit.cli import _parser, instructor_commands

    subcommands = set(_parser(instructor_commands())._subparsers._group_actions[0].choices)
    covered = {row[1].split()[0] for row in ROWS}
    # These take no input that can be bad: they report on the machine or build a demo course.
    assert subcommands - covered <= {"isolation", "demo", "check"}



# Files that are not what was asked for are graded (exit 0, score 0) with a note that says so.
GRADED_WRONG_FILES = [
    ("empty", b"", "The submitted file is empty"),
    ("python-script", b"import numpy as np\nx = 1\n",
     "The file is not a Jupyter notebook (a .py script"),
    ("other-assignment", (RELEASES / "lstm" / "lstm.ipynb").read_bytes(),
     "This is the notebook of assignment lstm, not rnn: submit (or grade) it as lstm."),
]


@pytest.mark.parametrize("content, note", [row[1:] for row in GRADED_WRONG_FILES],
                         ids=[row[0] for row in GRADED_WRONG_FILES])
def test_a_wrong_file_is_a_zero_that_says_what_it_is(content, note, tmp_path, capsys):
    notebook, out = tmp_path / "rnn.ipynb", tmp_path / "results.json"
    notebook.write_bytes(content)
    code = main(["grade", str(notebook), "--assignment", "rnn", "--json", str(out)])
    results = json.loads(out.read_text(encoding="utf-8"))
    assert code == 0 and results["score"] == 0
    assert results["output"].splitlines()[0].startswith(note[:40]), results["output"]
    assert note in results["output"] and note in capsys.readouterr().out
