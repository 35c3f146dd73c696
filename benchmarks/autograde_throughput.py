"""Throughput of ``rnnkit autograde`` against plain ``nbgrader autograde``, on one machine.

    .venv/bin/python benchmarks/autograde_throughput.py [--class-size 100] [--assignments rnn]
        [--jobs N] [--keep DIR] [--plot benchmarks/throughput.png] [--skip-nbgrader]

For each assignment it builds a simulated class in a scratch nbgrader course directory (ids
s000, s001, ...; cycling through the source's own solutions, every catalogued mistake of
``tests/mistakes/<assignment>/``, every correct variant of ``tests/correct/<assignment>/`` and
the blank release: all honest submissions) and grades the same notebooks four ways:

1. plain ``nbgrader autograde <assignment> --force`` (one command for the whole class, process
   start-up included; it executes every notebook in a Jupyter kernel);
2. ``rnnkit autograde <assignment> --force --jobs N`` (the CLI, process start-up included;
   each submission's cells run in its own sandbox);
3. rnnkit at jobs=1 on a subset (``autograde_class`` in this process), for the cost of one
   isolated submission;
4. the floor: the answer cells exec'd into a namespace of this process and the hidden suite
   run against it (``suite.run(a, NamespaceStudent(ns))``), one process, no isolation.

It exits non-zero unless nbgrader and rnnkit give every submission the same score (and rnnkit
agrees with the floor). It prints a table (seconds per submission, the throughput ratio, the
floor and the isolated overhead per submission) and saves a bar chart of submissions/second.
Each course directory gets its own copy of the class, so the gradebooks never mix.
"""

from __future__ import annotations

import argparse
import builtins
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from rnnkit import assignments
from rnnkit.course import nbgrader_environment, release
from rnnkit.grading import manifest as manifests
from rnnkit.grading import suite
from rnnkit.grading.classroom import autograde_class
from rnnkit.grading.gradebook import CourseGradebook
from rnnkit.grading.student import NamespaceStudent
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import answers_for_functions, fill_release, source_answers
from rnnkit.nb.submission import read_submission
from rnnkit.paths import KIT_ROOT, SOURCE
from rnnkit.sandbox import detect_isolation

TARGET_RATIO = 10.0
SUBSET_SIZE = 30  # submissions graded at jobs=1 (at least one full cycle of the mix)
DEFAULT_PLOT = Path(__file__).resolve().parent / "throughput.png"
SCORE_TOLERANCE = 1e-6
PROGRESS_EVERY = 30.0  # seconds between progress lines while nbgrader runs
IDLE_LOAD = 0.5
_loads: list[float] = []  # 1-minute load averages seen, to tell a busy machine


@dataclass
class Result:
    """What one assignment's benchmark measured; times are wall-clock seconds."""

    assignment: str
    size: int
    jobs: int
    rnnkit_seconds: float = 0.0
    subset: list[str] = field(default_factory=list)  # the students graded at jobs=1
    jobs1_seconds: float = 0.0
    floor_seconds: dict[str, float] = field(default_factory=dict)  # per student
    nbgrader_seconds: float | None = None
    max_score: float = 0.0
    mean_score: float = 0.0

    @property
    def rnnkit_per(self) -> float:
        return self.rnnkit_seconds / self.size

    @property
    def jobs1_per(self) -> float:
        return self.jobs1_seconds / len(self.subset)

    @property
    def floor_per(self) -> float:
        return sum(self.floor_seconds.values()) / len(self.floor_seconds)

    @property
    def overhead_per(self) -> float:
        """rnnkit at jobs=1 minus the floor, per submission, on the same submissions."""
        floor = sum(self.floor_seconds[s] for s in self.subset) / len(self.subset)
        return self.jobs1_per - floor

    @property
    def nbgrader_per(self) -> float | None:
        return None if self.nbgrader_seconds is None else self.nbgrader_seconds / self.size

    @property
    def ratio(self) -> float | None:
        if self.nbgrader_seconds is None:
            return None
        return self.nbgrader_seconds / self.rnnkit_seconds


