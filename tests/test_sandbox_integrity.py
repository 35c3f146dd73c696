"""Nothing of one student reaches another, the grader's inputs stay hidden, a submission's time is
bounded, and correct answers come back from the sandbox as the student's own code returned them.

- The system-call filter: its BPF program, run here by a small interpreter, refuses what it
  must on every supported machine and ends calls from other ABIs; inside the sandbox, nothing
  one student plants (kernel keyring, /dev/shm, /tmp, SysV IPC, abstract sockets) is found by
  the next sandbox running as the same uid, and a control run with the filter replaced by one
  that allows everything shows the probe does find a planted key.
- The time budget per submission (Limits.submission_seconds): cells, calls and restarts count;
  once it is spent every call fails at once.
- Output: what cells print is shown; what functions print while the grader calls them is only
  counted.
- Return types: namedtuple and dataclass caches stay whole, list pairs split like tuples,
  extended-precision floats arrive as float64; every correct variant of the catalogue gets full
  marks when graded as a real notebook.

Time limits here are wall-clock. Where the budget is meant to run out, sleeps of the student's
code give a lower bound on the time used, so a loaded machine only runs it out sooner; every
other limit is far above what the code needs (ROOMY).
"""

from __future__ import annotations

import errno
import itertools
import platform
import re
import socket
import struct
import time
from dataclasses import replace
from pathlib import Path

import nbformat
import numpy as np
import pytest

from rnnkit.grading.engine import grade_notebook
from rnnkit.kit.paths import KIT_ROOT, RELEASES
from rnnkit.nb.catalogue import load_entries
from rnnkit.nb.fill import answers_for_functions, fill_release, source_answers
from rnnkit.sandbox import (
    Handle,
    Limits,
    Sandbox,
    StudentError,
    detect_isolation,
    isolation,
    seccomp,
)

ROOMY = Limits(call_seconds=30.0, cell_seconds=30.0, memory_bytes=2**30, processes=8)
needs_bwrap = pytest.mark.skipif(detect_isolation().kind != "bwrap",
                                 reason=f"no isolation here: {detect_isolation().detail}")
INSECURE = detect_isolation().kind != "bwrap"  # the channel and the budget work either way


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RNNKIT_LANG", "en")


def sandbox(source: str, limits: Limits = ROOMY) -> Sandbox:
    return Sandbox([("setup", "import numpy as np, os, sys, time\n"), ("code", source)],
                   limits=limits, insecure=INSECURE)


# --- the system-call filter, read instruction by instruction -----------------------------------

ALLOW, KILL_PROCESS = 0x7FFF0000, 0x80000000
EPERM, ENOSYS = 0x00050000 | errno.EPERM, 0x00050000 | errno.ENOSYS
AUDIT_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
OTHER_ABI = {"x86_64": 0x40000003, "aarch64": 0x40000028}  # i386 (int 0x80), arm32
# The calls the tests name, from the kernel's tables (independent of the module's own).
NUMBERS = {
    "x86_64": {"read": 0, "add_key": 248, "request_key": 249, "keyctl": 250, "clone": 56,
               "clone3": 435, "unshare": 272, "socket": 41, "ptrace": 101, "bpf": 321},
    "aarch64": {"read": 63, "add_key": 217, "request_key": 218, "keyctl": 219, "clone": 220,
                "clone3": 435, "unshare": 97, "socket": 198, "ptrace": 117, "bpf": 280},
}
HEADERS = {"x86_64": ("/usr/include/x86_64-linux-gnu/asm/unistd_64.h",
                      "/usr/include/asm/unistd_64.h"),
           "aarch64": ("/usr/include/asm-generic/unistd.h",)}
NAMESPACE_FLAGS = {"CLONE_NEWNS": 0x00020000, "CLONE_NEWCGROUP": 0x02000000,
                   "CLONE_NEWUTS": 0x04000000, "CLONE_NEWIPC": 0x08000000,
                   "CLONE_NEWUSER": 0x10000000, "CLONE_NEWPID": 0x20000000,
                   "CLONE_NEWNET": 0x40000000, "CLONE_NEWTIME": 0x00000080}
