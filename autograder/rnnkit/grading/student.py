"""How a hidden test reaches the student's functions.

Tests call ``student.rnn_forward(x, h0, params)`` whatever runs the student's code: a sandboxed
child process (``rnnkit grade``/``autograde``) or the notebook's own namespace (nbgrader's kernel,
the public checks). Every failure of the student's code arrives as :class:`StudentFailure`, a
:class:`~rnnkit.compare.CheckFailed` whose text tells the student what happened.

Every call is also recorded (:class:`CallRecord`), so a test can ask whether a function keeps
state between calls: ``student.inconsistent("rnn_forward")``.
"""

from __future__ import annotations

import collections
import copy
import hashlib
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from rnnkit.compare import CheckFailed
from rnnkit.i18n import say
from rnnkit.kit.untrusted import clean

if TYPE_CHECKING:  # the kernel bridge must not need the sandbox machinery
    from rnnkit.sandbox import Sandbox


class StudentFailure(CheckFailed):
    """The student's function is missing, raised, hung or crashed."""


class Student:
    """The student's functions, called by name: ``student.rnn_forward(...)``."""

    def __init__(self) -> None:
        self._record = CallRecord()

    def __getattr__(self, function: str) -> Callable[..., Any]:
        if function.startswith("_"):
            raise AttributeError(function)
        return lambda *args: self.call(function, *args)

    def call(self, function: str, *args: Any) -> Any:
        """Call ``function(*args)`` in the student's code and return its result (recorded)."""
        arguments = _digest(args)  # before the call: the student's code may change its inputs
        seen = self._observe(function, args, self._record.watched(function))
        self._record.called(function, arguments if seen.intact else None, seen)
        return seen.result

    def inconsistent(self, function: str) -> bool:
        """Whether ``function`` was seen to keep state between calls in this run."""
        return self.inconsistency(function) is not None

    def inconsistency(self, function: str) -> str | None:
        """How ``function`` was seen to keep state between calls (feedback), or None."""
        return self._record.problems.get(function)

    def _observe(self, function: str, args: tuple[Any, ...], watched: list[Any]) -> Observed:
        """Call ``function(*args)``, reading each of ``watched`` (results of earlier calls)
        just before and just after it."""
        before = [_content(result) for result in watched]
        result = self._call(function, *args)
        return Observed(result, before, [_content(result) for result in watched])

    def _call(self, function: str, *args: Any) -> Any:
        raise NotImplementedError

    def mutated_arguments(self) -> list[str]:
        """Which arguments the last call modified in place (e.g. ``["arg2['W_hh']"]``)."""
        raise NotImplementedError


class NamespaceStudent(Student):
    """Functions defined in a namespace of this process (a notebook kernel's ``globals()``)."""

    def __init__(self, namespace: Mapping[str, Any]) -> None:
        super().__init__()
        self._namespace = namespace
        self._mutated: list[str] = []

    def _call(self, function: str, *args: Any) -> Any:
        target = self._namespace.get(function)
        if not callable(target):
            raise StudentFailure(_missing(function))
        before = copy.deepcopy(args)
        try:
            result = target(*args)
        except Exception as error:  # the student's bug, reported as feedback
            frames = traceback.format_exception(type(error), error, error.__traceback__)
            raise StudentFailure(_raised(function, clean(f"{type(error).__name__}: {error}"),
                                         clean("".join(frames[-3:])))) from None
        self._mutated = _changed_arrays(before, args)
        return result

    def mutated_arguments(self) -> list[str]:
        return self._mutated


class SandboxStudent(Student):
    """Functions defined in a sandboxed child process; only numeric data crosses back."""

    def __init__(self, box: Sandbox) -> None:
        super().__init__()
        self._box = box

    def _observe(self, function: str, args: tuple[Any, ...], watched: list[Any]) -> Observed:
        """As in-process: the sandbox passes back what earlier calls returned as the student's
        own objects, and re-reads the watched results in the child, where they live."""
        from rnnkit.sandbox import StudentError

        try:
            call = self._box.call_watching(function, args, watched=watched,
                                           levels=CONTENT_LEVELS)
        except StudentError as error:
            if error.kind == "missing":
                raise StudentFailure(_missing(function)) from None
            raise StudentFailure(_raised(function, error.message, "")) from None
        # The sandbox gives back the very object for a result the call did not change: it is
        # read once, and the record sees the same content before and after.
        before = [_content(value) for value in call.before]
        after = [content if old is new else _content(new)
                 for content, old, new in zip(before, call.before, call.after, strict=True)]
        return Observed(call.result, before, after, call.intact)

    def mutated_arguments(self) -> list[str]:
        return list(self._box.last_call_mutated)


def _missing(function: str) -> str:
    return say(
        es="`{f}` no está definida: ¿se ejecutó sin errores su celda de respuesta?",
        en="`{f}` is not defined: did its answer cell run without errors?",
        f=function,
    )