class Disagreement(Exception):
    """Two graders gave an honest submission different scores."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        chosen = _assignments(args.assignments)
        jobs = args.jobs or _cores()
        if args.class_size < 1 or jobs < 1:
            raise ValueError("--class-size and --jobs must be at least 1")
        isolation = detect_isolation()
        if isolation.kind == "none":
            raise RuntimeError(f"no sandbox on this machine ({isolation.detail}): the benchmark "
                               "measures rnnkit with isolation on; install bubblewrap")
        print(f"machine: {_cores()} cores, 1-minute load average {_load():.1f}; rnnkit "
              f"isolation: {isolation.kind} ({isolation.detail})")
        print(f"class: {args.class_size} submissions per assignment; rnnkit jobs: {jobs}; "
              f"assignments: {', '.join(chosen)}")
        if args.skip_nbgrader:
            print("nbgrader: skipped (--skip-nbgrader): no throughput ratio will be reported")
        work, temporary = _work_dir(args.keep)
        try:
            results = [benchmark(a, work / a, args.class_size, jobs, not args.skip_nbgrader)
                       for a in chosen]
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
    plot(results, Path(args.plot))
    print(f"\nplot: {args.plot}")
    return 0


def benchmark(assignment: str, work: Path, size: int, jobs: int, with_nbgrader: bool) -> Result:
    """Build the class of ``assignment`` under ``work`` and grade it every way."""
    tag = f"[{assignment}]"
    base = work / "nbgrader"
    make_course(base, assignment)
    mix = _mix(assignment)
    kinds = simulate_class(base, assignment, size, mix)
    print(f"{tag} simulated class: {describe_mix(kinds)}")
    students = list(kinds)
    subset = students[:min(size, max(SUBSET_SIZE, len(mix)))]
    rnnkit_course, jobs1_course = work / "rnnkit", work / "rnnkit-jobs1"
    shutil.copytree(base, rnnkit_course, symlinks=True)
    shutil.copytree(base, jobs1_course, symlinks=True,
                    ignore=lambda folder, names: [n for n in names if Path(folder).name ==
                                                  "submitted" and n not in subset])
    result = Result(assignment, size, jobs, subset=subset,
                    max_score=manifests.load(assignment).max_score)

    print(f"{tag} rnnkit autograde --jobs {jobs} (CLI, start-up included): "
          f"grading {size} submissions in sandboxes ...", flush=True)
    load = _load()
    result.rnnkit_seconds = run_rnnkit_cli(rnnkit_course, assignment, jobs)
    rnnkit_scores = gradebook_scores(rnnkit_course, assignment, students, "rnnkit")
    print(f"{tag} rnnkit autograde --jobs {jobs}: {size} submissions in "
          f"{result.rnnkit_seconds:.1f} s = {result.rnnkit_per:.3f} s/submission "
          f"({1 / result.rnnkit_per:.2f} submissions/s) {_load_note(load)}")
    result.mean_score = sum(rnnkit_scores.values()) / size

    print(f"{tag} rnnkit at jobs=1 on {len(subset)} submissions (autograde_class in this "
          f"process) ...", flush=True)
    load, started = _load(), time.perf_counter()
    summary = autograde_class(jobs1_course, assignment, jobs=1, force=True, progress=True)
    result.jobs1_seconds = time.perf_counter() - started
    if summary.failed:
        raise RuntimeError(f"rnnkit could not grade: {summary.failed[:5]}")
    jobs1_scores = gradebook_scores(jobs1_course, assignment, subset, "rnnkit jobs=1")
    print(f"{tag} rnnkit jobs=1: {result.jobs1_per:.3f} s/submission {_load_note(load)}")

    print(f"{tag} in-process floor (answer cells exec'd here, hidden suite called directly, "
          f"no isolation) ...", flush=True)
    load = _load()
    floor_scores, result.floor_seconds = run_floor(base, assignment, students)
    print(f"{tag} in-process floor: {result.floor_per:.3f} s/submission "
          f"({1 / result.floor_per:.2f} submissions/s) {_load_note(load)}")
    print(f"{tag} isolated overhead (rnnkit jobs=1 minus floor, same {len(subset)} "
          f"submissions): {result.overhead_per:.3f} s/submission")

    compare(rnnkit_scores, floor_scores, kinds, "rnnkit", "the in-process floor")
    compare({s: rnnkit_scores[s] for s in subset}, jobs1_scores, kinds, "rnnkit jobs=N",
            "rnnkit jobs=1")
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
    else:
        print(f"{tag} scores: rnnkit and the in-process floor agree on all {size} submissions "
              f"(mean {result.mean_score:.2f} / {result.max_score:g}); nbgrader skipped")
    return result


# --- the class ---------------------------------------------------------------------------------

def make_course(course: Path, assignment: str) -> None:
    """A course directory sharing the kit's sources and config, with ``assignment`` released."""
    course.mkdir(parents=True)
    (course / "source").symlink_to(SOURCE, target_is_directory=True)
    shutil.copy(KIT_ROOT / "nbgrader_config.py", course)
    with contextlib.redirect_stdout(io.StringIO()):
        release(assignment, course, "es")


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
    width = max(3, len(str(size - 1)))
    kinds = {}
    for i in range(size):
        student = f"s{i:0{width}d}"
        kind, answers = mix[i % len(mix)]
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        path = folder / f"{assignment}.ipynb"
        if answers is None:
            shutil.copy(release_nb, path)
        else:
            nbformat.write(fill_release(release_nb, answers), path)
        kinds[student] = kind
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


