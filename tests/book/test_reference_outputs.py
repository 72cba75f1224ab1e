"""The instructor guide's 2-hour lab kit: its reference table is the one
`python -m scripts.reference_outputs` computed (benchmarks/results/reference_outputs.json) for
seeds 0, 1 and 2, the numbers are those of a trained model, and the pre-flight checklist names the
repository that `_config.yml` names."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import ROOT

from scripts import reference_outputs

GUIDE = ROOT / "book" / "instructor_guide.md"


@pytest.fixture(scope="module")
def report() -> dict:
    if not reference_outputs.RESULTS.exists():
        pytest.fail("benchmarks/results/reference_outputs.json is missing: run python -m scripts.reference_outputs")
    return json.loads(reference_outputs.RESULTS.read_text(encoding="utf-8"))


def test_guide_shows_the_computed_table(report):
    assert reference_outputs.main(["--check"]) == 0, "the guide's table is stale: run python -m scripts.reference_outputs"
    text = GUIDE.read_text(encoding="utf-8")
    assert reference_outputs.table(report) in text


def test_a_stale_table_is_caught(report):
    changed = json.loads(json.dumps(report))
    changed["seeds"][0]["attention_test_accuracy"] = round(changed["seeds"][0]["attention_test_accuracy"] - 0.1, 4)
    text = GUIDE.read_text(encoding="utf-8")
    assert reference_outputs.guide_with(text, changed) != text


def test_reference_numbers_cover_seeds_0_to_2_and_come_from_trained_models(report):
    assert report["profile"] == "quick"
    assert [row["seed"] for row in report["seeds"]] == [0, 1, 2]
    for row in report["seeds"]:
        assert f"seed={row['seed']}" in row["setup"] and "profile=quick" in row["setup"]
        assert 0.7 < row["attention_test_accuracy"] <= 1.0, row  # ten classes: chance is 0.1
        assert 0.0 < row["pointing_chance"] < row["pointing_game"] <= 1.0, row
        assert 0.0 <= row["pointing_most_ink"] <= 1.0


def test_lab_kit_parts_are_in_the_guide():
    text = GUIDE.read_text(encoding="utf-8")
    for part in ("## A 2-hour lab", "### Pre-flight checklist", "### Run-sheet", "### Reference outputs for seeds 0, 1 and 2",
                 "### Discussion prompts", "### Common misconceptions", "make student", "make test-seeds", "EA_PROFILE"):
        assert part in text, f"the instructor guide lacks {part!r}"
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["repository"]["url"] in text and f"branch `{config['repository']['branch']}`" in text


def test_guide_lists_every_chapter_with_its_estimated_time():
    """The chapters-at-a-glance table links every chapter of the toc, so the guide cannot lag the book."""
    import re

    from conftest import toc_files

    text = GUIDE.read_text(encoding="utf-8")
    table = text[text.index("## The chapters at a glance"):text.index("## A six-week course")]
    linked = set(re.findall(r"\]\(([\w.]+\.(?:ipynb|md))\)", table))
    chapters = {p.name for p in toc_files() if p.name not in ("intro.md", "instructor_guide.md", "build_status.md")}
    assert chapters - linked == set(), f"chapters missing from the guide's table: {sorted(chapters - linked)}"
    assert "planned" not in text, "the guide still marks a chapter as planned"
