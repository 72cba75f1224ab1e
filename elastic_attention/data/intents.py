"""Customer-service utterances written for this book: 336 short requests in 7 intents (chapter 6.2).

Introduced in chapter 6.2. ``data/intents/{train,test}.tsv`` hold one ``intent<TAB>text`` row
per utterance (a header line first); every fourth utterance of each intent is in the test split.
The files are checked against ``data/MANIFEST.sha256`` before they are read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import _validate as valid
from .registry import DataIntegrityError, DatasetSpec, data_root, register, verify_manifest

__all__ = ["INTENTS", "INTENT_NAMES", "load_intents", "intent_ids", "vectorizers"]

INTENT_NAMES = ("account_access", "cancel_order", "change_address", "payment_problem", "product_question",
                "refund", "track_order")


def _check_tsv(path: Path, content: bytes, fix: str) -> None:
    """Raise :class:`DataIntegrityError` unless ``content`` is UTF-8 ``intent<TAB>text`` rows of known intents."""
    try:
        lines = content.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise DataIntegrityError(f"{path} is not UTF-8 text: {fix}") from None
    if not lines or lines[0] != "intent\ttext":
        raise DataIntegrityError(f"{path} must start with the header 'intent<TAB>text': {fix}")
    for number, line in enumerate(lines[1:], 2):
        parts = line.split("\t")
        if len(parts) != 2 or parts[0] not in INTENT_NAMES or not parts[1].strip():
            raise DataIntegrityError(f"{path}:{number} is not 'known intent<TAB>text': {fix}")


INTENTS = register(DatasetSpec(
    "intents", "intents", (".tsv",), "CC BY 4.0 (written for this book)",
    "written for the Attention Elasticity Bootcamp, chapter 6.2; see data/intents/README.md", "6.2",
    "elastic_attention.data.load_intents", "git checkout -- data/intents && python -m scripts.make_manifest intents",
    _check_tsv))


def intent_ids(labels) -> np.ndarray:
    """Return the index in :data:`INTENT_NAMES` of each intent name in ``labels``.

    Introduced in chapter 6.2. Raises ValueError naming the first unknown label.
    """
    lookup = {name: i for i, name in enumerate(INTENT_NAMES)}
    out = []
    for label in labels:
        if label not in lookup:
            raise ValueError(f"unknown intent label {label!r}: use one of {', '.join(INTENT_NAMES)}")
        out.append(lookup[label])
    return np.asarray(out, dtype=np.int64)


def load_intents(split: str, root: Path | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return ``(texts, labels)`` of one split: a string array and intent indices into :data:`INTENT_NAMES`.

    Introduced in chapter 6.2.
    """
    valid.one_of(split, ("train", "test"), "split")
    root = Path(root) if root is not None else data_root()
    verify_manifest(root)
    rows = [line.split("\t") for line in (root / "intents" / f"{split}.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    return np.asarray([text for _, text in rows]), intent_ids([intent for intent, _ in rows])


def vectorizers(train_texts, sequence_length: int = 12, max_tokens: int | None = None):
    """Return ``(tokens, bag)``: two Keras ``TextVectorization`` layers adapted on ``train_texts`` only,
    one giving padded token ids ``(batch, sequence_length)`` (0 is padding, 1 unknown words), the other
    a multi-hot bag of words over the same vocabulary.

    Introduced in chapter 6.2. Adapting on the training split alone keeps test words out of the vocabulary.
    """
    import keras

    texts = np.asarray(train_texts)
    if texts.ndim != 1 or len(texts) == 0:
        raise ValueError(f"train_texts must be a non-empty list of strings, got shape {texts.shape}")
    tokens = keras.layers.TextVectorization(max_tokens=max_tokens, output_sequence_length=valid.positive_int(
        sequence_length, "sequence_length"))
    tokens.adapt(texts)
    bag = keras.layers.TextVectorization(vocabulary=tokens.get_vocabulary()[2:], output_mode="multi_hot")
    return tokens, bag
