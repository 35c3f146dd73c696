"""The speed of rnnkit at every scale, against plain ``nbgrader autograde``, on one machine.

    .venv/bin/python benchmarks/autograde_throughput.py [--quick] [--class-sizes 100,1000]
        [--assignments rnn,lstm] [--jobs N] [--nbgrader-max 100] [--skip-nbgrader]
        [--dask-size 1000] [--gradebook-sizes 100,50000] [--keep DIR] [--plot PNG]

One run, one machine, one load (printed with each phase), five measurements:

1. Throughput, for each assignment and class size. A simulated class is built in a scratch
   nbgrader course directory (ids s000, s001, ...; cycling through the source's own solutions,
   every catalogued mistake of ``tests/mistakes/<assignment>/``, every correct variant of
   ``tests/correct/<assignment>/`` and the blank release: all honest submissions) and graded:
   plain ``nbgrader autograde --force`` (one command, start-up included; every notebook runs
   whole in a Jupyter kernel, one after another, so its time per submission does not depend on
   the class size: classes larger than ``--nbgrader-max`` reuse the figure measured on the
   largest class it graded, marked ``*``); ``rnnkit autograde --force --jobs N`` (the CLI,
   start-up included; wall clock and CPU time of it and all its processes); at the smallest
   size also rnnkit at jobs=1 on a subset (``autograde_class`` here), and the floor: the answer
   cells exec'd here and the hidden suite run against them, no isolation.
2. Nothing to do: ``rnnkit autograde`` again on each graded class, nothing changed.
3. One notebook: ``rnnkit grade`` and ``rnnkit check`` of a perfect notebook, against the floor
   ``python -c "import numpy"`` (median of ``--repeats`` runs, wall clock and CPU).
4. Local against Dask: ``rnnkit autograde`` with ``--jobs N`` and on a two-worker
   dask.distributed LocalCluster (``--scheduler``), on ``--dask-size`` submissions of the first
   assignment.
5. The gradebook: a record's cost with 100 and with 50,000 students already graded
   (benchmarks/gradebook_scale.py).

It exits non-zero unless every grader gives every submission the same score. ``--quick`` runs
it all at a tiny size (a smoke test, figures meaningless). Each course directory gets its own
copy of the class, so gradebooks never mix. The bar chart shows submissions per second.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import io
import logging
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from rnnkit import assignments
from rnnkit.grading import manifest as manifests
from rnnkit.grading import suite
from rnnkit.grading.classroom import autograde_class
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.grading.student import NamespaceStudent
from rnnkit.kit.course import nbgrader_environment
from rnnkit.kit.paths import KIT_ROOT
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import answers_for_functions, fill_release, source_answers
from rnnkit.nb.submission import read_submission
from rnnkit.sandbox import detect_isolation

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling gradebook_scale.py
from gradebook_scale import format_scale, make_course, measure_at  # noqa: E402

TARGET_RATIO = 10.0  # rnnkit's throughput against nbgrader's
TARGET_CPU_PER_SUBMISSION = {"rnn": 0.06}  # seconds of CPU per submission, all processes
TARGET_NOTHING_TO_DO = (400, 0.5)  # (submissions, seconds) of a run with nothing changed
TARGET_LATENCY = {"grade": 8.0, "check": 5.0}  # times the `import numpy` floor
SUBSET_SIZE = 30  # submissions graded at jobs=1 (at least one full cycle of the mix)
DEFAULT_PLOT = Path(__file__).resolve().parent / "throughput.png"
SCORE_TOLERANCE = 1e-6
PROGRESS_EVERY = 30.0  # seconds between progress lines while nbgrader runs
IDLE_LOAD = 0.5
QUICK = {"class_sizes": "4", "skip_nbgrader": True, "repeats": 1, "dask_size": 4,
         "gradebook_sizes": "100,1000", "gradebook_records": 10}
_loads: list[float] = []  # 1-minute load averages seen, to tell a busy machine


@dataclass
class Result:
    """What the throughput benchmark measured for one assignment and class size; times are
    seconds (wall clock unless they say CPU)."""

    assignment: str
    size: int
    jobs: int
    rnnkit_seconds: float = 0.0
    rnnkit_cpu: Timing | None = None  # of the same run (see Timing)
    nothing_to_do_seconds: float = 0.0
    subset: list[str] = field(default_factory=list)  # the students graded at jobs=1
    jobs1_seconds: float | None = None
    floor_seconds: dict[str, float] = field(default_factory=dict)  # per student
    nbgrader_seconds: float | None = None
    nbgrader_measured_on: int | None = None  # the class size nbgrader's figure comes from
    max_score: float = 0.0
    mean_score: float = 0.0

    @property
    def rnnkit_per(self) -> float:
        return self.rnnkit_seconds / self.size

    @property
    def counted_cpu_per(self) -> float:
        return self.rnnkit_cpu.counted / self.size

    @property
    def machine_cpu_per(self) -> float:
        return self.rnnkit_cpu.machine / self.size

    @property
    def jobs1_per(self) -> float | None:
        return None if self.jobs1_seconds is None else self.jobs1_seconds / len(self.subset)

    @property
    def floor_per(self) -> float | None:
        if not self.floor_seconds:
            return None
        return sum(self.floor_seconds.values()) / len(self.floor_seconds)

    @property
    def overhead_per(self) -> float | None:
        """rnnkit at jobs=1 minus the floor, per submission, on the same submissions."""
        if self.jobs1_per is None or not self.floor_seconds:
            return None
        floor = sum(self.floor_seconds[s] for s in self.subset) / len(self.subset)
        return self.jobs1_per - floor

    @property
    def nbgrader_per(self) -> float | None:
        if self.nbgrader_seconds is None:
            return None
        return self.nbgrader_seconds / (self.nbgrader_measured_on or self.size)

    @property
    def ratio(self) -> float | None:
        return None if self.nbgrader_per is None else self.nbgrader_per / self.rnnkit_per


@dataclass(frozen=True)
class Timing:
    """One command's seconds: ``wall`` clock, and CPU counted two ways. ``counted``: as
    time(1) counts it, the command and every process it waited for, which leaves out the
    sandboxed Pythons (they end inside pid namespaces of their own, where nobody collects their
    times). ``machine``: every core's busy time while it ran (/proc/stat), which includes them,
    and whatever else the machine ran meanwhile (the load is printed with each phase)."""

    wall: float
    counted: float
    machine: float


@dataclass(frozen=True)
class Latency:
    """Median wall-clock and CPU seconds of one command, over the repeats."""

    what: str
    wall: float
    cpu: float


@dataclass(frozen=True)
class DaskResult:
    """Local against Dask on the same class: seconds of each run, and of starting the
    cluster (not counted in its run)."""

    assignment: str
    size: int
    jobs: int
    local_seconds: float
    cluster_start_seconds: float
    dask_seconds: float
    workers: int


class Disagreement(Exception):
    """Two graders gave an honest submission different scores."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.quick:
        for name, value in QUICK.items():
            if getattr(args, name) == _parser().get_default(name):
                setattr(args, name, value)
    try:
        chosen = _assignments(args.assignments)
        sizes = _sizes(args.class_sizes, "--class-sizes")
        jobs = args.jobs or _cores()
        if jobs < 1 or args.dask_size < 1 or args.repeats < 1:
            raise ValueError("--jobs, --dask-size and --repeats must be at least 1")
        isolation = detect_isolation()
        if isolation.kind == "none":
            raise RuntimeError(f"no sandbox on this machine ({isolation.detail}): the benchmark "
                               "measures rnnkit with isolation on; install bubblewrap")
        print(f"machine: {_cores()} cores, 1-minute load average {_load():.1f}; rnnkit "
              f"isolation: {isolation.kind} ({isolation.detail})")
        print(f"classes: {', '.join(map(str, sizes))} submissions per assignment; rnnkit "
              f"jobs: {jobs}; assignments: {', '.join(chosen)}"
              + ("; --quick: tiny sizes, figures meaningless" if args.quick else ""))
        if args.skip_nbgrader:
            print("nbgrader: skipped (--skip-nbgrader): no throughput ratio will be reported")
        work, temporary = _work_dir(args.keep)
        try:
            results = throughput(chosen, sizes, jobs, work, args)
            nothing = nothing_to_do(results, work)
            latencies = {a: latency(a, work / a, args.repeats) for a in chosen}
            dask = local_against_dask(chosen[0], args.dask_size, jobs, work / "dask", results)
            print("\n[gradebook] a record's cost in a small and a large gradebook ...",
                  flush=True)
            scale = [measure_at(size, args.gradebook_records, work / "gradebook")
                     for size in _sizes(args.gradebook_sizes, "--gradebook-sizes")]
        finally:
            if temporary:
                shutil.rmtree(work, ignore_errors=True)
            else:
                print(f"\ncourse directories kept in {work}")
    except Disagreement as error:
        print(f"\nFAILED: {error}", file=sys.stderr)
        return 1
    except (ValueError, RuntimeError, OSError) as error:
        print(f"\nbenchmark failed: {error}", file=sys.stderr)
        return 2
    print()
    print(format_table(results))
    print()
    print(format_nothing_to_do(results, nothing))
    print()
    print(format_latency(latencies))
    print()
    print(format_dask(dask))
    print()
    print(format_scale(scale))
    if _loads and max(_loads) > IDLE_LOAD:
        print(f"\nnote: the machine was not idle (1-minute load average up to {max(_loads):.1f} "
              f"on {_cores()} cores; [load a -> b] above shows each phase): other processes "
              f"competed, so times are upper bounds")
    plot(results, Path(args.plot))
    print(f"\nplot: {args.plot}")
    return 0


