"""Grade a class on a dask.distributed cluster: ``rnnkit autograde rnn --scheduler ADDRESS``.

The process that started the run reads each submission once and sends its bytes, never a path,
to the cluster; a worker grades it in a sandbox of its own (rnnkit.grading.classroom's
``grade_submitted``) and sends back the report; only the starting process writes the results
and the gradebook, exactly as in local mode (progress bar, resumability, idempotence alike).

Each worker needs the instructor kit (this checkout, installed as for ``make``) and bubblewrap,
and should run one task at a time per core (``--nthreads 1``; each task starts its own
sandboxed process). A worker that dies loses nothing: Dask gives its submissions to another
worker, and a submission that keeps killing workers is reported as failed and graded again on
the next run. How to start a scheduler and workers: README, "Grading on several machines".
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from rnnkit.grading.classroom import WorkerSettings, grade_submitted

CONNECT_SECONDS = 30.0
WORKERS_SECONDS = 60.0  # how long to wait for a first worker to join the scheduler


class DaskWorkers:
    """The workers of a dask.distributed scheduler, as a class run's graders.

    Inputs:
    - settings: the run's settings; ``settings.scheduler`` is the scheduler's address
      (``tcp://host:8786``)

    Raises RuntimeError when the scheduler cannot be reached, no worker joins it within
    WORKERS_SECONDS, or a worker cannot grade (no instructor kit; no sandbox and not
    ``insecure``).
    """

    def __init__(self, settings: WorkerSettings) -> None:
        from distributed import Client

        self.settings = settings
        address = settings.scheduler
        try:
            self.client = Client(address, timeout=CONNECT_SECONDS, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as error:
            raise RuntimeError(f"cannot reach the Dask scheduler at {address} ({error}): start "
                               f"one with `dask scheduler` and give its address") from None
        try:
            self._check_workers(address)
        except BaseException:
            self.client.close()
            raise
        threads = sum(self.client.nthreads().values())
        self.capacity = max(2, 2 * threads)

    def _check_workers(self, address: str) -> None:
        try:
            self.client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise RuntimeError(
                f"no Dask worker joined the scheduler at {address} within "
                f"{WORKERS_SECONDS:g} s: start workers with `dask worker {address} "
                f"--nthreads 1`") from None
        problems = self.client.run(worker_problem, self.settings.insecure)
        found = [f"{worker}: {problem}" for worker, problem in problems.items() if problem]
        if found:
            raise RuntimeError("Dask workers that cannot grade: " + "; ".join(found))

    def submit(self, source: Any, assignment: str) -> Any:
        """Grade one submission (its bytes) on some worker; a Dask future of its report."""
        s = self.settings
        return self.client.submit(grade_submitted, source, assignment, s.language, s.insecure,
                                  s.limits, pure=False)

    def wait_any(self, futures: Collection[Any]) -> Collection[Any]:
        from distributed import wait

        with self.client.as_current():  # wait() asks the current client, not the futures'
            done, _ = wait(list(futures), return_when="FIRST_COMPLETED")
        return done

    def close(self) -> None:
        self.client.close()


def worker_problem(insecure: bool) -> str:
    """Why this worker cannot grade, or "" (run on each worker before a class run)."""
    import importlib.util

    from rnnkit.sandbox import detect_isolation

    if importlib.util.find_spec("rnnkit.kit") is None:
        return ("rnnkit here is the students' wheel, without the hidden suites: install the "
                "instructor kit (the course checkout) on this machine")
    try:
        import rnnkit.kit.paths  # noqa: F401 (it finds the kit's files, or says why not)
    except RuntimeError as error:
        return str(error)
    isolation = detect_isolation()
    if isolation.kind == "none" and not insecure:
        return f"no sandbox ({isolation.detail}): install bubblewrap"
    return ""
