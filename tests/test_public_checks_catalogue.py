"""The public checks of every assignment against its catalogue of student answers.

A student who makes a catalogued mistake sees a ✗ in the public check of every function it
spoils, worded as the hidden suite words it when the registry names the mistake; a correct but
different solution sees no ✗ at all. Mistakes marked ``hidden only`` show only under calls like
a course's (state kept between calls, inputs at the edges), which the quick public checks do
not make: the hidden suite catches them (tests/test_catalogue.py).
"""

from __future__ import annotations

import contextlib
import importlib
import inspect
import io
from collections.abc import Callable

import pytest
from test_catalogue import CATALOGUES

from rnnkit import assignments
from rnnkit.checks.feedback import plain


def public_checks(name: str) -> dict[str, Callable]:
    """function -> its public check, for the assignment called ``name``."""
    module = importlib.import_module(f"{assignments.get(name).module}.checks")
    return {check.removeprefix("check_"): getattr(module, check) for check in module.__all__}


def crosses(check: Callable, namespace: dict) -> list[str]:
    """The ✗ lines a check prints about the notebook functions its parameters name."""
    functions = [namespace[parameter] for parameter in inspect.signature(check).parameters]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(*functions)  # a check never raises
    return [line for line in out.getvalue().splitlines() if line.startswith("✗")]


def entries(kind: str) -> list:
    return [pytest.param(name, entry, id=f"{name}-{entry.slug}")
            for name, catalogue in CATALOGUES.items()
            for entry in getattr(catalogue, kind) if not entry.hidden_only]


@pytest.mark.parametrize(("name", "entry"), entries("mistakes"))
def test_public_checks_catch_every_catalogued_mistake(name, entry):
    spec, checks = assignments.get(name), public_checks(name)
    namespace = CATALOGUES[name].namespace(entry)
    for function in entry.loses:
        found = crosses(checks[function], namespace)
        assert found, f"the public check of {function} sees nothing wrong"
        if entry.mistake is not None and spec.mistakes[entry.mistake].function == function:
            said = plain(spec.mistakes[entry.mistake].en)
            assert any(said in line for line in found), "\n".join(found)


@pytest.mark.parametrize(("name", "entry"), entries("correct"))
def test_public_checks_accept_every_catalogued_correct_answer(name, entry):
    namespace = CATALOGUES[name].namespace(entry)
    for function, check in public_checks(name).items():
        if function in assignments.get(name).functions:
            assert crosses(check, namespace) == [], function
