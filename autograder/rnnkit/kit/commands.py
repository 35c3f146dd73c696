"""The instructor's commands (``rnnkit init``, ``release``, ``grade``, ``autograde``, ...): the
part of the rnnkit command that only the kit's checkout holds. rnnkit.cli adds them to its
parser; their list is in its docstring."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from rnnkit import assignments
from rnnkit import cells as kinds
from rnnkit.i18n import LANGUAGES
from rnnkit.kit.course import nbgrader_environment
from rnnkit.kit.paths import KIT_ROOT, SOURCE
from rnnkit.kit.terminal import print_gradebook, print_text


def check_assignment(assignment: str) -> str:
    """``assignment`` if the kit has it, else a ValueError naming the ones it has."""
    known = assignments.names()
    if assignment not in known:
        raise ValueError(f"unknown assignment {assignment!r}: choose one of {', '.join(known)}")
    return assignment


def cmd_init(args: argparse.Namespace) -> int:
    from rnnkit.kit.course import init_course

    course = init_course(Path(args.folder), args.lang, assignments.names())
    first = assignments.names()[0]
    print(f"course ready in {course} ({args.lang}): nbgrader_config.py, source/ and the "
          f"releases in assignments/. Next: cd {course}; set a due date with `nbgrader db "
          f"assignment add {first} --duedate=\"YYYY-MM-DD HH:MM:SS UTC\"`; hand it out with "
          f"`nbgrader release_assignment {first}` (or assignments/{first}/{first}.ipynb to your "
          f"LMS)")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from rnnkit.kit.course import release

    for assignment in args.assignments or assignments.names():
        folder = release(check_assignment(assignment), Path(args.course_dir), args.lang)
        print(f"released {assignment} -> {folder}")
    return 0


def cmd_collect_zip(args: argparse.Namespace) -> int:
    from rnnkit.kit.collect import collect_zip
    from rnnkit.kit.course import find_course
    from rnnkit.kit.untrusted import clean

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
    from rnnkit.grading.classroom import autograde_class
    from rnnkit.kit.course import find_course

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
    from rnnkit.kit.course import find_course

    print_gradebook(find_course(args.course_dir), check_assignment(args.assignment))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from rnnkit.kit.course import find_course
    from rnnkit.kit.untrusted import clean
    from rnnkit.outputs.lms import export_grades

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
    from rnnkit.kit.course import find_course
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
    from rnnkit.i18n import speaking
    from rnnkit.kit.course import find_course
    from rnnkit.outputs.class_report import write_class_report

    course = find_course(args.course_dir)
    _check_writable(args.out)
    with speaking(_course_language(course)):
        out = write_class_report(course, check_assignment(args.assignment), Path(args.out))
    print(f"wrote {out}: class report of {args.assignment}")
    return 0


def cmd_feedback(args: argparse.Namespace) -> int:
    from rnnkit.i18n import speaking
    from rnnkit.kit.course import find_course
    from rnnkit.kit.untrusted import clean
    from rnnkit.outputs.student_feedback import generate_feedback

    course = find_course(args.course_dir)
    with speaking(_course_language(course)):
        pages = generate_feedback(course, check_assignment(args.assignment))
    for page in pages:  # student ids come from submissions: one line each
        print_text(clean(f"wrote {page}", 1000, one_line=True))
    return 0


def _course_language(course: Path) -> str:
    """The language asked for (--lang, $RNNKIT_LANG), else the course's."""
    from rnnkit.i18n import chosen_language
    from rnnkit.kit.course import course_language

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
    from rnnkit.kit.demo import run_demo

    _announce_isolation(args.insecure)
    return run_demo(Path(args.dir), jobs=args.jobs, insecure=args.insecure)


def _announce_isolation(insecure: bool) -> None:
    from rnnkit.sandbox import detect_isolation

    isolation = detect_isolation()
    if isolation.kind == "none" and not insecure:
        raise RuntimeError(f"no sandbox available ({isolation.detail}); install bubblewrap, or "
                           f"pass --insecure to run student code without isolation")
    print(f"isolation: {isolation.kind} ({isolation.detail})", file=sys.stderr)


def _course_dir(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--course-dir", default=".",
                     help="the nbgrader course folder (default: the current folder, as in "
                          "nbgrader)")


