"""One self-contained HTML page on a graded class, for the instructor
(``rnnkit report rnn --out report.html``), in the course's language.

It reads what ``rnnkit autograde`` keeps for each student,
``autograded/<student>/<assignment>/rnnkit-results.json`` (the results of every hidden test,
and the notes on the notebook), and shows:
- the scores' histogram;
- the pass rate of every test and of every function (all of its tests passed);
- the most frequent diagnosed mistakes (a failed test's feedback), with how many students made
  each;
- which exercises predict a low total: the points students earned on the other exercises
  when they lost points on this one, against when they did not;
- the students whose submission could not be graded fully, with why: those without results,
  and those the grader left notes on (a cell that failed or was tampered with, an unreadable
  file, ...).

Plots are PNG images inside the page (matplotlib's Agg renderer, no display needed); the page
loads nothing from elsewhere. Everything that came from a submission is cleaned
(rnnkit.kit.untrusted) and HTML-escaped.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rnnkit.grading.classroom import STATE_FILE, _state_path, find_submissions
from rnnkit.grading.results import write_text_atomically
from rnnkit.i18n import current_language, say
from rnnkit.kit.untrusted import clean

TOP_MISTAKES = 12
MAX_NOTE = 600  # characters of a note shown in the page


@dataclass(frozen=True)
class ClassResults:
    """A class's results: student -> their results.json, and the students who submitted but
    have none (grading failed, or was not run since)."""

    assignment: str
    results: dict[str, dict[str, Any]]
    ungraded: list[str]

    @property
    def max_score(self) -> float:
        return max((float(r["max_score"]) for r in self.results.values()), default=0.0)

    def totals(self) -> dict[str, float]:
        return {student: float(r["score"]) for student, r in self.results.items()}

    def by_function(self) -> dict[str, dict[str, tuple[float, float]]]:
        """function -> student -> (points earned, points possible), functions in suite order."""
        table: dict[str, dict[str, tuple[float, float]]] = {}
        for student, results in self.results.items():
            for test in results["tests"]:
                function = _function(test)
                earned, possible = table.setdefault(function, {}).get(student, (0.0, 0.0))
                table[function][student] = (earned + test["score"], possible + test["max_score"])
        return table


def load_class(course: Path, assignment: str) -> ClassResults:
    """The results ``rnnkit autograde`` recorded for every student of ``assignment``.

    Raises ValueError when there are none (nothing was autograded yet).
    """
    submitted = {student for student, _ in find_submissions(course, assignment)}
    recorded = {path.parent.parent.name
                for path in Path(course, "autograded").glob(f"*/{assignment}/{STATE_FILE}")}
    results, ungraded = {}, []
    for student in sorted(submitted | recorded):
        try:
            results[student] = json.loads(
                _state_path(course, student, assignment).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            ungraded.append(student)
    if not results:
        raise ValueError(f"no results of {assignment} in {Path(course, 'autograded')}: run "
                         f"`rnnkit autograde {assignment}` in {course} first")
    return ClassResults(assignment, results, ungraded)


def write_class_report(course: Path, assignment: str, out: Path) -> Path:
    """Write the class report of ``assignment`` to ``out`` in the language in force
    (rnnkit.i18n); returns ``out``."""
    write_text_atomically(Path(out), class_report(load_class(course, assignment)))
    return Path(out)


def class_report(data: ClassResults) -> str:
    """The report's HTML page (see the module's docstring)."""
    title = say(es="Informe de la clase: tarea {a}", en="Class report: assignment {a}",
                a=data.assignment)
    totals = list(data.totals().values())
    mean = sum(totals) / len(totals)
    summary = say(es="{n} estudiantes calificados, {u} sin calificar. Media: {m:.1f} / {top:g}.",
                  en="{n} students graded, {u} not graded. Mean: {m:.1f} / {top:g}.",
                  n=len(totals), u=len(data.ungraded), m=mean, top=data.max_score)
    sections = [
        (say(es="Puntuaciones", en="Scores"), _image(_histogram(totals, data.max_score))),
        (say(es="Funciones", en="Functions"), _functions(data)),
        (say(es="Pruebas", en="Tests"), _tests(data)),
        (say(es="Errores diagnosticados más frecuentes", en="Most frequent diagnosed mistakes"),
         _mistakes(data)),
        (say(es="Ejercicios que anticipan una nota baja",
             en="Exercises that predict a low total"), _predictors(data)),
        (say(es="Entregas que no se pudieron calificar del todo",
             en="Submissions that could not be graded fully"), _not_fully_graded(data)),
    ]
    body = "\n".join(f"<h2>{html.escape(heading)}</h2>\n{content}"
                     for heading, content in sections)
    return (f'<!DOCTYPE html>\n<html lang="{current_language()}">\n<head>\n<meta charset="utf-8">'
            f"\n<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(summary)}</p>\n{body}\n"
            f"</body>\n</html>\n")


def _functions(data: ClassResults) -> str:
    """Each function's pass rate (all its tests passed) and mean points, and a bar chart."""
    rows, rates = [], {}
    for function, scores in data.by_function().items():
        passed = sum(earned >= possible - 1e-9 for earned, possible in scores.values())
        rates[function] = passed / len(scores)
        mean = sum(earned for earned, _ in scores.values()) / len(scores)
        possible = max(possible for _, possible in scores.values())
        rows.append([function, _percent(rates[function]), f"{mean:.1f} / {possible:g}"])
    header = [say(es="función", en="function"), say(es="aprobada por", en="passed by"),
              say(es="puntos (media)", en="points (mean)")]
    return _image(_bars(rates)) + _table(header, rows)


