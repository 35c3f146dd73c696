"""Text from a submission passes one gate (rnnkit.kit.untrusted) before it reaches a report,
results.json, the gradebook, an autograded notebook or a terminal; ``rnnkit grade --json``
always writes its file; ``autograde`` never leaves a student half written.

The hostile corpus (tests/hostile/corpus.py, "Text that would break a writer or a terminal")
grades such submissions one by one; here: the gate itself, each writer on its own, the command
line with a broken stdout, and a class with such students.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import unicodedata
from pathlib import Path

import nbformat
import pytest
from hostile.corpus import CLIP_LOST, CLIP_WRONG, FULL, Env, clip_cell
from test_nbgrader_e2e import make_course

from rnnkit.cli import main
from rnnkit.grading import suite
from rnnkit.grading.classroom import STATE_FILE, autograde_class
from rnnkit.grading.results import GradeReport, format_tests, write_text_atomically
from rnnkit.grading.student import NamespaceStudent, StudentFailure
from rnnkit.kit.paths import RELEASES
from rnnkit.kit.terminal import format_table
from rnnkit.kit.untrusted import clean, clean_code
from rnnkit.sandbox.box import _labels

RELEASE = RELEASES / "rnn" / "rnn.ipynb"
UNSAFE_CATEGORIES = ("Cc", "Cf", "Cs", "Zl", "Zp")


def shows_safely(text: str, one_line: bool = False) -> bool:
    """Encodable as UTF-8, and no control, format, surrogate or separator character (but
    newline and tab, unless ``one_line``)."""
    kept = "" if one_line else "\n\t"
    return all(char in kept or unicodedata.category(char) not in UNSAFE_CATEGORIES
               for char in text)


# --- the gate ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, shown", [
    ("plain text, ñandú ✓ 日本 😀", "plain text, ñandú ✓ 日本 😀"),
    ("two\nlines\tand a tab", "two\nlines\tand a tab"),
    ("windows\r\nline end", "windows\nline end"),
    ("over\rwrite", "over\\rwrite"),
    ("\x1b[2J\x1b[Hcleared", "\\x1b[2J\\x1b[Hcleared"),
    ("bell\x07 nul\x00 del\x7f", "bell\\x07 nul\\x00 del\\x7f"),
    ("C1 CSI\x9b2J NEL\x85", "C1 CSI\\x9b2J NEL\\x85"),
    ("lone \ud800 and \udcff", "lone \\ud800 and \\udcff"),
    ("unpaired pair \ud83d\ude00", "unpaired pair \\ud83d\\ude00"),
    ("\u202eevil\u202c", "\\u202eevil\\u202c"),
    ("\u2066isolate\u2069 \u200fmark", "\\u2066isolate\\u2069 \\u200fmark"),
    ("zero\u200bwidth\u200djoiner\ufeffbom", "zero\\u200bwidth\\u200djoiner\\ufeffbom"),
    ("line\u2028para\u2029sep", "line\\u2028para\\u2029sep"),
    ("soft\u00adhyphen", "soft\\xadhyphen"),
    ("tag\U000e0041", "tag\\U000e0041"),
])
def test_clean_escapes_what_could_break_a_writer_or_a_terminal(text, shown):
    assert clean(text) == shown
    assert shows_safely(clean(text))


@pytest.mark.parametrize("text, shown", [
    ("two\nlines", "two\\nlines"),
    ("a\ttab", "a\\ttab"),
    ("crlf\r\nend", "crlf\\nend"),
    ("id\x1b[2J\n", "id\\x1b[2J\\n"),
])
def test_clean_on_one_line_also_escapes_newlines_and_tabs(text, shown):
    assert clean(text, one_line=True) == shown


@pytest.mark.parametrize("text, limit, one_line, shown", [
    ("x" * 30, 10, False, "x" * 10 + "\n[… 20 more characters]"),
    ("x" * 30, 10, True, "x" * 10 + " [… 20 more characters]"),
    ("x" * 10, 10, False, "x" * 10),
    ("ab\x1bcd", 4, False, "ab\n[… 3 more characters]"),  # an escape is never cut in half
    ("ab\x1bcd", 6, False, "ab\\x1b\n[… 2 more characters]"),
    ("\x1b" * 1000, 8, False, "\\x1b\\x1b\n[… 998 more characters]"),
    ("abc", 0, False, "\n[… 3 more characters]"),
    ("y" * 50_000, None, False, "y" * 50_000),
])
def test_clean_caps_the_length_with_a_note(text, limit, one_line, shown):
    assert clean(text, limit, one_line=one_line) == shown


def test_every_unsafe_code_point_is_escaped_and_every_other_kept():
    """Against the Unicode database of this Python: a character newly added to one of the
    unsafe categories fails here until rnnkit.kit.untrusted._UNSAFE lists it."""
    unsafe, safe = [], []
    for code in range(0x110000):
        char = chr(code)
        category = unicodedata.category(char)
        if category in UNSAFE_CATEGORIES and char not in "\n\t":
            unsafe.append(char)
        elif not category.startswith("C"):  # unassigned and private use: either way
            safe.append(char)
    missed = [f"U+{ord(c):04X}" for c in unsafe if clean(c, None) == c]
    assert not missed, f"not escaped: {missed[:20]}"
    assert shows_safely(clean("".join(unsafe), None))
    assert clean("".join(safe), None) == "".join(safe)


def test_clean_code_keeps_code_runnable_and_writable():
    source = "NOTE = '\ud800'  # comment \udcff\nBELL = '\x07'\n"
    cleaned = clean_code(source)
    assert cleaned == "NOTE = '\\ud800'  # comment \\udcff\nBELL = '\x07'\n"
    cleaned.encode("utf-8")
    namespace: dict[str, str] = {}
    exec(compile(cleaned, "answer", "exec"), namespace)
    assert namespace["NOTE"] == "\ud800" and namespace["BELL"] == "\x07"


# --- the gates where text enters, and the writers ---------------------------------------------


def test_labels_of_modified_arguments_are_cleaned():
    assert _labels(["arg0", "arg1['\x1b[2J\nx']"]) == ["arg0", "arg1['\\x1b[2J\\nx']"]


def test_what_a_kernel_namespace_raises_is_cleaned():
    def rnn_forward():
        raise ValueError("\x1b[2J lone \ud800 \u202e")

    with pytest.raises(StudentFailure) as failure:
        NamespaceStudent({"rnn_forward": rnn_forward}).call("rnn_forward")
    message = str(failure.value)
    assert "ValueError: \\x1b[2J lone \\ud800 \\u202e" in message
    assert shows_safely(message)


def test_report_writers_clean_what_slipped_past_the_entry_gates():
    hostile = "\x1b[2J\x1b[HAll passed\ud800\u202e\nsecond line"
    result = suite.TestResult(f"test_x[{hostile}]", "rnn_forward", 2.0, 0.0, hostile)
    report = GradeReport("rnn", [result], notes=[hostile], language="en")
    text = report.to_text()
    results = json.dumps(report.to_results_json(), ensure_ascii=False)
    results.encode("utf-8")
    assert shows_safely(text) and shows_safely(results)
    assert "\\x1b[2J\\x1b[HAll passed\\ud800\\u202e" in text
    (name_line, *message_lines) = format_tests(report.tests)
    assert "\\nsecond line" in name_line and len(message_lines) == 2
    assert report.to_results_json()["tests"][0]["name"].count("\n") == 0


def test_gradebook_table_keeps_each_row_on_one_line():
    rows = [{"student": "ana\x1b[2J\nforged 26.0", "score": 1.0, "max_score": 26.0,
             "problem": "first\x1b[1A\x1b[2K\nsecond \ud800 \u202eright"},
            {"student": "ben", "score": 26.0, "max_score": 26.0}]
    table = format_table(rows)
    assert len(table.splitlines()) == 3
    assert shows_safely(table)
    assert "ana\\x1b[2J\\nforged 26.0" in table and "first\\x1b[1A\\x1b[2K\\nsecond" in table


def test_atomic_writes_leave_the_old_file_or_the_new_one(tmp_path):
    folder = tmp_path / "out"
    path = folder / "rnn.ipynb"
    write_text_atomically(path, "old ✓\n")
    plain = folder / "plain"
    plain.write_text("")
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    plain.unlink()

    with pytest.raises(UnicodeEncodeError):
        write_text_atomically(path, "half \ud800 written")
    blocked = folder / "blocked"
    blocked.mkdir()
    with pytest.raises(OSError):
        write_text_atomically(blocked, "cannot replace a folder")
    assert path.read_text(encoding="utf-8") == "old ✓\n"
    assert sorted(p.name for p in folder.iterdir()) == ["blocked", "rnn.ipynb"]


# --- rnnkit grade -----------------------------------------------------------------------------


def hostile_notebook(folder: Path, code: str) -> Path:
    """A perfect rnn submission whose clip_gradients cell is ``code``."""
    env = Env(release=RELEASE, canary=folder, course=folder, port=0, secret_name="UNUSED")
    path = folder / "rnn.ipynb"
    path.write_bytes(clip_cell(code)(env))
    return path


SURROGATE_RAISED = ('def clip_gradients(grads, max_norm):\n'
                    '    raise ValueError("lone \\ud800 surrogate \\x1b[2J")\n')

# Closes the read end of its request pipe: the grader's next request meets a broken pipe.
CLOSE_REQUEST_PIPE = '''
import fcntl, os, stat
def clip_gradients(grads, max_norm):
    for fd in range(3, 64):
        try:
            if (stat.S_ISFIFO(os.fstat(fd).st_mode)
                    and fcntl.fcntl(fd, fcntl.F_GETFL) & os.O_ACCMODE == os.O_RDONLY):
                os.close(fd)
        except OSError:
            pass
    return dict(grads)
'''


def read_results(path: Path) -> dict:
    results = json.loads(path.read_bytes().decode("utf-8"))  # strict: no lone surrogates
    assert shows_safely(json.dumps(results, ensure_ascii=False))
    return results


def test_grade_with_a_lone_surrogate_writes_valid_json_and_exits_0(tmp_path, capsys):
    notebook = hostile_notebook(tmp_path, SURROGATE_RAISED)
    out = tmp_path / "results.json"
    assert main(["grade", str(notebook), "--assignment", "rnn", "--json", str(out),
                 "--lang", "en"]) == 0
    results = read_results(out)
    assert results["score"] == CLIP_LOST
    assert any("lone \\ud800 surrogate \\x1b[2J" in t["output"] for t in results["tests"])
    assert shows_safely(capsys.readouterr().out)


def run_grade(notebook: Path, out: Path, how: str) -> tuple[int, str]:
    """``rnnkit grade`` in a process of its own, its stdout ``how``: "ascii" (an ASCII-only
    terminal), "closed" or "broken-pipe" (nobody reads it); "normal" otherwise."""
    command = [sys.executable, "-m", "rnnkit.cli", "grade", str(notebook), "--assignment",
               "rnn", "--json", str(out), "--lang", "en"]
    env = {**os.environ, "PYTHONIOENCODING": "ascii" if how == "ascii" else "utf-8"}
    if how == "closed":
        command = ["sh", "-c", 'exec "$@" >&-', "sh", *command]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, env=env)
    if how == "broken-pipe":
        process.stdout.close()
        return process.wait(timeout=600), ""
    printed, _ = process.communicate(timeout=600)
    return process.returncode, printed.decode("ascii", errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ascii", "closed", "broken-pipe"])
def test_grade_writes_its_json_whatever_happens_to_stdout(tmp_path, how):
    out = tmp_path / "results.json"
    code, printed = run_grade(hostile_notebook(tmp_path, SURROGATE_RAISED), out, how)
    assert read_results(out)["score"] == CLIP_LOST
    if how == "broken-pipe":
        assert code in (0, 141)  # main lets `rnnkit ... | head` end quietly
    else:
        assert code == 0
    if how == "ascii":
        assert "Assignment rnn: 24 / 30 points" in printed and "\\u2713 test_" in printed


@pytest.mark.slow
def test_a_submission_that_breaks_its_pipe_cannot_kill_grade(tmp_path):
    out = tmp_path / "results.json"
    code, printed = run_grade(hostile_notebook(tmp_path, CLOSE_REQUEST_PIPE), out, "normal")
    assert code == 0, printed
    assert read_results(out)["score"] < FULL
    assert "Assignment rnn:" in printed


# --- a class ----------------------------------------------------------------------------------

ESCAPE_ID = "esc\x1b[2J\x1b[Hforged\nid"
ESCAPE_TYPE = ('def clip_gradients(grads, max_norm):\n    return type('
               '"\\x1b[2J\\x1b[HAssignment rnn: 26 / 26 points\\u202e", (), {})()\n')


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    return make_course(tmp_path_factory.mktemp("released") / "course", "rnn")


@pytest.fixture
def course(released: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "course"
    shutil.copytree(released, copy, symlinks=True)
    return copy


def submit(course: Path, student: str, code: str) -> None:
    folder = course / "submitted" / student / "rnn"
    folder.mkdir(parents=True)
    hostile_notebook(folder, code)


def autograded(course: Path, student: str) -> Path:
    return course / "autograded" / student / "rnn"


@pytest.mark.slow
def test_a_class_with_hostile_text_grades_and_its_gradebook_shows_one_line_each(course,
                                                                               capsys):
    scores = {ESCAPE_ID: CLIP_WRONG, "surrogate": CLIP_LOST}
    submit(course, ESCAPE_ID, ESCAPE_TYPE)
    submit(course, "surrogate", SURROGATE_RAISED)

    summary = autograde_class(course, "rnn", jobs=2, progress=False)

    assert (summary.graded, summary.failed) == (2, [])
    for student, score in scores.items():
        notebook = (autograded(course, student) / "rnn.ipynb").read_bytes().decode("utf-8")
        written = json.dumps(nbformat.reads(notebook, as_version=4), ensure_ascii=False)
        assert "\\u001b" not in written and shows_safely(written)  # dumps writes ESC \u001b
        assert read_results(autograded(course, student) / STATE_FILE)["score"] == score
    feedback = (autograded(course, ESCAPE_ID) / "rnn.ipynb").read_text(encoding="utf-8")
    assert "a \\\\x1b[2J\\\\x1b[HAssignment rnn: 26 / 26 points\\\\u202e object" in feedback
    capsys.readouterr()
    assert main(["gradebook", "rnn", "--course-dir", str(course)]) == 0
    table = capsys.readouterr().out
    assert "\x1b" not in table and shows_safely(table)
    lines = table.splitlines()
    assert len(lines) == 1 + len(scores)
    assert [line for line in lines if line.startswith("esc\\x1b[2J\\x1b[Hforged\\nid ")]

    again = autograde_class(course, "rnn", jobs=2, progress=False)
    assert (again.graded, again.unchanged, again.failed) == (0, 2, [])


@pytest.mark.slow
def test_a_failure_while_recording_leaves_nothing_half_written_and_is_retried(course,
                                                                              monkeypatch):
    submit(course, "ana", SURROGATE_RAISED)
    writes = nbformat.v4.writes  # what the gradebook writes an autograded notebook with
    # Text no UTF-8 writer accepts reaches the notebook writer, as a lone surrogate once did.
    monkeypatch.setattr(nbformat.v4, "writes", lambda nb, *a, **k: writes(nb, *a, **k) + "\ud800")

    summary = autograde_class(course, "rnn", jobs=1, progress=False)

    assert summary.graded == 0 and len(summary.failed) == 1
    assert summary.failed[0].startswith("ana: UnicodeEncodeError")
    folder = autograded(course, "ana")
    left = [p.name for p in folder.iterdir()] if folder.exists() else []
    assert "rnn.ipynb" not in left and STATE_FILE not in left, "a half-written student"
    assert not [name for name in left if name.endswith(".tmp")], "a temporary file left"

    monkeypatch.undo()
    again = autograde_class(course, "rnn", jobs=1, progress=False)
    assert (again.graded, again.unchanged, again.failed) == (1, 0, [])
    nbformat.read(folder / "rnn.ipynb", as_version=4)
    assert read_results(folder / STATE_FILE)["score"] == CLIP_LOST


@pytest.mark.slow
def test_a_student_who_breaks_a_pipe_cannot_stop_the_class(course):
    """As a command: SIGPIPE stays ignored in rnnkit's workers, so the classmate is graded."""
    submit(course, "closer", CLOSE_REQUEST_PIPE)
    submit(course, "honest", SURROGATE_RAISED)
    done = subprocess.run([sys.executable, "-m", "rnnkit.cli", "autograde", "rnn",
                           "--course-dir", str(course), "--jobs", "1"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert read_results(autograded(course, "closer") / STATE_FILE)["score"] < FULL
    assert read_results(autograded(course, "honest") / STATE_FILE)["score"] == CLIP_LOST
