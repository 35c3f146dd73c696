"""gru_backward gives each step only dh[t]: nothing flows back from step t+1.

loses: gru_backward
mistake: backward.no_flow_from_next_step
"""

import numpy as np


def gru_backward(dh, caches):
    params = caches[0][-1]
    grads = {"d" + name: np.zeros_like(value) for name, value in params.items()}
    dx = []
    dh_prev = None
    for t in reversed(range(len(caches))):
        step = gru_cell_backward(dh[t], caches[t])
        dx.insert(0, step["dx_t"])
        dh_prev = step["dh_prev"]
        for name in grads:
            grads[name] = grads[name] + step[name]
    return {"dx": np.array(dx), "dh0": dh_prev, **grads}
