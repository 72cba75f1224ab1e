"""Distribution shifts change the images as documented, deterministically, and refuse bad input."""

from __future__ import annotations

import numpy as np
import pytest

from elastic_attention.data import shift


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    x = np.zeros((6, 16, 16, 1), dtype=np.float32)
    x[:, 5:11, 7:9, 0] = 1.0  # a vertical bar
    return x + 0.0 * rng.random(x.shape, dtype=np.float32)


@pytest.mark.parametrize("kind", shift.SHIFTS)
def test_each_shift_changes_images_keeps_shape_and_is_deterministic(images, kind):
    out = shift.apply_shift(images, kind, 1.0, seed=3)
    assert out.shape == images.shape and out.dtype == images.dtype
    assert 0.0 <= out.min() and out.max() <= 1.0
    assert np.abs(out - images).mean() > 1e-3, kind
    np.testing.assert_array_equal(out, shift.apply_shift(images, kind, 1.0, seed=3))
    np.testing.assert_array_equal(shift.apply_shift(images, kind, 0.0), images)
    assert images[:, 5:11, 7:9].min() == 1.0  # the input is not modified


def test_severity_orders_the_change(images):
    gaps = [np.abs(shift.apply_shift(images, "blur", s) - images).mean() for s in (0.25, 0.5, 1.0)]
    assert gaps[0] < gaps[1] < gaps[2]
    assert shift.apply_shift(images, "thicken", 1.0).sum() > images.sum()


@pytest.mark.parametrize(("args", "match"), [
    (("spin", 1.0), "unknown shift"), (("rotate", 1.5), "severity"), (("rotate", -0.1), "severity"),
])
def test_bad_arguments(images, args, match):
    with pytest.raises(ValueError, match=match):
        shift.apply_shift(images, *args)


@pytest.mark.parametrize(("bad", "match"), [
    (np.zeros((2, 4)), "must be"), (np.zeros((0, 4, 4)), "empty"), (np.zeros((2, 4, 4), dtype=np.uint8), "floats"),
    (np.full((2, 4, 4), np.nan), "NaN"),
])
def test_bad_images(bad, match):
    with pytest.raises(ValueError, match=match):
        shift.apply_shift(bad, "noise")