FORK_FLAGS = 0x01200011  # CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID | SIGCHLD, as glibc's fork
THREAD_FLAGS = 0x003D0F00  # CLONE_VM | FS | FILES | SIGHAND | THREAD | SYSVSEM | SETTLS | ...
SIGCHLD = 17
MACHINES = tuple(AUDIT_ARCH)


def filter_for(machine: str, monkeypatch: pytest.MonkeyPatch) -> bytes:
    monkeypatch.setattr(seccomp.platform, "machine", lambda: machine)
    return seccomp.syscall_filter.__wrapped__()  # the cached one is this machine's


def run_filter(program: bytes, arch: int, number: int, arg0: int = 0) -> int:
    """The action the kernel takes for one call: classic BPF run over struct seccomp_data."""
    data = struct.pack("<iIQ6Q", number, arch, 0, arg0, 0, 0, 0, 0, 0)
    instructions = [struct.unpack_from("<HBBI", program, at) for at in range(0, len(program), 8)]
    position, accumulator = 0, 0
    for _ in range(len(instructions)):  # jumps only go forward
        code, if_true, if_false, value = instructions[position]
        if code == 0x20:  # load a 32-bit word of seccomp_data
            accumulator = struct.unpack_from("<I", data, value)[0]
            position += 1
        elif code == 0x06:  # return an action
            return value
        else:
            taken = {0x15: accumulator == value, 0x35: accumulator >= value,
                     0x45: bool(accumulator & value)}[code]
            position += 1 + (if_true if taken else if_false)
    raise AssertionError("the program ran off its end")


@pytest.mark.parametrize("machine", MACHINES)
def test_filter_refuses_keyrings_and_the_rest_of_its_list(machine, monkeypatch) -> None:
    program, arch = filter_for(machine, monkeypatch), AUDIT_ARCH[machine]
    numbers = NUMBERS[machine]
    for name in ("add_key", "request_key", "keyctl", "ptrace", "bpf"):
        assert name in seccomp._DENIED
        assert run_filter(program, arch, numbers[name]) == EPERM, name
    for name in seccomp._DENIED:
        number = seccomp._SYSCALLS[name][seccomp._ARCHES[machine][1]]
        assert run_filter(program, arch, number) == EPERM, name
    assert run_filter(program, arch, numbers["read"]) == ALLOW


@pytest.mark.parametrize("machine", MACHINES)
def test_filter_refuses_new_namespaces_but_not_processes(machine, monkeypatch) -> None:
    program, arch = filter_for(machine, monkeypatch), AUDIT_ARCH[machine]
    clone, unshare = NUMBERS[machine]["clone"], NUMBERS[machine]["unshare"]
    for name, flag in NAMESPACE_FLAGS.items():
        assert run_filter(program, arch, clone, FORK_FLAGS | flag) == EPERM, name
        assert run_filter(program, arch, unshare, flag) == EPERM, name
    assert run_filter(program, arch, clone, FORK_FLAGS) == ALLOW
    assert run_filter(program, arch, clone, THREAD_FLAGS) == ALLOW
    assert run_filter(program, arch, clone, SIGCHLD) == ALLOW
    assert run_filter(program, arch, unshare, 0x200) == ALLOW  # CLONE_FS: no namespace
    # clone3's flags are in memory the filter cannot read: ENOSYS makes libc use clone.
    assert run_filter(program, arch, NUMBERS[machine]["clone3"]) == ENOSYS
    assert run_filter(program, arch, NUMBERS[machine]["socket"], socket.AF_VSOCK) == EPERM
    for domain in (socket.AF_UNIX, socket.AF_INET, socket.AF_INET6):
        assert run_filter(program, arch, NUMBERS[machine]["socket"], domain) == ALLOW


@pytest.mark.parametrize("machine", MACHINES)
def test_filter_ends_calls_from_other_abis(machine, monkeypatch) -> None:
    program = filter_for(machine, monkeypatch)
    for number in (0, 1, 248, 250, 288):  # e.g. i386's keyctl is 288
        assert run_filter(program, OTHER_ABI[machine], number) == KILL_PROCESS
    if machine == "x86_64":  # x32: the x86_64 arch value, numbers with bit 30 set
        for number in (0, 248, 250):
            assert run_filter(program, AUDIT_ARCH[machine], 0x40000000 | number) == KILL_PROCESS


