"""The part of the kit that grading needs, for graders that run away from the checkout (a
Gradescope autograder, a CI job): the ``rnnkit`` package (the grader and, in each assignment's
folder, its hidden suite), the reference solutions, the source notebooks (the manifest reads
the answer and set-up cells there) and the pinned dependencies.

Laid out as in the checkout, so that ``rnnkit.kit.paths`` finds each part the same way when
the copy's ``autograder/`` is first on the Python path.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import rnnkit
from rnnkit import assignments
from rnnkit.kit.paths import KIT_ROOT, SOLUTIONS, SOURCE

PACKAGE = Path(rnnkit.__file__).resolve().parent
LOCK_FILE = KIT_ROOT / "requirements.lock"
_NOT_KIT = ("__pycache__", ".ipynb_checkpoints")


def kit_files() -> Iterator[tuple[Path, str]]:
    """(file, its path relative to the kit's root, POSIX style) for every file grading needs."""
    notebooks = [SOURCE / name / f"{name}.ipynb" for name in assignments.names()]
    for path in [*_files_under(PACKAGE), *_files_under(SOLUTIONS), *notebooks, LOCK_FILE]:
        yield path, path.relative_to(KIT_ROOT).as_posix()


def copy_kit(destination: Path) -> Path:
    """Copy :func:`kit_files` under ``destination`` (created); returns ``destination``."""
    for path, relative in kit_files():
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return destination


def _files_under(folder: Path) -> list[Path]:
    return sorted(path for path in folder.rglob("*") if path.is_file()
                  and not set(_NOT_KIT) & set(path.relative_to(folder).parts)
                  and path.suffix != ".pyc")
