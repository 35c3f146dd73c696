"""The hostile corpus of the grading engine: see corpus.py and tests/test_hostile.py."""