# --- 1. throughput ----------------------------------------------------------------------------

def throughput(chosen: list[str], sizes: list[int], jobs: int, work: Path,
               args: argparse.Namespace) -> list[Result]:
    """Every assignment at every class size (the smallest also at jobs=1 and in-process)."""
    results = []
    for assignment in chosen:
        measured: Result | None = None  # the largest class nbgrader graded
        for size in sizes:
            with_nbgrader = not args.skip_nbgrader and size <= args.nbgrader_max
            result = benchmark(assignment, work / assignment / str(size), size, jobs,
                               with_nbgrader, detail=size == sizes[0])
            if with_nbgrader:
                measured = result
            elif measured is not None:
                result.nbgrader_seconds = measured.nbgrader_seconds
                result.nbgrader_measured_on = measured.size
            results.append(result)
    return results


def benchmark(assignment: str, work: Path, size: int, jobs: int, with_nbgrader: bool,
              detail: bool = True) -> Result:
    """Build a class of ``size`` submissions of ``assignment`` under ``work`` and grade it
    every way (``detail``: also at jobs=1 and in-process)."""
    tag = f"[{assignment} × {size}]"
    base = work / "nbgrader"
    make_course(base, assignment)
    mix = _mix(assignment)
    kinds = simulate_class(base, assignment, size, mix)
    print(f"\n{tag} simulated class: {describe_mix(kinds)}")
    students = list(kinds)
    rnnkit_course = work / "rnnkit"
    shutil.copytree(base, rnnkit_course, symlinks=True)
    result = Result(assignment, size, jobs, max_score=manifests.load(assignment).max_score)

    print(f"{tag} rnnkit autograde --jobs {jobs} (CLI, start-up included): "
          f"grading {size} submissions in sandboxes ...", flush=True)
    load = _load()
    result.rnnkit_cpu = run_rnnkit_cli(rnnkit_course, assignment, ["--jobs", str(jobs)])
    result.rnnkit_seconds = result.rnnkit_cpu.wall
    rnnkit_scores = gradebook_scores(rnnkit_course, assignment, students, "rnnkit")
    print(f"{tag} rnnkit autograde --jobs {jobs}: {size} submissions in "
          f"{result.rnnkit_seconds:.1f} s = {result.rnnkit_per:.3f} s/submission "
          f"({1 / result.rnnkit_per:.2f} submissions/s); CPU {result.counted_cpu_per:.3f} "
          f"s/submission as time(1) counts it, {result.machine_cpu_per:.3f} the machine's "
          f"{_load_note(load)}")
    result.mean_score = sum(rnnkit_scores.values()) / size

    load = _load()
    result.nothing_to_do_seconds = run_rnnkit_cli(rnnkit_course, assignment,
                                                  ["--jobs", str(jobs)], force=False).wall
    print(f"{tag} rnnkit autograde again, nothing changed: {size} submissions in "
          f"{result.nothing_to_do_seconds:.2f} s {_load_note(load)}")

    if detail:
        jobs1(result, base, work / "rnnkit-jobs1", students, kinds, rnnkit_scores, tag)
        floor_scores = floor(result, base, students, tag)
        compare(rnnkit_scores, floor_scores, kinds, "rnnkit", "the in-process floor")
    if with_nbgrader:
        print(f"{tag} nbgrader autograde {assignment} --force: grading {size} submissions "
              f"(each notebook runs whole in a Jupyter kernel; this takes minutes) ...",
              flush=True)
        load = _load()
        result.nbgrader_seconds = run_nbgrader(base, assignment, size)
        print(f"{tag} nbgrader autograde: {size} submissions in {result.nbgrader_seconds:.1f} s "
              f"= {result.nbgrader_per:.3f} s/submission "
              f"({1 / result.nbgrader_per:.3f} submissions/s) {_load_note(load)}")
        nbgrader_scores = gradebook_scores(base, assignment, students, "nbgrader")
        compare(nbgrader_scores, rnnkit_scores, kinds, "nbgrader", "rnnkit")
        print(f"{tag} scores: nbgrader and rnnkit agree on all {size} submissions "
              f"(mean {result.mean_score:.2f} / {result.max_score:g})")
    elif detail:
        print(f"{tag} scores: rnnkit and the in-process floor agree on all {size} submissions "
              f"(mean {result.mean_score:.2f} / {result.max_score:g}); nbgrader not run")
    return result