def _language(sub: argparse.ArgumentParser, default: str) -> None:
    sub.add_argument("--lang", choices=LANGUAGES, help=f"language (default: {default})")


def _insecure(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--insecure", action="store_true",
                     help="run student code without a sandbox if none is available")


def _nbgrader_on_path(run: Callable[[argparse.Namespace], int]
                      ) -> Callable[[argparse.Namespace], int]:
    """``run`` with nbgrader's tools on PATH: nbgrader runs them from this process too
    (opening a new gradebook), and they are not on PATH when the virtualenv is not
    activated."""
    def with_path(args: argparse.Namespace) -> int:
        os.environ["PATH"] = nbgrader_environment()["PATH"]
        return run(args)
    return with_path


def register(command: Callable[..., argparse.ArgumentParser]) -> None:
    """Add the instructor commands to rnnkit's parser: ``command(name, run, help)`` makes one
    (rnnkit.cli)."""
    def command(name: str, run: Callable[[argparse.Namespace], int], help_text: str,
                make=command) -> argparse.ArgumentParser:
        return make(name, _nbgrader_on_path(run), help_text)

    sub = command("init", cmd_init, "make a course folder ready to teach from the kit")
    sub.add_argument("folder", help="the new course folder (must not exist, or be empty)")
    sub.add_argument("--lang", choices=LANGUAGES, default="es",
                     help="language of the course's releases (default: es)")

    sub = command("release", cmd_release, "generate student releases with nbgrader")
    sub.add_argument("assignments", nargs="*", help="default: all assignments")
    _course_dir(sub)
    _language(sub, "the course's, chosen by rnnkit init")

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
    _course_dir(sub)

    sub = command("grade", cmd_grade, "grade one notebook, print a report, write results.json")
    sub.add_argument("notebook")
    sub.add_argument("--assignment", required=True)
    sub.add_argument("--json", help="write Gradescope-style results.json here")
    sub.add_argument("--junit", metavar="FILE",
                     help="write JUnit XML here (one testcase per graded test, for CI)")
    _language(sub, "the language the notebook was released in")
    _insecure(sub)

    sub = command("autograde", cmd_autograde, "grade every submission of an assignment")
    sub.add_argument("assignment")
    sub.add_argument("--jobs", type=int, help="parallel workers (default: one per core)")
    sub.add_argument("--force", action="store_true", help="grade unchanged submissions again")
    sub.add_argument("--scheduler", metavar="ADDRESS",
                     help="grade on the workers of this dask.distributed scheduler (e.g. "
                          "tcp://host:8786) instead of local processes; see the README")
    _course_dir(sub)
    _language(sub, "each notebook's release language")
    _insecure(sub)

    sub = command("gradebook", cmd_gradebook, "print the grades in nbgrader's gradebook")
    sub.add_argument("assignment")
    _course_dir(sub)

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
    _course_dir(sub)

    sub = command("gradescope", cmd_gradescope,
                  "write a Gradescope autograder zip (setup.sh, run_autograder, the grading kit)")
    sub.add_argument("assignment")
    sub.add_argument("--out", default="autograder.zip", metavar="ZIP",
                     help="the zip to write (default: autograder.zip)")
    _course_dir(sub)
    _language(sub, "the course's")
    _insecure(sub)

    sub = command("report", cmd_report, "write one HTML page on the graded class (scores, "
                                        "tests, frequent mistakes, submissions to look at)")
    sub.add_argument("assignment")
    sub.add_argument("--out", default="report.html", metavar="FILE",
                     help="the page to write (default: report.html)")
    _course_dir(sub)
    _language(sub, "the course's")

    sub = command("feedback", cmd_feedback,
                  "write feedback/<student>/<assignment>/<assignment>.html with nbgrader, "
                  "including rnnkit's notes on the whole notebook")
    sub.add_argument("assignment")
    _course_dir(sub)
    _language(sub, "the course's")

    command("isolation", cmd_isolation, "say what sandboxing this machine allows")

    sub = command("sync-points", cmd_sync_points,
                  "set the source's grading-cell points to what the hidden suite gives")
    sub.add_argument("assignment")

    sub = command("demo", cmd_demo, "release, simulate a class of submissions, grade, print")
    sub.add_argument("--dir", default=str(KIT_ROOT / ".demo"), help="demo course directory")
    sub.add_argument("--jobs", type=int)
    _insecure(sub)
