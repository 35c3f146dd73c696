"""Reference implementations: the oracle the hidden suites grade against."""
