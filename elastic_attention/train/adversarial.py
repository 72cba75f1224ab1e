"""Adversarial training: fit on clean images and their fast-gradient-sign versions together.

Introduced in chapter 8.2. Each step makes FGSM images from the current weights
(``x + epsilon * sign(d loss / d x)``, clipped to [0, 1]) and minimises the mean of the clean and
the adversarial cross-entropy (Goodfellow et al., 2015). :func:`adversarial_head` trains chapter
5.3's attention classifier this way, with 5.3's data, epochs and learning-rate schedule, once per
seed and profile through the model cache.
"""

from __future__ import annotations

import math

import numpy as np

from ..nn.explain import check_batch, check_epsilon
from ..nn.models import cluttered_classifier
from .cache import CachedModel, cached_model
from .loops import HEAD_LEARNING_RATES, arrays_dataset, check_hparams, compile_classifier, cosine_schedule

__all__ = ["fgsm_training_step", "adversarial_fit", "adversarial_head"]


def fgsm_training_step(model, epsilon: float):
    """Return a compiled ``step(x, y) -> loss`` that takes one optimizer step on the clean and FGSM batch.

    Introduced in chapter 8.2. ``model`` must be compiled (its optimizer and loss are used).
    """
    import tensorflow as tf

    epsilon = check_epsilon(epsilon)
    if getattr(model, "optimizer", None) is None:
        raise ValueError("compile the model first (ea.train.loops.compile_classifier): the step uses its optimizer")
    model.optimizer.build(model.trainable_variables)
    loss_fn = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)

    @tf.function
    def step(x, y):
        with tf.GradientTape() as inner:
            inner.watch(x)
            attack_loss = loss_fn(y, model(x, training=False))
        # The attack sees the weights as they are now and is not differentiated through.
        x_adv = tf.stop_gradient(tf.clip_by_value(x + epsilon * tf.sign(inner.gradient(attack_loss, x)), 0.0, 1.0))
        with tf.GradientTape() as tape:
            loss = 0.5 * (loss_fn(y, model(x, training=True)) + loss_fn(y, model(x_adv, training=True)))
        grads = tape.gradient(loss, model.trainable_variables)
        model.optimizer.apply(grads, model.trainable_variables)
        return loss

    return step


def adversarial_fit(model, images, labels, epsilon: float, epochs: int, batch_size: int = 64) -> list[float]:
    """Train compiled ``model`` with :func:`fgsm_training_step` for ``epochs``; return the mean loss per epoch.

    Introduced in chapter 8.2.
    """
    check_hparams(epochs, 1.0, batch_size)
    images, labels = check_batch(images, labels)
    step = fgsm_training_step(model, epsilon)
    losses = []
    for _ in range(epochs):
        epoch = [float(step(x, y)) for x, y in arrays_dataset(images, labels, batch_size, shuffle=True)]
        losses.append(float(np.mean(epoch)))
    return losses


def adversarial_head(cfg, epsilon: float = 0.1) -> CachedModel:
    """Return the :class:`~.cache.CachedModel` of chapter 5.3's attention classifier trained with FGSM
    examples of size ``epsilon``; ``info`` holds its clean test accuracy, training seconds and losses.

    Introduced in chapter 8.2.
    """
    import time

    import keras

    from .zoo import cluttered_data, cluttered_sizes

    epsilon = check_epsilon(epsilon)
    sizes = cluttered_sizes(cfg.profile)
    lr = HEAD_LEARNING_RATES["attention"]

    def train():
        train_set, test_set = cluttered_data(cfg.profile, cfg.seed)
        keras.utils.set_random_seed(cfg.seed)
        steps = int(math.ceil(len(train_set) / 64))
        model = cluttered_classifier("attention", input_shape=train_set.images.shape[1:])
        compile_classifier(model, cosine_schedule(lr, sizes["epochs"], steps))
        start = time.perf_counter()
        losses = adversarial_fit(model, train_set.images, train_set.labels, epsilon, sizes["epochs"])
        seconds = time.perf_counter() - start
        _, accuracy = model.evaluate(test_set.images, test_set.labels, batch_size=256, verbose=0)
        return model, {"test_accuracy": float(accuracy), "seconds": seconds, "losses": losses}

    return cached_model("cluttered-attention-fgsm", train, seed=cfg.seed, profile=cfg.profile,
                        params={"epsilon": epsilon, "learning_rate": lr, **sizes})
