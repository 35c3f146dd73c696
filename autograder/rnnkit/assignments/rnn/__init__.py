"""Assignment 1, "rnn": the vanilla RNN cell, its sequence forward, BPTT and gradient clipping."""

from rnnkit.assignments import Assignment

ASSIGNMENT = Assignment(
    name="rnn",
    position=1,
    functions=("rnn_cell_forward", "rnn_forward", "rnn_cell_backward", "rnn_backward",
               "clip_gradients"),
    uses={
        "rnn_forward": frozenset({"rnn_cell_forward"}),
        "rnn_cell_backward": frozenset({"rnn_cell_forward"}),
        "rnn_backward": frozenset({"rnn_cell_forward", "rnn_forward", "rnn_cell_backward"}),
    },
    demo_class={"bruno": "ignores_h0", "carla": "no_flow_from_next_step",
                "diego": "assigns_weight_grads", "elena": "clip_elementwise",
                "felix": "tanh_derivative_at_h_prev", "gabi": "concatenated_weights"},
)