def jobs1(result: Result, base: Path, course: Path, students: list[str],
          kinds: dict[str, str], rnnkit_scores: dict[str, float], tag: str) -> None:
    """rnnkit at jobs=1 on a subset of the class, in this process."""
    subset = students[:min(len(students), max(SUBSET_SIZE, len(_mix(result.assignment))))]
    shutil.copytree(base, course, symlinks=True,
                    ignore=lambda folder, names: [n for n in names if Path(folder).name ==
                                                  "submitted" and n not in subset])
    result.subset = subset
    print(f"{tag} rnnkit at jobs=1 on {len(subset)} submissions (autograde_class in this "
          f"process) ...", flush=True)
    load, started = _load(), time.perf_counter()
    summary = autograde_class(course, result.assignment, jobs=1, force=True, progress=True)
    result.jobs1_seconds = time.perf_counter() - started
    if summary.failed:
        raise RuntimeError(f"rnnkit could not grade: {summary.failed[:5]}")
    jobs1_scores = gradebook_scores(course, result.assignment, subset, "rnnkit jobs=1")
    print(f"{tag} rnnkit jobs=1: {result.jobs1_per:.3f} s/submission {_load_note(load)}")
    compare({s: rnnkit_scores[s] for s in subset}, jobs1_scores, kinds, "rnnkit jobs=N",
            "rnnkit jobs=1")


