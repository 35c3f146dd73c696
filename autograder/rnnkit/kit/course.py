"""An nbgrader course folder taught from the kit: finding it, configuring it, making one, and
generating its releases.

As in nbgrader, the course is the folder a command runs in (or ``--course-dir``): the folder
that holds ``nbgrader_config.py``. The kit's own checkout is one such course, whose committed
release is Spanish; ``rnnkit init DIR --lang en`` makes another, for teaching in English,
without touching the kit.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from rnnkit.i18n import DEFAULT_LANGUAGE, check_language
from rnnkit.kit.paths import KIT_ROOT, SOURCE

CONFIG_FILE = "nbgrader_config.py"

# What `rnnkit init` writes: the same settings as the kit's own nbgrader_config.py, through
# configure(), so plain nbgrader commands run in the course behave as rnnkit's do.
_COURSE_CONFIG = '''"""nbgrader settings of a course taught from the rnnkit kit (rnnkit init)."""

from rnnkit.kit.course import configure

configure(get_config(), course_id={course_id!r}, language={language!r})  # noqa: F821
'''


def configure(c: Any, *, course_id: str, language: str = DEFAULT_LANGUAGE) -> None:
    """Fill nbgrader's config ``c`` for a course taught from the kit.

    - course_id: nbgrader's course id (the gradebook and the exchange use it).
    - language: the language releases are generated in ("es" or "en"), unless a command asks
      for another with ``--SelectLanguage.language``.
    """
    from nbgrader.converters import GenerateAssignment

    from rnnkit.nb.language import SelectLanguage

    c.CourseDirectory.course_id = course_id
    c.CourseDirectory.source_directory = "source"
    c.CourseDirectory.release_directory = "assignments"
    c.SelectLanguage.language = check_language(language)
    # Releases are generated in one language from the bilingual source (see source/README.md).
    # SelectLanguage runs again after ClearSolutions, which inserts the bilingual code stub.
    stock = GenerateAssignment.class_traits()["preprocessors"].default()
    after_stub = [step.__name__ for step in stock].index("ClearSolutions") + 1
    c.GenerateAssignment.preprocessors = [
        SelectLanguage, *stock[:after_stub], SelectLanguage, *stock[after_stub:]]
    c.ClearSolutions.code_stub = {
        "python": "# [es] TU CÓDIGO AQUÍ\n# [en] YOUR CODE HERE\nraise NotImplementedError()"}
    # Students' notebooks may hold an infinite loop: nbgrader must not wait forever.
    c.ExecutePreprocessor.timeout = 60


def find_course(folder: Path | str) -> Path:
    """The course folder ``folder`` (absolute); a ValueError says how to get one if it is not."""
    course = Path(folder).resolve()
    if not (course / CONFIG_FILE).is_file():
        raise ValueError(
            f"{course} is not an nbgrader course folder (it has no {CONFIG_FILE}): run the "
            f"command inside your course, pass --course-dir COURSE, or make a course with "
            f"`rnnkit init COURSE --lang es` (or --lang en)")
    return course


def course_language(course: Path) -> str:
    """The language the course's releases are generated in (its nbgrader config says)."""
    from rnnkit.grading.gradebook import course_config

    return check_language(str(course_config(course).config.SelectLanguage.get(
        "language", DEFAULT_LANGUAGE)))


def is_kit(course: Path) -> bool:
    """Whether ``course`` is the kit's own checkout (whose committed release is Spanish)."""
    return Path(course).resolve() == KIT_ROOT.resolve()


def init_course(folder: Path, lang: str, assignments: list[str]) -> Path:
    """Make ``folder`` a course ready to teach from the kit in ``lang``: its nbgrader config,
    the kit's source notebooks, and the release of every assignment in that language."""
    folder = Path(folder).resolve()
    check_language(lang)
    if folder.exists() and any(folder.iterdir()):
        raise ValueError(f"{folder} already exists and is not empty: choose a new folder")
    if is_kit(folder) or KIT_ROOT.resolve() in folder.parents:
        raise ValueError(f"{folder} is inside the kit's checkout: make the course elsewhere")
    folder.mkdir(parents=True, exist_ok=True)
    course_id = re.sub(r"[^A-Za-z0-9_-]+", "-", folder.name).strip("-") or "course"
    (folder / CONFIG_FILE).write_text(
        _COURSE_CONFIG.format(course_id=course_id, language=lang), encoding="utf-8")
    shutil.copytree(SOURCE, folder / "source", ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__"))
    for assignment in assignments:
        release(assignment, folder, None)
    return folder


def release(assignment: str, course: Path, lang: str | None) -> Path:
    """Run ``nbgrader generate_assignment`` in ``course`` (in ``lang``, or the course's own
    language when None); returns the release folder."""
    course = find_course(course)
    if is_kit(course) and lang not in (None, DEFAULT_LANGUAGE):
        raise ValueError(
            f"the kit's committed release is in {DEFAULT_LANGUAGE!r}; to teach in {lang!r}, make "
            f"a course of your own: `rnnkit init COURSE --lang {lang}`")
    if not (course / "source" / assignment).is_dir():
        raise ValueError(f"{course} has no source/{assignment}/: copy it from the kit's "
                         f"source/ or make the course with `rnnkit init`")
    command = [sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--force",
               "--create", "--log-level=WARN"]
    if lang is not None:
        command.append(f"--SelectLanguage.language={check_language(lang)}")
    done = subprocess.run(command, cwd=course, capture_output=True, text=True,
                          env=nbgrader_environment())
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader generate_assignment {assignment} failed in {course}:\n"
                           f"{done.stderr.strip()}")
    return course / "assignments" / assignment


def nbgrader_environment() -> dict[str, str]:
    """This environment with this Python's folder first on PATH: nbgrader runs the tools
    installed beside it as programs (``alembic``, when it creates a gradebook), and that
    folder is not on PATH when the virtualenv is not activated (``.venv/bin/rnnkit ...``)."""
    folder, path = str(Path(sys.executable).parent), os.environ.get("PATH", "")
    if path.split(os.pathsep)[0] != folder:
        path = os.pathsep.join([folder, path])
    return {**os.environ, "PATH": path}
