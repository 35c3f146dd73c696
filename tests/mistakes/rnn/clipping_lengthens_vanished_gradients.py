"""clipping_facts believes clipping also scales a vanished gradient up.

loses: clipping_facts
feedback: so a vanished gradient stays vanished
hidden only: yes
"""


def clipping_facts():
    return {
        "shortens_long_gradients": True,
        "keeps_direction": True,
        "lengthens_short_gradients": True,
        "restores_distant_steps": False,
    }
