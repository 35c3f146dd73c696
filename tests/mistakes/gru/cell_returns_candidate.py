"""gru_cell_forward returns the candidate h~_t as the new state: no interpolation.

loses: gru_cell_forward
mistake: cell_forward.returns_candidate
"""


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, r, params)
    return h_tilde, (x_t, h_prev, z, r, h_tilde, params)
