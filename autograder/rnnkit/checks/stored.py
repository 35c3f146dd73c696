"""The torch oracle's answers on the public checks' fixed inputs, computed ahead of time.

A public check compares the student's value with what PyTorch computes on the same inputs.
Those inputs are fixed (seeded), so torch's answers are too: they are stored beside each
assignment (``rnnkit/assignments/<a>/expected.npz``, package data of the students' wheel) and a
check reads them instead of importing torch, which takes seconds. torch stays the oracle: the
instructor kit computes the file with it (``python -m rnnkit.kit.expected``) by running every
check on the reference solution, and a test recomputes it and fails when it is not current.

:class:`StoredOracle` stands for an assignment's torch oracle (``<a>/torch_oracle.py``). Each
call is looked up by the method's name and the inputs it gets; what is not stored (a student's
own values, a known mistake's knobs) is computed by torch, imported then. So a right notebook
never imports torch, a wrong one does when its mistake is to be named, and a stale file is
never wrong, only slower.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["FILE_NAME", "StoredOracle", "input_key", "load", "save"]

FILE_NAME = "expected.npz"

# Inputs are keyed with the last 20 of their 52 mantissa bits dropped (a relative precision of
# about 1e-10, far inside the checks' 1e-6), so that the last bit a platform's tanh or exp may
# round differently does not make a stored answer miss.
_DROPPED_BITS = np.int64(~((1 << 20) - 1))

Answer = np.ndarray | tuple[np.ndarray, ...] | dict[str, np.ndarray]
"""What a torch oracle's method returns: an array, a tuple of arrays or a dict of arrays."""


class StoredOracle:
    """An assignment's torch oracle whose answers on stored inputs are read, not computed.

    Inputs:
    - package: the assignment's package, e.g. ``"rnnkit.assignments.rnn"``; its
      ``torch_oracle`` module holds ``ORACLE`` (the torch oracle) and its folder the stored
      answers (FILE_NAME).

    ``oracle.method(*args, **kwargs)`` returns what ``ORACLE.method(*args, **kwargs)`` returns
    (a copy of it when it is stored).
    """

    def __init__(self, package: str) -> None:
        self._package = package
        self._table: dict[str, Answer] | None = None
        self._recording: dict[str, Answer] | None = None

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args, **kwargs: self._answer(method, args, kwargs)

    @property
    def path(self) -> Path:
        """Where the stored answers are."""
        spec = importlib.util.find_spec(self._package)
        assert spec is not None and spec.origin is not None, self._package
        return Path(spec.origin).parent / FILE_NAME

    def torch_oracle(self) -> Any:
        """The torch oracle itself (imports torch)."""
        return importlib.import_module(f"{self._package}.torch_oracle").ORACLE

    @contextmanager
    def recording(self) -> Iterator[dict[str, Answer]]:
        """Within the block, every call is computed by torch and, when its inputs can be keyed,
        recorded in the dict yielded: the answers to store."""
        self._recording = {}
        try:
            yield self._recording
        finally:
            self._recording = None

    def _answer(self, method: str, args: tuple, kwargs: dict[str, Any]) -> Any:
        key = input_key(method, args, kwargs)
        if self._recording is None and key is not None:
            stored = self._stored().get(key)
            if stored is not None:
                return _copy(stored)
        value = getattr(self.torch_oracle(), method)(*args, **kwargs)
        if self._recording is not None and key is not None:
            self._recording[key] = _copy(value)
        return value

    def _stored(self) -> dict[str, Answer]:
        if self._table is None:
            self._table = load(self.path) if self.path.is_file() else {}
        return self._table


def input_key(method: str, args: tuple, kwargs: Mapping[str, Any]) -> str | None:
    """The name under which the answer of ``method(*args, **kwargs)`` is stored; None when an
    input is not plain data (a mistake's rule or knob object): such calls are never stored."""
    digest = hashlib.sha256(method.encode())
    try:
        _feed(digest, (args, dict(kwargs)))
    except Exception:  # not plain data, or a student's object that fails when read
        return None
    return f"{method}-{digest.hexdigest()[:24]}"


def _feed(digest: Any, value: Any) -> None:
    """Add ``value`` (arrays, numbers, strings, None, and tuples, lists and dicts of them) to
    ``digest``; a TypeError for anything else."""
    if isinstance(value, np.ndarray | float | np.floating):
        array = np.asarray(value)
        if array.dtype.kind == "f":
            bits = (array.astype(np.float64) + 0.0).view(np.int64) & _DROPPED_BITS  # -0.0 = 0.0
            digest.update(f"f{array.shape}".encode() + bits.tobytes())
        elif array.dtype.kind in "biu":
            digest.update(f"i{array.shape}".encode() + array.astype(np.int64).tobytes())
        else:
            raise TypeError(f"cannot key an array of {array.dtype}")
    elif value is None or isinstance(value, bool | int | str | np.integer):
        digest.update(f"{type(value).__name__}:{value!r};".encode())
    elif isinstance(value, tuple | list):
        digest.update(f"[{len(value)}".encode())
        for item in value:
            _feed(digest, item)
    elif isinstance(value, Mapping):
        digest.update(f"{{{len(value)}".encode())
        for name, item in value.items():
            _feed(digest, str(name))
            _feed(digest, item)
    else:
        raise TypeError(f"cannot key a {type(value).__name__}")


def _copy(value: Answer) -> Answer:
    """A copy the caller may change without changing what is stored."""
    if isinstance(value, tuple):
        return tuple(np.array(item, copy=True) for item in value)
    if isinstance(value, Mapping):
        return {name: np.array(item, copy=True) for name, item in value.items()}
    return np.array(value, copy=True)


# ----------------------------------------------------------------------------------------------
# The file: one .npz entry per array, named "<key>" (an array), "<key>/<i>" (the i-th of a
# tuple) or "<key>.<name>" (a dict's entry); keys hold neither "/" nor ".".
# ----------------------------------------------------------------------------------------------

def save(path: Path, answers: Mapping[str, Answer]) -> None:
    """Write ``answers`` (key -> answer) to ``path``."""
    arrays: dict[str, np.ndarray] = {}
    for key, value in sorted(answers.items()):
        if isinstance(value, tuple):
            arrays.update({f"{key}/{i}": np.asarray(item) for i, item in enumerate(value)})
        elif isinstance(value, Mapping):
            arrays.update({f"{key}.{name}": np.asarray(item) for name, item in value.items()})
        else:
            arrays[key] = np.asarray(value)
    with open(path, "wb") as file:
        np.savez_compressed(file, **arrays)


def load(path: Path) -> dict[str, Answer]:
    """The answers written by :func:`save` to ``path``."""
    answers: dict[str, Any] = {}
    tuples = set()
    with np.load(path, allow_pickle=False) as stored:
        for entry in stored.files:
            if "/" in entry:
                key, index = entry.split("/", 1)
                answers.setdefault(key, {})[int(index)] = stored[entry]
                tuples.add(key)
            elif "." in entry:
                key, name = entry.split(".", 1)
                answers.setdefault(key, {})[name] = stored[entry]
            else:
                answers[entry] = stored[entry]
    for key in tuples:
        answers[key] = tuple(answers[key][i] for i in range(len(answers[key])))
    return answers