def floor(result: Result, base: Path, students: list[str], tag: str) -> dict[str, float]:
    """The in-process floor for every student; returns their scores."""
    print(f"{tag} in-process floor (answer cells exec'd here, hidden suite called directly, "
          f"no isolation) ...", flush=True)
    load = _load()
    scores, result.floor_seconds = run_floor(base, result.assignment, students)
    print(f"{tag} in-process floor: {result.floor_per:.3f} s/submission "
          f"({1 / result.floor_per:.2f} submissions/s) {_load_note(load)}")
    print(f"{tag} isolated overhead (rnnkit jobs=1 minus floor, same {len(result.subset)} "
          f"submissions): {result.overhead_per:.3f} s/submission")
    return scores


# --- 2. nothing to do --------------------------------------------------------------------------

def nothing_to_do(results: list[Result], work: Path) -> float | None:
    """Seconds of ``rnnkit autograde`` with nothing changed on exactly TARGET_NOTHING_TO_DO's
    number of graded submissions (a copy of the first graded class that large); None when no
    class is that large."""
    count = TARGET_NOTHING_TO_DO[0]
    graded = next((r for r in results if r.size >= count), None)
    if graded is None:
        return None
    source = work / graded.assignment / str(graded.size) / "rnnkit"
    kept = {f"s{i:0{max(3, len(str(graded.size - 1)))}d}" for i in range(count)}
    course = work / f"nothing-to-do-{count}"
    shutil.copytree(source, course, symlinks=True, ignore=lambda folder, names: [
        n for n in names if Path(folder).name in ("submitted", "autograded") and n not in kept])
    load = _load()
    seconds = run_rnnkit_cli(course, graded.assignment, [], force=False).wall
    print(f"\n[{graded.assignment} × {count}] rnnkit autograde, nothing changed: {seconds:.2f} s "
          f"{_load_note(load)}")
    return seconds


# --- the class ---------------------------------------------------------------------------------

def _mix(assignment: str) -> list[tuple[str, dict[str, str] | None]]:
    """One cycle of the class: (kind, answers; None for the blank release)."""
    perfect = source_answers(assignment)
    mix: list[tuple[str, dict[str, str] | None]] = [("perfect", perfect)]
    for folder in ("mistakes", "correct"):
        for entry in load_entries(KIT_ROOT / "tests" / folder / assignment):
            mix.append((f"{folder}/{entry.slug}",
                        {**perfect, **answers_for_functions(entry.code_by_function)}))
    mix.append(("blank", None))
    return mix


def simulate_class(course: Path, assignment: str, size: int,
                   mix: list[tuple[str, dict[str, str] | None]]) -> dict[str, str]:
    """Write ``size`` submissions under ``submitted/``, cycling through ``mix``; returns
    student id -> kind."""
    release_nb = course / "assignments" / assignment / f"{assignment}.ipynb"
    texts = [None if answers is None else nbformat.writes(fill_release(release_nb, answers))
             for _, answers in mix]
    width = max(3, len(str(size - 1)))
    kinds = {}
    for i in range(size):
        student = f"s{i:0{width}d}"
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        path = folder / f"{assignment}.ipynb"
        text = texts[i % len(mix)]
        if text is None:
            shutil.copy(release_nb, path)
        else:
            path.write_text(text, encoding="utf-8")
        kinds[student] = mix[i % len(mix)][0]
    return kinds


def describe_mix(kinds: dict[str, str]) -> str:
    values = list(kinds.values())
    mistakes = len({k for k in values if k.startswith("mistakes/")})
    variants = len({k for k in values if k.startswith("correct/")})
    return (f"{len(values)} submissions: {values.count('perfect')} perfect, "
            f"{sum(k.startswith('mistakes/') for k in values)} with one of {mistakes} "
            f"catalogued mistakes, {sum(k.startswith('correct/') for k in values)} with one of "
            f"{variants} correct variants, {values.count('blank')} blank")


# --- the graders ---------------------------------------------------------------------------------

