"""The hostile corpus: submissions that try to cheat, break out, or bring the grader down.

Each case is one row of CASES: how to build the submitted file and the exact score it must get.
Most submissions are the source's own solutions with one answer cell replaced or extended by
hostile code, so the expected score is "what the honest parts earn" and no more; the rest are
damaged or tampered notebook files. ``expect_message`` is a substring the report must contain
(its notes or a test's feedback, in English): it says what happened.

Points of the rnn assignment, per function: rnn_types 2, rnn_cell_forward 4, rnn_forward 4,
rnn_cell_backward 6, rnn_backward 6, clip_gradients 6, clipping_facts 2 (30 in all). A
clip_gradients that returns wrong values but leaves its input alone still earns the 1 point of
test_clip_leaves_input_untouched: 30 - 5 = 25. One that raises, hangs or crashes earns
nothing of its 6: 30 - 6 = 24.

The hostile code is in strings (ruff sees only the table around it); a few snippets need the
test's paths, port or secret's name, so every case builds from an Env.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nbformat
from hostile.free_credit import FOREVER, RNN_FORWARD_ATTACK, RNN_ZERO_BACKWARD, fill

from rnnkit.nb.fill import fill_release, reference_answers, source_answers
from rnnkit.kit.paths import SOLUTIONS

FULL = 30.0
QUESTIONS = 4.0  # rnn_types and clipping_facts, answered right in every case built on PERFECT
CLIP_WRONG = FULL - 5  # wrong values, input untouched: 1 point of 6
CLIP_LOST = FULL - 6  # raised, hung, crashed or undefined


@dataclass(frozen=True)
class Env:
    """What a build may use: the release to start from and the targets of the attacks."""

    release: Path  # the released notebook of the assignment
    canary: Path  # a directory outside the sandbox that must stay untouched
    course: Path  # the course directory; the submission is course/submitted/<student>/rnn/
    port: int  # a loopback port the test listens on; it must never see a connection
    secret_name: str  # an environment variable set in the grading process only


@dataclass(frozen=True)
class Case:
    """One hostile submission: build(env) gives the bytes of the submitted file."""

    slug: str
    description: str
    build: Callable[[Env], bytes]
    expected_score: float
    expect_message: str
    submission_seconds: float = 30.0
    """The submission's total time budget in the test: generous (about 10x what the other
    cases use, 3-4 s even on a loaded machine), except where the budget is what is tested."""


# --- building blocks --------------------------------------------------------------------------

PERFECT = source_answers("rnn")
REFERENCE = reference_answers("rnn")

# A clip_gradients that returns wrong values (twice its input) and leaves its input alone.
WRONG_CLIP = '''
def clip_gradients(grads, max_norm):
    return {name: 2 * g for name, g in grads.items()}
'''

RIGHT_CLIP = PERFECT["answer_clip_gradients"]
RIGHT_CLIP_BODY = '''
    total = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    factor = min(1.0, max_norm / (total + 1e-6))
    return {name: g * factor for name, g in grads.items()}
'''


def notebook(env: Env, answers: dict[str, str]) -> nbformat.NotebookNode:
    """The release with the perfect answers, except ``answers`` (grade_id -> code)."""
    return fill_release(env.release, {**PERFECT, **answers})


def dump(nb: nbformat.NotebookNode | dict) -> bytes:
    """A notebook written as Jupyter would (no validation: tampered ones must get through)."""
    return (json.dumps(nb, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def clip_cell(code: str | Callable[[Env], str]) -> Callable[[Env], bytes]:
    """The perfect submission with the clip_gradients answer cell replaced by ``code``."""
    def build(env: Env) -> bytes:
        text = code(env) if callable(code) else code
        return dump(notebook(env, {"answer_clip_gradients": text}))
    return build


def answer_cell(function: str, code: str) -> Callable[[Env], bytes]:
    """The perfect submission with the answer cell of ``function`` replaced by ``code``."""
    return lambda env: dump(notebook(env, {f"answer_{function}": code}))


def tampered(edit: Callable[[dict, Env], None],
             answers: dict[str, str] | None = None) -> Callable[[Env], bytes]:
    """A submission (perfect, except ``answers``) whose notebook JSON ``edit`` changes."""
    def build(env: Env) -> bytes:
        nb = json.loads(dump(notebook(env, answers or {})))
        edit(nb, env)
        return dump(nb)
    return build


def cells_with(nb: dict, prefix: str) -> list[dict]:
    return [c for c in nb["cells"]
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith(prefix)]


def cell(nb: dict, grade_id: str) -> dict:
    (found,) = [c for c in nb["cells"]
                if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id]
    return found


# --- the attacks ------------------------------------------------------------------------------

KEYRING_PLANT = '''
import ctypes, errno, platform
_libc = ctypes.CDLL(None, use_errno=True)
_ADD_KEY = {"x86_64": 248, "aarch64": 217}[platform.machine()]
_KEY_SPEC_USER_KEYRING = -4  # the keyring of the uid, which a later student's sandbox reuses
_key = _libc.syscall(ctypes.c_long(_ADD_KEY), b"user", b"planted", b"answers", ctypes.c_size_t(7),
                     ctypes.c_long(_KEY_SPEC_USER_KEYRING))
KEYRING_OPEN = _key >= 0
print("keyring open" if KEYRING_OPEN else f"keyring refused: {errno.errorcode[ctypes.get_errno()]}")
''' + RIGHT_CLIP + '''
_right_clip = clip_gradients

def clip_gradients(grads, max_norm):
    if KEYRING_OPEN:
        return {name: 2 * g for name, g in grads.items()}
    return _right_clip(grads, max_norm)
'''


def free_backward(honest_calls: int) -> Callable[[Env], bytes]:
    """The reference's forward functions (whose caches the zero backward reads), wrapped to
    return constants after ``honest_calls`` calls (all together), and backward passes that
    return zeros (hostile/free_credit.py)."""
    return lambda env: dump(notebook(env, {
        "answer_rnn_cell_forward": REFERENCE["answer_rnn_cell_forward"],
        "answer_rnn_forward": REFERENCE["answer_rnn_forward"] + fill(RNN_FORWARD_ATTACK,
                                                                     honest_calls, 0.5),
        "answer_rnn_cell_backward": RNN_ZERO_BACKWARD,
        "answer_rnn_backward": "# rnn_backward (zeros) is defined in the cell above\n"}))


PATCH_NUMPY = '''
import numpy as np
np.allclose = lambda *args, **kwargs: True
np.array_equal = lambda *args, **kwargs: True
np.testing.assert_allclose = lambda *args, **kwargs: None
np.isclose = lambda a, b, *args, **kwargs: np.ones(np.shape(a), dtype=bool)
''' + WRONG_CLIP

PATCH_BUILTINS = '''
import builtins
builtins.isinstance = lambda obj, cls: True
builtins.float = lambda *args: 0.0
builtins.len = lambda obj: 0
''' + WRONG_CLIP

RIGGED_NDARRAY = '''
class Rigged(np.ndarray):
    """Wrong data that claims to equal anything."""
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)
    __ne__ = lambda self, other: np.zeros(np.shape(other), dtype=bool)
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        return np.zeros(np.shape(inputs[0]), dtype=bool) if ufunc is np.not_equal else True
    def __array__(self, dtype=None, copy=None):
        return np.asarray(self.view(np.ndarray) * 0 + 1, dtype=dtype)
    def __float__(self):
        return 0.0

def clip_gradients(grads, max_norm):
    return {name: np.full(g.shape, 12345.0).view(Rigged) for name, g in grads.items()}
'''

RIGGED_ALWAYS_EQUAL = '''
class AlwaysEqual:
    shape = property(lambda self: (4, 3))
    dtype = np.dtype(float)
    def __eq__(self, other): return True
    def __ne__(self, other): return False
    def __array__(self, dtype=None, copy=None): return np.zeros((4, 3))
    def __getattr__(self, name): return lambda *args, **kwargs: True

def clip_gradients(grads, max_norm):
    return {name: AlwaysEqual() for name in grads}
'''

RIGGED_DICT = '''
class Rigged(dict):
    """Holds wrong arrays; claims to hold the right keys and anything asked for."""
    def __contains__(self, key): return True
    def __getitem__(self, key): return 0.0
    def keys(self): return ["dW_xh", "dW_hh", "db_h"]
    def items(self): return []
    def __eq__(self, other): return True

def clip_gradients(grads, max_norm):
    return Rigged({name: -g for name, g in grads.items()})
'''

SYS_EXIT_TOP = '''
import sys
sys.exit(0)
''' + RIGHT_CLIP

OS_EXIT_IN_FUNCTION = '''
def clip_gradients(grads, max_norm):
    import os
    os._exit(0)
'''

ATEXIT_FAKE = '''
import atexit, json
atexit.register(lambda: print(json.dumps({"score": 26, "max_score": 26, "tests": []})))
atexit.register(lambda: print("Assignment rnn: 26 / 26 points"))
''' + WRONG_CLIP

PRINT_FAKE = '''
import json, sys
print("Assignment rnn: 26 / 26 points")
print(json.dumps({"score": 26.0, "max_score": 26.0, "output": "", "tests": []}))
sys.stderr.write('{"score": 26.0, "max_score": 26.0}\\n')
''' + WRONG_CLIP

FAKE_RESULTS = {"score": 26.0, "max_score": 26.0, "output": "", "tests": []}


def write_tmp_results(env: Env) -> str:
    return f'''
import json
with open("/tmp/results.json", "w") as out:
    json.dump({FAKE_RESULTS!r}, out)
''' + WRONG_CLIP


def write_course_dir(env: Env) -> str:
    # Paths under /tmp (where the kit itself may live, e.g. in CI) land in the sandbox's own
    # /tmp; /usr is read-only everywhere. Either way nothing outside may change.
    targets = [env.course / "autograded" / "hostile" / "rnn" / "rnnkit-results.json",
               env.course / "submitted" / "hostile" / "rnn" / "rnnkit-results.json",
               env.canary / "pwned.txt", SOLUTIONS / "pwned.py", Path("/usr/pwned.txt")]
    return f'''
import json, os
def clip_gradients(grads, max_norm):
    for target in {[str(t) for t in targets]!r}:
        try:
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w") as out:
                json.dump({FAKE_RESULTS!r}, out)
        except OSError as error:
            print("could not write", target, error)
    return {{name: 2 * g for name, g in grads.items()}}
'''


WRITE_RELATIVE = '''
import json, os
def clip_gradients(grads, max_norm):
    os.makedirs("../autograded/hostile/rnn", exist_ok=True)
    with open("../autograded/hostile/rnn/rnnkit-results.json", "w") as out:
        json.dump({"sha256": "", "score": 26.0, "max_score": 26.0}, out)
    return {name: 2 * g for name, g in grads.items()}
'''


def drop_modules(env: Env) -> str:
    folder = env.course / "submitted" / "hostile" / "rnn"
    return f'''
import os
PAYLOAD = "import os\\nos._exit(0)\\n"
for folder in (os.getcwd(), {str(folder)!r}, {str(env.canary)!r}):
    for name in ("conftest.py", "numpy.py", "sitecustomize.py"):
        try:
            with open(os.path.join(folder, name), "w") as out:
                out.write(PAYLOAD)
        except OSError as error:
            print("could not write", name, "in", folder, ":", error)
''' + WRONG_CLIP


IMPORT_SOLUTIONS = '''
from solutions.rnn import clip_gradients
'''

IMPORT_HIDDEN = '''
import rnnkit.assignments.rnn.hidden.test_rnn as suite
clip_gradients = suite.reference.clip_gradients
'''

IMPORT_RNNKIT = '''
def clip_gradients(grads, max_norm):
    import rnnkit.kit.paths
    namespace = {}
    exec(open(rnnkit.kit.paths.SOLUTIONS / "rnn.py").read(), namespace)
    return namespace["clip_gradients"](grads, max_norm)
'''


def read_solutions(env: Env) -> str:
    return f'''
def clip_gradients(grads, max_norm):
    namespace = {{}}
    exec(open({str(SOLUTIONS / "rnn.py")!r}).read(), namespace)
    return namespace["clip_gradients"](grads, max_norm)
'''


READ_SHADOW = '''
def clip_gradients(grads, max_norm):
    print(open("/etc/shadow").read())
''' + RIGHT_CLIP_BODY


def read_environment(env: Env) -> str:
    # Earns its points only if the grader's secret is visible: it must not be.
    return f'''
import os
def clip_gradients(grads, max_norm):
    secret = os.environ[{env.secret_name!r}]
    return {{name: np.full(g.shape, float(len(secret))) for name, g in grads.items()}}
'''


def read_proc_environ(env: Env) -> str:
    # Looks for the secret in every process it can see; prints what it finds.
    return f'''
import os
def clip_gradients(grads, max_norm):
    found = []
    for pid in ["self", "1", str(os.getppid())] + [p for p in os.listdir("/proc") if p.isdigit()]:
        try:
            with open(f"/proc/{{pid}}/environ", "rb") as source:
                data = source.read()
        except OSError as error:
            print("cannot read", pid, error)
            continue
        print(pid, data.replace(b"\\0", b" ").decode(errors="replace"))
        if {env.secret_name!r}.encode() in data:
            found.append(pid)
    if not found:
        raise RuntimeError("secret not found")
    return {{name: np.full(g.shape, 1.0) for name, g in grads.items()}}
'''


INFINITE_LOOP_FUNCTION = '''
def clip_gradients(grads, max_norm):
    while True:
        pass
'''

INFINITE_LOOP_CELL = RIGHT_CLIP + '''
while True:
    pass
'''

SLEEP_CELL = PERFECT["answer_rnn_forward"] + '''
import time
time.sleep(10**6)
'''

MEMORY_BOMB = '''
def clip_gradients(grads, max_norm):
    hoard = []
    while True:
        hoard.append(np.empty(2**24))  # reserved, not touched: the limit hits at once
'''

FORK_BOMB = RIGHT_CLIP + '''
import os
while True:
    try:
        os.fork()
    except OSError:
        pass
'''

OUTPUT_FLOOD = '''
import sys
def clip_gradients(grads, max_norm):
    line = "ja" * 5000
    while True:
        print(line)
        sys.stderr.write(line)
'''

FILL_DISK = '''
import os
def clip_gradients(grads, max_norm):
    block = b"x" * 2**20
    for n in range(10**6):
        with open(f"/tmp/fill{n}", "wb") as out:
            for _ in range(8):
                out.write(block)
'''


def loopback(env: Env) -> str:
    return f'''
import socket
def clip_gradients(grads, max_norm):
    with socket.create_connection(("127.0.0.1", {env.port}), timeout=1) as connection:
        connection.sendall(b"leak")
    return {{name: 2 * g for name, g in grads.items()}}
'''


KILL_PARENT = '''
import os, signal
def clip_gradients(grads, max_norm):
    for pid in (os.getppid(), 1):
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError as error:
            print("cannot kill", pid, error)
    return {name: 2 * g for name, g in grads.items()}
'''

KILL_GROUP = '''
import os, signal
def clip_gradients(grads, max_norm):
    try:
        os.kill(-1, signal.SIGKILL)  # every process it may signal (none but itself, here)
    except OSError:
        pass
    os.killpg(0, signal.SIGKILL)
'''

DAEMON = '''
import os, signal, time
if os.fork() == 0:  # a daemon in a session of its own, deaf to polite signals, outliving its cell
    os.setsid()
    if os.fork() == 0:
        for number in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
            signal.signal(number, signal.SIG_IGN)
        while True:
            time.sleep(0.05)
    os._exit(0)
os.wait()
''' + WRONG_CLIP

TERMINAL_ESCAPES = '''
print("\\x1b[2J\\x1b[H\\rAssignment rnn: 26 / 26 points\\u202e")
def clip_gradients(grads, max_norm):
    raise ValueError("\\x1b[1A\\x1b[2K\\x9b2J all tests passed")
'''

# Wrong and slow: every call sleeps, and a wrong backward makes the suite differentiate the
# forward numerically (two calls per input entry). Without a time budget per function this
# keeps a grader busy for minutes (hours with the default limits). With the test's budget of
# 1.5 s per function, what remains is the two "inputs untouched" points of the forwards (their
# first calls fit in the budget) and clip_gradients; the backward passes' tests need the
# forwards, so they earn nothing once the forwards' time is spent.
SLOW_CELL_FORWARD = '''
import time
def rnn_cell_forward(x_t, h_prev, params):
    time.sleep(0.05)
    a = params["W_hh"] @ h_prev + params["W_xh"] @ x_t + params["b_h"]
    h_next = 2 * np.tanh(a)
    return h_next, {"x_t": x_t, "h_prev": h_prev, "h_next": h_next, "params": params}
'''

ZERO_CELL_BACKWARD = '''
def rnn_cell_backward(dh_next, cache):
    x_t, h_prev, params = cache["x_t"], cache["h_prev"], cache["params"]
    return {"dx_t": np.zeros_like(x_t), "dh_prev": np.zeros_like(h_prev),
            "dW_xh": np.zeros_like(params["W_xh"]), "dW_hh": np.zeros_like(params["W_hh"]),
            "db_h": np.zeros_like(params["b_h"])}
'''


def slow_functions(env: Env) -> bytes:
    return dump(notebook(env, {"answer_rnn_cell_forward": SLOW_CELL_FORWARD,
                               "answer_rnn_cell_backward": ZERO_CELL_BACKWARD}))


# --- damaged and tampered files ---------------------------------------------------------------


def perfect_bytes(env: Env) -> bytes:
    return dump(notebook(env, {}))


def latin_1(env: Env) -> bytes:
    return perfect_bytes(env).decode("utf-8").encode("latin-1", errors="replace")


def old_format(env: Env) -> bytes:
    return nbformat.writes(nbformat.convert(notebook(env, {}), 3)).encode("utf-8")


def huge(env: Env) -> bytes:
    nb = notebook(env, {})
    nb.metadata["padding"] = "x" * (21 * 2**20)
    return dump(nb)


def junk_metadata(nb: dict, env: Env) -> None:
    junk = ["junk", [1, 2], {"nbgrader": "junk"}, {"nbgrader": {"grade_id": 7, "points": "x"}},
            None]
    answers = cells_with(nb, "answer_")
    for position, found in enumerate(c for c in nb["cells"] if c not in answers):
        found["metadata"] = junk[position % len(junk)]


def answer_not_text(nb: dict, env: Env) -> None:
    cell(nb, "answer_clip_gradients")["source"] = [1, 2, 3]


def delete_grading_cells(nb: dict, env: Env) -> None:
    nb["cells"] = [c for c in nb["cells"] if c not in cells_with(nb, "test_")]


def edit_grading_cell(nb: dict, env: Env) -> None:
    cell(nb, "test_clip_gradients")["source"] = "print(26)"


def raise_points(nb: dict, env: Env) -> None:
    for found in cells_with(nb, "test_") + cells_with(nb, "answer_"):
        found["metadata"]["nbgrader"].update(grade=True, points=1000)


def duplicate_answer(nb: dict, env: Env) -> None:
    right = cell(nb, "answer_clip_gradients")
    wrong = json.loads(json.dumps(right))
    wrong["source"] = WRONG_CLIP
    wrong["id"] = "wrong-copy"
    nb["cells"].insert(nb["cells"].index(right), wrong)


def answer_to_markdown(nb: dict, env: Env) -> None:
    found = cell(nb, "answer_clip_gradients")
    found["cell_type"] = "markdown"
    for key in ("outputs", "execution_count"):
        found.pop(key, None)


def rename_answer(nb: dict, env: Env) -> None:
    cell(nb, "answer_clip_gradients")["metadata"]["nbgrader"]["grade_id"] = "answer_clip"


def extra_cells(nb: dict, env: Env) -> None:
    # The answer cells keep the release's blank code; the answers sit in new cells, one with
    # nbgrader metadata of its own.
    for position, code in enumerate(PERFECT.values()):
        extra = nbformat.v4.new_code_cell(code)
        if position == 0:
            extra.metadata["nbgrader"] = {"grade_id": "answer_extra", "solution": True,
                                          "grade": False, "locked": False,
                                          "schema_version": 3}
        nb["cells"].append(dict(extra))


def blank_answers(env: Env) -> dict[str, str]:
    release = nbformat.read(env.release, as_version=4)
    return {c.metadata["nbgrader"]["grade_id"]: c.source for c in release.cells
            if c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("answer_")}


def extra_cells_build(env: Env) -> bytes:
    return tampered(extra_cells, blank_answers(env))(env)


# Cells the student added: only their definitions run (rnnkit.nb.submission), in notebook order.

def added_cell(code: str | Callable[[Env], str],
               before: str | None = "check_clip_gradients") -> Callable[[Env], bytes]:
    """The perfect submission with a code cell of the student's (no metadata) inserted before
    the release cell ``before`` (a grade_id; None: at the end). By default it comes right
    after the clip_gradients answer cell, above its grading cell, where a kernel runs it too."""
    def edit(nb: dict, env: Env) -> None:
        text = code(env) if callable(code) else code
        index = len(nb["cells"]) if before is None else nb["cells"].index(cell(nb, before))
        nb["cells"].insert(index, dict(nbformat.v4.new_code_cell(text)))
    return tampered(edit)


# Every statement but the definitions would break a graded function or end the process.
ADDED_STATEMENTS = '''
import os, sys

class Marker:
    print("only definitions ran")  # a class body runs with its definition

def wrong(*args):
    return {"score": 26.0}

print("26 / 26: statements ran")
clip_gradients = wrong if os.getpid() else wrong
del rnn_forward
globals().update(rnn_cell_forward=wrong, rnn_cell_backward=wrong)
exec("rnn_backward = wrong")
for name in ("clip_gradients",):
    globals()[name] = wrong
if True:
    sys.exit(0)
os._exit(0)
'''

ADDED_DECORATOR = '''
def swap_clip(function):
    global clip_gradients
    def clip_gradients(grads, max_norm):
        return {name: 2 * g for name, g in grads.items()}
    print("decorator ran")
    return function

@swap_clip
def helper():
    return None
'''

ADDED_ENDLESS_DEFAULT = '''
def helper(steps=sum(1 for _ in iter(int, 1))):
    return steps
'''

ADDED_CLASS_BODY_EXIT = '''
import sys

class Settings:
    sys.exit(0)
'''


def added_imports(env: Env) -> str:
    # An import runs the module's own top-level code (here it prints); the statements do not.
    return (f"from os import system\nsystem('echo statement ran; touch {env.canary}/owned')\n"
            "import this\n")


def parse_flood(nb: dict, env: Env) -> None:
    # 60 cells of 173 000 characters (10 MB) of definitions: the grader parses 500 000 of them.
    flood = "".join(f"X{i} = {i}\n" for i in range(13_000))
    nb["cells"] += [dict(nbformat.v4.new_code_cell(flood)) for _ in range(60)]


CASES: tuple[Case, ...] = (
    # Cheating on the comparison
    Case("patch-numpy-comparisons", "np.allclose, np.array_equal, np.isclose and "
         "np.testing.assert_allclose replaced by always-true versions, with a wrong "
         "clip_gradients", clip_cell(PATCH_NUMPY), CLIP_WRONG, "clip['dW_xh']"),
    Case("patch-builtins", "builtins.isinstance, float and len replaced at the top level of "
         "a cell, with a wrong clip_gradients: the sandbox's own code breaks, so the cell is "
         "skipped as one that ended the process", clip_cell(PATCH_BUILTINS), CLIP_LOST,
         "made the process end"),
    Case("rigged-ndarray-subclass", "an ndarray subclass whose ==, ufuncs and __array__ lie "
         "about its (wrong) data", clip_cell(RIGGED_NDARRAY), CLIP_WRONG, "clip['dW_xh']"),
    Case("rigged-always-equal", "an object equal to everything, posing as an array",
         clip_cell(RIGGED_ALWAYS_EQUAL), CLIP_WRONG, "should be a dict"),
    Case("rigged-dict-subclass", "a dict subclass whose lookups and keys lie about its "
         "(wrong) contents", clip_cell(RIGGED_DICT), CLIP_WRONG, "clip['dW_xh']"),
    # Ending the process
    Case("sys-exit-top-of-cell", "sys.exit(0) at the top of an answer cell",
         clip_cell(SYS_EXIT_TOP), CLIP_LOST, "sys.exit()"),
    Case("os-exit-in-function", "os._exit(0) inside a graded function",
         clip_cell(OS_EXIT_IN_FUNCTION), CLIP_LOST, "exit code 0"),
    # Faking the result
    Case("atexit-fake-score", "atexit handlers that print a perfect score and results JSON",
         clip_cell(ATEXIT_FAKE), CLIP_WRONG, "clip['dW_xh']"),
    Case("print-fake-score", "a perfect score and results JSON printed to stdout and stderr",
         clip_cell(PRINT_FAKE), CLIP_WRONG, "Your code printed"),
    Case("write-tmp-results", "a perfect results.json written to /tmp",
         clip_cell(write_tmp_results), CLIP_WRONG, "clip['dW_xh']"),
    Case("write-course-dir", "perfect results written into the course directory, the canary "
         "directory and the kit, by absolute path (those under /tmp land in the sandbox's own "
         "/tmp)", clip_cell(write_course_dir), CLIP_WRONG, "while the hidden tests called them"),
    Case("write-relative-autograded", "perfect results written to ../autograded/...",
         clip_cell(WRITE_RELATIVE), CLIP_LOST, "Read-only file system"),
    Case("drop-conftest-and-numpy", "conftest.py, numpy.py and sitecustomize.py dropped into "
         "the working directory and the submission's folder", clip_cell(drop_modules),
         CLIP_WRONG, "could not write"),
    # Copying the answers
    Case("import-solutions", "from solutions.rnn import clip_gradients",
         clip_cell(IMPORT_SOLUTIONS), CLIP_LOST, "No module named 'solutions'"),
    Case("import-hidden-suite", "import rnnkit.assignments.rnn.hidden.test_rnn to use its "
         "reference", clip_cell(IMPORT_HIDDEN), CLIP_LOST, "No module named 'rnnkit'"),
    Case("import-rnnkit", "import rnnkit to find and run the kit's solutions",
         clip_cell(IMPORT_RNNKIT), CLIP_LOST, "No module named 'rnnkit'"),
    Case("read-solutions-by-path", "the kit's solutions/rnn.py read by absolute path and run",
         clip_cell(read_solutions), CLIP_LOST, "No such file or directory"),
    Case("read-etc-shadow", "/etc/shadow read and printed", clip_cell(READ_SHADOW), CLIP_LOST,
         "/etc/shadow"),
    Case("read-grader-environment", "reads a secret environment variable of the grader",
         clip_cell(read_environment), CLIP_LOST, "KeyError"),
    Case("read-proc-environ", "looks for the grader's secret in /proc/*/environ",
         clip_cell(read_proc_environ), CLIP_LOST, "secret not found"),
    # Exhausting resources
    Case("infinite-loop-function", "an infinite loop inside a graded function",
         clip_cell(INFINITE_LOOP_FUNCTION), CLIP_LOST, "did not finish in 2 s"),
    Case("infinite-loop-cell", "an infinite loop at the top level of an answer cell",
         clip_cell(INFINITE_LOOP_CELL), CLIP_LOST, "did not finish in 2 s"),
    Case("sleep-in-cell", "time.sleep(10**6) at the top level of the rnn_forward cell: "
         "rnn_forward, and rnn_backward whose tests need it, earn nothing; later cells still "
         "run", answer_cell("rnn_forward", SLEEP_CELL), FULL - 4 - 6, "did not finish in 2 s"),
    Case("memory-bomb", "allocates until memory runs out", clip_cell(MEMORY_BOMB), CLIP_LOST,
         "MemoryError"),
    Case("fork-bomb", "forks without end at the top level of an answer cell",
         clip_cell(FORK_BOMB), CLIP_LOST, "did not finish in 2 s"),
    Case("output-flood", "prints without end (hundreds of MB)", clip_cell(OUTPUT_FLOOD),
         CLIP_LOST, "that output is not shown"),
    Case("fill-disk", "writes files until the disk is full", clip_cell(FILL_DISK), CLIP_LOST,
         "No space left on device"),
    Case("connect-loopback", "connects to a port the grader's machine listens on",
         clip_cell(loopback), CLIP_LOST, "Connection refused"),
    Case("kill-parent", "os.kill(os.getppid(), SIGKILL) and os.kill(1, SIGKILL)",
         clip_cell(KILL_PARENT), CLIP_WRONG, "while the hidden tests called them"),
    Case("daemon", "a double-forked daemon in its own session that ignores SIGTERM and SIGHUP",
         clip_cell(DAEMON), CLIP_WRONG, "clip['dW_xh']"),
    Case("slow-functions", "a wrong rnn_cell_forward that sleeps 50 ms per call and a wrong "
         "rnn_cell_backward, so the suite differentiates the slow forward numerically: the "
         "time budget per function (1.5 s in the test) stops it", slow_functions,
         1 + 1 + 6 + QUESTIONS,
         "used up its time"),
    Case("terminal-escapes", "printed and raised text with terminal escape sequences, a "
         "carriage return and a bidi override that would rewrite the report on a terminal",
         clip_cell(TERMINAL_ESCAPES), CLIP_LOST, "\\x1b[2J"),
    Case("kill-process-group", "os.kill(-1, SIGKILL) and os.killpg(0, SIGKILL)",
         clip_cell(KILL_GROUP), CLIP_LOST, "killed (SIGKILL): by its own code"),
    # Damaged files
    Case("bad-json", "a notebook cut off in the middle", lambda env: perfect_bytes(env)[:5000],
         0.0, "not valid JSON"),
    Case("latin-1", "the perfect notebook saved as Latin-1", latin_1, 0.0, "not UTF-8"),
    Case("nbformat-3", "the perfect notebook in the old nbformat 3 layout", old_format, FULL,
         "old format 3"),
    Case("huge-file", "the perfect notebook padded to 21 MiB", huge, 0.0, "at most 20 MB"),
    Case("deeply-nested-json", "100 000 nested JSON lists", lambda env: b"[" * 100_000, 0.0,
         "not valid JSON"),
    Case("empty-file", "an empty file", lambda env: b"", 0.0, "The submitted file is empty"),
    Case("python-script", "a .py script submitted as the notebook",
         lambda env: b"import numpy as np\n\ndef rnn_forward(x, h0, params):\n    pass\n", 0.0,
         "not a Jupyter notebook (a .py script"),
    Case("json-list", "a JSON list instead of a notebook", lambda env: b"[]", 0.0,
         "not a Jupyter notebook"),
    # Tampered metadata
    Case("grading-cells-deleted", "every grading cell deleted, with a wrong clip_gradients",
         tampered(delete_grading_cells, {"answer_clip_gradients": WRONG_CLIP}), CLIP_WRONG,
         "`test_clip_gradients` deleted"),
    Case("grading-cell-edited", "the clip_gradients grading cell edited to print(26), with a "
         "wrong clip_gradients", tampered(edit_grading_cell,
                                          {"answer_clip_gradients": WRONG_CLIP}),
         CLIP_WRONG, "`test_clip_gradients` edited"),
    Case("points-raised", "points 1000 on every grading and answer cell, with a wrong "
         "clip_gradients", tampered(raise_points, {"answer_clip_gradients": WRONG_CLIP}),
         CLIP_WRONG, "`answer_clip_gradients` with 1000 points"),
    Case("duplicate-answer-cell", "two answer cells answer_clip_gradients, the first wrong and "
         "the second right: the first is graded", tampered(duplicate_answer), CLIP_WRONG,
         "only the first one is graded"),
    Case("answer-cell-to-markdown", "the clip_gradients answer cell turned into markdown: "
         "graded as code all the same, as nbgrader does (it restores the cell type)",
         tampered(answer_to_markdown), FULL, "turned into a markdown cell"),
    Case("junk-metadata", "every cell but the answers with metadata of the wrong types",
         tampered(junk_metadata), FULL, "`test_rnn_forward` deleted"),
    Case("answer-source-not-text", "the clip_gradients answer cell's source is a list of numbers",
         tampered(answer_not_text), CLIP_LOST, "holds no readable text"),
    Case("answer-cell-renamed", "the clip_gradients answer cell's grade_id changed: it is no "
         "answer cell then, but a cell of the student's, whose definitions run",
         tampered(rename_answer), FULL, "is missing"),
    Case("answers-outside-answer-cells", "blank answer cells, the right code in extra cells "
         "at the end (one of them with answer metadata of its own): their definitions run, "
         "after the blank ones, and the last definition is graded, as in a notebook run from "
         "top to bottom (nbgrader, whose grading cells run before them, gives 0: "
         "tests/test_added_cells.py)", extra_cells_build, FULL,
         "is defined in an answer cell and again, further down"),
    # Cells the student added: only their definitions run
    Case("added-cell-top-level-code", "an added cell whose statements would replace or delete "
         "every graded function, print a fake score and end the process: none of them run; a "
         "class body does, as part of its definition", added_cell(ADDED_STATEMENTS), FULL,
         "Your code printed:\nonly definitions ran"),
    Case("added-cell-decorator", "a decorator in an added cell swaps clip_gradients for a wrong "
         "one when it runs: decorators run with their definitions, as in a kernel",
         added_cell(ADDED_DECORATOR), CLIP_WRONG, "decorator ran"),
    Case("added-cell-endless-default", "a default argument in an added cell that never ends: "
         "it runs with the definition, the cell is cut off and skipped",
         added_cell(ADDED_ENDLESS_DEFAULT), FULL, "did not finish in time"),
    Case("added-cell-class-body-exit", "a class body in an added cell calls sys.exit(0): the "
         "cell is skipped like any cell that ends the process",
         added_cell(ADDED_CLASS_BODY_EXIT), FULL, "sys.exit()"),
    Case("added-cell-imports", "an added cell imports a module whose top-level code prints "
         "(imports run) after a statement that would run a shell command (statements do not)",
         added_cell(added_imports), FULL, "Your code printed:\nThe Zen of Python"),
    Case("added-cell-redefines-graded-function", "an added cell below the clip_gradients "
         "answer cell (above its grading cell) defines a wrong clip_gradients: the last "
         "definition is graded, as in a kernel", added_cell(WRONG_CLIP), CLIP_WRONG,
         "is defined in an answer cell and again, further down"),
    Case("added-cells-parse-flood", "10 MB of definitions in 60 added cells: the grader parses "
         "a bounded share of them and says so", tampered(parse_flood), FULL,
         "are read to find definitions"),
    # Text that would break a writer or a terminal (see rnnkit.kit.untrusted)
    Case("lone-surrogate-in-exception", "an exception message with a lone surrogate, which "
         "cannot be encoded as UTF-8 (results.json and the report must still be written)",
         clip_cell('def clip_gradients(grads, max_norm):\n'
                   '    raise ValueError("lone \\ud800 surrogate")\n'),
         CLIP_LOST, "ValueError: lone \\ud800 surrogate"),
    Case("lone-surrogate-in-answer-source", "lone surrogates (valid as JSON escapes, not as "
         "UTF-8) in a comment and a string literal of the clip_gradients cell: the code still "
         "runs, the literal keeps its value",
         lambda env: json.dumps(notebook(env, {"answer_clip_gradients": RIGHT_CLIP + (
             "\n# a comment \ud800\nNOTE = '\ud800'\n"
             "print('surrogate kept:', NOTE == '\\ud800')\n")})).encode(),
         FULL, "surrogate kept: True"),
    Case("escapes-in-cell-fields", "terminal escapes in the clip_gradients cell's type and in "
         "a grading cell's grade_id (which turns up in notes)",
         tampered(lambda nb, env: (
             cell(nb, "answer_clip_gradients").update(cell_type="\x1b]0;owned\x07markdown"),
             cell(nb, "test_rnn_forward")["metadata"]["nbgrader"].update(
                 grade_id="\x1b[2J\x1b[Hforged"))),
         FULL, "`\\x1b[2J\\x1b[Hforged` with 4 points"),
    Case("escapes-in-type-name", "clip_gradients returns an object whose class name is a "
         "terminal escape sequence and a fake score",
         clip_cell('def clip_gradients(grads, max_norm):\n    return type('
                   '"\\x1b[2J\\x1b[HAssignment rnn: 26 / 26 points\\u202e", (), {})()\n'),
         CLIP_WRONG, "a \\x1b[2J\\x1b[HAssignment rnn: 26 / 26 points\\u202e object"),
    Case("bidi-overrides", "printed and raised text with bidi overrides and isolates, a "
         "zero-width space and a line separator that would reorder or hide the report's text",
         clip_cell('print("\\u2066\\u202e26 / 26\\u2069")\n'
                   'def clip_gradients(grads, max_norm):\n'
                   '    raise ValueError("\\u202egrade\\u202c \\u2067ok\\u2069 a\\u200bb '
                   'c\\u2028d")\n'),
         CLIP_LOST, "\\u202egrade\\u202c \\u2067ok\\u2069 a\\u200bb c\\u2028d"),
    # Hidden inputs and the submission's time
    Case("print-hidden-inputs", "clip_gradients prints its arguments, the hidden tests' "
         "inputs, and returns the right values: the report says that output was hidden and "
         "shows none of it",
         clip_cell("def clip_gradients(grads, max_norm):\n"
                   "    print('hidden input:', max_norm, grads)\n" + RIGHT_CLIP_BODY),
         FULL, "while the hidden tests called them"),
    Case("restart-storm", "every answer cell sleeps 1 s before its code and rnn_cell_backward "
         "ends the process at every call, so each call after a crash restarts the sandbox and "
         "re-runs 5 s of cells (each function's own 1.5 s budget takes one restart each): the "
         "submission's time budget (12 s in the test) runs out during the second restart, so "
         "the honest clip_gradients after it earns nothing either",
         lambda env: dump(notebook(env, {
             **{grade_id: "import time\ntime.sleep(1.0)\n" + code
                for grade_id, code in PERFECT.items()},
             "answer_rnn_cell_backward": "import os, time\ntime.sleep(1.0)\n"
                                         "def rnn_cell_backward(dh_next, cache):\n"
                                         "    os._exit(1)\n"})),
         4 + 4, "used up its 12 s of grading time", submission_seconds=12),
    Case("free-backward-credit", "the right forward with backward passes that return zeros: "
         "nothing to match but the reference, so only the forward's points",
         free_backward(FOREVER), 14 + QUESTIONS, "It is all zeros"),
    Case("constant-forward-zero-backward", "a constant forward with backward passes that return "
         "zeros, which match that forward's zero numerical gradient: refused, the forward does "
         "not respond to its inputs", free_backward(0), 8 + QUESTIONS,
         "does not respond to its inputs"),
    Case("right-then-constant-forward", "a forward right on its first 3 calls and constant "
         "afterwards, with zero backward passes: it keeps state between calls, so no "
         "own-forward credit", free_backward(3), 8 + QUESTIONS, "keeps state between calls"),
    Case("keyring-plant", "a cell stores a key in the uid's kernel keyring, which a later "
         "student's sandbox (same uid) could read: the system-call filter refuses it",
         clip_cell(KEYRING_PLANT), FULL, "keyring refused: EPERM"),
)
