"""Launch buttons on every chapter page of the built site (run after `make book`).

Colab, the .ipynb download and the repository link all come from `_config.yml`'s `repository`
block, the same place the Colab bootstrap cell is stamped from. Binder is deliberately off.
"""

from __future__ import annotations

import pytest
import yaml
from conftest import ROOT, toc_files

pytestmark = pytest.mark.site
HTML = ROOT / "_build" / "html"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
CHAPTERS = [p for p in toc_files() if p.suffix == ".ipynb"]


def page(path):
    html = HTML / path.relative_to(ROOT).with_suffix(".html")
    if not html.exists():
        pytest.fail(f"{html.relative_to(ROOT)} is missing: run `make book` first")
    return html.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.stem for p in CHAPTERS])
def test_chapter_has_colab_download_and_repository_buttons(path):
    repo = CONFIG["repository"]
    owner_repo = repo["url"].removeprefix("https://github.com/").removesuffix(".git")
    rel = path.relative_to(ROOT).as_posix()
    text = page(path)
    colab = f'{CONFIG["launch_buttons"]["colab_url"]}/github/{owner_repo}/blob/{repo["branch"]}/{rel}'
    assert colab in text, f"{path.name}: no Colab button for {colab}"
    assert f"_sources/{rel}" in text, f"{path.name}: no .ipynb download button"
    assert repo["url"] in text, f"{path.name}: no repository button"
    # A Binder launch button links to <binderhub>/v2/gh/<owner>/<repo>/<branch>.
    assert "/v2/gh/" not in text and "mybinder.org" not in text, f"{path.name}: a Binder button (needs a BinderHub)"
