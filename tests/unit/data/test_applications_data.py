"""Chapter 6's datasets: generators keep their documented ground truth, loaders check their files,
and bad input gets a clear error."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

import elastic_attention as ea
from elastic_attention.data import registry


def test_every_chapter6_dataset_is_registered_with_licence_and_source():
    for name in ("intents", "recsys", "transactions", "digit_bags", "traffic", "breast_cancer"):
        spec = registry.get(name)
        assert spec.licence and spec.source and spec.chapter.startswith("6.")


def test_clicks_ground_truth_and_determinism():
    log = ea.data.make_clicks(500, seed=3)
    assert np.array_equal(log.relevant, log.category(log.history) == log.category(log.candidates)[:, None])
    agree = (log.labels > 0) == log.relevant.any(axis=1)
    assert 0.9 < agree.mean() < 1.0  # 5% label noise
    assert np.array_equal(ea.data.make_clicks(500, seed=3).history, log.history)
    assert log.history.max() < log.num_items


@pytest.mark.parametrize("kwargs, match", [({"num_users": 0}, "num_users"), ({"num_users": 5, "noise": 1.5}, "noise"),
                                           ({"num_users": 5, "favourites": 20}, "fewer than")])
def test_clicks_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ea.data.make_clicks(**kwargs)


def test_transactions_inject_fraud_where_they_say():
    t = ea.data.make_transactions(400, seed=1)
    fraud = np.flatnonzero(t.labels > 0)
    assert np.array_equal(t.labels > 0, t.fraud_at >= 0) and 0.2 < t.labels.mean() < 0.4
    injected = t.x[fraud, t.fraud_at[fraud]]
    hour = np.mod(np.arctan2(injected[:, 1], injected[:, 2]) * 24 / (2 * np.pi), 24)
    assert np.all(injected[:, 4] == 1) and np.all(hour <= 6.001)  # at a new merchant, at night
    with pytest.raises(ValueError, match="fraud_rate"):
        ea.data.make_transactions(10, fraud_rate=-0.1)


def test_bags_labels_follow_instances_and_splits_stay_apart():
    bags = ea.data.make_bags("train", 40, bag_size=5, seed=0)
    assert bags.x.shape == (40, 5, 8, 8) and 0 <= bags.x.min() and bags.x.max() <= 1
    assert np.array_equal(bags.labels > 0, bags.instances.any(axis=1))
    assert bags.instances.sum(axis=1).max() <= 2


@pytest.mark.parametrize("kwargs, match", [({"bag_size": 0}, "empty bag"), ({"bag_size": 1, "max_positives": 2}, "exceed"),
                                           ({"positive_digit": 10}, "positive_digit"), ({"num_bags": 0}, "num_bags")])
def test_bags_bad_input(kwargs, match):
    args = {"split": "train", "num_bags": 3, **kwargs}
    with pytest.raises(ValueError, match=match):
        ea.data.make_bags(**args)


def test_intents_load_and_refuse_unknown_labels():
    texts, labels = ea.data.load_intents("train")
    test_texts, test_labels = ea.data.load_intents("test")
    assert len(texts) + len(test_texts) >= 300 and len(ea.data.INTENT_NAMES) >= 6
    assert np.bincount(test_labels).min() == np.bincount(test_labels).max()  # balanced test split
    assert not set(texts) & set(test_texts)
    with pytest.raises(ValueError, match="unknown intent label 'weather'"):
        ea.data.intent_ids(["refund", "weather"])
    with pytest.raises(ValueError, match="split"):
        ea.data.load_intents("validation")


def test_intents_file_with_unknown_intent_is_refused(tmp_path):
    shutil.copytree(registry.data_root() / "intents", tmp_path / "intents")
    (tmp_path / registry.MANIFEST_NAME).write_text("")
    path = tmp_path / "intents" / "test.tsv"
    path.write_text("intent\ttext\nweather\tis it raining\n", encoding="utf-8")
    spec = registry.get("intents")
    with pytest.raises(registry.DataIntegrityError, match="known intent"):
        spec.check(path, path.read_bytes(), "restore it")


def test_traffic_simulation_conserves_vehicles_and_refuses_negative_queues():
    hold = lambda q, phase, t: phase  # noqa: E731  never switches: east and west wait forever
    run = ea.data.simulate(hold, arrival_rates=(0.2, 0.2, 0.1, 0.1), steps=200, initial_queues=(2, 0, 1, 0), seed=0)
    assert run.arrived == run.served + run.queues[-1].sum()
    assert run.queues[-1, 2] > 5 and run.queues[-1, 0] <= 3
    with pytest.raises(ValueError, match="negative"):
        ea.data.simulate(hold, initial_queues=(0, -2, 0, 0))
    with pytest.raises(ValueError, match="phase returned by the controller"):
        ea.data.simulate(lambda q, p, t: 2, steps=5)
    with pytest.raises(ValueError, match="4 non-negative"):
        ea.data.simulate(hold, arrival_rates=(0.1, 0.1, 0.1))


def test_breast_cancer_split_is_stratified_and_scaled_on_train():
    d = ea.data.breast_cancer_split(seed=0)
    assert d.x_train.shape[1] == 30 == len(d.feature_names)
    assert np.allclose(d.x_train.mean(axis=0), 0, atol=1e-5)
    assert abs(d.y_train.mean() - d.y_test.mean()) < 0.02
