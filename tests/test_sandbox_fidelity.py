"""Grading through the sandbox judges stateful code exactly as grading in-process does.

Only copies cross the sandbox's channel, yet the student's functions must meet their own
objects, as they do in a notebook: what a call returned, passed back unchanged, reaches the next
call as the student's original object (a reference), which later calls may have written into;
the record of calls re-reads earlier results in the child ("changed after a later call"); and
the check that arguments are left untouched looks as deep as the in-process one. Proved on the
whole catalogue: every mistake, every correct variant and the reference solution of both
assignments earn, test by test, the same points graded as a notebook through the sandbox as
in-process (tests/catalogue_checks.py). No entry differs for a reason of the sandbox's own.

Then the parts: references (the original object, element by element; a changed or copied value
goes as data), references after a restart, the cap on the results kept, re-reading, the
arguments' digest when a reference was written into, the deep mutation check against the
in-process one, and hostile arguments and results, which must neither crash nor stall the
child's bookkeeping.

Limits are roomy (30 s per call), so a loaded machine cannot flip a result.
"""

from __future__ import annotations

import copy
import itertools
import json
from dataclasses import replace

import nbformat
import numpy as np
import pytest
from test_catalogue import CATALOGUES

from rnnkit.grading import suite
from rnnkit.grading.engine import grade_notebook
from rnnkit.grading.student import NamespaceStudent, SandboxStudent
from rnnkit.kit.paths import RELEASES
from rnnkit.nb.catalogue import Entry
from rnnkit.nb.fill import answers_for_functions, fill_release, reference_answers
from rnnkit.sandbox import Handle, Limits, Sandbox, StudentError, box, channel, detect_isolation

ROOMY = Limits(call_seconds=30.0, cell_seconds=30.0, function_seconds=300.0,
               submission_seconds=600.0, cpu_seconds=300, memory_bytes=2**30, processes=8)
INSECURE = detect_isolation().kind != "bwrap"  # what is tested here works either way