@pytest.mark.parametrize("machine", MACHINES)
def test_filter_numbers_match_the_kernel_headers(machine) -> None:
    header = next((Path(p) for p in HEADERS[machine] if Path(p).exists()), None)
    if header is None:
        pytest.skip(f"no kernel headers for {machine} here")
    defined = {name: int(number) for name, number in
               re.findall(r"#define __NR_(\w+)\s+(\d+)\b", header.read_text())}
    column = seccomp._ARCHES[machine][1]
    wrong = {name: (numbers[column], defined.get(name))
             for name, numbers in seccomp._SYSCALLS.items()
             if defined.get(name) != numbers[column]}
    assert wrong == {}


def test_no_filter_means_no_isolation(monkeypatch) -> None:
    if detect_isolation().kind != "bwrap":
        pytest.skip("bubblewrap is not usable here anyway")
    monkeypatch.setattr(seccomp.platform, "machine", lambda: "riscv64")
    found = isolation.detect_isolation.__wrapped__()
    assert found.kind == "none" and "riscv64" in found.detail
    with pytest.raises(RuntimeError):
        seccomp.syscall_filter.__wrapped__()


# --- the filter in force: nothing survives for the next student --------------------------------

PROBES = r'''
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = (ctypes.c_int, ctypes.c_void_p, ctypes.c_int)
ADD_KEY, REQUEST_KEY, KEYCTL = {add_key}, {request_key}, {keyctl}
USER_KEYRING, KEYCTL_READ, KEYCTL_INVALIDATE = -4, 11, 21
PAYLOAD = b"planted by an earlier student"
SHM_KEY, IPC_CREAT, SHM_RDONLY = 0x524E4E4B, 0o1000, 0o10000
ABSTRACT = b"\0rnnkit-planted"
kept = []

def plant():
    planted = {{}}
    key = libc.syscall(ADD_KEY, b"user", b"rnnkit-planted", PAYLOAD, len(PAYLOAD), USER_KEYRING)
    planted["keyring"] = key > 0
    for folder in ("/dev/shm", "/tmp"):
        try:
            with open(folder + "/planted", "wb") as out:
                out.write(PAYLOAD)
            planted[folder] = True
        except OSError:
            planted[folder] = False
    segment = libc.shmget(SHM_KEY, 4096, IPC_CREAT | 0o666)
    address = libc.shmat(segment, None, 0) if segment >= 0 else None
    if address not in (None, ctypes.c_void_p(-1).value):
        ctypes.memmove(address, PAYLOAD, len(PAYLOAD))
    planted["SysV IPC"] = address not in (None, ctypes.c_void_p(-1).value)
    server = socket.socket(socket.AF_UNIX)
    server.bind(ABSTRACT)
    server.listen()
    kept.append(server)  # open as long as this sandbox lives
    planted["abstract socket"] = True
    return planted, os.getuid()

def find():
    found = {{}}
    key = libc.syscall(REQUEST_KEY, b"user", b"rnnkit-planted", None, 0)
    buffer = ctypes.create_string_buffer(256)
    size = libc.syscall(KEYCTL, KEYCTL_READ, key, buffer, 256) if key > 0 else -1
    found["keyring"] = size > 0 and buffer.raw[:size] == PAYLOAD
    if key > 0:
        libc.syscall(KEYCTL, KEYCTL_INVALIDATE, key)  # leave the machine's keyrings as they were
    for folder in ("/dev/shm", "/tmp"):
        found[folder] = os.path.exists(folder + "/planted")
    segment = libc.shmget(SHM_KEY, 0, 0)
    address = libc.shmat(segment, None, SHM_RDONLY) if segment >= 0 else None
    found["SysV IPC"] = (address not in (None, ctypes.c_void_p(-1).value)
                         and ctypes.string_at(address, len(PAYLOAD)) == PAYLOAD)
    try:
        socket.socket(socket.AF_UNIX).connect(ABSTRACT)
        found["abstract socket"] = True
    except OSError:
        found["abstract socket"] = False
    return found, os.getuid()
'''
CHANNELS = ("keyring", "/dev/shm", "/tmp", "SysV IPC", "abstract socket")


def probes() -> str:
    numbers = NUMBERS.get(platform.machine())
    if numbers is None:
        pytest.skip(f"the probes know no syscall numbers for {platform.machine()}")
    return PROBES.format(**numbers)


