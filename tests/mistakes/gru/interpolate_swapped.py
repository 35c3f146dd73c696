"""interpolate follows torch.nn.GRU: z_t weighs the old state and 1 - z_t the candidate.

loses: interpolate
mistake: interpolate.swapped
"""


def interpolate(h_prev, h_tilde, z_t):
    return z_t * h_prev + (1 - z_t) * h_tilde
