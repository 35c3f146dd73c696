"""gru_cell_forward builds h_next in h_prev's own array (h_prev *= 1 - z; h_prev += z * h~).

h_prev is modified, and in gru_forward every step returns the array the previous step
returned, so all the stored states end up holding the last one. The cache keeps a copy.

loses: gru_cell_forward
feedback: modified its arguments
"""


def gru_cell_forward(x_t, h_prev, params):
    z = update_gate(x_t, h_prev, params)
    r = reset_gate(x_t, h_prev, params)
    h_tilde = candidate(x_t, h_prev, r, params)
    cache = (x_t, h_prev.copy(), z, r, h_tilde, params)
    h_prev *= 1 - z
    h_prev += z * h_tilde
    return h_prev, cache
