"""Assignment 2, "lstm": the LSTM's gates, cell, sequence forward and backward through time."""

from rnnkit.assignments import Assignment

GATES = ("forget_gate", "input_gate", "candidate", "output_gate")

ASSIGNMENT = Assignment(
    name="lstm",
    position=2,
    functions=(*GATES, "lstm_cell_forward", "lstm_forward", "lstm_cell_backward",
               "lstm_backward"),
    # The cell forward calls the gates, lstm_forward the cell; a backward test runs the
    # student's forward to get the caches (and the student's gates, to judge a backward at the
    # student's own states).
    uses={
        "lstm_cell_forward": frozenset(GATES),
        "lstm_forward": frozenset({*GATES, "lstm_cell_forward"}),
        "lstm_cell_backward": frozenset({*GATES, "lstm_cell_forward"}),
        "lstm_backward": frozenset({*GATES, "lstm_cell_forward", "lstm_forward",
                                    "lstm_cell_backward"}),
    },
    helpers=("sigmoid", "to_torch_layout"),
    demo_class={"bruno": "forget_gate_tanh", "carla": "cell_without_input_gate",
                "diego": "output_from_previous_cell", "elena": "bptt_without_dc_carry",
                "felix": "tanh_derivative_on_c", "gabi": "stacked_gates"},
)
