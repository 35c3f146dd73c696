"""Submissions that try to buy backward credit without a backward pass (issue 7's attack):
forward functions right on their first calls and constant afterwards, and backward passes that
return zeros, which "match" the numerical gradient of a constant forward.

The templates are filled with ``string.Template``: ``$honest_calls`` (how many calls of the
forward functions, all together, are right) and ``$constant`` (what they return afterwards).
They are used by tests/test_judge.py (in-process, both assignments) and by rows of the hostile
corpus (tests/hostile/corpus.py, through the sandbox).
"""

import string

# Shared by the attackers: the forward functions are right on their first `honest_calls`
# calls, all together, and return `constant` afterwards.
COUNTER = '''
_state = {"calls": 0}

def _right_for_now():
    _state["calls"] += 1
    return _state["calls"] <= $honest_calls
'''

RNN_FORWARD_ATTACK = COUNTER + '''
_right_cell_forward, _right_forward = rnn_cell_forward, rnn_forward

def rnn_cell_forward(x_t, h_prev, params):
    if _right_for_now():
        return _right_cell_forward(x_t, h_prev, params)
    h_next = np.full(h_prev.shape, $constant)
    return h_next, (x_t, h_prev, h_next, params["W_xh"], params["W_hh"])

def rnn_forward(x, h0, params):
    if _right_for_now():
        return _right_forward(x, h0, params)
    h = np.full((len(x),) + h0.shape, $constant)
    return h, [(x[t], h0, h[t], params["W_xh"], params["W_hh"]) for t in range(len(x))]
'''

RNN_ZERO_BACKWARD = '''
def _zeros(cache):
    x_t, h_prev, _, W_xh, W_hh = cache
    return {"dx_t": np.zeros_like(x_t), "dh_prev": np.zeros_like(h_prev),
            "dW_xh": np.zeros_like(W_xh), "dW_hh": np.zeros_like(W_hh),
            "db_h": np.zeros((W_hh.shape[0], 1))}

def rnn_cell_backward(dh_next, cache):
    return _zeros(cache)

def rnn_backward(dh, caches):
    step = _zeros(caches[0])
    return {"dx": np.zeros((len(caches),) + step["dx_t"].shape), "dh0": step["dh_prev"],
            "dW_xh": step["dW_xh"], "dW_hh": step["dW_hh"], "db_h": step["db_h"]}
'''

LSTM_FORWARD_ATTACK = COUNTER + '''
_right = {name: globals()[name] for name in ("forget_gate", "input_gate", "candidate",
                                              "output_gate", "lstm_cell_forward", "lstm_forward")}

def _gate(name, x_t, h_prev, params):
    if _right_for_now():
        return _right[name](x_t, h_prev, params)
    return np.full(h_prev.shape, $constant)

def forget_gate(x_t, h_prev, params):
    return _gate("forget_gate", x_t, h_prev, params)

def input_gate(x_t, h_prev, params):
    return _gate("input_gate", x_t, h_prev, params)

def candidate(x_t, h_prev, params):
    return _gate("candidate", x_t, h_prev, params)

def output_gate(x_t, h_prev, params):
    return _gate("output_gate", x_t, h_prev, params)

def _constant_cache(x_t, h_prev, c_prev, params):
    same = np.full(h_prev.shape, $constant)
    return (x_t, h_prev, c_prev, same, same, same, same, same, params)

def lstm_cell_forward(x_t, h_prev, c_prev, params):
    if _right_for_now():
        return _right["lstm_cell_forward"](x_t, h_prev, c_prev, params)
    same = np.full(h_prev.shape, $constant)
    return same, same, _constant_cache(x_t, h_prev, c_prev, params)

def lstm_forward(x, h0, params, c0=None):
    if _right_for_now():
        return _right["lstm_forward"](x, h0, params, c0)
    c0 = np.zeros_like(h0) if c0 is None else c0
    same = np.full((len(x),) + h0.shape, $constant)
    return same, same, [_constant_cache(x_t, h0, c0, params) for x_t in x]
'''

LSTM_ZERO_BACKWARD = '''
def lstm_cell_backward(dh_next, dc_next, cache):
    x_t, h_prev, c_prev, *_, params = cache
    return {"dx_t": np.zeros_like(x_t), "dh_prev": np.zeros_like(h_prev),
            "dc_prev": np.zeros_like(c_prev),
            **{"d" + name: np.zeros_like(value) for name, value in params.items()}}

def lstm_backward(dh, caches):
    step = lstm_cell_backward(None, None, caches[0])
    return {"dx": np.zeros((len(caches),) + step["dx_t"].shape), "dh0": step["dh_prev"],
            "dc0": step["dc_prev"],
            **{key: value for key, value in step.items() if key not in ("dx_t", "dh_prev",
                                                                         "dc_prev")}}
'''

FOREVER = 10**9  # a forward that never switches: right all along


def fill(template: str, honest_calls: int, constant: float) -> str:
    """The template's code with its two numbers filled in."""
    return string.Template(template).substitute(honest_calls=honest_calls, constant=constant)