def one_uid_for_every_sandbox(monkeypatch: pytest.MonkeyPatch) -> Limits:
    """Every new child gets the same uid (as the 9th sandbox of a worker would), and limits no
    other test uses, so that no spare child started earlier, with another uid, is taken."""
    monkeypatch.setattr(isolation, "_uid_slots", itertools.repeat(5))
    return replace(ROOMY, output_bytes=ROOMY.output_bytes + 1)


@needs_bwrap
def test_nothing_planted_reaches_the_next_student_with_the_same_uid(monkeypatch) -> None:
    limits = one_uid_for_every_sandbox(monkeypatch)
    source = probes()
    with sandbox(source, limits) as first:
        planted, uid = first.call("plant")
        # What works inside one sandbox, and what the filter or a read-only /dev refuses.
        assert planted == {"keyring": False, "/dev/shm": False, "/tmp": True, "SysV IPC": True,
                           "abstract socket": True}
        with sandbox(source, limits) as meanwhile:
            found, same_uid = meanwhile.call("find")
        assert same_uid == uid
        assert found == dict.fromkeys(CHANNELS, False)
    with sandbox(source, limits) as later:
        found, same_uid = later.call("find")
    assert same_uid == uid
    assert found == dict.fromkeys(CHANNELS, False)


@needs_bwrap
def test_without_the_filter_the_probe_finds_a_planted_key(monkeypatch) -> None:
    """The control: the probe above can fail. Only the keyring is the filter's to protect."""
    limits = one_uid_for_every_sandbox(monkeypatch)
    limits = replace(limits, output_bytes=limits.output_bytes + 1)
    allow_everything = struct.pack("<HBBI", 0x06, 0, 0, ALLOW)
    monkeypatch.setattr(seccomp, "syscall_filter", lambda: allow_everything)
    source = probes()
    with sandbox(source, limits) as first:
        planted, _ = first.call("plant")
    if not planted["keyring"]:
        pytest.skip("keyrings are out of reach here even without rnnkit's filter")
    with sandbox(source, limits) as later:
        found, _ = later.call("find")  # also removes the key again
    assert found == {**dict.fromkeys(CHANNELS, False), "keyring": True}


@needs_bwrap
def test_threads_processes_and_sockets_still_work_under_the_filter() -> None:
    source = '''
import socket, subprocess, threading
def work():
    done = []
    thread = threading.Thread(target=lambda: done.append(1))  # clone3 -> ENOSYS -> clone
    thread.start()
    thread.join()
    child = subprocess.run(["/bin/true"]).returncode
    pid = os.fork()
    if pid == 0:
        os._exit(3)
    forked = os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    left, right = socket.socketpair()
    left.sendall(b"ok")
    return len(done), child, forked, right.recv(2) == b"ok"
'''
    with sandbox(source) as box:
        assert box.call("work") == (1, 0, 3, True)


# --- the time budget of a submission -----------------------------------------------------------

def test_calls_stop_when_the_submission_time_is_spent() -> None:
    limits = replace(ROOMY, submission_seconds=3.0)
    with sandbox("def slow(seconds):\n    time.sleep(seconds)\n    return seconds\n",
                 limits) as box:
        assert box.call("slow", 0.2) == 0.2
        assert box.call("slow", 0.2) == 0.2
        with pytest.raises(StudentError) as cut:
            box.call("slow", 10.0)  # cut at 3 s in all, far below its call limit (30 s)
        assert cut.value.kind == "timeout"
        assert "used up its 3 s of grading time" in cut.value.message
        assert box.out_of_time and not box.alive
        with pytest.raises(StudentError) as again:
            box.call("slow", 0.0)
        assert "used up its 3 s" in again.value.message
        assert not box.alive and not box.defined("slow")  # no restart for them


def test_restarts_count_against_the_submission_time() -> None:
    # Every call ends the process, and every restart re-runs a cell that sleeps 0.5 s: the
    # budget of 2 s lets at most 4 restarts finish (function_seconds alone would allow ~200).
    limits = replace(ROOMY, submission_seconds=2.0, function_seconds=100.0)
    source = "time.sleep(0.5)\ndef crash():\n    os._exit(1)\n"
    with sandbox(source, limits) as box:
        messages = []
        for _ in range(50):
            with pytest.raises(StudentError) as failed:
                box.call("crash")
            messages.append(failed.value.message)
            if box.out_of_time:
                break
        restarts = box.output.count("[the sandbox was restarted]")
    assert 1 <= restarts <= 5, restarts
    assert "stopped the sandbox" in messages[0]
    assert "used up its 2 s of grading time" in messages[-1]


