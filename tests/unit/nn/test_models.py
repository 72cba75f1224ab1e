"""Sub-models built on a classifier's input take one array without Keras's structure warning."""

from __future__ import annotations

import warnings

import keras
import numpy as np

from elastic_attention.nn import models as M


def test_explainer_takes_one_array_without_a_structure_warning():
    model = M.cluttered_classifier("attention")
    explainer = M.attention_explainer(model)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # Keras warns when a list-input model gets one array
        logits, weights = explainer(np.zeros((2, 40, 40, 1), "float32"))
    assert logits.shape == (2, 10) and weights.shape[0] == 2


def test_single_input_keeps_a_list_for_several_inputs():
    a, b = keras.Input((3,), name="a"), keras.Input((3,), name="b")
    pair = keras.Model([a, b], keras.layers.Add()([a, b]))
    assert M.single_input(pair) == pair.inputs
    model = M.cluttered_classifier("gap")
    assert M.single_input(model) is model.inputs[0]
