"""pad_batch puts the padding before each text (aligned right).

loses: pad_batch
feedback: the words are aligned right (the padding comes first)
"""

import numpy as np


def pad_batch(sequences, pad_index=0):
    lengths = np.array([len(s) for s in sequences], dtype=np.int64)
    longest = lengths.max()
    tokens = np.full((len(sequences), longest), pad_index, dtype=np.int64)
    mask = np.zeros((len(sequences), longest), dtype=bool)
    for n, sequence in enumerate(sequences):
        tokens[n, longest - len(sequence):] = sequence
        mask[n, :len(sequence)] = True
    return tokens, lengths, mask
