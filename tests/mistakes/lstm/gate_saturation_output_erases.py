"""gate_saturation says a closed output gate erases the memory, the forget gate's job.

loses: gate_saturation
feedback: c_t is untouched and travels on along the belt. Only the forget gate erases.
hidden only: yes
"""

ERASE_MEMORY, KEEP_MEMORY, WRITE_NOTHING, WRITE_CANDIDATE, HIDE_MEMORY, SHOW_MEMORY = (
    1, 2, 3, 4, 5, 6)


def gate_saturation():
    return {
        "forget_0": ERASE_MEMORY,
        "forget_1": KEEP_MEMORY,
        "input_0": WRITE_NOTHING,
        "input_1": WRITE_CANDIDATE,
        "output_0": ERASE_MEMORY,
        "output_1": SHOW_MEMORY,
    }
