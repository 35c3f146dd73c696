"""sequential_cost says an RNN computes the steps of a sequence in parallel.

loses: sequential_cost
feedback: h_t needs h_{t-1}, which needs h_{t-2}
hidden only: yes
"""

STEPS_IN_PARALLEL, STEPS_ONE_AFTER_ANOTHER, GRADIENT_THROUGH_ALL_STEPS, \
    GRADIENT_THROUGH_K_STEPS = 6, 7, 8, 9


def sequential_cost():
    return {"time_steps": STEPS_IN_PARALLEL, "truncated_bptt": GRADIENT_THROUGH_K_STEPS}
