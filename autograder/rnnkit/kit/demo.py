"""``rnnkit demo``: the whole instructor workflow on a simulated class, in a scratch course
directory (``.demo/`` by default, git-ignored).

For each assignment:
1. generate the demo course's release (the kit's own ``assignments/`` is left as it is);
2. make a class of submissions: a perfect one, several typical mistakes from the kit's mistake
   catalogue, a correct solution written differently, the blank release and a corrupt file;
3. grade them with ``rnnkit autograde`` into nbgrader's gradebook;
4. print the gradebook, with each student's first problem, and where the feedback is;
5. write each assignment's class report (rnnkit report) and print where it is.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

from rnnkit import assignments
from rnnkit.grading.classroom import STATE_FILE, autograde_class
from rnnkit.kit.course import release
from rnnkit.kit.paths import KIT_ROOT, SOURCE
from rnnkit.kit.terminal import print_gradebook
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import (
    answers_for_functions,
    fill_release,
    reference_answers,
    source_answers,
)
from rnnkit.outputs.class_report import write_class_report


def run_demo(course_dir: Path, jobs: int | None = None, insecure: bool = False) -> int:
    """Run the demo in ``course_dir``; returns an exit code."""
    prepare_course(course_dir)
    failed = []
    for spec in assignments.all_assignments():
        assignment, catalogued = spec.name, spec.demo_class
        print(f"\n=== assignment {assignment}")
        print(f"released {assignment} -> {release(assignment, course_dir, 'es')}")
        students = simulate_class(course_dir, assignment, catalogued)
        print(f"simulated class of {len(students)} submissions in {course_dir / 'submitted'}")
        failed += autograde_class(course_dir, assignment, jobs=jobs, force=True,
                                  insecure=insecure).failed
        print(f"\nnbgrader gradebook, assignment {assignment!r}:")
        print_gradebook(course_dir, assignment)
    print(f"\nfeedback per student: {course_dir}/autograded/<student>/<assignment>/"
          f"{STATE_FILE}, or run `nbgrader generate_feedback rnn` in {course_dir}")
    for assignment in assignments.names():
        report = course_dir / f"report-{assignment}.html"
        print(f"class report of {assignment}: {write_class_report(course_dir, assignment, report)}")
    return 1 if failed else 0


def prepare_course(course_dir: Path) -> None:
    """A fresh course directory sharing the kit's source notebooks and nbgrader config."""
    if course_dir.exists():
        shutil.rmtree(course_dir)
    course_dir.mkdir(parents=True)
    (course_dir / "source").symlink_to(SOURCE, target_is_directory=True)
    shutil.copy(KIT_ROOT / "nbgrader_config.py", course_dir / "nbgrader_config.py")


def simulate_class(course_dir: Path, assignment: str, catalogued: dict[str, str]) -> list[str]:
    """Write the simulated submissions under ``submitted/``; returns the student ids."""
    release_nb = course_dir / "assignments" / assignment / f"{assignment}.ipynb"
    entries = {e.slug: e for folder in ("mistakes", "correct")
               for e in load_entries(KIT_ROOT / "tests" / folder / assignment)}
    reference = reference_answers(assignment)
    submissions = {"ana": source_answers(assignment)}
    for student, slug in catalogued.items():
        submissions[student] = {**reference,
                                **answers_for_functions(entries[slug].code_by_function)}
    for student, answers in submissions.items():
        nbformat.write(fill_release(release_nb, answers),
                       _submission_path(course_dir, assignment, student))
    shutil.copy(release_nb, _submission_path(course_dir, assignment, "hugo"))  # blank
    _submission_path(course_dir, assignment, "ines").write_text('{"cells": [', encoding="utf-8")
    return [*submissions, "hugo", "ines"]


def _submission_path(course_dir: Path, assignment: str, student: str) -> Path:
    folder = course_dir / "submitted" / student / assignment
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{assignment}.ipynb"
