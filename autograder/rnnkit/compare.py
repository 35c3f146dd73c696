"""The one comparison and feedback layer: public notebook checks, hidden suites and the CLI all
judge a student's value with these functions, so a student reads the same diagnosis everywhere.

A comparison never just says "wrong". In order, it reports: a value of the wrong kind, a wrong
shape (with the likely cause: transposed, batch not summed, ...), NaN or inf, a match with a
known wrong variant (the caller names the mistake, e.g. "your forget gate uses tanh"), a result
shifted by one time step, which time steps are wrong, and finally the largest error and where.

Tolerances: ``rtol=1e-6, atol=1e-8`` by default. Any float64 implementation of the same
equations (separate or concatenated weights, a different summation order, a numerically stable
sigmoid) agrees with the reference to about 1e-12, so these bounds leave a margin of a million
while every real mistake we know of is off by more than 1e-3.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from rnnkit.i18n import say

RTOL = 1e-6
ATOL = 1e-8

Variant = tuple[Any, str]
"""A known wrong value and the message that names the mistake producing it."""


class CheckFailed(AssertionError):
    """A student value failed a check; ``str(error)`` is the student-facing explanation."""


def close(got: Any, expected: Any, *, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """True when ``got`` is a numeric array of the expected shape whose values all match."""
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return False
    expected_arr = np.asarray(expected, dtype=float)
    return got_arr.shape == expected_arr.shape and bool(
        np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol)
    )


def explain_mismatch(
    name: str,
    got: Any,
    expected: Any,
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    time_axis: int | None = None,
    variants: Sequence[Variant] = (),
) -> str | None:
    """Why ``got`` differs from ``expected``, in the student's language; None when it matches.

    Inputs:
    - name: how the student knows this value, e.g. ``"h_next"`` or ``"grads['dW_hh']"``.
    - got: what the student's code returned (anything: it is checked before use).
    - expected: the reference value, an array or number.
    - time_axis: the axis indexing time steps 1..T, if any, to say which steps are wrong.
    - variants: (wrong value, message) pairs for known mistakes; the first match is reported.
    """
    expected_arr = np.asarray(expected, dtype=float)
    got_arr = as_numeric_array(got)
    if got_arr is None:
        return say(
            es="`{name}` debería ser un arreglo de numpy de forma {shape}, pero es {kind}.",
            en="`{name}` should be a numpy array of shape {shape}, but it is {kind}.",
            name=name, shape=expected_arr.shape, kind=describe_kind(got),
        )
    if got_arr.shape != expected_arr.shape:
        return _explain_shape(name, got_arr.shape, expected_arr.shape)
    if not np.all(np.isfinite(got_arr)):
        return say(
            es="`{name}` contiene NaN o infinito: revisa divisiones y exponenciales.",
            en="`{name}` contains NaN or infinity: check divisions and exponentials.",
            name=name,
        )
    if np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol):
        return None
    for wrong_value, message in variants:
        if close(got_arr, wrong_value, rtol=rtol, atol=atol):
            return f"`{name}`: {message}"
    if time_axis is not None:
        steps = _explain_time_steps(name, got_arr, expected_arr, time_axis, rtol, atol)
        if steps:
            return steps
    return _explain_values(name, got_arr, expected_arr)


def expect_close(name: str, got: Any, expected: Any, **options: Any) -> None:
    """Raise CheckFailed with the explanation when ``got`` does not match ``expected``.

    Takes the same keyword options as :func:`explain_mismatch`.
    """
    problem = explain_mismatch(name, got, expected, **options)
    if problem:
        raise CheckFailed(problem)


def expect_keys(name: str, got: Any, keys: Iterable[str]) -> None:
    """Raise CheckFailed unless ``got`` is a dict holding every one of ``keys``."""
    keys = list(keys)
    if not isinstance(got, Mapping):
        raise CheckFailed(say(
            es="`{name}` debería ser un diccionario con las claves {keys}, pero es {kind}.",
            en="`{name}` should be a dict with keys {keys}, but it is {kind}.",
            name=name, keys=", ".join(keys), kind=describe_kind(got),
        ))
    missing = [key for key in keys if key not in got]
    if missing:
        raise CheckFailed(say(
            es="A `{name}` le faltan las claves {missing}.",
            en="`{name}` is missing the keys {missing}.",
            name=name, missing=", ".join(missing),
        ))


def expect_pair(name: str, got: Any, size: int = 2) -> Sequence[Any]:
    """Return ``got`` if it is a tuple or list of ``size`` items, else raise CheckFailed."""
    if not isinstance(got, tuple | list) or len(got) != size:
        raise CheckFailed(say(
            es="`{name}` debería devolver una tupla de {size} elementos, pero devolvió {kind}.",
            en="`{name}` should return a tuple of {size} items, but it returned {kind}.",
            name=name, size=size, kind=describe_kind(got),
        ))
    return got


def expect_unchanged(name: str, before: Any, after: Any) -> None:
    """Raise CheckFailed when an argument changed during a call (functions must not modify
    their inputs)."""
    if not close(after, before, rtol=0.0, atol=0.0):
        raise CheckFailed(say(
            es="Tu función modificó su argumento `{name}`; trabaja sobre copias (p. ej. "
               "`x = x + 1` en vez de `x += 1`).",
            en="Your function modified its argument `{name}`; work on copies (e.g. "
               "`x = x + 1` instead of `x += 1`).",
            name=name,
        ))


def relative_error(a: Any, b: Any) -> float:
    """max |a - b| / max(|a| + |b|, 1e-8): the scale-free error used in gradient checks."""
    a_arr, b_arr = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    scale = np.maximum(np.abs(a_arr) + np.abs(b_arr), 1e-8)
    return float(np.max(np.abs(a_arr - b_arr) / scale)) if a_arr.size else 0.0


def as_numeric_array(value: Any) -> np.ndarray | None:
    """``value`` as a float array when it is a number or a numeric (not boolean) numpy array,
    else None: a list, a tensor or None is a wrong kind of answer, never converted."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, np.ndarray) and value.dtype.kind in "fiu":
        return np.asarray(value, dtype=float)
    if isinstance(value, int | float | np.floating | np.integer):
        return np.asarray(value, dtype=float)
    return None


