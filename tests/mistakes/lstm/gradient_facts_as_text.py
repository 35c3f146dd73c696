"""gradient_facts answers "True" and "False" in quotes: text, not booleans.

loses: gradient_facts
feedback: neither True nor False
"""


def gradient_facts():
    return {
        "belt_has_no_matrix": "True",
        "input_gate_must_be_open": "False",
        "survives_with_forget_near_1": "True",
        "survives_with_forget_near_half": "False",
    }
