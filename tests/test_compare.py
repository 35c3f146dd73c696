"""The shared comparison layer explains what is wrong, not only that something is."""

import numpy as np
import pytest

from rnnkit.compare import CheckFailed, expect_close, explain_mismatch


def test_a_match_has_no_explanation():
    a = np.arange(6.0).reshape(2, 3)
    assert explain_mismatch("h", a + 1e-12, a) is None


def test_wrong_kind_and_shape_are_named_with_a_likely_cause():
    a = np.zeros((5, 2))
    assert "tuple" in explain_mismatch("h", (a, a), a)
    assert "transposed" in explain_mismatch("h", a.T, a)
    assert "sum over the batch" in explain_mismatch("db_h", np.ones((5, 3)), np.ones((5, 1)))


def test_non_finite_values_are_reported():
    assert "NaN" in explain_mismatch("h", np.array([np.nan, 1.0]), np.array([0.0, 1.0]))


def test_a_known_wrong_variant_is_named():
    expected, wrong = np.ones(3), np.full(3, 2.0)
    message = explain_mismatch("f", wrong, expected, variants=[(wrong, "uses tanh")])
    assert message == "`f`: uses tanh"


def test_time_steps_localise_the_error():
    expected = np.arange(24.0).reshape(4, 3, 2)
    shifted = np.concatenate([np.zeros((1, 3, 2)), expected[:-1]])
    assert "shifted by one time step" in explain_mismatch("h", shifted, expected, time_axis=0)
    only_last = expected.copy()
    only_last[:-1] += 1
    assert "right only at the last step" in explain_mismatch("dx", only_last, expected,
                                                             time_axis=0)
    one_step = expected.copy()
    one_step[2] += 1
    assert "wrong at steps t = 3" in explain_mismatch("h", one_step, expected, time_axis=0)


def test_plain_value_errors_say_where_and_by_how_much():
    expected = np.zeros((2, 2))
    got = expected.copy()
    got[1, 0] = 0.5
    message = explain_mismatch("W", got, expected)
    assert "(1, 0)" in message and "0.5" in message


def test_expect_close_raises_the_explanation():
    with pytest.raises(CheckFailed, match="sign is flipped"):
        expect_close("g", -np.ones(2), np.ones(2))
