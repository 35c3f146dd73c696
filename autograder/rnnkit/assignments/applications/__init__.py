"""Assignment 4, "applications": from cells to models, on the lecture's own tasks.

A character-level language model on the student's own RNN (output layer, softmax loss over
time, its gradient into every h_t, a training loop with clipping, sampling one character at a
time); word order (averaged word vectors, the CBOW idea, against an LSTM classifier) and
memory (agreement across a gap) with torch.nn; a forecaster and anomaly alerts on an index-like
series, trained with truncated BPTT; variable-length batches (padding, masks, packing); and
concept questions on word vectors and on the sequential cost of recurrent networks.

The data are made by the kit (rnnkit.assignments.applications.data), offline and from a seed.
"""

from rnnkit.assignments import Assignment
from rnnkit.checks.questions import Question, constants

# The student's RNN from assignment "rnn", pasted into answer cells of this notebook: graded
# there, used here.
OWN_RNN = ("rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward",
           "clip_gradients")
LANGUAGE_MODEL = ("output_forward", "softmax_loss", "output_backward")
CLASSIFIER = ("build_classifier", "train_classifier", "predict_classes")

WORD_VECTORS = Question(
    "word_vectors",
    keys=("cbow", "skip_gram", "averaged_vectors"),
    choices=constants("CENTER_FROM_CONTEXT", "CONTEXT_FROM_CENTER", "NEXT_FROM_PREVIOUS",
                      "ORDER_KEPT", "ORDER_LOST"))
SEQUENTIAL_COST = Question(
    "sequential_cost",
    keys=("time_steps", "truncated_bptt"),
    choices=constants("STEPS_IN_PARALLEL", "STEPS_ONE_AFTER_ANOTHER",
                      "GRADIENT_THROUGH_ALL_STEPS", "GRADIENT_THROUGH_K_STEPS",
                      first=len(WORD_VECTORS.choices) + 1))
QUESTIONS = (WORD_VECTORS, SEQUENTIAL_COST)

# build_classifier's ``cell`` argument, constants the set-up cell defines: numbers, since only
# numbers cross the sandbox's channel (and not RNN or LSTM, which torch.nn imports would hide).
CELLS = constants("CELL_RNN", "CELL_GRU", "CELL_LSTM")

ASSIGNMENT = Assignment(
    name="applications",
    position=4,
    functions=(*LANGUAGE_MODEL, "char_lm_loss", "train_char_lm", "sample_chars",
               "pad_batch", "average_embeddings", "word_vectors", "build_classifier",
               "train_classifier", "predict_classes", "forecast", "train_forecaster",
               "anomaly_alerts", "sequential_cost"),
    uses={
        "char_lm_loss": frozenset({"rnn_cell_forward", "rnn_forward", "rnn_cell_backward",
                                   "rnn_backward", *LANGUAGE_MODEL}),
        "train_char_lm": frozenset({*OWN_RNN, *LANGUAGE_MODEL, "char_lm_loss"}),
        "sample_chars": frozenset({"rnn_cell_forward"}),
        # A classifier is judged by what it learns: building, training and predicting are
        # graded together on held-out sentences.
        "build_classifier": frozenset(CLASSIFIER),
        "train_classifier": frozenset(CLASSIFIER),
        "predict_classes": frozenset(CLASSIFIER),
        "train_forecaster": frozenset({"forecast"}),
        "forecast": frozenset({"train_forecaster"}),
    },
    helpers=(*OWN_RNN, "softmax"),
    trains=("train_char_lm", *CLASSIFIER, "train_forecaster", "forecast"),
    demo_class={"bruno": "softmax_loss_no_mask", "carla": "sample_chars_argmax",
                "diego": "bag_of_words", "elena": "forecast_leaks_future",
                "felix": "train_char_lm_no_clipping", "gabi": "gathered_last_step_rmsprop"},
    # Its hidden suite trains models in the sandbox: the budget is 90 s of CPU per
    # submission.
    sandbox_limits={"cpu_seconds": 90, "cell_seconds": 30.0, "call_seconds": 60.0,
                    "function_seconds": 60.0, "submission_seconds": 150.0},
)
