"""Assignment 2, "lstm": the LSTM's gates, cell, sequence forward and backward through time,
and concept questions on saturated gates and on why the gradient survives."""

from rnnkit.assignments import Assignment
from rnnkit.checks.questions import TRUE_FALSE, Question, constants

GATES = ("forget_gate", "input_gate", "candidate", "output_gate")

# The concept questions (rnnkit.checks.questions): the notebook's set-up cell defines the
# constants GATE_SATURATION names, with these values.
GATE_SATURATION = Question(
    "gate_saturation",
    keys=("forget_0", "forget_1", "input_0", "input_1", "output_0", "output_1"),
    choices=constants("ERASE_MEMORY", "KEEP_MEMORY", "WRITE_NOTHING", "WRITE_CANDIDATE",
                      "HIDE_MEMORY", "SHOW_MEMORY"))
GRADIENT_FACTS = Question(
    "gradient_facts",
    keys=("belt_has_no_matrix", "input_gate_must_be_open", "survives_with_forget_near_1",
          "survives_with_forget_near_half"),
    choices=TRUE_FALSE)
QUESTIONS = (GATE_SATURATION, GRADIENT_FACTS)

ASSIGNMENT = Assignment(
    name="lstm",
    position=2,
    functions=(*GATES, "lstm_cell_forward", "lstm_forward", "gate_saturation",
               "lstm_cell_backward", "lstm_backward", "gradient_facts"),
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
