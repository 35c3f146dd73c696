"""rnn_types answers with the names of the types in quotes instead of the set-up cell's constants.

loses: rnn_types
feedback: quotes
"""


def rnn_types():
    return {
        "image_classification": "ONE_TO_ONE",
        "image_caption": "ONE_TO_MANY",
        "review_sentiment": "MANY_TO_ONE",
        "translation": "MANY_TO_MANY",
        "video_frames": "MANY_TO_MANY_SYNCED",
        "stock_index": "MANY_TO_ONE",
        "anomaly_alerts": "MANY_TO_MANY_SYNCED",
        "word_roles": "MANY_TO_MANY_SYNCED",
    }
