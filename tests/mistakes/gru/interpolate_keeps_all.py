"""interpolate adds the gated candidate to the whole previous state, as an LSTM's memory.

loses: interpolate
mistake: interpolate.keeps_all
"""


def interpolate(h_prev, h_tilde, z_t):
    return h_prev + z_t * h_tilde