def run_nbgrader(course: Path, assignment: str, size: int) -> float:
    """Wall-clock seconds of ``nbgrader autograde`` on the whole class (output to a log)."""
    log_path = course / "nbgrader-autograde.log"
    command = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force"]
    autograded = course / "autograded"
    with open(log_path, "w", encoding="utf-8") as log:
        started = last = time.perf_counter()
        process = subprocess.Popen(command, cwd=course, env=nbgrader_environment(), stdout=log,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        while process.poll() is None:
            time.sleep(0.2)
            now = time.perf_counter()
            if now - last >= PROGRESS_EVERY:
                last = now
                done = len(list(autograded.glob(f"*/{assignment}/{assignment}.ipynb")))
                print(f"  nbgrader: {done}/{size} notebooks autograded after "
                      f"{now - started:.0f} s [load {_load():.1f}]", flush=True)
        seconds = time.perf_counter() - started
    if process.returncode != 0:
        tail = log_path.read_text(encoding="utf-8", errors="replace")[-3000:]
        raise RuntimeError(f"nbgrader autograde exited with {process.returncode}; the end of "
                           f"{log_path}:\n{tail}")
    return seconds


def run_rnnkit_cli(course: Path, assignment: str, options: list[str],
                   force: bool = True) -> Timing:
    """The seconds of ``rnnkit autograde`` (a fresh process) on the whole class."""
    command = [sys.executable, "-m", "rnnkit.cli", "autograde", assignment, *options,
               "--course-dir", str(course), *(["--force"] if force else [])]
    # stderr (the progress bar) goes to the terminal
    done, timing = _timed(command, stdout=subprocess.PIPE)
    if done.returncode != 0:
        raise RuntimeError(f"rnnkit autograde exited with {done.returncode}:\n{done.stdout}")
    return timing


def run_floor(course: Path, assignment: str,
              students: list[str]) -> tuple[dict[str, float], dict[str, float]]:
    """Scores and seconds per student of grading in this process, without any isolation."""
    manifest = manifests.load(assignment)
    suite.run(assignment, NamespaceStudent({}))  # pytest's first-run imports are not the floor
    scores, seconds = {}, {}
    for student in students:
        path = course / "submitted" / student / assignment / f"{assignment}.ipynb"
        answers = read_submission(path, manifest.answer_ids).answers
        cells = [*manifest.setup_cells,
                 *((gid, answers[gid]) for gid in manifest.answer_ids if gid in answers)]
        started = time.perf_counter()
        namespace = {"__name__": "__student__", "__builtins__": builtins}
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            for cell_id, source in cells:
                try:
                    exec(compile(source, cell_id, "exec", dont_inherit=True), namespace)
                except Exception:  # a cell that raises, as in a notebook: the next one runs
                    pass
        results = suite.run(assignment, NamespaceStudent(namespace))
        seconds[student] = time.perf_counter() - started
        scores[student] = sum(r.earned for r in results)
    return scores, seconds


def gradebook_scores(course: Path, assignment: str, students: list[str],
                     grader: str) -> dict[str, float]:
    with CourseGradebook(course) as gradebook:
        scores = {row["student"]: float(row["score"]) for row in gradebook.table(assignment)}
    missing = [s for s in students if s not in scores]
    if missing:
        raise Disagreement(f"{grader} recorded no grade for {len(missing)} submissions "
                           f"(e.g. {', '.join(missing[:5])}) in {course / 'gradebook.db'}")
    return {s: scores[s] for s in students}


def compare(first: dict[str, float], second: dict[str, float], kinds: dict[str, str],
            first_name: str, second_name: str) -> None:
    """Raise Disagreement, listing the submissions, unless both give every one the same score."""
    differ = [s for s in first if abs(first[s] - second[s]) > SCORE_TOLERANCE]
    if differ:
        lines = "\n".join(f"  {s} ({kinds[s]}): {first_name} {first[s]:g}, "
                          f"{second_name} {second[s]:g}" for s in differ[:20])
        raise Disagreement(f"{first_name} and {second_name} disagree on {len(differ)} of "
                           f"{len(first)} honest submissions:\n{lines}")


# --- 3. one notebook --------------------------------------------------------------------------

def latency(assignment: str, work: Path, repeats: int) -> dict[str, Latency]:
    """``rnnkit grade`` and ``rnnkit check`` of a perfect notebook, and the floor."""
    work.mkdir(parents=True, exist_ok=True)
    release_nb = KIT_ROOT / "assignments" / assignment / f"{assignment}.ipynb"
    notebook = work / f"perfect-{assignment}.ipynb"
    nbformat.write(fill_release(release_nb, source_answers(assignment)), notebook)
    python = [sys.executable]
    commands = {
        "import numpy": [*python, "-c", "import numpy"],
        "grade": [*python, "-m", "rnnkit.cli", "grade", str(notebook), "--assignment",
                  assignment],
        "check": [*python, "-m", "rnnkit.cli", "check", str(notebook)],
    }
    print(f"\n[{assignment}] one notebook: {', '.join(commands)} ({repeats} runs each) ...",
          flush=True)
    found = {}
    for what, command in commands.items():
        load, runs = _load(), []
        for _ in range(repeats):
            done, timing = _timed(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if done.returncode not in (0, 1):  # check exits 1 when a check fails
                raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}")
            runs.append((timing.wall, timing.machine))
        found[what] = Latency(what, statistics.median(w for w, _ in runs),
                              statistics.median(c for _, c in runs))
        print(f"[{assignment}] {what}: {found[what].wall:.2f} s wall, {found[what].cpu:.2f} s "
              f"CPU {_load_note(load)}")
    return found


# --- 4. local against Dask --------------------------------------------------------------------

def local_against_dask(assignment: str, size: int, jobs: int, work: Path,
                       results: list[Result]) -> DaskResult:
    """The same class graded locally (--jobs) and on a two-worker LocalCluster."""
    from distributed import LocalCluster

    tag = f"[{assignment} × {size}, Dask]"
    base = work / "class"
    make_course(base, assignment)
    kinds = simulate_class(base, assignment, size, _mix(assignment))
    local_course, dask_course = work / "local", work / "dask"
    shutil.copytree(base, local_course, symlinks=True)
    shutil.copytree(base, dask_course, symlinks=True)
    same = [r for r in results if r.assignment == assignment and r.size == size]
    if same:
        local_seconds = same[0].rnnkit_seconds
        print(f"\n{tag} local: the --jobs {jobs} run above, {local_seconds:.1f} s")
        local_course = work.parent / assignment / str(size) / "rnnkit"
    else:
        print(f"\n{tag} local: rnnkit autograde --jobs {jobs} ...", flush=True)
        load = _load()
        local_seconds = run_rnnkit_cli(local_course, assignment, ["--jobs", str(jobs)]).wall
        print(f"{tag} local: {local_seconds:.1f} s {_load_note(load)}")
    load, started = _load(), time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=":0", silence_logs=logging.ERROR,
                      local_directory=str(work / "dask-scratch")) as cluster:
        start_seconds = time.perf_counter() - started
        print(f"{tag} LocalCluster of 2 worker processes started in {start_seconds:.1f} s; "
              f"rnnkit autograde --scheduler {cluster.scheduler_address} ...", flush=True)
        dask_seconds = run_rnnkit_cli(dask_course, assignment,
                                      ["--scheduler", cluster.scheduler_address]).wall
    print(f"{tag} Dask: {dask_seconds:.1f} s {_load_note(load)}")
    students = list(kinds)
    compare(gradebook_scores(local_course, assignment, students, "rnnkit (local)"),
            gradebook_scores(dask_course, assignment, students, "rnnkit (Dask)"), kinds,
            "rnnkit (local)", "rnnkit (Dask)")
    return DaskResult(assignment, size, jobs, local_seconds, start_seconds, dask_seconds, 2)


