# Bootstrap (stamped from templates/bootstrap_cell.py; edit there, then `make stamp`).
# In a fresh runtime such as Colab, fetch the book and install its library without touching
# the TensorFlow that is already there; elsewhere this cell does nothing.
import importlib.metadata
import importlib.util
import os
import subprocess
import sys

if importlib.util.find_spec("elastic_attention") is None:
    # The repository and branch come from _config.yml; EA_REPO_URL / EA_REPO_REF override them.
    repo_url = os.environ.get("EA_REPO_URL") or "{{ repository.url }}"
    repo_ref = os.environ.get("EA_REPO_REF") or "{{ repository.branch }}"
    target = os.path.abspath("attention-elasticity-bootcamp")
    print(f"bootstrap: elastic_attention is missing; installing it from {repo_url} ({repo_ref})")
    if not os.path.isdir(os.path.join(target, "elastic_attention")):
        subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", repo_ref, repo_url, target], check=True)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    try:
        # A new enough setuptools already here builds the package offline; otherwise pip
        # fetches one into an isolated build environment.
        if int(importlib.metadata.version("setuptools").split(".")[0]) >= 77:
            pip.append("--no-build-isolation")
    except (importlib.metadata.PackageNotFoundError, ValueError):
        pass
    subprocess.run([*pip, "-e", target], check=True)
    # This kernel started before the install, so make the clone importable right away.
    sys.path.insert(0, target)
    importlib.invalidate_caches()
    os.environ.setdefault("EA_DATA_DIR", os.path.join(target, "data"))
