"""Shared test set-up: the quick profile, quiet TensorFlow, markers, the book's files, and the
network block (``tests/netblock.py``).

Layout: ``unit/<role>/`` mirrors the library's subpackages, ``book/`` executes and checks the
chapters and the repository, ``site/`` checks the built site (after ``make book``)."""

from __future__ import annotations

import os
import sys
import warnings
from pathlib import Path

import netblock
import pytest

from scripts.booktoc import toc_paths

ROOT = Path(__file__).resolve().parents[1]

os.environ.setdefault("EA_PROFILE", "quick")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore", message=".*type could not be converted.*", category=UserWarning)


def pytest_configure(config):
    netblock.install_network_block()  # before collection, so that imports at collection time are covered too
    config.addinivalue_line("markers", "notebook: executes a chapter of the book (quick profile)")
    config.addinivalue_line("markers", "site: checks the built site in _build/html (run after `make book`)")


def pytest_unconfigure(config):
    netblock.remove_network_block()


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the figures a test drew, so that pyplot does not hold every figure of the session."""
    yield
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close("all")


def toc_files() -> list[Path]:
    """Return the chapter files that `_toc.yml` lists, in order (a missing one without suffix)."""
    return toc_paths(ROOT)


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT
