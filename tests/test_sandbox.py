"""The sandbox survives hostile student code and only ever hands the grader plain numeric data.

Each test checks something a missing or broken protection would get wrong (the attack succeeds,
the grader hangs, crashes or receives an object), and that the grader can carry on afterwards.
Student code here is deliberately hostile.

Time limits are wall-clock, so a loaded machine stretches everything that runs under them. Where
a limit is meant to fire, the limit is small (FAST: 1 s) and the other work in that sandbox is
trivial (a few milliseconds of CPU, so even a 2-core machine busy with ten other processes
finishes it a hundred times over). Everywhere else the limits are far above what the code needs
(ROOMY: 30 s), so only a broken sandbox reaches them; then the test fails, slowly.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from rnnkit.sandbox import (
    CellReport,
    Handle,
    Isolation,
    IsolationUnavailable,
    Limits,
    Sandbox,
    StudentError,
    channel,
    detect_isolation,
)
from rnnkit.sandbox import box as box_module

REPO = Path(__file__).resolve().parents[1]
FAST = Limits(call_seconds=1.0, cell_seconds=1.0, memory_bytes=2**30, processes=8)
ROOMY = replace(FAST, call_seconds=30.0, cell_seconds=30.0)
# Polling for something that happens within milliseconds: the loops stop as soon as it has
# happened, so a generous deadline costs nothing unless the test is failing anyway.
SETTLE_SECONDS = 10.0

needs_bwrap = pytest.mark.skipif(detect_isolation().kind != "bwrap",
                                 reason=f"no isolation here: {detect_isolation().detail}")


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RNNKIT_LANG", "en")


def sandbox(source: str, limits: Limits = ROOMY, **options: object) -> Sandbox:
    return Sandbox([("setup", "import numpy as np, os, sys, time\n"), ("code", source)],
                   limits=limits, **options)


# --- round trips ------------------------------------------------------------------------------

STEP = '''
class Cache:
    def __init__(self, x):
        self.x = x

def step(x, params, h0=None):
    return np.tanh(params["W"] @ x), Cache(x), [x.sum(), 2], (True, None)

def backward(dh, cache):
    return {"dx": dh * cache.x, "n": np.int32(7), "f": np.float32(0.5)}

def kinds():
    return (np.zeros((2, 0)), np.arange(3, dtype=np.int64), np.arange(2, dtype=np.int32),
            np.ones(2, dtype=np.float32), np.array([True, False]), np.float64(2.5), 3, 1.5,
            [float("nan"), -np.inf], np.arange(6.0).reshape(2, 3).T)

def modify(x, params, h0):
    x += 1
    params["W"][0, 0] = 5.0
    h0 *= 2
    return None
'''


def test_round_trip_arrays_dicts_and_handles() -> None:
    x, W = np.array([1.0, 2.0]), np.eye(2)
    with sandbox(STEP) as box:
        assert box.cell_reports == [CellReport("setup", "ok"), CellReport("code", "ok")]
        assert box.defined("step") and not box.defined("nope") and not box.defined("Cache.x")
        h, cache, listed, pair = box.call("step", x, {"W": W}, h0=None)
        np.testing.assert_allclose(h, np.tanh(x))
        assert type(h) is np.ndarray and h.flags.writeable and h.dtype == np.float64
        assert isinstance(cache, Handle) and cache.type_name == "Cache"
        assert type(listed) is list and listed == [3.0, 2] and pair == (True, None)
        grads = box.call("backward", np.array([2.0, 3.0]), cache)
        np.testing.assert_array_equal(grads["dx"], [2.0, 6.0])
        assert type(grads["n"]) is np.int32 and type(grads["f"]) is np.float32
        kinds = box.call("kinds")
        assert [k.dtype.name for k in kinds[:5]] == ["float64", "int64", "int32", "float32", "bool"]
        assert kinds[0].shape == (2, 0) and type(kinds[5]) is np.float64 and kinds[6:8] == (3, 1.5)
        assert np.isnan(kinds[8][0]) and kinds[8][1] == -np.inf
        np.testing.assert_array_equal(kinds[9], np.arange(6.0).reshape(2, 3).T)
        assert box.last_call_mutated == []
        with sandbox(STEP) as other, pytest.raises(StudentError) as foreign:
            other.call("backward", np.ones(2), cache)
        assert foreign.value.kind == "stale-handle"
        with pytest.raises(ValueError):
            box.call("step", np.zeros(2**24), {"W": np.zeros(2**24)})
    assert box.cell_reports[1].status == "ok" and not box.alive


def test_mutated_arguments_are_reported_and_grader_copies_untouched() -> None:
    x, params, h0 = np.zeros(2), {"W": np.ones((2, 2)), "b": np.ones(2)}, np.ones(3)
    with sandbox(STEP) as box:
        assert box.call("modify", x, params, h0=h0) is None
        assert box.last_call_mutated == ["arg0", "arg1['W']", "kw:h0"]
        assert not x.any() and params["W"][0, 0] == 1.0 and h0[0] == 1.0


def test_student_exception_names_error_and_student_frames() -> None:
    source = "def inner(x):\n    return x @ np.ones(5)\n\ndef outer(x):\n    return inner(x)\n"
    with sandbox(source) as box:
        with pytest.raises(StudentError) as caught:
            box.call("outer", np.ones(3))
    error = caught.value
    assert error.kind == "exception" and str(error) == error.message
    assert error.message.startswith("ValueError: matmul")
    assert 'cell "code", line 5, in outer' in error.message
    assert "return x @ np.ones(5)" in error.message
    assert "child.py" not in error.message and "numpy" not in error.message.split("\n", 1)[1]


def test_cell_errors_are_reported_and_later_cells_still_run() -> None:
    cells = [("a", "def f():\n    return 1\n"), ("syntax", "x = = 1"), ("raise", "1 / 0"),
             ("b", "def g():\n    return 2\n")]
    with Sandbox(cells, limits=ROOMY) as box:
        reports = box.cell_reports
        assert [r.status for r in reports] == ["ok", "error", "error", "ok"]
        assert reports[1].message.startswith("SyntaxError")
        assert 'cell "syntax", line 1' in reports[1].message
        assert reports[2].message.startswith("ZeroDivisionError")
        assert box.call("f") == 1 and box.call("g") == 2
        with pytest.raises(StudentError) as caught:
            box.call("h")
        assert caught.value.kind == "missing" and "`h` is not defined" in caught.value.message


# --- time, exits and crashes ------------------------------------------------------------------


def test_call_timeout_restarts_lazily_and_remembers_the_hanging_function() -> None:
    source = "def spin():\n    while True:\n        pass\n\ndef ok():\n    return object()\n"
    restarted = "[the sandbox was restarted]"
    with sandbox(source, FAST) as box:
        handle = box.call("ok")
        start = time.monotonic()
        with pytest.raises(StudentError) as caught:
            box.call("spin")
        assert caught.value.kind == "timeout" and "1 s" in caught.value.message
        # The deadline is 1 s, not the 10 s default. The kill and reap take milliseconds;
        # 5 s of slack covers a loaded machine and still tells the two apart.
        assert FAST.call_seconds <= time.monotonic() - start < FAST.call_seconds + 5
        assert not box.alive
        with pytest.raises(StudentError, match="infinite loop") as again:
            box.call("spin")
        # Refused at once: running `spin` again would have restarted the child first.
        assert again.value.kind == "timeout" and restarted not in box.output
        assert isinstance(box.call("ok"), Handle) and box.alive
        assert box.output.count(restarted) == 1
        with pytest.raises(StudentError) as stale:
            box.call("ok", handle)
        assert stale.value.kind == "stale-handle"


def test_cell_timeout_skips_the_cell_and_reruns_the_others() -> None:
    cells = [("a", "print('a ran')\ndef f():\n    return 1\n"), ("loop", "while True:\n    pass\n"),
             ("b", "def g():\n    return f() + 1\n")]
    with Sandbox(cells, limits=FAST) as box:
        reports = box.cell_reports
        assert [r.status for r in reports] == ["ok", "timeout", "ok"]
        assert "did not finish in 1 s" in reports[1].message
        assert box.call("g") == 2
        assert box.output.count("a ran") == 2  # once before the timeout, once in the restart


@pytest.mark.parametrize("ending, code", [("sys.exit(3)", 3), ("os._exit(5)", 5)])
def test_exit_in_a_cell_is_a_crash_and_later_cells_run(ending: str, code: int) -> None:
    cells = [("setup", "import os, sys\n"), ("bye", ending), ("after", "def f():\n    return 1\n")]
    with Sandbox(cells, limits=ROOMY) as box:
        reports = box.cell_reports
        assert [r.status for r in reports] == ["ok", "crashed", "ok"]
        assert f"exit code {code}" in reports[1].message
        assert box.call("f") == 1


@pytest.mark.parametrize("ending", ["sys.exit(4)", "os._exit(4)",
                                    "os.kill(os.getpid(), 9)"])
def test_exit_or_kill_in_a_call_is_a_crash_and_the_next_call_restarts(ending: str) -> None:
    with sandbox(f"def bye():\n    {ending}\n\ndef ok():\n    return 1\n") as box:
        with pytest.raises(StudentError) as caught:
            box.call("bye")
        assert caught.value.kind == "crashed"
        assert ("exit code 4" in caught.value.message if "4" in ending
                else "SIGKILL" in caught.value.message)
        assert box.call("ok") == 1


def test_memory_bomb_is_refused() -> None:
    # Address space is what RLIMIT_AS caps, so untouched (fast) allocations are enough here.
    source = ("def huge():\n    return np.ones(2**31)\n\n"
              "def grow():\n    keep = []\n    while True:\n"
              "        keep.append(np.empty(2**24))\n\n"
              "def listed():\n    return len([0] * 10**10)\n\n"
              "def ok():\n    return 1\n")
    with sandbox(source, replace(ROOMY, memory_bytes=2**29)) as box:
        for name in ("huge", "grow", "listed"):
            with pytest.raises(StudentError) as caught:
                box.call(name)
            assert caught.value.kind == "exception"
            assert caught.value.message.startswith("MemoryError")
            assert "allows 0.5 GiB of memory" in caught.value.message
        assert box.call("ok") == 1 and box.alive


@needs_bwrap
def test_fork_bomb_is_bounded_and_cleaned_up() -> None:
    source = '''
def count_forks():
    n = 0
    for _ in range(100):
        try:
            if os.fork() == 0:
                time.sleep(60)
                os._exit(0)
        except OSError:
            return n
        n += 1
    return n

def bomb():
    while True:
        try:
            os.fork()
        except OSError:
            pass
'''
    with sandbox(source, FAST) as box:  # forking seven times takes milliseconds
        forks = box.call("count_forks")
        assert 0 < forks < FAST.processes
        with pytest.raises(StudentError) as caught:
            box.call("bomb")
        assert caught.value.kind == "timeout"
        assert box.call("count_forks") == forks  # restarted: the first children are gone


# --- output, files, network, secrets -----------------------------------------------------------


def test_output_flood_is_truncated_and_does_not_block() -> None:
    # 5 MB, from a cell and from a call: far more than the pipe holds (64 KiB), so the child
    # blocks unless the grader drains while it waits; then the cell or call runs into ROOMY's
    # 30 s. Each flood takes about 0.1 s, several times that on a loaded machine.
    flood = "for _ in range(50_000):\n    print('x' * 99)\n"
    source = f"print('hello')\n{flood}def flood():\n{textwrap.indent(flood, '    ')}    return 7\n"
    with sandbox(source) as box:
        assert box.cell_reports[1].status == "ok"
        assert box.call("flood") == 7
        output = box.output
    assert output.startswith("hello\n")
    assert len(output.encode()) < ROOMY.output_bytes + 200
    assert "more bytes of output not shown" in output


@needs_bwrap
def test_files_only_in_a_small_private_tmp() -> None:
    source = """
