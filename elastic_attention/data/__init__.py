"""Data: the dataset registry, the shipped digits, cluttered canvases, MNIST and chapter 6's case-study data.

Introduced in chapter 5.2. One file per dataset (plus :mod:`.shift`, distribution shifts of any images,
:mod:`.cleaning`, checks for corrupt, duplicated and mislabelled images, and :mod:`.hints`, a noisy
second modality); each registers itself in
:mod:`~elastic_attention.data.registry` (folder, licence, SHA-256 through the manifest, loader).
The public names of every dataset module are re-exported here, so a chapter writes
``ea.data.make_cluttered(...)``. Imports NumPy only; TensorFlow loads when a dataset is built.
"""

from . import cleaning
from .cluttered import ClutteredDigits, make_cluttered
from .digits import DIGIT_SIZE, DIGITS, NUM_CLASSES, SPLITS, digits_dataset, digits_splits, load_digit_arrays, upscale
from .hints import label_hints
from .intents import INTENT_NAMES, INTENTS, intent_ids, load_intents, vectorizers
from .mil import DIGIT_BAGS, Bags, make_bags
from .mnist import load_mnist
from .recsys import RECSYS, ClickLog, make_clicks
from .registry import (
    MANIFEST_NAME,
    DataError,
    DataIntegrityError,
    DataNotFoundError,
    DatasetSpec,
    data_root,
    files,
    get,
    names,
    register,
    register_generated,
    verify_manifest,
)
from .shift import SHIFTS, apply_shift
from .tabular import BREAST_CANCER, TabularSplit, breast_cancer_split
from .traffic import LANES, PHASE_LANES, TRAFFIC, SimResult, check_queues, simulate
from .transactions import FEATURES, TRANSACTIONS, Transactions, make_transactions

__all__ = [
    "ClutteredDigits", "make_cluttered", "DIGIT_SIZE", "DIGITS", "NUM_CLASSES", "SPLITS", "digits_dataset",
    "digits_splits", "load_digit_arrays", "upscale", "load_mnist", "MANIFEST_NAME", "DataError",
    "DataIntegrityError", "DataNotFoundError", "DatasetSpec", "data_root", "files", "get", "names", "register",
    "verify_manifest", "SHIFTS", "apply_shift", "label_hints", "cleaning", "register_generated", "INTENT_NAMES", "INTENTS", "intent_ids", "load_intents", "vectorizers",
    "DIGIT_BAGS", "Bags", "make_bags", "RECSYS", "ClickLog", "make_clicks", "LANES", "PHASE_LANES", "TRAFFIC",
    "SimResult", "check_queues", "simulate", "FEATURES", "TRANSACTIONS", "Transactions", "make_transactions",
    "BREAST_CANCER", "TabularSplit", "breast_cancer_split",
]
