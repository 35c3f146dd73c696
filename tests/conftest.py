"""Shared fixtures of the kit's own tests, and the guard that no test writes in the checkout.

The guard lists the checkout when the session starts and again after every test. A file that
appeared fails the test that was running (as an error at its teardown) and is named. Two kinds
of change are left to people, who may be editing the checkout while the tests run:
- changed contents of files that were already there;
- new hand-written sources (.py, .md, ...) in places git tracks: people add those.
What tools write when pointed at the checkout (build/, *.egg-info, .pytest_cache, nbgrader's
submitted/ and gradebook.db, .ipynb_checkpoints, ...) is git-ignored, so it always counts, and
so does any other new file (results.json, grades.csv, ...). Caches of Python's bytecode and of
ruff are not the tests' doing: any import or lint run writes them, and `make test` writes none.
"""

from __future__ import annotations

import os
import subprocess

import pytest

from rnnkit import i18n
from rnnkit.kit.paths import KIT_ROOT

NOT_WRITTEN_BY_TESTS = frozenset({".venv", ".git", "__pycache__", ".ruff_cache"})
HAND_WRITTEN = (".py", ".ipynb", ".md", ".toml", ".txt", ".cfg", ".in", ".lock")


def checkout_paths() -> dict[str, bool]:
    """Every file, folder and link in the checkout, except NOT_WRITTEN_BY_TESTS.

    Outputs: path relative to the checkout (``"source/rnn/rnn.ipynb"``) -> whether it is a
    folder. Links are listed, not followed. A few hundred entries take about a millisecond.
    """
    found: dict[str, bool] = {}
    folders = [str(KIT_ROOT)]
    while folders:
        folder = folders.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if entry.name in NOT_WRITTEN_BY_TESTS:
                        continue
                    is_folder = entry.is_dir(follow_symlinks=False)
                    found[os.path.relpath(entry.path, KIT_ROOT)] = is_folder
                    if is_folder:
                        folders.append(entry.path)
        except OSError:  # removed while we looked: it is not new
            continue
    return found


def git_ignored(paths: list[str]) -> set[str]:
    """Those of ``paths`` git ignores; all of them when git cannot tell (no git, no .git)."""
    if not paths:
        return set()
    try:
        done = subprocess.run(["git", "check-ignore", "--stdin"], cwd=KIT_ROOT, text=True,
                              input="\n".join(paths), capture_output=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired):
        return set(paths)
    return set(done.stdout.splitlines()) if done.returncode in (0, 1) else set(paths)


class CheckoutWatch:
    """The checkout as last seen; what appeared since is blamed once, on what ran meanwhile."""

    def __init__(self) -> None:
        self.seen = checkout_paths()
        self.late: list[str] = []  # messages for the end of the session

    def written(self) -> list[str]:
        """What appeared since the last look and is not people's doing (see the module's
        docstring), a new folder standing for all in it."""
        now = checkout_paths()
        new = {path: is_folder for path, is_folder in now.items() if path not in self.seen}
        self.seen = now
        files = [path for path, is_folder in new.items() if not is_folder]
        sources = [path for path in files if path.endswith(HAND_WRITTEN)]
        blamed = set(files) - set(sources) | git_ignored(sources)
        return sorted({topmost_new(path, new) for path in blamed})


def topmost_new(path: str, new: dict[str, bool]) -> str:
    """``path``, or the outermost new folder holding it (written with a trailing slash)."""
    parts = path.split(os.sep)
    for depth in range(1, len(parts)):
        folder = os.sep.join(parts[:depth])
        if folder in new:
            return folder + os.sep
    return path


def message(paths: list[str], who: str) -> str:
    """The failure message: who wrote which paths, and what to do instead."""
    shown = ", ".join(paths[:10]) + (f" and {len(paths) - 10} more" if len(paths) > 10 else "")
    return (f"{who} wrote inside the checkout {KIT_ROOT}: {shown}. Tests must write under "
            "tmp_path (copy what a tool builds in place there first). Delete these paths; if "
            "something else wrote them while the tests ran, run again.")


WATCH = pytest.StashKey[CheckoutWatch]()


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[WATCH] = CheckoutWatch()


def pytest_collection_finish(session: pytest.Session) -> None:
    watch = session.config.stash.get(WATCH, None)
    if watch is not None and (written := watch.written()):
        watch.late.append(message(written, "Collecting the tests"))


@pytest.fixture(autouse=True)
def nothing_written_in_the_checkout(request: pytest.FixtureRequest):
    """Fails the test, at teardown (after its other fixtures'), if it wrote in the checkout."""
    yield
    watch = request.config.stash.get(WATCH, None)
    if watch is not None and (written := watch.written()):
        pytest.fail(message(written, request.node.nodeid), pytrace=False)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Module and session fixtures tear down after the last test: look once more."""
    watch = session.config.stash.get(WATCH, None)
    if watch is None:
        return
    if written := watch.written():
        watch.late.append(message(written, "A module or session fixture"))
    if watch.late:
        reporter = session.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write("\n")
            reporter.write_sep("=", "written inside the checkout", red=True)
            for line in watch.late:
                reporter.write_line(line, red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture(autouse=True)
def english_messages():
    """Tests match English feedback; the default language of the kit stays Spanish."""
    with i18n.speaking("en"):
        yield