# --- measuring ---------------------------------------------------------------------------------

def _timed(command: list[str], **streams: int) -> tuple[subprocess.CompletedProcess, Timing]:
    """Run ``command``; the completed process and its :class:`Timing`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    machine, started = _machine_cpu(), time.perf_counter()
    done = subprocess.run(command, env=nbgrader_environment(), stdin=subprocess.DEVNULL,
                          text=True, **streams)
    wall, machine = time.perf_counter() - started, _machine_cpu() - machine
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    counted = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return done, Timing(wall, counted, machine)


def _machine_cpu() -> float:
    """Seconds of CPU the machine's cores have spent busy since boot (NaN without /proc)."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            ticks = [int(n) for n in stat.readline().split()[1:]]
    except OSError:
        return math.nan
    idle, iowait = ticks[3], ticks[4]
    busy = sum(ticks[:8]) - idle - iowait  # user nice system idle iowait irq softirq steal
    return busy / os.sysconf("SC_CLK_TCK")


def _load() -> float:
    """The 1-minute load average now (recorded, to report a busy machine)."""
    try:
        load = os.getloadavg()[0]
    except OSError:
        return 0.0
    _loads.append(load)
    return load


def _load_note(before: float) -> str:
    return f"[load {before:.1f} -> {_load():.1f}]"


# --- output ------------------------------------------------------------------------------------

