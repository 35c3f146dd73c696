"""output_forward forgets the output bias b_y.

loses: output_forward
mistake: output_forward.no_bias
"""


def output_forward(h, W_hy, b_y):
    return W_hy @ h
