"""rnn_types calls translation synchronised many-to-many, as if each word had its translation.

loses: rnn_types
feedback: the translation may be longer or shorter: T → T', not one output per input
hidden only: yes
"""

ONE_TO_ONE, ONE_TO_MANY, MANY_TO_ONE, MANY_TO_MANY, MANY_TO_MANY_SYNCED = 1, 2, 3, 4, 5


def rnn_types():
    return {
        "image_classification": ONE_TO_ONE,
        "image_caption": ONE_TO_MANY,
        "review_sentiment": MANY_TO_ONE,
        "translation": MANY_TO_MANY_SYNCED,
        "video_frames": MANY_TO_MANY_SYNCED,
        "stock_index": MANY_TO_ONE,
        "anomaly_alerts": MANY_TO_MANY_SYNCED,
        "word_roles": MANY_TO_MANY_SYNCED,
    }
