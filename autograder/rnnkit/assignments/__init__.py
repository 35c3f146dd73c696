"""The course's assignments. Each is one folder, ``rnnkit/assignments/<name>/``, holding:

- ``__init__.py``: ``ASSIGNMENT``, its :class:`Assignment` (graded functions, course position,
  demo class);
- ``mistakes.py``: ``MISTAKES``, its typical mistakes, each written once (rnnkit.mistakes);
- ``checks.py``: the public checks its notebook calls;
- ``hidden/``: the hidden pytest suite and the reference oracle (instructor-only: not in the
  students' wheel).

Outside it, by the same name: ``source/<name>/<name>.ipynb``, ``solutions/<name>.py`` and the
catalogue ``tests/mistakes/<name>/`` and ``tests/correct/<name>/``. Everything else (the CLI,
nbgrader's configuration, the demo, the catalogue tests) discovers assignments here; README
"Adding an assignment" walks through it.
"""

from __future__ import annotations

import functools
import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from rnnkit.mistakes import MistakeBook

HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Assignment:
    """What defines one assignment besides its notebook, solution and hidden tests.

    - name: the folder's name, nbgrader's assignment id, e.g. ``"rnn"``.
    - position: its place in the course (1 first); assignments are listed in this order.
    - functions: the graded functions, in notebook order.
    - uses: per graded function, the student functions whose results its tests use besides
      its own (a backward test runs the student's forward to get caches; a sequence function
      calls the cell): a mistake in one of these may legitimately cost points there too.
    - helpers: the notebook's other answer cells (functions it asks for but does not grade, or
      grades only through others, e.g. a sigmoid the gates call).
    - demo_class: the students ``rnnkit demo`` simulates, each with the catalogue entry
      (tests/mistakes/<name>/ or tests/correct/<name>/) they submit.
    - trains: the graded functions whose hidden tests train models (seconds each, not
      milliseconds). The kit's catalogue tests grade these only for the entries that change
      them or what they use, and take the reference's results for the others, which run the
      very same code.
    - sandbox_limits: what its grading may use beyond the sandbox's defaults, as fields of
      ``rnnkit.sandbox.Limits`` (an assignment whose hidden suite trains models needs more
      time than one that calls cell functions).
    """

    name: str
    position: int
    functions: tuple[str, ...]
    uses: Mapping[str, frozenset[str]] = field(default_factory=dict)
    helpers: tuple[str, ...] = ()
    demo_class: Mapping[str, str] = field(default_factory=dict)
    trains: tuple[str, ...] = ()
    sandbox_limits: Mapping[str, float] = field(default_factory=dict)

    @property
    def folder(self) -> Path:
        return HERE / self.name

    @property
    def module(self) -> str:
        """Its package, e.g. ``rnnkit.assignments.rnn``."""
        return f"{__name__}.{self.name}"

    @property
    def hidden_suite(self) -> Path:
        """The folder of its hidden pytest suite (absent from the students' wheel)."""
        return self.folder / "hidden"

    def uses_of(self, function: str) -> frozenset[str]:
        return self.uses.get(function, frozenset())

    @property
    def mistakes(self) -> MistakeBook:
        return importlib.import_module(f"{self.module}.mistakes").MISTAKES


@functools.cache
def all_assignments() -> tuple[Assignment, ...]:
    """Every assignment of the course, in course order."""
    found = []
    for folder in sorted(HERE.iterdir()):
        if (folder / "__init__.py").is_file():
            spec = importlib.import_module(f"{__name__}.{folder.name}").ASSIGNMENT
            if spec.name != folder.name:
                raise ValueError(f"{folder}/__init__.py names its assignment {spec.name!r}: "
                                 f"name it {folder.name!r}, as its folder")
            found.append(spec)
    return tuple(sorted(found, key=lambda spec: spec.position))


def names() -> list[str]:
    """The assignments' names, in course order."""
    return [spec.name for spec in all_assignments()]


def get(name: str) -> Assignment:
    """The assignment called ``name``; a ValueError names the known ones."""
    for spec in all_assignments():
        if spec.name == name:
            return spec
    raise ValueError(f"unknown assignment {name!r}: choose one of {', '.join(names())}")