@pytest.fixture(autouse=True)
def english(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RNNKIT_LANG", "en")


def sandbox(source: str, limits: Limits = ROOMY) -> Sandbox:
    return Sandbox([("setup", "import numpy as np, os, sys, time\n"), ("code", source)],
                   limits=limits, insecure=INSECURE)


# --- the whole catalogue, graded both ways ------------------------------------------------------

ENTRIES = [(assignment, entry) for assignment, catalogue in CATALOGUES.items()
           for entry in [*catalogue.mistakes, *catalogue.correct, catalogue.reference]]


def notebook(assignment: str, entry: Entry) -> nbformat.NotebookNode:
    """The release filled as the catalogue simulates the student: the reference's answer
    cells with the entry's swapped in. A function of the entry with no answer cell of its own
    (a sigmoid, which the notebook defines in a set-up cell) goes first in the first answer
    cell, which runs after the set-up, as the catalogue runs it before the others."""
    answers = reference_answers(assignment)
    catalogue = CATALOGUES[assignment]
    mine = {} if entry is catalogue.reference else answers_for_functions(entry.code_by_function)
    helpers = [code for grade_id, code in mine.items() if grade_id not in answers]
    answers = {**answers, **{grade_id: code for grade_id, code in mine.items()
                             if grade_id in answers}}
    first = next(iter(answers))
    answers[first] = "\n\n".join([*helpers, answers[first]])
    return fill_release(RELEASES / assignment / f"{assignment}.ipynb", answers)


@pytest.fixture(scope="module")
def through_the_sandbox(tmp_path_factory: pytest.TempPathFactory):
    """(assignment, slug) -> test name -> points earned graded as a notebook, each entry
    graded once for the module. Tests that train models on the reference's own code are
    graded once, with the reference, as the in-process catalogue does (see
    same_training_as_reference): they run the same code either way."""
    graded: dict[tuple[str, str], list[suite.TestResult]] = {}

    def tests(assignment: str, entry: Entry) -> list[suite.TestResult]:
        key = (assignment, entry.slug)
        if key not in graded:
            path = tmp_path_factory.mktemp("notebook") / f"{assignment}.ipynb"
            nbformat.write(notebook(assignment, entry), path)
            catalogue = CATALOGUES[assignment]
            same = catalogue.same_training_as_reference(entry)
            report = grade_notebook(path, assignment, insecure=INSECURE, limits=ROOMY,
                                    functions=[f for f in catalogue.functions if f not in same])
            trained = tests(assignment, catalogue.reference) if same else []
            graded[key] = [*report.tests, *(test for test in trained if test.function in same)]
        return graded[key]

    return lambda assignment, entry: {test.name: test.earned for test in tests(assignment, entry)}


@pytest.mark.slow
@pytest.mark.parametrize("assignment, entry", ENTRIES,
                         ids=[f"{a}-{e.slug}" for a, e in ENTRIES])
def test_entry_earns_the_same_through_the_sandbox(assignment, entry, through_the_sandbox):
    in_process = {r.name: r.earned for r in CATALOGUES[assignment].graded(entry.slug)}
    sandboxed = through_the_sandbox(assignment, entry)
    assert set(sandboxed) == set(in_process)
    differing = {name: (points, sandboxed[name]) for name, points in in_process.items()
                 if sandboxed[name] != points}
    assert differing == {}, f"(in-process, sandbox) points of {entry.description}"


# --- references -------------------------------------------------------------------------------

KEEPING = '''
_made = []

def make(x):
    cache = [x * 2, {"w": x + 1}]
    _made.append(cache)
    return x.sum(), cache

def part(where):
    """What make() built last, or the part of it at `where`."""
    original = _made[-1]
    for step in where:
        original = original[step]
    return original

def whose(value, where=()):
    return value is part(where)

def inside(values, where=()):
    return [value is part(where) for value in values]

def is_w(value):
    return value is _made[-1][1]["w"]

def first(cache):
    return float(cache[0][0])

def poke(number):
    _made[-1][0][0] = number  # the student's own code writes into what it returned
    return None
'''


def test_what_a_call_returned_comes_back_as_the_students_own_object() -> None:
    x = np.arange(3.0)
    with sandbox(KEEPING) as box_:
        total, cache = box_.call("make", x)
        assert total == 3.0 and type(cache) is list and type(cache[1]) is dict
        assert box_.call("whose", cache) is True
        assert box_.call("whose", cache[1], [1]) is True
        assert box_.call("is_w", cache[1]["w"]) is True
        # A new container made by the grader is data, but what it holds is still the original.
        assert box_.call("whose", [cache[0], cache[1]]) is False
        assert box_.call("inside", [cache[0], np.zeros(3)], [0]) == [True, False]
        # A copy is another object: it goes as data, as it would in a notebook.
        assert box_.call("whose", copy.deepcopy(cache)) is False
        assert box_.call("first", copy.deepcopy(cache)) == 0.0


def test_a_value_the_grader_changed_goes_as_data() -> None:
    x = np.arange(3.0)
    with sandbox(KEEPING) as box_:
        _, cache = box_.call("make", x)
        cache[0][0] = 42.0  # the grader's copy, no longer what the child sent
        assert box_.call("whose", cache) is False
        assert box_.call("first", cache) == 42.0
        assert box_.call("whose", cache[1], [1]) is True  # its unchanged part still refers


def test_a_reference_meets_what_the_students_code_wrote_into_it_since() -> None:
    x = np.arange(3.0)
    with sandbox(KEEPING) as box_:
        _, cache = box_.call("make", x)
        assert box_.call_watching("first", [cache]).intact
        box_.call("poke", 7.0)
        assert cache[0][0] == 0.0  # the grader's copy is as it was sent
        seen = box_.call_watching("first", [cache])
        assert seen.result == 7.0 and not seen.intact  # the function met the student's object


def test_references_from_before_a_restart_are_stale() -> None:
    source = KEEPING + "def crash():\n    os._exit(3)\n"
    x = np.arange(3.0)
    with sandbox(source) as box_:
        _, cache = box_.call("make", x)
        with pytest.raises(StudentError) as crashed:
            box_.call("crash")
        assert crashed.value.kind == "crashed"
        with pytest.raises(StudentError) as stale:
            box_.call("first", cache)
        assert stale.value.kind == "stale-handle"
        assert "earlier run of the student's code" in stale.value.message
        with pytest.raises(StudentError) as inside:
            box_.call("first", [cache[1]])
        assert inside.value.kind == "stale-handle"
        assert box_.call("first", copy.deepcopy(cache)) == 0.0  # data is never stale
        _, again = box_.call("make", x)  # the new child's results refer as before
        assert box_.call("whose", again) is True


def test_a_result_the_students_code_made_the_child_forget_is_stale() -> None:
    wiping = KEEPING + '''
import gc

def wipe():
    for thing in gc.get_objects():
        if type(thing).__name__ == "Child" and hasattr(thing, "results"):
            thing.results.clear()
    return None
'''
    with sandbox(wiping) as box_:
        _, cache = box_.call("make", np.arange(3.0))
        box_.call("wipe")
        with pytest.raises(StudentError) as stale:
            box_.call("first", cache)
        assert stale.value.kind == "stale-handle"
        assert box_.call("first", copy.deepcopy(cache)) == 0.0


def test_only_the_latest_results_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(box, "MAX_KEPT_RESULTS", 3)
    counting = KEEPING + '''
import gc

def kept():
    return [len(thing.results) for thing in gc.get_objects()
            if type(thing).__name__ == "Child" and hasattr(thing, "results")]
'''
    with sandbox(counting) as box_:
        caches = [box_.call("make", np.full(2, float(n)))[1] for n in range(5)]
        assert box_.call("whose", caches[-1]) is True
        # The oldest went as data: the function still works, on a copy.
        assert box_.call("first", caches[0]) == 0.0
        assert box_.call("kept") == [3]  # the child was told to forget the others


def test_a_result_larger_than_the_cap_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(box, "MAX_KEPT_BYTES", 1000)
    with sandbox(KEEPING) as box_:
        _, small = box_.call("make", np.zeros(2))
        _, large = box_.call("make", np.zeros(500))  # 8 KB of arrays
        assert box_.call("whose", large) is False
        assert box_.call("first", large) == 0.0


def test_malformed_references_are_refused() -> None:
    def decode(node: object) -> object:
        return channel.decode(node, b"", reference=lambda result, number: (result, number))

    assert decode({"ref": {"result": 3, "node": 0}}) == (3, 0)
    for content in ({"result": -1, "node": 0}, {"result": 1}, {"result": 1, "node": 1.5},
                    {"result": 1, "node": 2**60}, [1, 2], {"result": 1, "node": 0, "x": 1}):
        with pytest.raises(StudentError, match="malformed reference"):
            decode({"ref": content})
    with pytest.raises(StudentError, match="unknown node"):  # the grader accepts none
        channel.decode({"ref": {"result": 3, "node": 0}}, b"")


# --- re-reading: the record of calls through the sandbox ----------------------------------------

def students(source: str):
    """The same cells as a notebook namespace in this process and in a sandbox."""
    namespace = {"np": np}
    exec(compile(source, "<student>", "exec"), namespace)
    sandboxed = sandbox(source)
    return NamespaceStudent(namespace), SandboxStudent(sandboxed), sandboxed


def both_ways(source: str, scenario) -> object:
    """What ``scenario(student)`` observes in-process, checked to be what it observes through
    the sandbox."""
    in_process, sandboxed, box_ = students(source)
    with box_:
        seen = scenario(in_process)
        assert scenario(sandboxed) == seen
    return seen


def state_of(student, *functions: str) -> dict[str, str | None]:
    return {f: student.inconsistency(f) for f in functions}


def test_results_a_later_call_changes_are_seen_through_the_sandbox() -> None:
    source = "_out = np.zeros(2)\ndef f(x):\n    _out[:] = x\n    return _out\n"

    def scenario(student):
        student.f(np.ones(2))
        clean = state_of(student, "f")
        student.f(np.full(2, 3.0))
        return clean, state_of(student, "f")

    clean, after = both_ways(source, scenario)
    assert clean == {"f": None}
    assert "changed after a later call" in after["f"]


def test_a_list_a_function_keeps_appending_to_is_seen_through_the_sandbox() -> None:
    source = "def f(x, caches=[]):\n    caches.append(x)\n    return x * 2, caches\n"

    def scenario(student):
        student.f(np.ones(2))
        student.f(np.zeros(2))
        return state_of(student, "f")

    assert "changed after a later call" in both_ways(source, scenario)["f"]


def test_what_other_functions_change_is_not_held_against_a_function() -> None:
    source = ("def f(x):\n    return x + 1, [x]\n"
              "def clobber(pair):\n    pair[0][:] = 0\n    pair[1].append(1)\n    return None\n")

    def scenario(student):
        first = student.f(np.ones(2))
        student.clobber(first)  # writes into what f returned, through a reference
        clobbered = student.mutated_arguments()
        student.f(np.ones(2))
        return state_of(student, "f", "clobber"), clobbered

    assert both_ways(source, scenario) == ({"f": None, "clobber": None},
                                           ["arg0[0]", "arg0[1]"])


def test_an_argument_written_into_since_is_not_compared_by_its_old_values() -> None:
    # backward is honest; forward hands out views of one buffer, so backward(first) reads
    # the second input. In-process the arguments' digest is of what backward received; through
    # the sandbox the grader's copy still holds the first input: comparing by it would blame
    # backward when it later meets the first input for real.
    source = '''
_buffer = np.zeros(3)

def forward(x):
    _buffer[:] = x
    return x.sum(), (_buffer[:],)

def backward(cache):
    return cache[0] * 2
'''

    def scenario(student):
        one, two = np.arange(3.0), np.ones(3)
        _, cache = student.forward(one)
        student.forward(two)
        stale = student.backward(cache)  # computed on `two`
        _, again = student.forward(one)
        fresh = student.backward(again)
        return state_of(student, "backward"), stale.tolist(), fresh.tolist()

    state, stale, fresh = both_ways(source, scenario)
    assert state == {"backward": None}
    assert stale == [2.0, 2.0, 2.0] and fresh == [0.0, 2.0, 4.0]


def test_same_inputs_different_results_through_the_sandbox() -> None:
    source = "_n = [0]\ndef bump(x):\n    _n[0] += 1\n    return x * _n[0]\n"

    def scenario(student):
        student.bump(np.ones(3))
        student.bump(2 * np.ones(3))
        other_inputs = state_of(student, "bump")
        student.bump(np.ones(3))
        return other_inputs, state_of(student, "bump")

    other_inputs, same_inputs = both_ways(source, scenario)
    assert other_inputs == {"bump": None}
    assert "different results for the same inputs" in same_inputs["bump"]


# --- the deep check of arguments ----------------------------------------------------------------

MUTATORS = '''
class Box:
    def __init__(self, a):
        self.a = a

def make_box(a):
    return Box(a)

def deep(cache):
    cache[1][0]["w"][0] = 9.0
    return 0

def pop(items):
    items.pop()
    return 0

def add_key(d):
    d["new"] = np.zeros(1)
    return 0

def replace_equal(d):
    d["W"] = d["W"].copy()
    return 0

def replace_other(items):
    items[0] = items[0] + 1
    return 0

def retype(items):
    items[0] = 5
    return 0

def grow_inner(pair):
    pair[1].append(0)
    return 0

def two(x, params):
    x += 1
    params["W"][0, 0] = 5.0
    return 0

def attribute(box):
    box.a += 1
    return 0

def new_attribute(box):
    box.b = 1
    return 0

def nested(nest):
    inner = nest
    while isinstance(inner, list):
        inner = inner[0]
    inner[0] = 1.0
    return 0
'''

def nest(levels: int) -> list:
    """An array inside ``levels`` lists, one in the other."""
    inner = np.zeros(1)
    for _ in range(levels):
        inner = [inner]
    return inner


MUTATIONS = {
    "deep": (lambda: [(np.zeros(1), [{"w": np.zeros(2)}])], ["arg0[1][0]['w']"]),
    "pop": (lambda: [[np.zeros(1), np.zeros(1)]], ["arg0"]),
    "add_key": (lambda: [{"W": np.zeros(2)}], ["arg0"]),
    "replace_equal": (lambda: [{"W": np.ones(2)}], []),
    "replace_other": (lambda: [[np.ones(2), 3]], ["arg0[0]"]),
    "retype": (lambda: [[np.ones(2)]], ["arg0[0]"]),
    "grow_inner": (lambda: [(np.ones(1), [1, 2])], ["arg0[1]"]),
    "two": (lambda: [np.zeros(2), {"W": np.ones((2, 2)), "b": np.ones(2)}],
            ["arg0", "arg1['W']"]),
}


@pytest.mark.parametrize("function", MUTATIONS)
def test_the_mutation_check_is_as_deep_as_in_process(function: str) -> None:
    make_args, expected = MUTATIONS[function]

    def scenario(student):
        student.call(function, *make_args())
        return student.mutated_arguments()

    assert both_ways(MUTATORS, scenario) == expected


@pytest.mark.parametrize("levels, expected", [(8, ["arg0" + "[0]" * 8]), (9, [])])
def test_the_mutation_check_goes_as_deep_as_in_process_and_no_deeper(levels, expected) -> None:
    def scenario(student):
        student.nested(nest(levels))
        return student.mutated_arguments()

    assert both_ways(MUTATORS, scenario) == expected


def test_the_mutation_check_sees_inside_objects_in_the_child() -> None:
    def scenario(student):
        labels = []
        for function in ("attribute", "new_attribute"):
            obj = student.make_box(np.zeros(2))
            student.call(function, obj)
            labels.append(student.mutated_arguments())
        return labels

    assert both_ways(MUTATORS, scenario) == [["arg0.a"], ["arg0"]]


def test_caches_from_the_child_are_checked_deep() -> None:
    # The catalogue's "backward modifies its cache": the cache comes back by reference.
    source = '''
def forward(x):
    return x.sum(), (x, np.tanh(x))

def backward(dh, cache):
    x, h = cache
    h **= 2
    return dh * (1 - h)
'''

    def scenario(student):
        _, cache = student.forward(np.arange(3.0))
        first = student.backward(np.ones(3), cache)
        untouched = student.mutated_arguments()
        second = student.backward(np.ones(3), cache)
        return untouched, bool(np.allclose(first, second))

    assert both_ways(source, scenario) == (["arg1[1]"], False)


# --- hostile arguments and results --------------------------------------------------------------

HOSTILE = '''
import itertools

class Loops:
    def __getattribute__(self, name):
        while True:
            pass

class Raises:
    def __getattr__(self, name):
        raise RuntimeError("no")
    def __getattribute__(self, name):
        raise RuntimeError("no")

class SlowDict:
    @property
    def __dict__(self):
        while True:
            pass

class Key:
    def __hash__(self):
        return 1
    def __eq__(self, other):
        while True:
            pass
    def __repr__(self):
        while True:
            pass

class EndlessList(list):
    def __iter__(self):
        return itertools.count()
    def __len__(self):
        while True:
            pass
    @property
    def __class__(self):
        while True:
            pass

def forever(*args, **kwargs):
    while True:
        pass

class HostileDict(dict):
    items = keys = values = get = __iter__ = __len__ = __getitem__ = __eq__ = forever

class Liar:
    @property
    def __class__(self):
        while True:
            pass

class Meta(type):
    def __getattribute__(cls, name):
        while True:
            pass

class Weird(metaclass=Meta):
    pass

class Array(np.ndarray):
    def tobytes(self, *args, **kwargs):
        while True:
            pass
    def copy(self, *args, **kwargs):
        while True:
            pass

def make():
    keyed = {Key(): np.zeros(1), "x": np.zeros(1)}
    looping = []
    looping.append(looping)
    deep = current = []
    for _ in range(100_000):
        current.append([])
        current = current[0]
    liar = Liar()
    liar.__dict__["inner"] = [Loops(), Raises(), SlowDict(), Weird(), looping]
    return (Loops(), Raises(), SlowDict(), keyed, EndlessList([1, 2]), liar, Weird(),
            np.zeros(3).view(Array), looping, deep, HostileDict(a=np.zeros(1)),
            [0.0] * 50_000)

def touch(*things):
    things[3]["x"][0] += 1.0
    things[7][0] += 1.0
    dict.__getitem__(things[10], "a")[0] += 1.0
    return len(things), EndlessList([np.zeros(1)]), Weird(), HostileDict(b=np.ones(1))
'''


def test_hostile_arguments_and_results_cannot_stall_the_child() -> None:
    # Every method of these objects that the child's bookkeeping might call loops forever or
    # raises; the bookkeeping calls none of them, and bounds its work on the rest.
    limits = replace(ROOMY, call_seconds=20.0)  # a stall fails the call, far above ~0.1 s
    with sandbox(HOSTILE, limits) as box_:
        student = SandboxStudent(box_)
        for _ in range(2):  # the record re-reads the results, which hold hostile objects
            made = student.make()
            kinds = [type(thing).__name__ for thing in made]
            assert kinds == [*["Handle"] * 7, "ndarray", "Handle", "Handle", "dict", "list"]
        for _ in range(3):
            count, endless, weird, hostile = student.touch(*made[:11])
            assert count == 11 and isinstance(endless, Handle) and isinstance(weird, Handle)
            assert type(hostile) is dict and hostile["b"].tolist() == [1.0]
            # A dict came as a handle; the array and the other dict by reference: all three
            # the student's own objects.
            assert student.mutated_arguments() == ["arg3['x']", "arg7", "arg10['a']"]
        assert student.inconsistency("make") is None and student.inconsistency("touch") is None
        assert box_.alive


def test_the_deep_check_bounds_its_work_on_wide_arguments() -> None:
    source = '''
class Holder:
    def __init__(self, n):
        self.items = [np.zeros(1) for _ in range(n)]

def make(n):
    return Holder(n)

def touch(holder):
    holder.items[1][0] = 1.0
    return len(holder.items)
'''
    with sandbox(source) as box_:
        small, wide = box_.call("make", 3), box_.call("make", 300_000)
        assert box_.call("touch", small) == 3
        assert box_.last_call_mutated == ["arg0.items[1]"]
        # More values than the check follows (MAX_SNAPSHOT_NODES): that list is not compared.
        assert box_.call("touch", wide) == 300_000
        assert box_.last_call_mutated == []


def test_result_numbering_is_the_same_on_both_sides() -> None:
    value = (np.zeros(2), [1, {"a": np.ones(1), "b": (2.0, np.int32(3))}], None)
    kept: list[list[object]] = []
    encoder = channel.Encoder(keep=kept)
    node = json.loads(json.dumps(encoder.encode(value)))  # as the header carries it
    made: list[tuple[object, object]] = []
    channel.decode(node, encoder.body(), made=made)
    assert [n for _, n in made] == [n for _, n in kept]
    assert len(made) == 6  # the tuple, the array, the list, the dict, its array, the pair
    for (sent, _), (received, _) in zip(kept, made, strict=True):
        assert type(received) is type(sent)
    for number, (_, node_) in enumerate(made):
        assert channel.same_value(node_, encoder.body(), kept[number][1], encoder.body())


def test_same_value_tells_values_apart_bit_for_bit() -> None:
    def encoded(value: object) -> tuple[object, bytes]:
        encoder = channel.Encoder()
        return encoder.encode(value), encoder.body()

    values = [np.zeros(2), np.zeros(3), np.zeros(2, dtype=np.float32), np.array([0.0, -0.0]),
              np.array([np.nan, 1.0]), [np.zeros(2)], (np.zeros(2),), {"a": np.zeros(2)},
              {"b": np.zeros(2)}, 0.0, -0.0, float("nan"), 0, False, None]
    for (i, a), (j, b) in itertools.product(enumerate(values), repeat=2):
        assert channel.same_value(*encoded(a), *encoded(b)) == (i == j), (a, b)