def test_cells_stop_when_the_submission_time_is_spent() -> None:
    limits = replace(ROOMY, submission_seconds=3.0)
    cells = [(f"cell{n}", f"import time\ntime.sleep({seconds})\ndef f{n}():\n    return {n}\n")
             for n, seconds in enumerate((0.2, 0.2, 10, 0.2, 0.2))]
    with Sandbox(cells, limits=limits, insecure=INSECURE) as box:
        reports = box.cell_reports
        assert [r.status for r in reports[:2]] == ["ok", "ok"]
        assert reports[2].status == "timeout" and "used up its 3 s" in reports[2].message
        assert [r.status for r in reports[3:]] == ["not-run", "not-run"]
        assert all("used up its 3 s" in r.message for r in reports[3:])
        with pytest.raises(StudentError, match="used up its 3 s"):
            box.call("f0")


def test_the_default_budget_is_documented_and_generous() -> None:
    default = Limits()
    assert default.submission_seconds == 60.0
    assert default.submission_seconds > default.cell_seconds
    readme = (KIT_ROOT / "README.md").read_text(encoding="utf-8")
    assert "60 s for all of a submission's cells and calls" in readme


# --- what students see of the output -----------------------------------------------------------

def test_cells_output_is_shown_and_calls_output_only_counted() -> None:
    source = '''
import threading
print("hello from the cell")
def show(x):
    print("SECRET", int(x))
    sys.stderr.write("SECRET-ERR\\n")
    return x
def later(x):
    threading.Timer(0.2, lambda: print("SECRET-LATER", int(x), flush=True)).start()
    return x
'''
    with sandbox(source) as box:
        assert box.call("show", 7) == 7  # "SECRET 7\n" and "SECRET-ERR\n": 20 bytes
        assert box.call("show", 12) == 12  # 21 more bytes
        assert box.hidden_output == (41, 4)
        assert box.call("later", 5) == 5
        time.sleep(1.0)  # printed while no call runs: still the calls' output, never shown
        output = box.output
    assert "hello from the cell" in output
    assert "SECRET" not in output


def test_the_report_hides_what_functions_print_during_the_tests(tmp_path: Path) -> None:
    answers = source_answers("rnn")
    printing_clip = answers["answer_clip_gradients"].replace(
        "def clip_gradients(grads, max_norm):",
        "print('hello from the cell')\n\ndef clip_gradients(grads, max_norm):\n"
        "    print('LEAKED-INPUT', max_norm, {k: g.tolist() for k, g in grads.items()})")
    assert printing_clip != answers["answer_clip_gradients"]
    path = tmp_path / "rnn.ipynb"
    nbformat.write(fill_release(RELEASES / "rnn" / "rnn.ipynb",
                                {**answers, "answer_clip_gradients": printing_clip}), path)
    report = grade_notebook(path, "rnn", insecure=INSECURE, limits=ROOMY)
    text = report.to_text()
    assert report.score == report.max_score, text
    assert "hello from the cell" in text
    assert "LEAKED-INPUT" not in text and "dW_xh': [[" not in text
    assert re.search(r"Your functions printed \d+ bytes \(\d+ lines\) while the hidden tests "
                     r"called them", text), text


def test_the_report_says_when_the_submission_time_ran_out(tmp_path: Path) -> None:
    answers = source_answers("rnn")
    slow_first = "import time\ntime.sleep(1.5)\n" + answers["answer_rnn_cell_forward"]
    path = tmp_path / "rnn.ipynb"
    nbformat.write(fill_release(RELEASES / "rnn" / "rnn.ipynb",
                                {**answers, "answer_rnn_cell_forward": slow_first}), path)
    limits = replace(ROOMY, submission_seconds=1.0)
    report = grade_notebook(path, "rnn", insecure=INSECURE, limits=limits)
    text = report.to_text()
    assert report.score == 0.0, text
    assert "The submission used up its 1 s of grading time" in text


