"""Reading what a public check printed, for the tests of each assignment's public checks."""

from __future__ import annotations

import contextlib
import io


def run(check, *functions) -> str:
    """Run a check on the given functions and return what it printed (it must not raise)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        check(*functions)
    return out.getvalue()


def fail_lines(printed: str) -> list[str]:
    return [line for line in printed.splitlines() if line.startswith("✗")]


def assert_flags(printed: str, *fragments: str) -> None:
    """At least one ✗ line, no "all correct", and every fragment in some ✗ line."""
    failures = "\n".join(fail_lines(printed))
    assert failures, printed
    assert "all correct" not in printed, printed
    for fragment in fragments:
        assert fragment in failures, f"{fragment!r} not in:\n{printed}"