def write(index, megabytes):
    path = ["/tmp/ok", "/tmp/big", "/tmp/a", "/tmp/b", "/x", "/dev/shm/x", "/usr/x"][index]
    try:
        with open(path, "wb") as f:
            for _ in range(megabytes):
                f.write(bytes(2**20))
        return 0
    except OSError as error:
        return error.errno
"""
    limits = replace(ROOMY, file_bytes=16 * 2**20, scratch_bytes=32 * 2**20)
    with sandbox(source, limits) as box:
        assert box.call("write", 0, 1) == 0  # /tmp works
        assert box.call("write", 1, 20) == 27  # EFBIG: larger than file_bytes
        assert box.call("write", 2, 15) == 0
        assert box.call("write", 3, 15) == 28  # ENOSPC: /tmp holds 32 MiB in all
        for index in (4, 5, 6):  # everything else is read-only
            assert box.call("write", index, 1) in (13, 30)


@needs_bwrap
def test_network_is_unreachable() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.3)
    port = server.getsockname()[1]
    source = '''
import socket

def connect(port):
    results = []
    for host in ("127.0.0.1", "8.8.8.8"):
        try:
            socket.create_connection((host, port), timeout=0.5).sendall(b"stolen")
            results.append(True)
        except OSError:
            results.append(False)
    return results
'''
    with server, sandbox(source) as box:
        assert box.call("connect", port) == [False, False]
        with pytest.raises(TimeoutError):
            server.accept()


@needs_bwrap
def test_kit_repository_and_home_are_unreadable() -> None:
    # The home directory itself may appear (as an empty skeleton) when Python lives in it.
    python_home = Path(sys.base_prefix).resolve()
    home = [entry for entry in Path.home().iterdir()
            if entry not in python_home.parents and entry != python_home][:3]
    secrets = [REPO / "solutions" / "__init__.py",
               REPO / "autograder" / "rnnkit" / "assignments" / "rnn" / "hidden",
               REPO / "pyproject.toml", REPO / "autograder" / "rnnkit" / "compare.py"]
    assert all(path.exists() for path in secrets)  # so the test can fail
    secrets += [path for path in [Path(sys.prefix) / "pyvenv.cfg", *home] if path.exists()]
    source = f'''
def readable():
    found = []
    for path in {[str(p) for p in secrets]!r}:
        try:
            os.listdir(path) if os.path.isdir(path) else open(path).read()
            found.append(True)
        except OSError:
            found.append(False)
    return found

def importable():
    found = []
    for name in ("solutions", "rnnkit"):
        try:
            __import__(name)
            found.append(True)
        except ImportError:
            found.append(False)
    return found
'''
    with sandbox(source) as box:
        assert box.call("readable") == [False] * len(secrets)
        assert box.call("importable") == [False, False]


@needs_bwrap
def test_grader_environment_is_not_visible(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RNNKIT_TEST_SECRET", "hunter2")
    source = '''
def leaks():
    found = "RNNKIT_TEST_SECRET" in os.environ
    for pid in os.listdir("/proc"):
        try:
            found = found or b"hunter2" in open(f"/proc/{pid}/environ", "rb").read()
        except OSError:
            pass
    return found, os.environ.get("HOME") == "/tmp"
'''
    with sandbox(source) as box:
        assert box.call("leaks") == (False, True)


# --- what the grader receives -------------------------------------------------------------------

RIGGED = '''
class Evil(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(self), dtype=bool)
    def __array_finalize__(self, obj):
        pass

class Liar:
    def __eq__(self, other):
        return True
    def __array__(self, *args, **kwargs):
        return np.zeros(3)

class Number(float):
    def __eq__(self, other):
        return True

def evil():
    return np.arange(3.0).view(Evil), np.ma.masked_array([1.0, 2.0], mask=[True, False])

def liars():
    return Liar(), Number(1.0), {"W": np.ones(2), "b": Liar()}, [np.ones(2), "text"]

def too_big():
    return np.zeros(9 * 2**20)

def long_keys():
    return {str(i) * 100_000: i for i in range(50)}
'''


def test_rigged_results_are_never_trusted() -> None:
    with sandbox(RIGGED) as box:
        array, masked = box.call("evil")
        assert type(array) is np.ndarray and type(masked) is np.ndarray
        assert not (array == np.zeros(3)).all() and list(array) == [0.0, 1.0, 2.0]
        assert list(masked) == [1.0, 2.0]
        results = box.call("liars")
        assert all(isinstance(item, Handle) for item in results)
        assert [item.type_name for item in results] == ["Liar", "Number", "dict", "list"]
        for name in ("too_big", "long_keys"):
            with pytest.raises(StudentError) as caught:
                box.call(name)
            assert caught.value.kind == "bad-result" and "too large" in caught.value.message
        assert box.call("evil")[0].tolist() == [0.0, 1.0, 2.0]  # still in step


def test_forged_frames_from_student_code_are_rejected() -> None:
    source = '''
import json, struct

def forge(kind):
    fd = json.loads(sys.argv[1])["replies"]
    if kind == 0:
        os.write(fd, struct.pack("<IQ", 2**31, 0))
    else:
        head = json.dumps({"id": 123456, "ok": True}).encode()
        os.write(fd, struct.pack("<IQ", len(head), 0) + head)
    time.sleep(5)

def ok():
    return 1
'''
    with sandbox(source) as box:
        for kind in (0, 1):
            # A grader that skipped the forged frame would wait for the real reply (None,
            # after 5 s) or, still reading a 2 GiB header, run into the 30 s limit: either
            # way no "bad-result".
            with pytest.raises(StudentError) as caught:
                box.call("forge", kind)
            assert caught.value.kind == "bad-result"
            assert box.call("ok") == 1


def frame(header: object, body: bytes = b"") -> bytes:
    head = json.dumps(header).encode()
    return struct.pack("<IQ", len(head), len(body)) + head + body


def array(dtype: object = "float64", shape: object = (2,), offset: object = 0,
          nbytes: object = 16) -> dict[str, object]:
    return {"array": {"dtype": dtype, "shape": list(shape) if isinstance(shape, tuple) else shape,
                      "offset": offset, "nbytes": nbytes}}


def decode_frame(raw: bytes) -> object:
    header, body = channel.unpack(raw)
    return channel.decode(header, body)


def test_decoder_accepts_a_valid_frame() -> None:
    body = np.array([1.5, -2.0]).tobytes() + bytes([0, 2])
    value = decode_frame(frame({"tuple": [array(), {"dict": {"m": array("bool", (2,), 16, 2)}},
                                          {"list": [1, 2.5, None, True]}]}, body))
    assert value[0].tolist() == [1.5, -2.0] and value[1]["m"].tolist() == [False, True]
    assert value[2] == [1, 2.5, None, True] and value[0].flags.writeable


DEEP: object = 1
for _ in range(40):
    DEEP = {"list": [DEEP]}

BAD_FRAMES = {
    "object dtype": frame(array("object"), bytes(16)),
    "float16": frame(array("float16", nbytes=4), bytes(16)),
    "dtype not a string": frame(array(5), bytes(16)),
    "negative shape": frame(array(shape=[-2], nbytes=-16), bytes(16)),
    "bool in shape": frame(array(shape=[True, 2]), bytes(16)),
    "float in shape": frame(array(shape=[2.0]), bytes(16)),
    "too many dimensions": frame(array(shape=[1] * 33, nbytes=8), bytes(16)),
    "nbytes mismatch": frame(array(nbytes=8), bytes(16)),
    "offset outside": frame(array(offset=8), bytes(16)),
    "negative offset": frame(array(offset=-8), bytes(16)),
    "extra metadata": frame({"array": {**array()["array"], "strides": [8]}}, bytes(16)),
    "scalar with shape": frame({"scalar": array()["array"]}, bytes(16)),
    "too deep": frame(DEEP),
    "dict entries as list": frame({"dict": [["a", 1]]}),
    "unknown tag": frame({"pickle": "gASV"}),
    "two tags": frame({"list": [], "tuple": []}),
    "bare string": frame("text"),
    "integer beyond 64 bits": frame(2**70),
    "handle without owner": frame({"handle": {"id": 1, "type": "x"}}),
    "amplified data": frame({"list": [array(shape=[2**17], nbytes=2**20)] * 70}, bytes(2**20)),
    "not json": struct.pack("<IQ", 5, 0) + b"{nope",
    "not utf-8": struct.pack("<IQ", 2, 0) + b"\xff\xfe",
    "huge header length": struct.pack("<IQ", 2**31, 0) + b"{}",
    "huge body length": struct.pack("<IQ", 2, 2**40) + b"{}",
    "truncated": frame(array(), bytes(16))[:-3],
    "trailing bytes": frame(array(), bytes(16)) + b"x",
}


@pytest.mark.parametrize("raw", BAD_FRAMES.values(), ids=BAD_FRAMES.keys())
def test_decoder_rejects_malformed_frames(raw: bytes) -> None:
    with pytest.raises(StudentError) as caught:
        decode_frame(raw)
    assert caught.value.kind == "bad-result"


# --- processes ----------------------------------------------------------------------------------


def _processes_with(marker: bytes) -> list[int]:
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            if marker in Path(f"/proc/{pid}/cmdline").read_bytes():
                found.append(int(pid))
        except OSError:
            pass
    return found


@needs_bwrap
def test_daemonized_grandchild_dies_on_close() -> None:
    marker = f"{os.getpid() % 1000}.{time.time_ns() % 10**6:06d}"
    source = f'''
def daemonize():
    child = os.fork()
    if child == 0:
        os.setsid()
        if os.fork() == 0:
            os.execv("/usr/bin/sleep", ["sleep", "{marker}"])
        os._exit(0)
    os.waitpid(child, 0)
    return True
'''
    box = sandbox(source)
    with box:
        assert box.call("daemonize") is True
        deadline = time.monotonic() + SETTLE_SECONDS
        while not _processes_with(marker.encode()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert _processes_with(marker.encode())  # it really runs
    deadline = time.monotonic() + SETTLE_SECONDS
    while _processes_with(marker.encode()) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not _processes_with(marker.encode())


@needs_bwrap
def test_killing_the_parent_does_not_hurt_the_grader() -> None:
    cells = [("setup", "import os, signal\n"),
             ("kill", "os.kill(os.getppid(), signal.SIGKILL)\nos.kill(1, signal.SIGKILL)\n"),
             ("after", "def f():\n    return os.getpid()\n")]
    with Sandbox(cells, limits=ROOMY) as box:
        assert box.cell_reports[2].status == "ok"
        assert box.call("f") != os.getpid()  # and this process is still here to check


def test_close_kills_the_child_and_garbage_collection_too() -> None:
    box = sandbox("def pid():\n    return 1\n")
    box.call("pid")
    process = box._child.proc  # type: ignore[union-attr]
    assert process.poll() is None
    del box
    assert process.wait(timeout=SETTLE_SECONDS) is not None


def test_sandboxes_in_several_threads() -> None:
    errors: list[BaseException] = []

    def grade(value: float) -> None:
        try:
            for _ in range(3):  # the third takes the spare child the second started
                with sandbox("def f(x):\n    return x + 1\n") as box:
                    assert box.call("f", np.full(2, value)).tolist() == [value + 1] * 2
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=grade, args=(float(i),)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []


def test_spare_children_are_started_where_a_next_sandbox_is_likely() -> None:
    """A thread's first sandbox starts no spare child (``rnnkit grade`` would not use it);
    from its second on, each starts the next one's; ``start_ahead`` starts the first one's,
    which that sandbox then takes."""
    seen: dict[str, object] = {}

    def grade() -> None:
        spare = box_module._spare  # this thread's
        with sandbox("x = 1\n", insecure=True) as box:
            seen["one sandbox"] = spare.child
        with sandbox("x = 1\n", insecure=True) as box:
            seen["two sandboxes"] = spare.child is not None and spare.child.alive()
        spare.child.kill()
        spare.child = None
        box_module.start_ahead(ROOMY, insecure=True)
        started = spare.child
        with sandbox("x = 1\n", insecure=True) as box:
            seen["started ahead"] = box._child is started and box.cell_reports[1].status

    thread = threading.Thread(target=grade)
    thread.start()
    thread.join()
    assert seen == {"one sandbox": None, "two sandboxes": True, "started ahead": "ok"}


# --- isolation and insecure mode ----------------------------------------------------------------


def test_detect_isolation_describes_what_works() -> None:
    isolation = detect_isolation()
    assert isolation is detect_isolation()  # cached
    assert isolation.kind in ("bwrap", "none") and isolation.detail
    if isolation.kind == "bwrap":
        assert isolation.detail.startswith("bubblewrap")


def test_no_isolation_refuses_unless_insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(box_module, "detect_isolation",
                        lambda: Isolation("none", "bwrap not found: install bubblewrap"))
    with pytest.raises(IsolationUnavailable) as caught:
        sandbox("")
    assert "bwrap not found" in str(caught.value) and "--insecure" in str(caught.value)
    assert "apt-get install bubblewrap" in str(caught.value)
    source = f"def where(x):\n    return x + 1, os.path.exists({str(REPO)!r})\n"
    with sandbox(source, insecure=True) as box:
        result, sees_repo = box.call("where", np.ones(2))
        assert result.tolist() == [2.0, 2.0] and sees_repo  # a plain subprocess
        with pytest.raises(StudentError):
            box.call("where")
    with sandbox("def spin():\n    while True:\n        pass\n", FAST, insecure=True) as box:
        with pytest.raises(StudentError) as timeout:
            box.call("spin")
        assert timeout.value.kind == "timeout"


@pytest.mark.skipif(
    os.geteuid() != 0 or detect_isolation().kind != "bwrap"
    or not Path("/usr/bin/setpriv").exists() or not Path("/usr/bin/python3.11").exists(),
    reason="needs root, setpriv and a system python3.11 to act as an instructor")
def test_works_for_an_unprivileged_instructor() -> None:
    import numpy

    # The instructor's own copy of numpy and rnnkit: the checkout itself may sit in a folder
    # only root can enter (mktemp -d makes such folders).
    site = Path(tempfile.mkdtemp(prefix="rnnkit-instructor-"))
    try:
        site.chmod(0o755)
        packages = Path(numpy.__file__).parents[1]
        for name in ("numpy", "numpy.libs"):
            if (packages / name).exists():
                shutil.copytree(packages / name, site / name)
        shutil.copytree(REPO / "autograder" / "rnnkit", site / "rnnkit")
        script = f'''
import sys
sys.path[:0] = [{str(site)!r}]
import numpy as np
from rnnkit.sandbox import Limits, Sandbox, detect_isolation
assert "user namespaces" in detect_isolation().detail, detect_isolation()
source = "import os\\ndef f(x):\\n    return x * 2, os.getuid()\\n"
with Sandbox([("code", source)], limits=Limits(processes=8)) as box:
    doubled, uid = box.call("f", np.ones(2))
    assert doubled.tolist() == [2.0, 2.0] and uid == 65534, (doubled, uid)
print("instructor ok")
'''
        result = subprocess.run(
            ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
             "/usr/bin/python3.11", "-S", "-B", "-c", script],
            # About 2 s of work; the timeout only stops a hang, so it may be generous.
            capture_output=True, text=True, timeout=300, cwd="/", env={"PATH": "/usr/bin:/bin"})
    finally:
        shutil.rmtree(site, ignore_errors=True)
    assert result.stdout.strip() == "instructor ok", result.stderr
