"""Numeric gradient checking: test a backward pass against finite differences of its forward.

Typical use on one RNN step, for the gradient with respect to W_hh::

    from rnnkit.gradcheck import numerical_gradient, relative_error

    h_next, cache = rnn_cell_forward(x_t, h_prev, params)
    dh_next = np.random.randn(*h_next.shape)          # any upstream gradient will do
    grads = rnn_cell_backward(dh_next, cache)

    W = params["W_hh"].copy()
    f = lambda W: rnn_cell_forward(x_t, h_prev, {**params, "W_hh": W})[0]
    num = numerical_gradient(f, W, dh_next)
    print(relative_error(grads["dW_hh"], num))        # about 1e-9 or less when both agree

``numerical_gradient`` differentiates the scalar ``sum(f(x) * df)``, whose gradient is exactly
what a backward pass returns when it receives ``df`` as the upstream gradient of ``f(x)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from rnnkit.compare import relative_error
from rnnkit.i18n import say

__all__ = ["numerical_gradient", "relative_error"]


def numerical_gradient(
    f: Callable[[np.ndarray], Any], x: np.ndarray, df: Any, h: float = 1e-5
) -> np.ndarray:
    """Central-difference estimate of the gradient of ``sum(f(x) * df)`` with respect to ``x``.

    Each entry x[i] is moved to x[i] + h and x[i] - h in place, f is evaluated at both, and
    the entry is put back, so ``x`` holds its original values when the function returns (also
    if f raises). ``f`` must therefore read the current contents of ``x`` each time it is
    called, as a closure or lambda over ``x`` does. The cost is 2 * x.size calls of ``f``.

    Inputs:
    - f: function taking the array x and returning an array of any shape S.
    - x: float array of any shape; the point where the gradient is estimated.
    - df: upstream gradient, array of shape S (the shape of f(x)).
    - h: step of the finite differences.

    Returns:
    - grad: float array with the shape of x; grad[i] approximates
      d(sum(f(x) * df)) / d x[i] with an error of order h**2.
    """
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise TypeError(say(
            es="numerical_gradient necesita que x sea un arreglo de numpy de números reales "
               "(float), pero es {kind}; usa p. ej. x.astype(float).",
            en="numerical_gradient needs x to be a numpy array of floats, but it is {kind}; "
               "use e.g. x.astype(float).",
            kind=type(x).__name__ if not isinstance(x, np.ndarray) else f"dtype {x.dtype}",
        ))
    df = np.asarray(df, dtype=float)
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        try:
            x[index] = original + h
            f_plus = _output(f(x), df)
            x[index] = original - h
            f_minus = _output(f(x), df)
        finally:
            x[index] = original
        grad[index] = np.sum((f_plus - f_minus) * df) / (2 * h)
    return grad


def _output(value: Any, df: np.ndarray) -> np.ndarray:
    """f's result as a float array (a copy), checked against the shape of df."""
    out = np.array(value, dtype=float)
    if out.shape != df.shape:
        raise ValueError(say(
            es="f(x) tiene forma {got} pero df tiene forma {expected}: df debe tener la forma "
               "de lo que devuelve f.",
            en="f(x) has shape {got} but df has shape {expected}: df must have the shape of "
               "what f returns.",
            got=out.shape, expected=df.shape,
        ))
    return out
