"""gate_saturation takes torch's convention for z: z = 1 keeps the state, z = 0 replaces it.

loses: gate_saturation
feedback: the state is copied as it is and the candidate ignored
hidden only: yes
"""

KEEP_STATE, REPLACE_STATE, ERASE_STATE, CANDIDATE_WITHOUT_PAST, CANDIDATE_WITH_PAST = (
    1, 2, 3, 4, 5)


def gate_saturation():
    return {
        "update_0": REPLACE_STATE,
        "update_1": KEEP_STATE,
        "reset_0": CANDIDATE_WITHOUT_PAST,
        "reset_1": CANDIDATE_WITH_PAST,
    }
