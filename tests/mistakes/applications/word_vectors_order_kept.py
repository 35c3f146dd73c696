"""word_vectors says the mean of a text's word vectors keeps the order of its words.

loses: word_vectors
feedback: A mean is the same in any order
hidden only: yes
"""

CENTER_FROM_CONTEXT, CONTEXT_FROM_CENTER, NEXT_FROM_PREVIOUS, ORDER_KEPT, ORDER_LOST = (
    1, 2, 3, 4, 5)


def word_vectors():
    return {"cbow": CENTER_FROM_CONTEXT, "skip_gram": CONTEXT_FROM_CENTER,
            "averaged_vectors": ORDER_KEPT}
