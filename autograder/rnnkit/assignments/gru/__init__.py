"""Assignment 3, "gru": the GRU's gates, cell, sequence forward and backward through time,
and concept questions on saturated gates and on how the GRU relates to the LSTM."""

from rnnkit.assignments import Assignment
from rnnkit.checks.questions import Question, constants

# The functions one step is made of, in notebook order: gru_cell_forward calls them.
STEP_FUNCTIONS = ("update_gate", "reset_gate", "candidate", "interpolate")

# The concept questions (rnnkit.checks.questions): the notebook's set-up cell defines the
# constants they name, with these values.
GATE_SATURATION = Question(
    "gate_saturation",
    keys=("update_0", "update_1", "reset_0", "reset_1"),
    choices=constants("KEEP_STATE", "REPLACE_STATE", "ERASE_STATE", "CANDIDATE_WITHOUT_PAST",
                      "CANDIDATE_WITH_PAST"))
LSTM_COUNTERPARTS = Question(
    "lstm_counterparts",
    keys=("forget_gate", "input_gate", "output_gate"),
    choices=constants("Z_T", "ONE_MINUS_Z_T", "R_T", "NO_GATE",
                      first=len(GATE_SATURATION.choices) + 1))
QUESTIONS = (GATE_SATURATION, LSTM_COUNTERPARTS)

ASSIGNMENT = Assignment(
    name="gru",
    position=3,
    functions=(*STEP_FUNCTIONS, "gru_cell_forward", "gru_forward", "gate_saturation",
               "lstm_counterparts", "gru_cell_backward", "gru_backward"),
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