def _f(value: float | None, digits: int = 3) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def format_table(results: list[Result]) -> str:
    """Throughput: seconds per submission of each grader, the ratio and the targets."""
    header = (f"{'assignment':<10} {'subs':>5} {'nbgrader s/sub':>15} {'rnnkit s/sub':>13} "
              f"{'CPU s/sub':>10} {'CPU s/sub':>10} {'ratio':>7} {'floor s/sub':>12} "
              f"{'rnnkit s/sub':>13} {'overhead s/sub':>15}")
    sub = (f"{'':<10} {'':>5} {'':>15} {f'(jobs={results[0].jobs})':>13} {'(time(1))':>10} "
           f"{'(machine)':>10} {'':>7} {'(in-process)':>12} {'(jobs=1)':>13} {'(jobs=1)':>15}")
    lines = [header, sub]
    for r in results:
        star = "*" if r.nbgrader_measured_on else ""
        nbgrader = "not run" if r.nbgrader_per is None else f"{r.nbgrader_per:.3f}{star}"
        ratio = "-" if r.ratio is None else f"{r.ratio:.1f}×{star}"
        lines.append(f"{r.assignment:<10} {r.size:>5} {nbgrader:>15} {r.rnnkit_per:>13.3f} "
                     f"{r.counted_cpu_per:>10.3f} {r.machine_cpu_per:>10.3f} {ratio:>7} "
                     f"{_f(r.floor_per):>12} {_f(r.jobs1_per):>13} {_f(r.overhead_per):>15}")
    if any(r.nbgrader_measured_on for r in results):
        lines.append("* nbgrader's time per submission measured on the largest class it graded "
                     "(--nbgrader-max): it grades one notebook after another")
    lines.append("")
    for r in results:
        if r.ratio is None:
            lines.append(f"{r.assignment} × {r.size}: throughput ratio not measured: target "
                         f"≥ {TARGET_RATIO:g}× not assessed")
        else:
            verdict = "met" if r.ratio >= TARGET_RATIO else "not met"
            lines.append(f"{r.assignment} × {r.size}: throughput ratio rnnkit/nbgrader "
                         f"{r.ratio:.1f}×: target ≥ {TARGET_RATIO:g}×: {verdict}")
        target = TARGET_CPU_PER_SUBMISSION.get(r.assignment)
        if target is not None:
            counted, machine = r.counted_cpu_per, r.machine_cpu_per
            lines.append(f"{r.assignment} × {r.size}: rnnkit CPU {counted:.3f} s/submission "
                         f"as time(1) counts it (sandboxed Pythons not included), "
                         f"{machine:.3f} the machine's (them included), start-up included: "
                         f"target ≤ {target:g} s: {'met' if counted <= target else 'not met'} "
                         f"as time(1) counts, {'met' if machine <= target else 'not met'} "
                         f"on the machine")
    lines.append("overhead = rnnkit at jobs=1 (sandbox, suite over RPC, gradebook and "
                 "autograded notebook) minus the in-process floor, on the same submissions")
    return "\n".join(lines)


def format_nothing_to_do(results: list[Result], at_target: float | None) -> str:
    count, seconds = TARGET_NOTHING_TO_DO
    lines = [f"nothing to do: {r.assignment} × {r.size} unchanged in "
             f"{r.nothing_to_do_seconds:.2f} s (the whole command)" for r in results]
    if at_target is None:
        lines.append(f"nothing to do: no class of {count} graded: target < {seconds:g} s for "
                     f"{count} not assessed")
    else:
        verdict = "met" if at_target < seconds else "not met"
        lines.append(f"nothing to do: {count} unchanged in {at_target:.2f} s: target < "
                     f"{seconds:g} s: {verdict}")
    return "\n".join(lines)


def format_latency(latencies: dict[str, dict[str, Latency]]) -> str:
    lines = [f"{'one notebook':<26} {'wall s':>7} {'CPU s':>7} {'× floor (wall)':>15} "
             f"{'× floor (CPU)':>14}"]
    verdicts = []
    for assignment, found in latencies.items():
        base = found["import numpy"]
        for what, measured in found.items():
            wall, cpu = measured.wall / base.wall, measured.cpu / max(base.cpu, 1e-9)
            label = "python -c 'import numpy'" if what == "import numpy" else (
                f"rnnkit {what} ({assignment})")
            lines.append(f"{label:<26} {measured.wall:>7.2f} {measured.cpu:>7.2f} "
                         f"{wall:>14.1f}× {cpu:>13.1f}×")
            if what in TARGET_LATENCY:
                verdict = "met" if max(wall, cpu) <= TARGET_LATENCY[what] else "not met"
                verdicts.append(f"rnnkit {what} ({assignment}): {wall:.1f}× the import numpy "
                                f"floor (wall), {cpu:.1f}× (CPU): target ≤ "
                                f"{TARGET_LATENCY[what]:g}×: {verdict}")
    return "\n".join(lines + verdicts)


def format_dask(result: DaskResult) -> str:
    ratio = result.local_seconds / result.dask_seconds
    return (f"local against Dask: {result.assignment} × {result.size}: rnnkit autograde --jobs "
            f"{result.jobs} {result.local_seconds:.1f} s ({result.local_seconds / result.size:.3f}"
            f" s/submission); on a LocalCluster of {result.workers} worker processes "
            f"{result.dask_seconds:.1f} s ({result.dask_seconds / result.size:.3f} s/submission, "
            f"{ratio:.2f}× local's throughput; starting the cluster took "
            f"{result.cluster_start_seconds:.1f} s more); same scores")


