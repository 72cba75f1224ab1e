"""The bibliography: references.bib parses offline, every citation in the book resolves, every
entry records what was checked, and the list is printed in one place only."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT, toc_files

BIB = ROOT / "references.bib"
CITE = re.compile(r"\{cite(?::[a-z]+)?\}`([^`]+)`")
BIBLIOGRAPHY = re.compile(r"^```\{bibliography\}", re.M)


def _pages() -> dict[str, str]:
    """Return the markdown text of every page in the toc, by file name."""
    pages = {}
    for path in toc_files():
        if not path.is_file():
            continue  # test_repo reports toc entries that do not exist
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            pages[path.name] = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
        else:
            pages[path.name] = path.read_text(encoding="utf-8")
    return pages


@pytest.fixture(scope="module")
def entries():
    from pybtex.database import parse_file

    return parse_file(str(BIB), bib_format="bibtex").entries


def test_every_entry_has_a_title_and_says_what_was_checked(entries):
    assert entries, "references.bib is empty"
    incomplete = [key for key, e in entries.items() if not (e.fields.get("title") and e.fields.get("verified"))]
    assert not incomplete, f"entries without a title or a `verified` field (say what was checked, and where): {incomplete}"


def test_every_citation_resolves(entries):
    cited = {key.strip() for text in _pages().values() for group in CITE.findall(text) for key in group.split(",")}
    assert cited, "no {cite} role found in the book"
    missing = sorted(cited - set(entries))
    assert not missing, f"cited but not in references.bib: {missing}"


def test_one_bibliography_for_the_book():
    pages = [name for name, text in _pages().items() if BIBLIOGRAPHY.search(text)]
    assert pages == ["07_tools_references.ipynb"], (
        f"the bibliography is printed by 07_tools_references only; found a {{bibliography}} in {pages}"
    )


PLAIN_CITATION = re.compile(r"\b[A-Z][a-z]+(?: et al\.| and [A-Z][a-z]+),? \(?(?:19|20)\d\d\b")


def test_chapters_cite_with_the_role_not_in_plain_text():
    """A paper named as "Ilse et al. (2018)" gets no link and can drift from the bibliography;
    chapters use {cite:t}/{cite:p}. Chapter 7 discusses how the seed cites, so it may quote."""
    plain = {name: PLAIN_CITATION.findall(text) for name, text in _pages().items()
             if name != "07_tools_references.ipynb" and PLAIN_CITATION.search(text)}
    assert not plain, f"plain-text citations (use {{cite:t}}`key` or {{cite:p}}`key`): {plain}"


def test_the_plain_citation_pattern_catches_the_usual_forms():
    for text in ["Ilse et al. (2018)", "(Guo et al., 2017)", "Loshchilov and Hutter, 2019", "Zhou et al. 2018"]:
        assert PLAIN_CITATION.search(text), text
    assert not PLAIN_CITATION.search("{cite:t}`ilse2018attention`")
