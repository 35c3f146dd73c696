"""gradient_facts believes the gradient needs an open input gate to travel along the belt.

loses: gradient_facts
feedback: The gradient along the belt depends on the forget gate alone.
hidden only: yes
"""


def gradient_facts():
    return {
        "belt_has_no_matrix": True,
        "input_gate_must_be_open": True,
        "survives_with_forget_near_1": True,
        "survives_with_forget_near_half": False,
    }
