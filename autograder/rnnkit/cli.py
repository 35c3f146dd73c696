"""The rnnkit command: release assignments, grade one notebook, grade a class, show grades.

    rnnkit release [rnn lstm ...] [--lang es|en]    student releases via nbgrader
    rnnkit collect-zip rnn download.zip              an LMS zip into submitted/
    rnnkit grade NOTEBOOK --assignment rnn --json results.json
    rnnkit autograde rnn [--jobs N] [--force]        every submission under submitted/
    rnnkit gradebook rnn                             the grades nbgrader has recorded
    rnnkit isolation                                 what sandboxing this machine allows
    rnnkit sync-points rnn                           grading cells' points := hidden suite's
    rnnkit demo                                      release, simulate a class, grade it
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
from pathlib import Path

from rnnkit.i18n import LANGUAGES, set_language
from rnnkit.paths import KIT_ROOT, SOURCE


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # `rnnkit ... | head` ends quietly
    args = _parser().parse_args(argv)
    if getattr(args, "lang", None):
        set_language(args.lang)
    try:
        return args.run(args)
    except (ValueError, RuntimeError) as error:
        print(f"rnnkit: {error}", file=sys.stderr)
        return 2


def known_assignments() -> list[str]:
    """Assignments with a source notebook, in course order."""
    order = ["rnn", "lstm"]
    found = [p.name for p in SOURCE.iterdir() if (p / f"{p.name}.ipynb").exists()]
    return sorted(found, key=lambda name: (order.index(name) if name in order else 99, name))


def cmd_release(args: argparse.Namespace) -> int:
    for assignment in args.assignments or known_assignments():
        release(assignment, Path(args.course_dir), args.lang or "es")
    return 0


def release(assignment: str, course_dir: Path, lang: str) -> None:
    """Run ``nbgrader generate_assignment`` in ``course_dir`` for one language."""
    if not (course_dir / "nbgrader_config.py").is_file():
        raise ValueError(f"{course_dir} is not a course directory (no nbgrader_config.py): "
                         f"copy the kit's nbgrader_config.py there, or use --course-dir")
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
               "--create", f"--SelectLanguage.language={lang}", "--log-level=WARN"]
    # nbgrader runs alembic (installed beside it) to create the gradebook.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    done = subprocess.run(command, cwd=course_dir, capture_output=True, text=True,
                          env={**os.environ, "PATH": path})
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed:\n{done.stderr}")
    print(f"released {assignment} ({lang}) -> {course_dir / 'assignments' / assignment}")


def cmd_collect_zip(args: argparse.Namespace) -> int:
    from rnnkit.collect import collect_zip

    collected = collect_zip(Path(args.zip), Path(args.course_dir), args.assignment)
    for student, member in collected.written.items():
        print(f"  {student:<24} <- {member}")
    for skipped in collected.skipped:
        print(f"  skipped {skipped}")
    print(f"collected {len(collected.written)} submissions of {args.assignment} into "
          f"{Path(args.course_dir) / 'submitted'}; next: rnnkit autograde {args.assignment}")
    return 0


def cmd_grade(args: argparse.Namespace) -> int:
    from rnnkit.grading.engine import grade_notebook
    from rnnkit.grading.report import write_json_atomically

    if not Path(args.notebook).is_file():
        raise ValueError(f"no notebook at {args.notebook}: check the path")
    _announce_isolation(args.insecure)
    report = grade_notebook(Path(args.notebook), args.assignment, insecure=args.insecure)
    print(report.to_text())
    if args.json:
        write_json_atomically(Path(args.json), report.to_results_json())
    return 0


def cmd_autograde(args: argparse.Namespace) -> int:
    from rnnkit.grading.classroom import autograde_class

    _announce_isolation(args.insecure)
    summary = autograde_class(Path(args.course_dir), args.assignment, jobs=args.jobs,
                              force=args.force, insecure=args.insecure)
    print(f"graded {summary.graded}, unchanged {summary.unchanged}, "
          f"failed {len(summary.failed)}")
    for failure in summary.failed:
        print(f"  failed: {failure}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_gradebook(args: argparse.Namespace) -> int:
    from rnnkit.grading.classroom import first_problem
    from rnnkit.grading.gradebook import CourseGradebook

    course_dir = Path(args.course_dir)
    with CourseGradebook(course_dir) as gradebook:
        rows = [{**row, "problem": first_problem(course_dir, args.assignment, row["student"])}
                for row in gradebook.table(args.assignment)]
    print(format_table(rows))
    return 0


def format_table(rows: list[dict[str, object]]) -> str:
    """A plain text table: student, score, max score, a bar, and the first problem if given."""
    lines = [f"{'student':<12} {'score':>6} {'max':>5}  {'':<20}  first problem"]
    for row in rows:
        score, top = float(row["score"]), float(row["max_score"]) or 1.0
        bar = "█" * round(20 * score / top)
        problem = str(row.get("problem", ""))[:90]
        lines.append(f"{row['student']:<12} {score:>6.1f} {top:>5.1f}  {bar:<20}  {problem}")
    return "\n".join(lines).rstrip()


def cmd_sync_points(args: argparse.Namespace) -> int:
    import nbformat

    from rnnkit.grading import manifest

    tests = manifest.load(args.assignment)
    path = SOURCE / args.assignment / f"{args.assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("grade") and meta.get("grade_id", "").startswith(manifest.TEST_PREFIX):
            function = meta["grade_id"].removeprefix(manifest.TEST_PREFIX)
            meta["points"] = tests.points(function)
            print(f"  {meta['grade_id']}: {meta['points']:g} points")
    nbformat.write(nb, path)
    print(f"updated {path}; now run `rnnkit release {args.assignment}`")
    return 0


def cmd_isolation(args: argparse.Namespace) -> int:
    from rnnkit.sandbox import detect_isolation

    isolation = detect_isolation()
    print(f"isolation: {isolation.kind} ({isolation.detail})")
    return 0 if isolation.kind != "none" else 1


def cmd_demo(args: argparse.Namespace) -> int:
    from rnnkit.demo import run_demo

    _announce_isolation(args.insecure)
    return run_demo(Path(args.dir), jobs=args.jobs, insecure=args.insecure)


def _announce_isolation(insecure: bool) -> None:
    from rnnkit.sandbox import detect_isolation

    isolation = detect_isolation()
    if isolation.kind == "none" and not insecure:
        raise RuntimeError(f"no sandbox available ({isolation.detail}); install bubblewrap, or "
                           f"pass --insecure to run student code without isolation")
    print(f"isolation: {isolation.kind} ({isolation.detail})", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnkit", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        return sub

    def course_dir(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--course-dir", default=str(KIT_ROOT),
                         help="nbgrader course directory (default: the kit itself)")

    def language(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--lang", choices=LANGUAGES, help="language (default: es)")

    def insecure(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--insecure", action="store_true",
                         help="run student code without a sandbox if none is available")

    sub = command("release", cmd_release, "generate student releases with nbgrader")
    sub.add_argument("assignments", nargs="*", help="default: all assignments")
    course_dir(sub)
    language(sub)

    sub = command("collect-zip", cmd_collect_zip, "put an LMS zip download into submitted/")
    sub.add_argument("assignment")
    sub.add_argument("zip", help="the zip of submissions downloaded from Canvas, Moodle, ...")
    course_dir(sub)

    sub = command("grade", cmd_grade, "grade one notebook, print a report, write results.json")
    sub.add_argument("notebook")
    sub.add_argument("--assignment", required=True)
    sub.add_argument("--json", help="write Gradescope-style results.json here")
    language(sub)
    insecure(sub)

    sub = command("autograde", cmd_autograde, "grade every submission of an assignment")
    sub.add_argument("assignment")
    sub.add_argument("--jobs", type=int, help="parallel workers (default: one per core)")
    sub.add_argument("--force", action="store_true", help="grade unchanged submissions again")
    course_dir(sub)
    language(sub)
    insecure(sub)

    sub = command("gradebook", cmd_gradebook, "print the grades in nbgrader's gradebook")
    sub.add_argument("assignment")
    course_dir(sub)

    command("isolation", cmd_isolation, "say what sandboxing this machine allows")

    sub = command("sync-points", cmd_sync_points,
                  "set the source's grading-cell points to what the hidden suite gives")
    sub.add_argument("assignment")

    sub = command("demo", cmd_demo, "release, simulate a class of submissions, grade, print")
    sub.add_argument("--dir", default=str(KIT_ROOT / ".demo"), help="demo course directory")
    sub.add_argument("--jobs", type=int)
    insecure(sub)
    return parser


if __name__ == "__main__":
    sys.exit(main())
