"""The heavy work of a parametrized test done in other processes (a notebook's kernel, plain
nbgrader), done once for all its selected cases, two at a time.

Such work keeps one core busy in a process of its own; the machine has two, so the cases of a
test run in pairs: the suite takes minutes less, and no case's result depends on the other
(each has its own folder and processes). The work runs in threads of the test process when the
first case asks for its result; a case whose work raised gets the exception again. Only work
done in other processes belongs here: a hidden suite run in this process is a pytest session,
which would write the test session's own environment (PYTEST_CURRENT_TEST) from another thread.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Hashable
from typing import Any

import pytest

AT_ONCE = 2  # the machine's cores


class Batched:
    """``batched(case)`` returns ``work(case)``, computed for every selected case of the test
    at the first call.

    Inputs:
    - request: the pytest request of a fixture the test uses.
    - test: the test function's name.
    - case: turns a selected item's parameters (callspec.params) into the case to work on.
    - work: does the work of one case; its result is what the test receives.
    - prepare: what must happen in the test's own thread first (in-process nbgrader, say),
      for every case: ``work`` then gets what it returns instead of the case.
    """

    def __init__(self, request: pytest.FixtureRequest, test: str,
                 case: Callable[[dict[str, Any]], Hashable], work: Callable[[Any], Any],
                 prepare: Callable[[Any], Any] = lambda case: case) -> None:
        self._cases = list(dict.fromkeys(
            case(item.callspec.params) for item in request.session.items
            if getattr(item, "originalname", None) == test and hasattr(item, "callspec")))
        self._work, self._prepare = work, prepare
        self._done: dict[Hashable, concurrent.futures.Future] | None = None

    def __call__(self, case: Hashable) -> Any:
        if self._done is None:
            pool = concurrent.futures.ThreadPoolExecutor(max_workers=AT_ONCE)
            self._done = {c: pool.submit(self._work, self._prepare(c)) for c in self._cases}
            pool.shutdown(wait=False)
        if case not in self._done:  # not selected as such (e.g. called from another test)
            return self._work(self._prepare(case))
        return self._done[case].result()
