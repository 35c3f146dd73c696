"""gate_saturation says a closed reset gate erases the state; it only hides it from the candidate.

loses: gate_saturation
feedback: The state is not erased: h_{t-1} still reaches h_t through 1 - z_t.
hidden only: yes
"""

KEEP_STATE, REPLACE_STATE, ERASE_STATE, CANDIDATE_WITHOUT_PAST, CANDIDATE_WITH_PAST = (
    1, 2, 3, 4, 5)


def gate_saturation():
    return {
        "update_0": KEEP_STATE,
        "update_1": REPLACE_STATE,
        "reset_0": ERASE_STATE,
        "reset_1": CANDIDATE_WITH_PAST,
    }