def _tests(data: ClassResults) -> str:
    """Each hidden test's pass rate, in suite order."""
    passed: dict[str, list[bool]] = defaultdict(list)
    for results in data.results.values():
        for test in results["tests"]:
            passed[test["name"]].append(test["status"] == "passed")
    header = [say(es="prueba", en="test"), say(es="aprobada por", en="passed by")]
    return _table(header, [[name, _percent(sum(flags) / len(flags))]
                           for name, flags in passed.items()])


def frequent_mistakes(data: ClassResults) -> list[tuple[int, str, str]]:
    """Every diagnosis the class got (the first line of a failed test's feedback), as (how
    many students got it, function, diagnosis), the most frequent first (then in suite order).
    """
    students: dict[tuple[str, str], set[str]] = defaultdict(set)
    for student, results in data.results.items():
        for test in results["tests"]:
            if test["status"] != "passed":
                diagnosis = (str(test["output"]).strip().splitlines() or [""])[0]
                students[(_function(test), diagnosis)].add(student)
    order = {function: i for i, function in enumerate(data.by_function())}
    ranked = sorted(students.items(),
                    key=lambda item: (-len(item[1]), order[item[0][0]], item[0][1]))
    return [(len(who), function, diagnosis) for (function, diagnosis), who in ranked]


def _mistakes(data: ClassResults) -> str:
    """The TOP_MISTAKES most frequent diagnoses, with how many students got each."""
    ranked = frequent_mistakes(data)[:TOP_MISTAKES]
    if not ranked:
        return f"<p>{html.escape(say(es='Ninguno.', en='None.'))}</p>"
    header = [say(es="estudiantes", en="students"), say(es="función", en="function"),
              say(es="diagnóstico", en="diagnosis")]
    return _table(header, [[str(count), function, diagnosis]
                           for count, function, diagnosis in ranked])


