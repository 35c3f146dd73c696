"""``rnnkit autograde --scheduler ADDRESS`` grades on a dask.distributed cluster: here two
worker processes on this machine (a LocalCluster, processes, not threads). The run records
exactly what local mode records, is idempotent as local mode is, collects each hidden suite at
most once per worker, and loses nothing when a worker dies mid-run; a scheduler that cannot
grade is refused with a message that says what to do."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

import pytest
from distributed import Client, LocalCluster, WorkerPlugin
from test_speed_paths import ASSIGNMENT, class_notebooks, full_marks, make_course, submit_class

from rnnkit.cli import main
from rnnkit.grading import cluster as clusters
from rnnkit.grading import suite
from rnnkit.grading.classroom import STATE_FILE, autograde_class
from rnnkit.grading.gradebook import CourseGradebook

pytestmark = pytest.mark.slow  # a cluster of two worker processes, and two classes graded

SIZE = 7


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR,
                      local_directory=str(tmp_path_factory.mktemp("dask"))) as running:
        yield running


def a_class(folder: Path) -> Path:
    """The course with SIZE students (perfect, one mistake, blank in turn) and one whose
    notebook is not JSON."""
    course = make_course(folder)
    submit_class(course, class_notebooks(SIZE - 1))
    broken = course / "submitted" / "zz" / ASSIGNMENT
    broken.mkdir(parents=True)
    (broken / f"{ASSIGNMENT}.ipynb").write_text('{"cells": [', encoding="utf-8")
    return course


def recorded(course: Path) -> dict[str, object]:
    """What a run leaves: the gradebook's rows, each student's results and autograded
    notebook."""
    with CourseGradebook(course) as gradebook:
        table = gradebook.table(ASSIGNMENT)
    autograded = course / "autograded"
    return {"table": table,
            "results": {p.parent.parent.name: json.loads(p.read_text("utf-8"))
                        for p in sorted(autograded.glob(f"*/{ASSIGNMENT}/{STATE_FILE}"))},
            "notebooks": {p.parent.parent.name: p.read_bytes()
                          for p in sorted(autograded.glob(f"*/{ASSIGNMENT}/{ASSIGNMENT}.ipynb"))}}


def test_a_two_worker_cluster_records_what_local_mode_records(tmp_path, cluster, capsys):
    local, remote = a_class(tmp_path / "local"), a_class(tmp_path / "remote")
    summary = autograde_class(local, ASSIGNMENT, jobs=2, progress=False, insecure=True)
    assert (summary.graded, summary.failed) == (SIZE, [])

    code = main(["autograde", ASSIGNMENT, "--course-dir", str(remote), "--insecure",
                 "--scheduler", cluster.scheduler_address])

    assert code == 0
    assert f"graded {SIZE}, unchanged 0, failed 0" in capsys.readouterr().out
    assert recorded(remote) == recorded(local)
    scores = {row["student"]: row["score"] for row in recorded(remote)["table"]}
    full = full_marks()
    assert scores["s00"] == full and 0 < scores["s01"] < full and scores["s02"] == scores["zz"] == 0
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        per_worker = client.run(suite.collection_count)
    assert len(per_worker) == 2 and all(count <= 1 for count in per_worker.values())

    again = autograde_class(remote, ASSIGNMENT, progress=False, insecure=True,
                            scheduler=cluster.scheduler_address)
    assert (again.graded, again.unchanged, again.failed) == (0, SIZE, [])
    changed = remote / "submitted" / "s02" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    changed.write_text(class_notebooks(1)["s00"], encoding="utf-8")
    once_more = autograde_class(remote, ASSIGNMENT, progress=False, insecure=True,
                                scheduler=cluster.scheduler_address)
    assert (once_more.graded, once_more.unchanged) == (1, SIZE - 1)
    assert {row["student"]: row["score"] for row in recorded(remote)["table"]}["s02"] == full


class DiesOnce(WorkerPlugin):
    """Ends its worker's process as a task starts there, the first time any worker starts
    one (``marker`` is created then; a file, so that only one worker of the cluster dies)."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
        if finish != "executing":
            return
        try:
            os.close(os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
        except FileExistsError:
            return
        os._exit(1)  # as a machine that goes away would: no goodbye to the scheduler


def test_a_worker_that_dies_mid_run_loses_nothing(tmp_path, cluster):
    local, remote = a_class(tmp_path / "local"), a_class(tmp_path / "remote")
    autograde_class(local, ASSIGNMENT, jobs=2, progress=False, insecure=True)
    marker = tmp_path / "a-worker-died"
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        client.register_plugin(DiesOnce(str(marker)), name="dies-once")
        try:
            summary = autograde_class(remote, ASSIGNMENT, progress=False, insecure=True,
                                      scheduler=cluster.scheduler_address)
        finally:
            client.unregister_worker_plugin("dies-once")
    assert marker.exists()  # a worker did die
    assert (summary.graded, summary.failed) == (SIZE, [])
    assert recorded(remote) == recorded(local)


def test_a_scheduler_without_workers_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setattr(clusters, "WORKERS_SECONDS", 1.0)
    course = a_class(tmp_path / "course")
    with LocalCluster(n_workers=0, processes=True, dashboard_address=":0",
                      silence_logs=logging.ERROR) as empty:
        with pytest.raises(RuntimeError, match="no Dask worker joined.*dask worker"):
            autograde_class(course, ASSIGNMENT, progress=False, insecure=True,
                            scheduler=empty.scheduler_address)
    assert not (course / "autograded").exists()


def test_an_unreachable_scheduler_is_refused_with_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(clusters, "CONNECT_SECONDS", 1.0)
    course = a_class(tmp_path / "course")
    code = main(["autograde", ASSIGNMENT, "--course-dir", str(course),
                 "--scheduler", "tcp://127.0.0.1:9"])
    assert code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err