def run_rnnkit_cli(course: Path, assignment: str, jobs: int) -> float:
    """Wall-clock seconds of ``rnnkit autograde`` (a fresh process) on the whole class."""
    command = [sys.executable, "-m", "rnnkit.cli", "autograde", assignment, "--force",
               "--jobs", str(jobs), "--course-dir", str(course)]
    started = time.perf_counter()
    # stderr (the progress bar) goes to the terminal
    done = subprocess.run(command, env=nbgrader_environment(), stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"rnnkit autograde exited with {done.returncode}:\n{done.stdout}")
    return seconds


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

def format_table(results: list[Result]) -> str:
    """The summary: seconds per submission of each grader, the ratio and the target."""
    header = (f"{'assignment':<10} {'subs':>5} {'nbgrader s/sub':>15} {'rnnkit s/sub':>15} "
              f"{'ratio':>7} {'floor s/sub':>12} {'rnnkit s/sub':>13} {'overhead s/sub':>15}")
    sub = (f"{'':<10} {'':>5} {'':>15} {f'(jobs={results[0].jobs})':>15} {'':>7} "
           f"{'(in-process)':>12} {'(jobs=1)':>13} {'(jobs=1)':>15}")
    lines = [header, sub]
    for r in results:
        nbgrader = "skipped" if r.nbgrader_per is None else f"{r.nbgrader_per:.3f}"
        ratio = "-" if r.ratio is None else f"{r.ratio:.1f}×"
        lines.append(f"{r.assignment:<10} {r.size:>5} {nbgrader:>15} {r.rnnkit_per:>15.3f} "
                     f"{ratio:>7} {r.floor_per:>12.3f} {r.jobs1_per:>13.3f} "
                     f"{r.overhead_per:>15.3f}")
    lines.append("")
    for r in results:
        lines.append(f"{r.assignment}: in-process floor {r.floor_per:.3f} s/submission; "
                     f"rnnkit {r.rnnkit_per:.3f} s/submission at jobs={r.jobs}, "
                     f"{r.jobs1_per:.3f} at jobs=1; isolated overhead "
                     f"{r.overhead_per:.3f} s/submission")
        if r.ratio is None:
            lines.append(f"{r.assignment}: throughput ratio not measured (--skip-nbgrader): "
                         f"target ≥ {TARGET_RATIO:g}× not assessed")
        else:
            verdict = "met" if r.ratio >= TARGET_RATIO else "not met"
            lines.append(f"{r.assignment}: throughput ratio rnnkit/nbgrader {r.ratio:.1f}× "
                         f"(nbgrader {r.nbgrader_per:.3f} s/submission): "
                         f"target ≥ {TARGET_RATIO:g}×: {verdict}")
    lines.append("overhead = rnnkit at jobs=1 (sandbox, suite over RPC, gradebook and "
                 "autograded notebook) minus the in-process floor, on the same submissions")
    if _loads and _loads[0] > IDLE_LOAD:
        lines.append(f"note: the machine was not idle when the benchmark started (1-minute "
                     f"load average {_loads[0]:.1f} on {_cores()} cores; [load a -> b] above "
                     f"shows each phase): other processes competed, so times are upper bounds")
    return "\n".join(lines)


