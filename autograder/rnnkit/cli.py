"""The rnnkit command: release assignments, grade one notebook, grade a class, show grades.

Commands that work on a course run in the course folder, as nbgrader's do (or --course-dir).

    rnnkit check NOTEBOOK                            the public checks (the student side)
    rnnkit init COURSE --lang es|en                  a course folder ready to teach from the kit
    rnnkit release [rnn lstm ...] [--lang es|en]    student releases via nbgrader
    rnnkit collect-zip rnn download.zip              an LMS zip into submitted/
    rnnkit grade NOTEBOOK --assignment rnn --json results.json
    rnnkit autograde rnn [--jobs N] [--force]        every submission under submitted/
    rnnkit autograde rnn --scheduler ADDRESS         the same, on a Dask cluster's workers
    rnnkit gradebook rnn                             the grades nbgrader has recorded
    rnnkit export rnn --format moodle|canvas --out grades.csv   grades for the LMS
    rnnkit gradescope rnn --out autograder.zip       a Gradescope autograder
    rnnkit report rnn --out report.html              the class at a glance, for the instructor
    rnnkit feedback rnn                              nbgrader's feedback pages, with rnnkit's notes
    rnnkit isolation                                 what sandboxing this machine allows
    rnnkit sync-points rnn                           grading cells' points := hidden suite's
    rnnkit demo                                      release, simulate a class, grade it
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from rnnkit import assignments
from rnnkit import cells as kinds
from rnnkit.course import nbgrader_environment
from rnnkit.i18n import LANGUAGES, set_language
from rnnkit.paths import KIT_ROOT, SOURCE, has_instructor_kit


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code.

    SIGPIPE stays ignored (Python's default), so a sandbox pipe that student code breaks
    raises BrokenPipeError where the sandbox handles it instead of killing the grader or a
    class worker; a reader that goes away (`rnnkit ... | head`) ends the command quietly.
    """
    _reserve_standard_streams()
    # nbgrader also runs its tools from this process (opening a new gradebook).
    os.environ["PATH"] = nbgrader_environment()["PATH"]
    args = _parser().parse_args(argv)
    if getattr(args, "lang", None):
        set_language(args.lang)
    try:
        if args.instructor and not has_instructor_kit():
            raise RuntimeError(
                f"rnnkit {args.command} is for instructors: it needs the kit's checkout (source "
                f"notebooks, hidden tests, grader); this installation is the student side of "
                f"the kit: use rnnkit check NOTEBOOK")
        return args.run(args)
    except (ValueError, RuntimeError) as error:
        print(f"rnnkit: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # Whoever read our output left: say nothing more (flushing at exit would fail again).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as error:  # a folder or file the command was given cannot be used
        where = f" ({error.filename})" if error.filename else ""
        print(f"rnnkit: {error.strerror or error}{where}: check that the path exists and that "
              f"you may read and write there", file=sys.stderr)
        return 2


def check_assignment(assignment: str) -> str:
    """``assignment`` if the kit has it, else a ValueError naming the ones it has."""
    known = assignments.names()
    if assignment not in known:
        raise ValueError(f"unknown assignment {assignment!r}: choose one of {', '.join(known)}")
    return assignment


def cmd_check(args: argparse.Namespace) -> int:
    from rnnkit.checks.notebook import check_notebook

    return 0 if check_notebook(Path(args.notebook), args.assignment) else 1


def cmd_init(args: argparse.Namespace) -> int:
    from rnnkit.course import init_course

    course = init_course(Path(args.folder), args.lang, assignments.names())
    first = assignments.names()[0]
    print(f"course ready in {course} ({args.lang}): nbgrader_config.py, source/ and the "
          f"releases in assignments/. Next: cd {course}; set a due date with `nbgrader db "
          f"assignment add {first} --duedate=\"YYYY-MM-DD HH:MM:SS UTC\"`; hand it out with "
          f"`nbgrader release_assignment {first}` (or assignments/{first}/{first}.ipynb to your "
          f"LMS)")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from rnnkit.course import release

    for assignment in args.assignments or assignments.names():
        folder = release(check_assignment(assignment), Path(args.course_dir), args.lang)
        print(f"released {assignment} -> {folder}")
    return 0


def cmd_collect_zip(args: argparse.Namespace) -> int:
    from rnnkit.collect import collect_zip
    from rnnkit.course import find_course
    from rnnkit.untrusted import clean

    roster = Path(args.roster) if args.roster else None
    course = find_course(args.course_dir)
    timezone = args.timezone or _course_timezone(course)
    collected = collect_zip(Path(args.zip), course, check_assignment(args.assignment),
                            roster=roster, timezone_name=timezone)
    lines = []
    for student, submission in collected.written.items():
        late = "  LATE (Canvas)" if submission.late else ""
        lines.append(f"  {student:<24} <- {submission.member}  ({submission.name}){late}")
    lines += [f"  note: {note}" for note in collected.notes]
    lines += [f"  skipped {skipped}" for skipped in collected.skipped]
    # Member and folder names come from the zip: one line each, no terminal escapes.
    print_text("\n".join(clean(line, 1000, one_line=True) for line in lines))
    print(f"collected {len(collected.written)} submissions of {args.assignment} into "
          f"{course / 'submitted'}; next: rnnkit autograde {args.assignment}")
    return 0


def _course_timezone(course: Path) -> str:
    """The time zone nbgrader uses for the course (its Exchange.timezone), UTC if unset."""
    from rnnkit.grading.gradebook import course_config

    return str(course_config(course).config.Exchange.get("timezone", "UTC"))


def cmd_grade(args: argparse.Namespace) -> int:
    from rnnkit.grading.engine import grade_notebook

    try:
        check_assignment(args.assignment)
        if not Path(args.notebook).is_file():
            raise ValueError(f"no notebook at {args.notebook}: check the path")
        _check_writable(args.json, args.junit)
        _announce_isolation(args.insecure)
    except (ValueError, RuntimeError) as error:
        # CI and Gradescope still get a result that says what went wrong
        _write_results(args, {"score": 0.0, "max_score": 0.0, "tests": [],
                              "output": f"rnnkit: {error}"})
        raise
    report = grade_notebook(Path(args.notebook), args.assignment, insecure=args.insecure)
    # before printing, which may fail (stdout closed): the results must not
    _write_results(args, report.to_results_json())
    print_text(report.to_text())
    return 0


def _check_writable(*paths: str | None) -> None:
    """A ValueError naming the first of ``paths`` (None: not asked for) that cannot be written."""
    for out in filter(None, paths):
        if not os.access(Path(out).parent, os.W_OK):
            raise ValueError(f"cannot write {out} (its folder is missing or read-only): "
                             f"choose a folder you can write to")


def _write_results(args: argparse.Namespace, results: dict[str, object]) -> None:
    """Write ``results`` where ``rnnkit grade`` was asked to: --json, --junit (JUnit XML)."""
    from functools import partial

    from rnnkit.grading.results import write_json_atomically
    from rnnkit.outputs.junit import write_junit

    writers = [(args.json, write_json_atomically),
               (args.junit, partial(write_junit, assignment=args.assignment))]
    for path, write in writers:
        if not path:
            continue
        try:
            write(Path(path), results)
        except OSError as error:
            raise ValueError(f"cannot write {path} ({error.strerror or error}): choose a "
                             f"folder you can write to") from None


def cmd_autograde(args: argparse.Namespace) -> int:
    from rnnkit.course import find_course
    from rnnkit.grading.classroom import autograde_class

    course = find_course(args.course_dir)
    check_assignment(args.assignment)
    if args.scheduler is None:  # with a scheduler, its workers grade (and are checked)
        _announce_isolation(args.insecure)
    summary = autograde_class(course, args.assignment, jobs=args.jobs,
                              force=args.force, insecure=args.insecure,
                              scheduler=args.scheduler)
    print(f"graded {summary.graded}, unchanged {summary.unchanged}, "
          f"failed {len(summary.failed)}")
    for failure in summary.failed:
        print(f"  failed: {failure}", file=sys.stderr)
    return 1 if summary.failed else 0


def cmd_gradebook(args: argparse.Namespace) -> int:
    from rnnkit.course import find_course

    print_gradebook(find_course(args.course_dir), check_assignment(args.assignment))
    return 0


def print_gradebook(course: Path, assignment: str) -> None:
    """Print the grades nbgrader has recorded for ``assignment``, with each first problem."""
    from rnnkit.course import course_language
    from rnnkit.grading.classroom import first_problem
    from rnnkit.grading.gradebook import CourseGradebook
    from rnnkit.i18n import chosen_language, speaking

    with CourseGradebook(course) as gradebook:
        rows = [{**row, "problem": first_problem(course, assignment, row["student"])}
                for row in gradebook.table(assignment)]
    with speaking(chosen_language() or course_language(course)):  # e.g. "[… N more …]"
        table = format_table(rows)
    if not rows:
        print(f"no grades recorded for {assignment} in {course} yet: run "
              f"`rnnkit autograde {assignment}` there first")
        return
    print_text(table)


def format_table(rows: list[dict[str, object]]) -> str:
    """A plain text table: student, score, max score, a bar, and the first problem if given.

    One line per row whatever the student ids and problems hold (both come from submissions).
    """
    from rnnkit.untrusted import clean

    students = [clean(str(row["student"]), 40, one_line=True) for row in rows]
    width = max([len("student"), *map(len, students)])
    lines = [f"{'student':<{width}} {'score':>6} {'max':>5}  {'':<20}  first problem"]
    for row, student in zip(rows, students, strict=True):
        score, top = float(row["score"]), float(row["max_score"]) or 1.0
        bar = "█" * round(20 * score / top)
        problem = clean(str(row.get("problem", "")), 90, one_line=True)
        lines.append(f"{student:<{width}} {score:>6.1f} {top:>5.1f}  {bar:<20}  {problem}")
    return "\n".join(lines).rstrip()


def print_text(text: str) -> None:
    """Print ``text`` to stdout; what stdout cannot encode (e.g. accents on an ASCII-only
    terminal) is printed as escapes instead of failing."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    print(text.encode(encoding, errors="backslashreplace").decode(encoding, errors="replace"))


def _reserve_standard_streams() -> None:
    """Open /dev/null as stdin, stdout or stderr if that descriptor is closed (``rnnkit ...
    >&-``), so no pipe opened later takes its number: the sandbox would hand the child its
    request pipe as fd 1 and then replace it with the child's stdout."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one


def cmd_export(args: argparse.Namespace) -> int:
    from rnnkit.course import find_course
    from rnnkit.outputs.lms import export_grades
    from rnnkit.untrusted import clean

    _check_writable(args.out)
    exported = export_grades(find_course(args.course_dir), check_assignment(args.assignment),
                             args.format, Path(args.out), item=args.item,
                             roster=Path(args.roster) if args.roster else None)
    print(f"wrote {exported.path}: {args.format} grades of {args.assignment} for "
          f"{exported.students} students ({exported.graded} graded, "
          f"{exported.students - exported.graded} without a grade)")
    for note in exported.notes:
        print_text(clean(f"  note: {note}", 1000, one_line=True))
    return 0


def cmd_gradescope(args: argparse.Namespace) -> int:
    from rnnkit.course import find_course
    from rnnkit.outputs.gradescope import build_autograder

    language = _course_language(find_course(args.course_dir))
    _check_writable(args.out)
    out = build_autograder(Path(args.out), check_assignment(args.assignment), language,
                           insecure=args.insecure)
    unsafe = ", WITHOUT a sandbox (--insecure)" if args.insecure else ""
    print(f"wrote {out}: Gradescope autograder of {args.assignment}, feedback in {language}"
          f"{unsafe}; upload it as a programming assignment's autograder")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from rnnkit.course import find_course
    from rnnkit.i18n import speaking
    from rnnkit.outputs.class_report import write_class_report

    course = find_course(args.course_dir)
    _check_writable(args.out)
    with speaking(_course_language(course)):
        out = write_class_report(course, check_assignment(args.assignment), Path(args.out))
    print(f"wrote {out}: class report of {args.assignment}")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from rnnkit.course import find_course
    from rnnkit.i18n import speaking
    from rnnkit.outputs.student_feedback import generate_feedback
    from rnnkit.untrusted import clean

    course = find_course(args.course_dir)
    with speaking(_course_language(course)):
        pages = generate_feedback(course, check_assignment(args.assignment))
    for page in pages:  # student ids come from submissions: one line each
        print_text(clean(f"wrote {page}", 1000, one_line=True))
    return 0


def _course_language(course: Path) -> str:
    """The language asked for (--lang, $RNNKIT_LANG), else the course's."""
    from rnnkit.course import course_language
    from rnnkit.i18n import chosen_language

    return chosen_language() or course_language(course)


def cmd_sync_points(args: argparse.Namespace) -> int:
    import nbformat

    from rnnkit.grading import manifest

    tests = manifest.load(check_assignment(args.assignment))
    path = SOURCE / args.assignment / f"{args.assignment}.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if kinds.is_grading(cell):
            meta = cell.metadata["nbgrader"]
            meta["points"] = tests.points(meta["grade_id"].removeprefix(kinds.TEST_PREFIX))
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

    def command(name: str, run, help_text: str, instructor: bool = True
                ) -> argparse.ArgumentParser:
        """A subcommand; ``instructor`` ones need the kit's checkout (has_instructor_kit)."""
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run, command=name, instructor=instructor)
        return sub

    def course_dir(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--course-dir", default=".",
                         help="the nbgrader course folder (default: the current folder, as in "
                              "nbgrader)")

    def language(sub: argparse.ArgumentParser, default: str) -> None:
        sub.add_argument("--lang", choices=LANGUAGES, help=f"language (default: {default})")

    def insecure(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--insecure", action="store_true",
                         help="run student code without a sandbox if none is available")

    parser.add_argument("--version", action="version", version=f"rnnkit {_version()}")

    sub = command("check", cmd_check, "run a notebook's public checks (what students use)",
                  instructor=False)
    sub.add_argument("notebook")
    sub.add_argument("--assignment", help="rnn or lstm (default: told by the notebook)")
    language(sub, "the language the notebook was released in")

    sub = command("init", cmd_init, "make a course folder ready to teach from the kit")
    sub.add_argument("folder", help="the new course folder (must not exist, or be empty)")
    sub.add_argument("--lang", choices=LANGUAGES, default="es",
                     help="language of the course's releases (default: es)")

    sub = command("release", cmd_release, "generate student releases with nbgrader")
    sub.add_argument("assignments", nargs="*", help="default: all assignments")
    course_dir(sub)
    language(sub, "the course's, chosen by rnnkit init")

    sub = command("collect-zip", cmd_collect_zip, "put an LMS zip download into submitted/")
    sub.add_argument("assignment")
    sub.add_argument("zip", help="the zip of submissions downloaded from Canvas, Moodle, ...")
    sub.add_argument("--roster", metavar="CSV",
                     help="class list giving each LMS user their student id: columns id (student "
                          "id), lms_user_id (Canvas user id, Moodle participant id), optional "
                          "first_name, last_name, email; nbgrader db student import reads it too")
    sub.add_argument("--timezone",
                     help="time zone of the Moodle server, to read the file times in its zip "
                          "(e.g. Europe/Madrid; default: the course's Exchange.timezone, as "
                          "nbgrader's, else UTC)")
    course_dir(sub)

    sub = command("grade", cmd_grade, "grade one notebook, print a report, write results.json")
    sub.add_argument("notebook")
    sub.add_argument("--assignment", required=True)
    sub.add_argument("--json", help="write Gradescope-style results.json here")
    sub.add_argument("--junit", metavar="FILE",
                     help="write JUnit XML here (one testcase per graded test, for CI)")
    language(sub, "the language the notebook was released in")
    insecure(sub)

    sub = command("autograde", cmd_autograde, "grade every submission of an assignment")
    sub.add_argument("assignment")
    sub.add_argument("--jobs", type=int, help="parallel workers (default: one per core)")
    sub.add_argument("--force", action="store_true", help="grade unchanged submissions again")
    sub.add_argument("--scheduler", metavar="ADDRESS",
                     help="grade on the workers of this dask.distributed scheduler (e.g. "
                          "tcp://host:8786) instead of local processes; see the README")
    course_dir(sub)
    language(sub, "each notebook's release language")
    insecure(sub)

    sub = command("gradebook", cmd_gradebook, "print the grades in nbgrader's gradebook")
    sub.add_argument("assignment")
    course_dir(sub)

    sub = command("export", cmd_export, "write the grades as a CSV that Moodle or Canvas "
                                        "imports (late penalties applied, as nbgrader's)")
    sub.add_argument("assignment")
    sub.add_argument("--format", required=True, metavar="moodle|canvas", help="the LMS")
    sub.add_argument("--out", required=True, metavar="FILE", help="the CSV file to write")
    sub.add_argument("--roster", metavar="CSV",
                     help="class list mapping student ids to the LMS's (collect-zip's roster: "
                          "id, lms_user_id, first_name, last_name, email; optional id_number "
                          "for Moodle, sis_user_id, sis_login_id, section for Canvas); default: "
                          "the students in nbgrader's gradebook")
    sub.add_argument("--item", help="the grade item's name in the LMS (default: the assignment "
                                    "id); for an existing Canvas assignment, 'Name (id)'")
    course_dir(sub)

    sub = command("gradescope", cmd_gradescope,
                  "write a Gradescope autograder zip (setup.sh, run_autograder, the grading kit)")
    sub.add_argument("assignment")
    sub.add_argument("--out", default="autograder.zip", metavar="ZIP",
                     help="the zip to write (default: autograder.zip)")
    course_dir(sub)
    language(sub, "the course's")
    insecure(sub)

    sub = command("report", cmd_report, "write one HTML page on the graded class (scores, "
                                        "tests, frequent mistakes, submissions to look at)")
    sub.add_argument("assignment")
    sub.add_argument("--out", default="report.html", metavar="FILE",
                     help="the page to write (default: report.html)")
    course_dir(sub)
    language(sub, "the course's")

    sub = command("feedback", cmd_feedback,
                  "write feedback/<student>/<assignment>/<assignment>.html with nbgrader, "
                  "including rnnkit's notes on the whole notebook")
    sub.add_argument("assignment")
    course_dir(sub)
    language(sub, "the course's")

    command("isolation", cmd_isolation, "say what sandboxing this machine allows")

    sub = command("sync-points", cmd_sync_points,
                  "set the source's grading-cell points to what the hidden suite gives")
    sub.add_argument("assignment")

    sub = command("demo", cmd_demo, "release, simulate a class of submissions, grade, print")
    sub.add_argument("--dir", default=str(KIT_ROOT / ".demo"), help="demo course directory")
    sub.add_argument("--jobs", type=int)
    insecure(sub)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rnnkit")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
