"""Adversarial training: fit on clean images and their fast-gradient-sign versions together.

Introduced in chapter 8.3. Each step makes FGSM images from the current weights
(``x + epsilon * sign(d loss / d x)``, clipped to [0, 1]) and minimises the mean of the clean and
the adversarial cross-entropy (Goodfellow et al., 2015). Chapter 8.3 tunes its trained attention
classifier this way for two epochs: trained from scratch on chapter 5.3's schedule, the model did
not learn in the book's quick runs.
"""

from __future__ import annotations

import numpy as np

from ..nn.explain import check_batch, check_epsilon
from .loops import arrays_dataset, check_hparams

__all__ = ["fgsm_training_step", "adversarial_fit"]


def fgsm_training_step(model, epsilon: float):
    """Return a compiled ``step(x, y) -> loss`` that takes one optimizer step on the clean and FGSM batch.

    Introduced in chapter 8.3. ``model`` must be compiled (its optimizer and loss are used).
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

    Introduced in chapter 8.3.
    """
    check_hparams(epochs, 1.0, batch_size)
    images, labels = check_batch(images, labels)
    step = fgsm_training_step(model, epsilon)
    losses = []
    for _ in range(epochs):
        epoch = [float(step(x, y)) for x, y in arrays_dataset(images, labels, batch_size, shuffle=True)]
        losses.append(float(np.mean(epoch)))
    return losses

