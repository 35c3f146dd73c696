"""rnnkit: an auto-graded course kit on recurrent neural networks."""
