"""gru_cell_forward passes z_t to the candidate and r_t to the interpolation.

The cache holds the values the cell computed, so a right backward reads a candidate made with
the wrong gate: it cannot be judged at the student's own states.

loses: gru_cell_forward
mistake: cell_forward.gates_swapped
costs backward: yes
"""


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, z, params)
    h_next = interpolate(h_prev, h_tilde, r)
    return h_next, (x_t, h_prev, z, r, h_tilde, params)