def _raised(function: str, what: str, where: str) -> str:
    if what.startswith("NotImplementedError"):
        return say(es="`{f}` todavía no está implementada (lanza NotImplementedError).",
                   en="`{f}` is not implemented yet (it raises NotImplementedError).", f=function)
    text = say(es="`{f}` falló: {what}", en="`{f}` failed: {what}", f=function, what=what)
    return f"{text}\n{where}".rstrip()


def _changed_arrays(before: tuple[Any, ...], after: tuple[Any, ...]) -> list[str]:
    """Names of what differs among the arguments ``after`` from their copies ``before``: arrays,
    and the items of tuples, lists, dicts and objects (a cache), at any depth."""
    return [name for i, (b, a) in enumerate(zip(before, after, strict=True))
            for name in _changed(b, a, f"arg{i}")]


def _changed(before: Any, after: Any, name: str, depth: int = 0) -> list[str]:
    if depth > _MAX_DEPTH:
        return []
    try:
        if isinstance(before, np.ndarray):
            return [] if _same_bits(before, after) else [name]
        if isinstance(before, Mapping):
            if not isinstance(after, Mapping) or set(before) != set(after):
                return [name]  # items added or removed
            return [changed for key in before for changed in _changed(
                before[key], after[key], f"{name}[{clean(repr(key), 80, one_line=True)}]",
                depth + 1)]
        if isinstance(before, tuple | list):
            if type(after) is not type(before) or len(after) != len(before):
                return [name]
            return [changed for i, (b, a) in enumerate(zip(before, after, strict=True))
                    for changed in _changed(b, a, f"{name}[{i}]", depth + 1)]
        if isinstance(getattr(before, "__dict__", None), dict) and not callable(before):
            attributes = getattr(after, "__dict__", None)  # an object, e.g. a cache class
            if not isinstance(attributes, dict) or set(vars(before)) != set(attributes):
                return [name]
            return [changed for key, value in vars(before).items() for changed in
                    _changed(value, attributes[key], f"{name}.{clean(str(key), 80, one_line=True)}",
                             depth + 1)]
    except Exception:  # an object that breaks when compared: nothing can be said about it
        return []
    return []


def _same_bits(before: np.ndarray, after: Any) -> bool:
    return (isinstance(after, np.ndarray) and after.dtype == before.dtype
            and after.shape == before.shape and after.tobytes() == before.tobytes())


# ------------------------------------------------------------------ the record of every call

_MAX_DEPTH = 8  # nesting followed in arguments and results (deeper is not compared)
SAME_RTOL = 1e-9
SAME_ATOL = 1e-12
"""Two calls with the same arguments agree to these bounds: float64 code repeated on the same
inputs gives the same bits but for memory alignment effects (about 1e-16), while state kept
between calls changes results by far more."""


@dataclass(frozen=True)
class Observed:
    """One call as the record sees it: its result; what each watched earlier result held, as
    :func:`_content` reads it, just before and just after the call; and whether the function
    received the arguments as the grader holds them (False when the sandbox passed back an
    earlier result that the student's code has written into since: then the arguments' digest
    says nothing about the call)."""

    result: Any
    before: list[list[Any]]
    after: list[list[Any]]
    intact: bool = True


class CallRecord:
    """What the student's functions returned, to tell whether they keep state between calls.

    A function keeps state when the same arguments (equal bit for bit) give different results,
    or when a call changes what an earlier call of the same function returned (it returns a
    buffer it reuses, or a list it keeps appending to). What is compared is what a caller
    reads: the arrays and numbers a function returns and the lengths of the tuples, lists and
    dicts it returns, one level deep (the states, the gradients, how many caches). The inside
    of a cache is the backward's business: the tests call backward on earlier caches, and
    twice on one cache. Calls whose arguments are not plain data (a cache object, a sandbox
    handle) are re-read but not compared by arguments.

    Only what a function's own call changes counts: what other code changes in its results
    between its calls (a backward writing into a cache that holds a returned array) is not
    its doing. So each call's latest RECENT results are read just before and just after its
    next call (in-process by reading the objects, through the sandbox by the child re-reading
    them, see :class:`Observed`).
    """

    RECENT = 3  # how many of a function's latest results are re-read around its next call

    def __init__(self) -> None:
        self.problems: dict[str, str] = {}  # function -> the first sign of state, as feedback
        self._first: dict[tuple[str, bytes], list[Any]] = {}  # (function, arguments) -> result
        self._recent: dict[str, collections.deque[Any]] = {}

    def watched(self, function: str) -> list[Any]:
        """The results to read just before and just after the next call of ``function``."""
        return list(self._recent.get(function, ()))

    def called(self, function: str, arguments: bytes | None, seen: Observed) -> None:
        """Record one call: its arguments' digest (None: not plain data, or not what the
        function received, see Observed) and what was seen."""
        if any(not _same(after, before, exact=True)
               for before, after in zip(seen.before, seen.after, strict=True)):
            self.problems.setdefault(function, _changed_later(function))
        content = _content(seen.result)
        if arguments is not None:
            first = self._first.setdefault((function, arguments), content)
            if not _same(content, first, exact=False):
                self.problems.setdefault(function, _not_a_function(function))
        self._recent.setdefault(function, collections.deque(maxlen=self.RECENT)).append(
            seen.result)


