"""The grading engine is safe against hostile notebooks (the corpus in tests/hostile/corpus.py).

For every case: the exact score (what the honest parts earn, no more), a message that says what
happened, and no harm done: nothing of the kit, the course directory or a canary directory
changes, no file appears in the kit's root or in the grader's /tmp, the grader's secret
environment variable shows nowhere, a port the grader's machine listens on is never reached, no
process of the sandbox outlives the grading, and the grader still grades a perfect submission
right afterwards. Then a whole class: hostile classmates change nothing for honest students.

Limits are small (2 s per call or cell, 1.5 s for all calls of one function, 512 MiB) so that
the whole file runs in about a minute; the expected scores assume them.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import socket
import time
import unicodedata
from pathlib import Path

import nbformat
import pytest
from hostile.corpus import CASES, FULL, PERFECT, Case, Env
from test_nbgrader_e2e import make_course

from rnnkit.grading.classroom import STATE_FILE, autograde_class
from rnnkit.grading.engine import grade_notebook
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.kit.paths import KIT_ROOT, RELEASES
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import answers_for_functions, fill_release
from rnnkit.sandbox import Limits, detect_isolation
from rnnkit.sandbox import box as box_module

pytestmark = [
    pytest.mark.slow,
    # Without bubblewrap these cases would really fork-bomb and kill processes of this machine.
    pytest.mark.skipif(detect_isolation().kind != "bwrap",
                       reason=f"no isolation here: {detect_isolation().detail}"),
]

LIMITS = Limits(call_seconds=2, cell_seconds=2, function_seconds=1.5, memory_bytes=2**29,
                processes=16)  # each case's submission budget: Case.submission_seconds
RELEASE = RELEASES / "rnn" / "rnn.ipynb"
SECRET_NAME = "RNNKIT_HOSTILE_SECRET"
SECRET_VALUE = "grader-secret-5f3a9c1e"
KIT_TREES = ("solutions", "autograder", "source", "assignments")
# Where an attack would land if /tmp of the sandbox were the grader's.
HOST_TMP_TARGETS = tuple(Path("/tmp") / name for name in (
    "results.json", "fill0", "conftest.py", "numpy.py", "sitecustomize.py"))
BY_SLUG = {case.slug: case for case in CASES}
IN_CLASS = ("fork-bomb", "kill-parent", "kill-process-group", "write-course-dir",
            "output-flood", "sys-exit-top-of-cell", "memory-bomb", "infinite-loop-function",
            "rigged-ndarray-subclass", "daemon")


@pytest.fixture(scope="module")
def listener():
    """A loopback port the grader's machine listens on: hostile code must never reach it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        yield server


@pytest.fixture(autouse=True)
def secret(monkeypatch):
    monkeypatch.setenv(SECRET_NAME, SECRET_VALUE)


@pytest.fixture(scope="module")
def perfect(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("perfect") / "rnn.ipynb"
    nbformat.write(fill_release(RELEASE, PERFECT), path)
    return path


def make_env(root: Path, port: int) -> Env:
    canary = root / "canary"
    canary.mkdir()
    (canary / "keep.txt").write_text("the grader's own file\n")
    return Env(release=RELEASE, canary=canary, course=root / "course", port=port,
               secret_name=SECRET_NAME)


def submit_bytes(course: Path, student: str, data: bytes) -> Path:
    folder = course / "submitted" / student / "rnn"
    folder.mkdir(parents=True)
    path = folder / "rnn.ipynb"
    path.write_bytes(data)
    return path


def snapshot(*roots: Path) -> dict[str, str]:
    """Every file, directory and link under ``roots`` with the sha256 of each file (caches of
    compiled Python, which any process may write, left out)."""
    seen = {}
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != "__pycache__"]
            seen[folder] = "dir"
            for name in files:
                path = os.path.join(folder, name)
                seen[path] = ("link " + os.readlink(path) if os.path.islink(path)
                              else hashlib.sha256(Path(path).read_bytes()).hexdigest())
    return seen


