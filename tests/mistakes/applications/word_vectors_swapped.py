"""word_vectors swaps CBOW and skip-gram.

loses: word_vectors
feedback: CBOW (continuous bag of words) predicts the centre word from the mean
hidden only: yes
"""

CENTER_FROM_CONTEXT, CONTEXT_FROM_CENTER, NEXT_FROM_PREVIOUS, ORDER_KEPT, ORDER_LOST = (
    1, 2, 3, 4, 5)


def word_vectors():
    return {"cbow": CONTEXT_FROM_CENTER, "skip_gram": CENTER_FROM_CONTEXT,
            "averaged_vectors": ORDER_LOST}
