"""One graded notebook as JUnit XML, the report format CI systems show (``rnnkit grade --junit``).

Made from the same results as ``--json`` (GradeReport.to_results_json): one ``<testcase>`` per
hidden test, named as there, with its points and the points earned in ``<properties>``; a test
that did not earn all its points is a ``<failure>`` whose message is the feedback. The notes on
the whole notebook go to the suite's ``<system-out>``. A result without tests (grading could
not start) is one ``<error>`` testcase carrying its message, so CI shows why.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from rnnkit.grading.results import write_text_atomically

# What XML 1.0 cannot hold even escaped (rnnkit.kit.untrusted.clean already escapes the control
# characters and lone surrogates; U+FFFE and U+FFFF are left).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_xml(results: dict[str, Any], assignment: str) -> str:
    """The JUnit XML document of one graded notebook.

    Inputs:
    - results: as written by ``rnnkit grade --json``: score, max_score, output (notes) and
      tests, each with name ("function: test"), score, max_score, status and output
    - assignment: the assignment id, the suite's name

    Returns the document as text (UTF-8 declared).
    """
    tests = results.get("tests", [])
    failed = [test for test in tests if test.get("status") != "passed"]
    errors = 0 if tests else 1
    suite = ET.Element("testsuite", name=f"rnnkit.{assignment}", tests=str(len(tests) or 1),
                       failures=str(len(failed)), errors=str(errors), skipped="0")
    _properties(suite, score=results.get("score", 0.0), max_score=results.get("max_score", 0.0))
    for test in tests:
        function, _, name = str(test["name"]).partition(": ")  # as to_results_json names it
        case = ET.SubElement(suite, "testcase", classname=_text(f"{assignment}.{function}"),
                             name=_text(name))
        _properties(case, points=test["max_score"], score=test["score"])
        if test in failed:
            feedback = _text(test.get("output", ""))
            failure = ET.SubElement(case, "failure", type="rnnkit",
                                    message=feedback.splitlines()[0] if feedback else "")
            failure.text = feedback
    if errors:
        why = _text(results.get("output", ""))
        case = ET.SubElement(suite, "testcase", classname=f"{assignment}", name="grading")
        ET.SubElement(case, "error", type="rnnkit", message=why).text = why
    elif results.get("output"):
        ET.SubElement(suite, "system-out").text = _text(results["output"])
    root = ET.Element("testsuites", name="rnnkit", tests=suite.get("tests"),
                      failures=suite.get("failures"), errors=suite.get("errors"))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def write_junit(path: Path, results: dict[str, Any], assignment: str) -> None:
    """Write :func:`junit_xml` to ``path``, whole or not at all."""
    write_text_atomically(path, junit_xml(results, assignment))


def _properties(element: ET.Element, **values: float) -> None:
    properties = ET.SubElement(element, "properties")
    for name, value in values.items():
        ET.SubElement(properties, "property", name=name, value=format(float(value), "g"))


def _text(value: object) -> str:
    """``value`` as text XML can hold: what it cannot is written as a visible escape."""
    return _NOT_XML.sub(lambda found: f"\\u{ord(found[0]):04x}", str(value))
