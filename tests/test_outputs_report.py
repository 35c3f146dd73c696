"""`rnnkit report`: one self-contained HTML page on a graded class (tests/outputs_class.py), in
the course's language, from the results `rnnkit autograde` keeps per student.
"""

from __future__ import annotations

import base64
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from outputs_class import ASSIGNMENT, HTML_PRINTED, graded_course

from rnnkit.cli import main
from rnnkit.grading import manifest
from rnnkit.outputs.class_report import TOP_MISTAKES, frequent_mistakes, load_class


@pytest.fixture(scope="module")
def course(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return graded_course(tmp_path_factory)


class Page(HTMLParser):
    """The page's sections (h2 -> the rows of its tables, as lists of cell texts), images and
    the places it would load something from."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.sections: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self.loads: list[str] = []
        self._heading = self._cell = None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        self.loads += [attrs[key] for key in ("src", "href") if key in attrs and tag != "img"]
        if tag == "h2":
            self._heading = ""
        elif tag == "tr":
            self.sections[self._section].append([])
        elif tag in ("td", "th"):
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "h2":
            self._section, self._heading = self._heading, None
            self.sections[self._section] = []
        elif tag in ("td", "th"):
            self.sections[self._section][-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        if self._heading is not None:
            self._heading += data
        elif self._cell is not None:
            self._cell += data


def report(course: Path, tmp_path: Path, capsys, *options: str) -> tuple[str, str]:
    out = tmp_path / "report.html"
    code = main(["report", ASSIGNMENT, "--out", str(out), "--course-dir", str(course), *options])
    printed = capsys.readouterr().out
    assert code == 0, printed
    return out.read_text(encoding="utf-8"), printed


def test_the_report_shows_scores_rates_mistakes_predictors_and_problems(course, tmp_path,
                                                                        capsys):
    text, printed = report(course, tmp_path, capsys)
    assert printed.strip() == f"wrote {tmp_path / 'report.html'}: class report of {ASSIGNMENT}"
    page = Page(text)
    assert page.loads == [] and "http" not in text  # self-contained
    assert len(page.images) == 2
    for image in page.images:
        assert image.startswith("data:image/png;base64,")
        assert base64.b64decode(image.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    assert "5 students graded, 0 not graded" in text

    functions = {row[0]: row for row in page.sections["Functions"][1:]}
    assert functions["rnn_forward"][1] == "20 %"  # ana alone: beto ignores h0, the rest fail
    assert functions["rnn_cell_forward"][1] == "40 %"  # ana and beto
    tests = {row[0]: row[1] for row in page.sections["Tests"][1:]}
    assert tests["rnn_forward: test_forward_h[T3-N2-D4-H5]"] == "20 %"
    assert len(tests) == len(manifest.load(ASSIGNMENT).tests)

    ranked = frequent_mistakes(load_class(course, ASSIGNMENT))
    assert [(count, function) for count, function, diagnosis in ranked
            if "ignores h0" in diagnosis] == [(1, "rnn_forward")]  # beto's, once per student
    assert [count for count, _, _ in ranked] == sorted((c for c, _, _ in ranked), reverse=True)
    shown = page.sections["Most frequent diagnosed mistakes"][1:]
    assert shown == [[str(count), function, diagnosis]
                     for count, function, diagnosis in ranked[:TOP_MISTAKES]]

    predictors = page.sections["Exercises that predict a low total"][1:]
    assert predictors and predictors[0][0] in functions
    gaps = [float(row[-1]) for row in predictors]
    assert gaps == sorted(gaps, reverse=True)

    problems = {row[0]: row[1] for row in page.sections[
        "Submissions that could not be graded fully"][1:]}
    assert set(problems) == {"dani", "eva"}
    assert "made the process end" in problems["dani"] and HTML_PRINTED in problems["dani"]
    assert "JSON" in problems["eva"]
    assert "<script>" not in text  # what dani printed is shown as text, not run


def test_students_without_results_are_named_and_the_report_speaks_spanish(course, tmp_path,
                                                                          capsys):
    copy = tmp_path / "course"
    shutil.copytree(course, copy, symlinks=True)
    (copy / "autograded" / "carla" / ASSIGNMENT / "rnnkit-results.json").unlink()
    text, _ = report(copy, tmp_path, capsys, "--lang", "es")
    page = Page(text)
    assert re.search(r"<h1>Informe de la clase: tarea rnn</h1>", text)
    assert "4 estudiantes calificados, 1 sin calificar" in text
    problems = {row[0]: row[1] for row in page.sections[
        "Entregas que no se pudieron calificar del todo"][1:]}
    assert problems["carla"].startswith("Sin resultados")
