"""TensorFlow's C++ log lines that must not reach a reader (issue 11): absl's start-up preamble,
oneDNN's notice, the CPU-feature notice, tf.data's spurious ``NodeDef mentions attribute`` error,
and any other line in absl's ``I0000 00:00:... file.cc:123]`` format; also a Python warning printed
by a library (``.../functional.py:238: UserWarning: ...``), which a reader cannot act on either.

Shared by the chapter tests (tests/book), the site test (tests/site) and the runtime unit tests.
"""

from __future__ import annotations

import re

NOISE = re.compile(
    r"All log messages before absl::InitializeLog"
    r"|oneDNN custom operations"
    r"|NodeDef mentions attribute"
    r"|This TensorFlow binary is optimized"
    r"|^[IWEF]\d{4} [\d:.]+\s+\d+ [\w.]+:\d+\]"
    r"|^\S*\.py:\d+: \w*Warning: ",
    re.M,
)


def noise_lines(text: str) -> list[str]:
    """Return the lines of ``text`` that are TensorFlow C++ log noise."""
    return [line for line in text.splitlines() if NOISE.search(line)]


def notebook_noise(nb) -> list[str]:
    """Return ``cell N: line`` for every noise line in the outputs of an executed notebook (a dict)."""
    found = []
    for index, cell in enumerate(nb.get("cells", [])):
        for output in cell.get("outputs", []):
            texts = [output.get("text", "")]
            texts += list((output.get("data") or {}).values())
            for text in texts:
                text = "".join(text) if isinstance(text, list) else text
                if isinstance(text, str):
                    found += [f"cell {index}: {line[:160]}" for line in noise_lines(text)]
    return found