def _predictors(data: ClassResults) -> str:
    """Per function: mean points on the *other* exercises of the students who lost points on
    it and of those who did not; the larger the gap, the more losing it goes with a low total
    (its own points are left out, which would make every exercise look predictive)."""
    totals = data.totals()
    rows = []
    for function, scores in data.by_function().items():
        lost = [totals[s] - earned for s, (earned, possible) in scores.items()
                if earned < possible - 1e-9]
        kept = [totals[s] - earned for s, (earned, possible) in scores.items()
                if earned >= possible - 1e-9]
        if lost and kept:
            gap = sum(kept) / len(kept) - sum(lost) / len(lost)
            rows.append((gap, [function, str(len(lost)), f"{sum(lost) / len(lost):.1f}",
                               f"{sum(kept) / len(kept):.1f}", f"{gap:+.1f}"]))
    if not rows:
        wanted = say(es="Hacen falta estudiantes que pierdan puntos en un ejercicio y otros que "
                        "no.",
                     en="This needs students who lose points on an exercise and others who "
                        "do not.")
        return f"<p>{html.escape(wanted)}</p>"
    explain = say(es="Puntos en los demás ejercicios de quienes perdieron puntos en este y de "
                     "quienes no; una diferencia grande: fallar este ejercicio va con una nota "
                     "baja.",
                  en="Points on the other exercises of the students who lost points on this one "
                     "and of those who did not; a large gap: failing this exercise goes with a "
                     "low total.")
    header = [say(es="función", en="function"),
              say(es="perdieron puntos", en="lost points"),
              say(es="resto (media), quienes perdieron", en="rest (mean), who lost"),
              say(es="resto (media), los demás", en="rest (mean), the others"),
              say(es="diferencia", en="gap")]
    ranked = [row for _, row in sorted(rows, key=lambda item: -item[0])]
    return f"<p>{html.escape(explain)}</p>\n" + _table(header, ranked)


def _not_fully_graded(data: ClassResults) -> str:
    """The students without results, and those with notes on their notebook, with why."""
    rows = [[student, say(es="Sin resultados: la calificación falló o no se ha repetido desde "
                             "la entrega; ejecuta rnnkit autograde {a}.",
                          en="No results: grading failed, or was not run since the "
                             "submission; run rnnkit autograde {a}.", a=data.assignment)]
            for student in data.ungraded]
    rows += [[student, clean(str(results["output"]), MAX_NOTE)]
             for student, results in data.results.items() if str(results["output"]).strip()]
    if not rows:
        return f"<p>{html.escape(say(es='Ninguna.', en='None.'))}</p>"
    header = [say(es="estudiante", en="student"), say(es="por qué", en="why")]
    return _table(header, rows, preformatted_last=True)


def _histogram(totals: list[float], max_score: float) -> bytes:
    from matplotlib.ticker import MaxNLocator

    figure, axes = _figure()
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # whole students
    bins = max(1, min(20, int(max_score) + 1))
    axes.hist(totals, bins=bins, range=(0, max_score or 1), color="#4c72b0", edgecolor="white")
    axes.set_xlabel(say(es="puntos", en="points"))
    axes.set_ylabel(say(es="estudiantes", en="students"))
    return _png(figure)


def _bars(rates: dict[str, float]) -> bytes:
    figure, axes = _figure(height=0.4 * len(rates) + 1)
    names = list(rates)[::-1]
    axes.barh(names, [100 * rates[name] for name in names], color="#55a868")
    axes.set_xlim(0, 100)
    axes.set_xlabel(say(es="% de estudiantes con la función entera bien",
                        en="% of students with the whole function right"))
    return _png(figure)


def _figure(height: float = 3.0) -> tuple[Any, Any]:
    """A figure drawn by Agg alone: no display, no pyplot state shared with other code."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, height), dpi=96, layout="tight")
    FigureCanvasAgg(figure)
    return figure, figure.add_subplot()


def _png(figure: Any) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _image(png: bytes) -> str:
    return f'<img alt="" src="data:image/png;base64,{base64.b64encode(png).decode()}">'


def _table(header: list[str], rows: list[list[str]], preformatted_last: bool = False) -> str:
    def cell(text: str, last: bool) -> str:
        shown = html.escape(clean(text))
        return f"<td><pre>{shown}</pre></td>" if last and preformatted_last else f"<td>{shown}</td>"

    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "\n".join("<tr>" + "".join(cell(text, i == len(row) - 1) for i, text in enumerate(row))
                     + "</tr>" for row in rows)
    return f"<table>\n<tr>{head}</tr>\n{body}\n</table>"


def _percent(rate: float) -> str:
    return f"{100 * rate:.0f} %"


def _function(test: dict[str, Any]) -> str:
    """The function a test grades: results.json names tests "function: test"."""
    return str(test["name"]).partition(": ")[0]


_STYLE = """
body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td pre { margin: 0; white-space: pre-wrap; }
img { max-width: 100%; }
"""
