# Bootstrap (stamped from templates/bootstrap_cell.py; edit there, then `make stamp`).
# In a fresh runtime such as Colab, fetch the book and install its library without touching
# the TensorFlow that is already there; elsewhere this cell does nothing.
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("elastic_attention") is None:
    repo_url = os.environ.get("EA_REPO_URL", "https://github.com/attention-elasticity-bootcamp/book.git")
    repo_ref = os.environ.get("EA_REPO_REF", "main")
    target = os.path.abspath("attention-elasticity-bootcamp")
    if not os.path.isdir(target):
        subprocess.run(["git", "clone", "--depth", "1", "--branch", repo_ref, repo_url, target], check=True)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "-e", target], check=True)
    os.environ.setdefault("EA_DATA_DIR", os.path.join(target, "data"))
    sys.path.insert(0, target)
