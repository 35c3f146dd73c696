"""Assignment 3, "gru": the GRU's gates, cell, sequence forward and backward through time."""

from rnnkit.assignments import Assignment

# The functions one step is made of, in notebook order: gru_cell_forward calls them.
STEP_FUNCTIONS = ("update_gate", "reset_gate", "candidate", "interpolate")

ASSIGNMENT = Assignment(
    name="gru",
    position=3,
    functions=(*STEP_FUNCTIONS, "gru_cell_forward", "gru_forward", "gru_cell_backward",
               "gru_backward"),
    # The cell forward calls the step functions, gru_forward the cell; a backward test runs the
    # student's forward to get the caches (and the student's step functions, to judge a
    # backward at the student's own states).
    uses={
        "gru_cell_forward": frozenset(STEP_FUNCTIONS),
        "gru_forward": frozenset({*STEP_FUNCTIONS, "gru_cell_forward"}),
        "gru_cell_backward": frozenset({*STEP_FUNCTIONS, "gru_cell_forward"}),
        "gru_backward": frozenset({*STEP_FUNCTIONS, "gru_cell_forward", "gru_forward",
                                   "gru_cell_backward"}),
    },
    helpers=("sigmoid", "to_torch_layout", "from_torch_layout"),
    demo_class={"bruno": "update_gate_tanh", "carla": "candidate_reset_after_product",
                "diego": "interpolate_swapped", "elena": "bptt_no_flow_from_next_step",
                "felix": "cell_backward_no_direct_path", "gabi": "split_weights"},
)
