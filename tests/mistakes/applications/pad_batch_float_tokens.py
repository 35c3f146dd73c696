"""pad_batch builds tokens with np.zeros, whose default dtype is float64.

loses: pad_batch
feedback: word ids and lengths are integers (np.int64)
"""

import numpy as np


def pad_batch(sequences, pad_index=0):
    lengths = np.array([len(s) for s in sequences])
    tokens = np.zeros((len(sequences), lengths.max())) + pad_index
    for n, sequence in enumerate(sequences):
        tokens[n, :len(sequence)] = sequence
    return tokens, lengths, np.arange(lengths.max()) < lengths[:, None]
