"""Assignment 1, "rnn": the vanilla RNN cell, its sequence forward, BPTT and gradient clipping,
and concept questions on the types of RNN and on clipping."""

from rnnkit.assignments import Assignment
from rnnkit.checks.questions import TRUE_FALSE, Question, constants

# The concept questions (rnnkit.checks.questions): the notebook's set-up cell defines the
# constants RNN_TYPES names, with these values.
RNN_TYPES = Question(
    "rnn_types",
    keys=("image_classification", "image_caption", "review_sentiment", "translation",
          "video_frames", "stock_index", "anomaly_alerts", "word_roles"),
    choices=constants("ONE_TO_ONE", "ONE_TO_MANY", "MANY_TO_ONE", "MANY_TO_MANY",
                      "MANY_TO_MANY_SYNCED"))
CLIPPING_FACTS = Question(
    "clipping_facts",
    keys=("shortens_long_gradients", "keeps_direction", "lengthens_short_gradients",
          "restores_distant_steps"),
    choices=TRUE_FALSE)
QUESTIONS = (RNN_TYPES, CLIPPING_FACTS)

ASSIGNMENT = Assignment(
    name="rnn",
    position=1,
    functions=("rnn_types", "rnn_cell_forward", "rnn_forward", "rnn_cell_backward",
               "rnn_backward", "clip_gradients", "clipping_facts"),
    uses={
        "rnn_forward": frozenset({"rnn_cell_forward"}),
        "rnn_cell_backward": frozenset({"rnn_cell_forward"}),
        "rnn_backward": frozenset({"rnn_cell_forward", "rnn_forward", "rnn_cell_backward"}),
    },
    demo_class={"bruno": "ignores_h0", "carla": "no_flow_from_next_step",
                "diego": "assigns_weight_grads", "elena": "clip_elementwise",
                "felix": "tanh_derivative_at_h_prev", "gabi": "concatenated_weights"},
)