def plot(results: list[Result], path: Path) -> None:
    """Bar chart of submissions per second for each grader, one group per assignment and class
    size; a grader not run there has no bar."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = [("nbgrader autograde", "#9e9e9e", lambda r: r.nbgrader_per),
              (f"rnnkit autograde (jobs={results[0].jobs}, sandboxed)", "#1f77b4",
               lambda r: r.rnnkit_per),
              ("rnnkit autograde (jobs=1, sandboxed)", "#8fbbd9", lambda r: r.jobs1_per),
              ("in-process floor (1 process, no isolation)", "#2ca02c", lambda r: r.floor_per)]
    series = [(label, color, per) for label, color, per in series
              if any(per(r) is not None for r in results)]
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(max(8, 2 * len(results)), 4.5))
    rates = []
    for k, (label, color, per) in enumerate(series):
        labelled = False
        for i, r in enumerate(results):
            if per(r) is None:
                continue
            x = i + (k - (len(series) - 1) / 2) * width
            rate = 1 / per(r)
            rates.append(rate)
            ax.bar(x, rate, width, color=color, label=None if labelled else label)
            labelled = True
            ax.text(x, rate * 1.08, f"{rate:.2g}/s", ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(min(rates) / 3, max(rates) * 40)  # room for the legend above the bars
    ax.set_xticks(range(len(results)),
                  [f"{r.assignment}\n({r.size} submissions"
                   + ("" if r.ratio is None else f", ratio {r.ratio:.1f}×") + ")"
                   for r in results])
    ax.set_ylabel("submissions graded per second (log scale)")
    ax.set_xlim(-0.5, len(results) - 0.5)
    ax.set_title(f"Autograding throughput on {_cores()} cores")
    ax.legend(fontsize=8, loc="upper center", ncol=2)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


# --- arguments ---------------------------------------------------------------------------------

def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def _sizes(text: str, option: str) -> list[int]:
    try:
        sizes = sorted({int(size) for size in text.split(",") if size.strip()})
    except ValueError:
        raise ValueError(f"{option} takes numbers separated by commas, e.g. 100,1000") from None
    if not sizes or sizes[0] < 1:
        raise ValueError(f"{option}: sizes must be at least 1")
    return sizes


def _assignments(text: str | None) -> list[str]:
    known = assignments.names()
    if text is None:
        found = [a for a in known if (KIT_ROOT / "tests" / "mistakes" / a).is_dir()]
        if not found:
            raise ValueError("no assignment has a mistake catalogue in tests/mistakes/")
        return found
    chosen = [a.strip() for a in text.split(",") if a.strip()]
    unknown = [a for a in chosen if a not in known]
    if unknown or not chosen:
        raise ValueError(f"unknown assignments {unknown}; known: {known}")
    return chosen


def _work_dir(keep: str | None) -> tuple[Path, bool]:
    if keep is None:
        return Path(tempfile.mkdtemp(prefix="rnnkit-bench-")), True
    work = Path(keep).resolve()
    if work.exists() and any(work.iterdir()):
        raise ValueError(f"--keep {work}: the directory is not empty")
    work.mkdir(parents=True, exist_ok=True)
    return work, False


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="everything at a tiny size, without nbgrader (a smoke test)")
    parser.add_argument("--class-sizes", default="100,1000",
                        help="submissions per assignment, comma-separated (default 100,1000)")
    parser.add_argument("--assignments", help="comma-separated, e.g. rnn,lstm (default: every "
                        "assignment with a mistake catalogue)")
    parser.add_argument("--jobs", type=int, help="rnnkit's parallel workers (default: cores)")
    parser.add_argument("--nbgrader-max", type=int, default=100,
                        help="largest class plain nbgrader grades (default 100); larger "
                             "classes reuse its time per submission")
    parser.add_argument("--skip-nbgrader", action="store_true",
                        help="do not run plain nbgrader (no throughput ratio is reported)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="runs of each one-notebook command (default 5; the median counts)")
    parser.add_argument("--dask-size", type=int, default=1000,
                        help="submissions graded locally and on Dask (default 1000)")
    parser.add_argument("--gradebook-sizes", default="100,50000",
                        help="students already in the gradebook when a record is timed "
                             "(default 100,50000)")
    parser.add_argument("--gradebook-records", type=int, default=50,
                        help="records timed at each gradebook size (default 50)")
    parser.add_argument("--keep", metavar="DIR",
                        help="build the course directories in DIR (empty or new) and keep them")
    parser.add_argument("--plot", default=str(DEFAULT_PLOT),
                        help=f"bar chart to write (default {DEFAULT_PLOT})")
    return parser


if __name__ == "__main__":
    sys.exit(main())