def plot(results: list[Result], path: Path) -> None:
    """Bar chart of submissions per second for each grader, one group per assignment."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series = [("nbgrader autograde", "#9e9e9e", lambda r: r.nbgrader_per),
              (f"rnnkit autograde (jobs={results[0].jobs}, sandboxed)", "#1f77b4",
               lambda r: r.rnnkit_per),
              ("rnnkit autograde (jobs=1, sandboxed)", "#8fbbd9", lambda r: r.jobs1_per),
              ("in-process floor (1 process, no isolation)", "#2ca02c", lambda r: r.floor_per)]
    skipped = [label for label, _, per in series if any(per(r) is None for r in results)]
    series = [(label, color, per) for label, color, per in series if label not in skipped]
    width = 0.8 / len(series)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for k, (label, color, per) in enumerate(series):
        for i, r in enumerate(results):
            x = i + (k - (len(series) - 1) / 2) * width
            rate = 1 / per(r)
            ax.bar(x, rate, width, color=color, label=label if i == 0 else None)
            ax.text(x, rate * 1.08, f"{rate:.2g}/s", ha="center", va="bottom", fontsize=8)
    ax.set_yscale("log")
    rates = [1 / per(r) for _, _, per in series for r in results]
    ax.set_ylim(min(rates) / 3, max(rates) * 40)  # room for the legend above the bars
    ax.set_xticks(range(len(results)),
                  [f"{r.assignment}\n({r.size} submissions"
                   + ("" if r.ratio is None else f", ratio {r.ratio:.1f}×") + ")"
                   for r in results])
    ax.set_ylabel("submissions graded per second (log scale)")
    ax.set_xlim(-0.5, len(results) - 0.5)
    ax.set_title(f"Autograding throughput on {_cores()} cores"
                 + "".join(f"\n({label}: not run)" for label in skipped))
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
    parser.add_argument("--class-size", type=int, default=100,
                        help="submissions per assignment (default 100)")
    parser.add_argument("--assignments", help="comma-separated, e.g. rnn,lstm (default: every "
                        "assignment with a mistake catalogue)")
    parser.add_argument("--jobs", type=int, help="rnnkit's parallel workers (default: cores)")
    parser.add_argument("--keep", metavar="DIR",
                        help="build the course directories in DIR (empty or new) and keep them")
    parser.add_argument("--plot", default=str(DEFAULT_PLOT),
                        help=f"bar chart to write (default {DEFAULT_PLOT})")
    parser.add_argument("--skip-nbgrader", action="store_true",
                        help="do not run plain nbgrader (quick check; no ratio is reported)")
    return parser


if __name__ == "__main__":
    sys.exit(main())
