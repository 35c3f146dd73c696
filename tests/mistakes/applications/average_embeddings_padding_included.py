"""average_embeddings averages over every column, the padding's vectors included.

loses: average_embeddings
feedback: it averages the padding in too
"""


def average_embeddings(tokens, mask, embeddings):
    return embeddings[tokens].mean(axis=1)