def _not_a_function(function: str) -> str:
    return say(
        es="`{f}` da resultados distintos para las mismas entradas: guarda estado entre "
           "llamadas (una variable global, pesos guardados de una llamada anterior, un "
           "acumulador que no se reinicia, un argumento por defecto mutable...). Una función "
           "debe depender solo de sus argumentos.",
        en="`{f}` gives different results for the same inputs: it keeps state between calls "
           "(a global variable, weights kept from an earlier call, an accumulator that is not "
           "reset, a mutable default argument...). A function must depend on its arguments "
           "only.", f=function)


def _changed_later(function: str) -> str:
    return say(
        es="Lo que `{f}` devolvió cambió después de una llamada posterior: devuelve un arreglo "
           "(o una lista) que reutiliza y vuelve a escribir. Devuelve objetos nuevos en cada "
           "llamada (p. ej. `np.zeros(...)` dentro de la función, o `.copy()`).",
        en="What `{f}` returned changed after a later call: it returns an array (or a list) "
           "that it reuses and writes again. Return new objects on every call (e.g. "
           "`np.zeros(...)` inside the function, or `.copy()`).", f=function)


def _digest(args: tuple[Any, ...]) -> bytes | None:
    """A digest of arguments made of plain data (arrays, numbers, strings, None, and tuples,
    lists and str-keyed dicts of these), or None for any other argument."""
    digest = hashlib.blake2b(digest_size=16)
    try:
        return digest.digest() if _feed(digest, args, 0) else None
    except Exception:  # an argument that cannot be read: the call is not compared
        return None


def _feed(digest: Any, value: Any, depth: int) -> bool:
    kind = type(value)
    if depth > _MAX_DEPTH:
        return False
    if kind is np.ndarray:
        if value.dtype.kind not in "biufc":
            return False
        digest.update(f"array {value.dtype.str} {value.shape}:".encode())
        digest.update(value.tobytes())
        return True
    if value is None or kind in (bool, int, float, str):
        digest.update(f"{kind.__name__} {value!r};".encode())
        return True
    if kind in (tuple, list):
        digest.update(f"{kind.__name__} {len(value)}:".encode())
        return all(_feed(digest, item, depth + 1) for item in value)
    if kind is dict:
        digest.update(f"dict {len(value)}:".encode())
        for key, item in value.items():
            if type(key) is not str:
                return False
            digest.update(f"{key!r}=".encode())
            if not _feed(digest, item, depth + 1):
                return False
        return True
    return False


CONTENT_LEVELS = 2
"""How deep :func:`_content` reads a result: its items, and of an item that is a container
only its class and length (the sandbox re-reads results in the child this deep)."""


def _content(value: Any) -> list[Any]:
    """What a caller reads of a result: see CallRecord."""
    try:
        if isinstance(value, tuple | list):
            return [(type(value).__name__, len(value)), *map(_leaf, value)]
        if isinstance(value, dict):
            return [("dict", len(value)),
                    *(part for key, item in value.items() for part in (key, _leaf(item)))]
        return [_leaf(value)]
    except Exception:  # a result that breaks when read is for the tests to judge
        return [type(value).__name__]


def _leaf(item: Any) -> Any:
    if isinstance(item, np.ndarray):
        return np.array(item, copy=True) if item.dtype.kind in "biufc" else item.dtype.str
    if item is None or isinstance(item, bool | int | float | complex | str | np.number):
        return item
    if isinstance(item, tuple | list | dict):
        return (type(item).__name__, len(item))
    return type(item).__name__  # an object (a cache): not compared


def _same(a: list[Any], b: list[Any], *, exact: bool) -> bool:
    return a is b or len(a) == len(b) and all(_same_leaf(x, y, exact)
                                              for x, y in zip(a, b, strict=True))


def _same_leaf(x: Any, y: Any, exact: bool) -> bool:
    try:
        if isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            return isinstance(x, np.ndarray) and (_same_bits(x, y) or not exact and _near(x, y))
        return type(x) is type(y) and bool(x == y or (x != x and y != y))  # NaN is NaN here
    except Exception:  # values that cannot be compared are not held against the student
        return True


def _near(x: np.ndarray, y: Any) -> bool:
    return (isinstance(y, np.ndarray) and x.dtype == y.dtype and x.shape == y.shape
            and x.dtype.kind in "fc"
            and bool(np.allclose(x, y, rtol=SAME_RTOL, atol=SAME_ATOL, equal_nan=True)))