# --- return types ------------------------------------------------------------------------------

RETURNS = '''
from collections import OrderedDict, namedtuple
from dataclasses import dataclass
Cache = namedtuple("Cache", "x scale")
Pair = namedtuple("Pair", "h cache")

@dataclass
class Box:
    x: object

def forward(x):
    return x * 2, Cache(x, 2.0)

def backward(cache):
    return cache.x * cache.scale  # a plain tuple would have no .x

def as_list(x):
    return [x + 1, Box(x)]

def unbox(box):
    return box.x

def outer_namedtuple(x):
    return Pair(x, Cache(x, 3.0))

def data_tuple(x):
    return (x, (1, 2.5)), [x, [x]]

def ordered(x):
    return OrderedDict(a=x)

def wide(x):
    return x.astype(np.longdouble), np.float16(0.5), x.astype(np.float16), np.longdouble(2) / 3
'''


def test_namedtuple_and_dataclass_caches_stay_whole() -> None:
    x = np.arange(3.0)
    with sandbox(RETURNS) as box:
        doubled, cache = box.call("forward", x)
        assert isinstance(cache, Handle) and cache.type_name == "Cache"
        assert np.array_equal(doubled, 2 * x)
        assert np.array_equal(box.call("backward", cache), 2 * x)
        h, cache = box.call("outer_namedtuple", x)  # the outer pair splits, whatever its class
        assert np.array_equal(h, x) and isinstance(cache, Handle)
        assert np.array_equal(box.call("backward", cache), 3 * x)


def test_a_list_pair_splits_like_a_tuple() -> None:
    x = np.arange(3.0)
    with sandbox(RETURNS) as box:
        pair = box.call("as_list", x)
        assert type(pair) is list and len(pair) == 2
        assert np.array_equal(pair[0], x + 1) and isinstance(pair[1], Handle)
        assert np.array_equal(box.call("unbox", pair[1]), x)
        result = box.call("data_tuple", x)  # plain data keeps its exact containers
        assert type(result) is tuple and type(result[0]) is tuple and type(result[1]) is list
        assert result[0][1] == (1, 2.5) and type(result[1][1]) is list
        ordered = box.call("ordered", x)
        assert type(ordered) is dict and np.array_equal(ordered["a"], x)


def test_extended_precision_floats_arrive_as_float64() -> None:
    x = np.array([0.1, 1.0 / 3.0])
    with sandbox(RETURNS) as box:
        long_array, half, half_array, third = box.call("wide", x)
    assert long_array.dtype == np.float64 and np.array_equal(long_array, x)
    assert type(half) is np.float64 and half == 0.5
    assert half_array.dtype == np.float64
    assert np.array_equal(half_array, x.astype(np.float16).astype(np.float64))
    assert type(third) is np.float64 and third == pytest.approx(2 / 3, rel=1e-15)


# --- every correct variant through the sandbox -------------------------------------------------

VARIANTS = [(assignment, entry) for assignment in ("rnn", "lstm")
            for entry in load_entries(KIT_ROOT / "tests" / "correct" / assignment)]


@pytest.mark.slow
@pytest.mark.parametrize("assignment, entry", VARIANTS,
                         ids=[f"{a}-{e.slug}" for a, e in VARIANTS])
def test_correct_variant_gets_full_marks_as_a_notebook(assignment, entry, tmp_path) -> None:
    answers = source_answers(assignment)
    mine = answers_for_functions(entry.code_by_function)
    # A helper with no answer cell of its own (a sigmoid of its own, where the notebook gives
    # one in a set-up cell) goes first in the first answer cell, which runs after the set-up.
    helpers = [code for grade_id, code in mine.items() if grade_id not in answers]
    first = next(grade_id for grade_id in answers if grade_id in mine)
    mine = {grade_id: code for grade_id, code in mine.items() if grade_id in answers}
    mine[first] = "\n\n".join([*helpers, mine[first]])
    path = tmp_path / f"{assignment}.ipynb"
    nbformat.write(fill_release(RELEASES / assignment / f"{assignment}.ipynb",
                                {**answers, **mine}), path)
    report = grade_notebook(path, assignment, insecure=INSECURE, limits=ROOMY)
    assert report.score == report.max_score, report.to_text()
