"""rnnkit demo simulates a class of every assignment from its spec's demo class: each student
submits a catalogue entry (a typical mistake or a correct variant), beside a perfect, a blank
and a corrupt submission. The grading of such classes is proved elsewhere (catalogue, sandbox
fidelity, gradebook fidelity); here, that every assignment has its class and that it builds."""

from __future__ import annotations

import shutil

import pytest

from rnnkit import assignments
from rnnkit.kit import demo
from rnnkit.kit.paths import RELEASES

SPECS = assignments.all_assignments()


@pytest.mark.parametrize("spec", SPECS, ids=lambda spec: spec.name)
def test_every_assignment_has_a_demo_class_the_demo_can_build(spec, tmp_path):
    assert len(spec.demo_class) >= 5
    release = tmp_path / "assignments" / spec.name / f"{spec.name}.ipynb"
    release.parent.mkdir(parents=True)
    shutil.copy(RELEASES / spec.name / f"{spec.name}.ipynb", release)
    students = demo.simulate_class(tmp_path, spec.name, spec.demo_class)
    assert set(students) == {"ana", "hugo", "ines", *spec.demo_class}
    for student in students:
        assert (tmp_path / "submitted" / student / spec.name / f"{spec.name}.ipynb").is_file()


def test_the_demo_runs_every_assignment(tmp_path, monkeypatch):
    """run_demo goes through the discovered assignments, not a list of its own."""
    seen = []
    monkeypatch.setattr(demo, "release", lambda name, course, lang: seen.append(name) or course)
    monkeypatch.setattr(demo, "simulate_class", lambda course, name, catalogued: [])
    monkeypatch.setattr(demo, "autograde_class", lambda *a, **k: type("S", (), {"failed": []}))
    monkeypatch.setattr(demo, "print_gradebook", lambda course, name: None)
    monkeypatch.setattr(demo, "write_class_report", lambda course, name, out: out)
    assert demo.run_demo(tmp_path / "demo") == 0
    assert seen == assignments.names()
