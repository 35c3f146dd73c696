"""lstm_counterparts takes the reset gate for the forget gate.

loses: lstm_counterparts
feedback: The reset gate does not touch the state: it only filters what the candidate sees.
hidden only: yes
"""

Z_T, ONE_MINUS_Z_T, R_T, NO_GATE = 6, 7, 8, 9


def lstm_counterparts():
    return {
        "forget_gate": R_T,
        "input_gate": Z_T,
        "output_gate": NO_GATE,
    }
