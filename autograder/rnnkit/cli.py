"""The rnnkit command. Students have ``rnnkit check``; the instructor kit's checkout adds the
commands that work on a course (rnnkit.kit.commands), which run in the course folder, as
nbgrader's do (or --course-dir).

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
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

from rnnkit.i18n import LANGUAGES, set_language

STUDENT_COMMANDS = ("check",)


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the process exit code.

    SIGPIPE stays ignored (Python's default), so a sandbox pipe that student code breaks
    raises BrokenPipeError where the sandbox handles it instead of killing the grader or a
    class worker; a reader that goes away (`rnnkit ... | head`) ends the command quietly.
    """
    _reserve_standard_streams()
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        kit = None if _asks_for_a_student_command(argv) else instructor_commands()
        if kit is None and argv and not argv[0].startswith("-") \
                and argv[0] not in STUDENT_COMMANDS:
            raise RuntimeError(
                f"rnnkit {argv[0]} is for instructors: it needs the kit's checkout (source "
                f"notebooks, hidden tests, grader); this installation is the student side of "
                f"the kit: use rnnkit check NOTEBOOK")
        args = _parser(kit).parse_args(argv)
        if getattr(args, "lang", None):
            set_language(args.lang)
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


def instructor_commands() -> ModuleType | None:
    """rnnkit.kit.commands, where this rnnkit is the instructor kit's; None in the students'
    wheel, which does not hold it. A RuntimeError says what is missing when the kit's package
    is here but its files (source/, solutions/) are not."""
    if importlib.util.find_spec("rnnkit.kit") is None:
        return None
    return importlib.import_module("rnnkit.kit.commands")


def _asks_for_a_student_command(argv: list[str]) -> bool:
    return bool(argv) and argv[0] in STUDENT_COMMANDS


def cmd_check(args: argparse.Namespace) -> int:
    from rnnkit.checks.notebook import check_notebook

    return 0 if check_notebook(Path(args.notebook), args.assignment) else 1


def _reserve_standard_streams() -> None:
    """Open /dev/null as stdin, stdout or stderr if that descriptor is closed (``rnnkit ...
    >&-``), so no pipe opened later takes its number: the sandbox would hand the child its
    request pipe as fd 1 and then replace it with the child's stdout."""
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            os.open(os.devnull, os.O_RDWR)  # the lowest free number: this one


def _parser(kit: ModuleType | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="rnnkit", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run, command=name)
        return sub

    parser.add_argument("--version", action="version", version=f"rnnkit {_version()}")

    sub = command("check", cmd_check, "run a notebook's public checks (what students use)")
    sub.add_argument("notebook")
    sub.add_argument("--assignment", help="the assignment, e.g. rnn (default: told by the "
                                          "notebook)")
    sub.add_argument("--lang", choices=LANGUAGES,
                     help="language (default: the language the notebook was released in)")
    if kit is not None:
        kit.register(command)
    return parser


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("rnnkit")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