def outside_world(env: Env) -> dict[str, str]:
    """All that hostile code must leave as it is: path -> what is there."""
    world = snapshot(*(KIT_ROOT / tree for tree in KIT_TREES), env.course, env.canary)
    world |= {str(p): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "-"
              for p in HOST_TMP_TARGETS}
    return world


def changes(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Paths added, removed or modified: empty when nothing changed."""
    return sorted(path for path in before.keys() | after.keys()
                  if before.get(path) != after.get(path))


def new_in_kit_root(before: set[str]) -> set[str]:
    return set(os.listdir(KIT_ROOT)) - before


def sandbox_processes() -> set[int]:
    """Processes of sandboxes still alive, except the spare child started ahead of need (it
    runs no student code): descendants of this process, and, when the grader runs as root,
    any process running as one of the uids its sandboxes use (see isolation.sandbox_uid),
    wherever it may have escaped to."""
    first_uid = 60000 + (os.getpid() % 625) * 8
    own_uids = range(first_uid, first_uid + 8) if os.geteuid() == 0 else range(0)
    parents, uids = {}, {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(entry.path, "stat").read_text()
                status = Path(entry.path, "status").read_text()
            except OSError:
                continue  # it ended meanwhile
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
            uid_line = next(line for line in status.splitlines() if line.startswith("Uid:"))
            uids[int(entry.name)] = int(uid_line.split()[1])

    def descends(pid: int, ancestor: int) -> bool:
        for _ in range(64):
            if pid == ancestor:
                return True
            pid = parents.get(pid, 0)
            if pid <= 1:
                return False
        return False

    spare = box_module._spare.child
    spare_pid = spare.proc.pid if spare is not None and spare.alive() else -1
    me = os.getpid()
    return {pid for pid in parents
            if (descends(pid, me) and pid != me or uids[pid] in own_uids)
            and not descends(pid, spare_pid) and not resource_tracker_of(pid, me, parents)}


def resource_tracker_of(pid: int, me: int, parents: dict[int, int]) -> bool:
    """Whether ``pid`` is the helper process Python's multiprocessing starts for this process
    (a direct child, alive for the rest of the run once a process pool or a Dask cluster has
    used it): never a sandbox, which runs under bubblewrap."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return False
    return parents.get(pid) == me and b"multiprocessing.resource_tracker" in command


def no_sandbox_survives() -> set[int]:
    deadline = time.monotonic() + 5
    while (left := sandbox_processes()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def visible_text(text: str) -> bool:
    """No control, format (bidi, zero-width), surrogate or line/paragraph separator character
    but newline and tab: nothing that rewrites a terminal, reorders text or breaks UTF-8."""
    return all(char in "\n\t" or unicodedata.category(char) not in ("Cc", "Cf", "Cs", "Zl", "Zp")
               for char in text)


def check_report(report, case: Case) -> None:
    text = report.to_text()
    results = json.dumps(report.to_results_json(), ensure_ascii=False)
    assert report.score == case.expected_score, text
    assert report.max_score == FULL
    assert case.expect_message in text, text
    assert SECRET_VALUE not in text and SECRET_VALUE not in results
    assert visible_text(text), "control characters in the report"
    assert visible_text(results), "control characters in results.json"
    assert len(text) < 100_000


@pytest.mark.parametrize("case", CASES, ids=[case.slug for case in CASES])
def test_hostile_notebook(case: Case, tmp_path: Path, listener, perfect: Path) -> None:
    env = make_env(tmp_path, listener.getsockname()[1])
    path = submit_bytes(env.course, "hostile", case.build(env))
    before, kit_root = outside_world(env), set(os.listdir(KIT_ROOT))

    report = grade_notebook(path, "rnn", limits=dataclasses.replace(
        LIMITS, submission_seconds=case.submission_seconds))

    check_report(report, case)
    assert not changes(before, outside_world(env))
    assert not new_in_kit_root(kit_root)
    with pytest.raises(BlockingIOError):
        listener.accept()
    assert not no_sandbox_survives()
    again = grade_notebook(perfect, "rnn", limits=LIMITS)
    assert again.score == FULL, again.to_text()


def test_the_corpus_is_complete() -> None:
    assert len(CASES) >= 28
    assert len(BY_SLUG) == len(CASES), "slugs must be unique"
    assert set(IN_CLASS) <= set(BY_SLUG)


# --- a class with hostile classmates ----------------------------------------------------------


def honest_students() -> dict[str, nbformat.NotebookNode]:
    mistake = load_entries(KIT_ROOT / "tests" / "mistakes" / "rnn")[0]
    return {
        "honest-perfect": fill_release(RELEASE, PERFECT),
        "honest-mistake": fill_release(RELEASE, {
            **PERFECT, **answers_for_functions(mistake.code_by_function)}),
        "honest-blank": nbformat.read(RELEASE, as_version=4),
    }


def results(course: Path, student: str) -> Path:
    return course / "autograded" / student / "rnn" / STATE_FILE


def autograde(course: Path):
    return autograde_class(course, "rnn", jobs=2, progress=False, limits=LIMITS)


def test_hostile_classmates_change_nothing_for_honest_students(tmp_path: Path, listener) -> None:
    honest = honest_students()
    class_a = make_course(tmp_path / "a", "rnn")
    class_b = tmp_path / "b"
    shutil.copytree(class_a, class_b, symlinks=True)
    env = make_env(tmp_path, listener.getsockname()[1])
    env = Env(env.release, env.canary, class_b, env.port, env.secret_name)
    for course in (class_a, class_b):
        for student, nb in honest.items():
            submit_bytes(course, student, nbformat.writes(nb).encode("utf-8"))
    for slug in IN_CLASS:
        submit_bytes(class_b, slug, BY_SLUG[slug].build(env))
    submitted = snapshot(class_b / "submitted")
    kit = snapshot(*(KIT_ROOT / tree for tree in KIT_TREES), env.canary)
    kit_root = set(os.listdir(KIT_ROOT))

    summary_a, summary_b = autograde(class_a), autograde(class_b)

    assert (summary_a.graded, summary_a.failed) == (len(honest), [])
    assert (summary_b.graded, summary_b.failed) == (len(honest) + len(IN_CLASS), [])
    for student in honest:
        assert results(class_a, student).read_bytes() == results(class_b, student).read_bytes()
    for slug in IN_CLASS:
        graded = json.loads(results(class_b, slug).read_text())
        assert graded["score"] == BY_SLUG[slug].expected_score, slug
    with CourseGradebook(class_b) as gradebook:
        rows = {row["student"]: row["score"] for row in gradebook.table("rnn")}
    assert set(rows) == {*honest, *IN_CLASS}
    assert rows["honest-perfect"] == FULL
    assert not changes(submitted, snapshot(class_b / "submitted")), "submissions changed"
    assert not changes(kit, snapshot(*(KIT_ROOT / tree for tree in KIT_TREES), env.canary))
    assert not new_in_kit_root(kit_root)
    with pytest.raises(BlockingIOError):
        listener.accept()
    assert not no_sandbox_survives()

    # Resumable: nothing changed, nothing graded; one submission changed, only it is graded.
    again = autograde(class_b)
    assert (again.graded, again.unchanged, again.failed) == (0, len(honest) + len(IN_CLASS), [])
    blank = class_b / "submitted" / "honest-blank" / "rnn" / "rnn.ipynb"
    blank.write_bytes(nbformat.writes(honest["honest-perfect"]).encode("utf-8"))
    before = {slug: results(class_b, slug).read_bytes() for slug in IN_CLASS}
    once_more = autograde(class_b)
    assert (once_more.graded, once_more.unchanged, once_more.failed) == (
        1, len(honest) + len(IN_CLASS) - 1, [])
    assert json.loads(results(class_b, "honest-blank").read_text())["score"] == FULL
    assert {slug: results(class_b, slug).read_bytes() for slug in IN_CLASS} == before
