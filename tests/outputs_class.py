"""A small class, graded once per test session in a temporary English course, for the tests of
rnnkit.outputs (tests/test_outputs_*.py).

The course has a due date and nbgrader's "zero" late penalty. Five students submit rnn:
- ana: the source's solutions, a day early;
- beto: one mistake (rnn_forward ignores h0), an hour late (so his grade is 0 after penalty);
- carla: the blank release (a graded zero, not a missing grade);
- dani: hostile: her first answer prints HTML and then kills its own process;
- eva: a file that is not JSON.
fede is in the roster only: he never submitted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from rnnkit.grading.classroom import autograde_class
from rnnkit.grading.gradebook import course_config
from rnnkit.kit.course import init_course
from rnnkit.nb.fill import answers_for_functions, fill_release, reference_answers, source_answers

ASSIGNMENT = "rnn"
DUE = datetime(2025, 3, 14, 23, 59, tzinfo=UTC)
STUDENTS = ("ana", "beto", "carla", "dani", "eva")
SUBMITTED_AT = {"ana": DUE - timedelta(days=1), "beto": DUE + timedelta(hours=1)}
HTML_PRINTED = "</pre><script>alert('dani')</script>"

IGNORES_H0 = '''def rnn_forward(x, h0, params):
    T = x.shape[0]
    H, N = h0.shape
    h = np.zeros((T, H, N))
    caches = []
    h_t = np.zeros((H, N))
    for t in range(T):
        h_t, cache = rnn_cell_forward(x[t], h_t, params)
        h[t] = h_t
        caches.append(cache)
    return h, caches
'''
KILLS_ITSELF = f'''import os
print({HTML_PRINTED!r}, flush=True)
os.kill(os.getpid(), 9)
'''

# A roster as collect-zip reads it, with the columns the LMS exports add. fede never submitted.
ROSTER = """id,lms_user_id,first_name,last_name,email,id_number,sis_user_id,sis_login_id,section
ana,101,Ana,García,ana@example.org,A-1,S101,ana.garcia,L1
beto,102,Beto,Pérez,beto@example.org,A-2,S102,beto.perez,L1
carla,103,Carla,Ruiz,carla@example.org,A-3,S103,carla.ruiz,L2
dani,104,Dani,"Sanz, Jr.",dani@example.org,A-4,S104,dani.sanz,L2
eva,105,Eva,López,eva@example.org,A-5,S105,eva.lopez,L2
fede,106,Fede,Gil,fede@example.org,A-6,S106,fede.gil,L1
"""

_built: dict[str, Path] = {}


def graded_course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graded course, built on first use and then shared by every test module (tests
    may add to it, e.g. feedback/, but change nothing in it)."""
    if "course" not in _built:
        _built["course"] = build_class(tmp_path_factory.mktemp("outputs") / "ml-course")
    return _built["course"]


def build_class(folder: Path) -> Path:
    """Make the course in ``folder``, submit the class (see the module's docstring) and
    autograde it; returns the course folder."""
    course = init_course(folder, "en", [ASSIGNMENT])
    with open(course / "nbgrader_config.py", "a", encoding="utf-8") as config:
        config.write('get_config().LateSubmissionPlugin.penalty_method = "zero"  # noqa: F821\n')
    settings = course_config(course).coursedir
    with Gradebook(settings.db_url, settings.course_id) as gradebook:
        gradebook.update_or_create_assignment(ASSIGNMENT, duedate=DUE.replace(tzinfo=None))
    release = course / "assignments" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    reference = reference_answers(ASSIGNMENT)
    notebooks = {
        "ana": fill_release(release, source_answers(ASSIGNMENT, "en")),
        "beto": fill_release(release, {**reference,
                                       **answers_for_functions({"rnn_forward": IGNORES_H0})}),
        "carla": nbformat.read(release, as_version=4),
        "dani": fill_release(release, {**reference, **answers_for_functions(
            {"rnn_cell_forward": KILLS_ITSELF})}),
    }
    for student in STUDENTS:
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        notebook = folder / f"{ASSIGNMENT}.ipynb"
        if student in notebooks:
            nbformat.write(notebooks[student], notebook)
        else:
            notebook.write_text('{"cells": [', encoding="utf-8")
        if student in SUBMITTED_AT:
            (folder / "timestamp.txt").write_text(
                f"{SUBMITTED_AT[student]:%Y-%m-%d %H:%M:%S.%f} UTC", encoding="utf-8")
    summary = autograde_class(course, ASSIGNMENT, jobs=2, progress=False)
    assert summary.failed == [] and summary.graded == len(STUDENTS), summary
    return course


def roster(tmp_path: Path, text: str = ROSTER) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(text, encoding="utf-8")
    return path