def describe_kind(value: Any) -> str:
    """What ``value`` is, for a message: its type, with dtype and shape for an array and the
    length for a tuple or list. A value that names itself (``kind_for_messages``, e.g. an object
    kept inside the sandbox) does so."""
    names_itself = getattr(type(value), "kind_for_messages", None)
    if callable(names_itself):
        return names_itself(value)
    if isinstance(value, np.ndarray):
        return f"ndarray(dtype={value.dtype}, shape={value.shape})"
    if isinstance(value, tuple | list):
        return say(es="{t} de {n} elementos", en="{t} of {n} items", t=type(value).__name__,
                   n=len(value))
    return type(value).__name__


def _explain_shape(name: str, got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    message = say(
        es="`{name}` tiene forma {got} pero debería tener forma {expected}.",
        en="`{name}` has shape {got} but should have shape {expected}.",
        name=name, got=got, expected=expected,
    )
    if len(got) == len(expected) == 2 and got == expected[::-1]:
        hint = say(
            es=" ¿Está traspuesto? Aquí los ejemplos son columnas: x_t es (D, N) y h es (H, N).",
            en=" Is it transposed? Here examples are columns: x_t is (D, N) and h is (H, N).",
        )
    elif len(expected) == 2 and expected[1] == 1 and got[:1] == expected[:1]:
        hint = say(
            es=" Un sesgo tiene un valor por unidad: suma sobre el lote con "
               "`.sum(axis=1, keepdims=True)`.",
            en=" A bias has one value per unit: sum over the batch with "
               "`.sum(axis=1, keepdims=True)`.",
        )
    elif len(got) == len(expected) - 1:
        hint = say(
            es=" Falta un eje: ¿perdiste el eje del tiempo o del lote?",
            en=" One axis is missing: did you drop the time or the batch axis?",
        )
    else:
        hint = say(
            es=" Un gradiente tiene la forma de lo que deriva.",
            en=" A gradient has the shape of what it differentiates.",
        )
    return message + hint


def _explain_time_steps(
    name: str, got: np.ndarray, expected: np.ndarray, axis: int, rtol: float, atol: float
) -> str | None:
    got_t, expected_t = np.moveaxis(got, axis, 0), np.moveaxis(expected, axis, 0)
    steps = got_t.shape[0]
    if steps > 1 and np.allclose(got_t[1:], expected_t[:-1], rtol=rtol, atol=atol):
        return say(
            es="`{name}` está desplazado un paso en el tiempo: en la posición t aparece el valor "
               "del paso t-1. Revisa los índices del bucle (h_1 … h_T, no h_0 … h_{{T-1}}).",
            en="`{name}` is shifted by one time step: position t holds the value of step t-1. "
               "Check your loop indices (h_1 … h_T, not h_0 … h_{{T-1}}).",
            name=name,
        )
    wrong = [t + 1 for t in range(steps)
             if not np.allclose(got_t[t], expected_t[t], rtol=rtol, atol=atol)]
    if steps == 1 or len(wrong) == steps:
        return None
    if wrong == list(range(1, steps)):
        return say(
            es="`{name}` solo es correcto en el último paso t = T y está mal para t < T: "
               "falta lo que llega desde el paso siguiente (t+1).",
            en="`{name}` is right only at the last step t = T and wrong for t < T: "
               "what arrives from the next step (t+1) is missing.",
            name=name,
        )
    if wrong == list(range(2, steps + 1)):
        return say(
            es="`{name}` solo es correcto en el primer paso y está mal para t > 1: "
               "revisa lo que pasa de un paso al siguiente.",
            en="`{name}` is right only at the first step and wrong for t > 1: "
               "check what is carried from one step to the next.",
            name=name,
        )
    return say(
        es="`{name}` está mal en los pasos t = {wrong} (de 1 a {steps}) y bien en el resto.",
        en="`{name}` is wrong at steps t = {wrong} (of 1 to {steps}) and right elsewhere.",
        name=name, wrong=", ".join(map(str, wrong)), steps=steps,
    )


def _explain_values(name: str, got: np.ndarray, expected: np.ndarray) -> str:
    error = np.abs(got - expected)
    where = np.unravel_index(int(np.argmax(error)), error.shape) if error.ndim else ()
    hint = ""
    if np.allclose(got, -expected, rtol=RTOL, atol=ATOL):
        hint = say(es=" Tiene el signo cambiado.", en=" Its sign is flipped.")
    elif np.any(expected) and np.allclose(got, 0.0):
        hint = say(es=" Es todo ceros.", en=" It is all zeros.")
    return say(
        es="`{name}` tiene valores incorrectos: el mayor error es {err:.3g} en el índice {where} "
           "(se esperaba {exp:.6g}, se obtuvo {got:.6g}).{hint}",
        en="`{name}` has wrong values: the largest error is {err:.3g} at index {where} "
           "(expected {exp:.6g}, got {got:.6g}).{hint}",
        name=name, err=float(error[where]), where=tuple(int(i) for i in where),
        exp=float(expected[where]), got=float(got[where]), hint=hint,
    )
