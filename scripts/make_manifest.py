"""Rewrite the SHA-256 lines of one or more shipped data folders in ``data/MANIFEST.sha256``.

The lines of other folders are kept as they are; the manifest stays sorted by path, in the
``sha256  relative/path`` format that :mod:`elastic_attention.data.registry` reads. Only files
with the folder's registered suffixes are listed (a README beside the data is not).

Usage: python -m scripts.make_manifest intents [--root data]
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import elastic_attention as ea


def update(root: Path, folders: list[str]) -> int:
    """Rewrite the manifest lines of ``folders`` under ``root``; return how many lines it lists."""
    manifest = root / ea.data.MANIFEST_NAME
    entries = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            digest, rel = line.split(maxsplit=1)
            entries[rel] = digest
    for folder in folders:
        spec = next((s for s in map(ea.data.get, ea.data.names()) if s.folder == folder), None)
        if spec is None:
            raise SystemExit(f"no registered dataset has folder {folder!r}: register it first")
        entries = {rel: d for rel, d in entries.items() if not rel.startswith(folder + "/")}
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and path.suffix in spec.suffixes:
                entries[path.relative_to(root).as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    text = "".join(f"{entries[rel]}  {rel}\n" for rel in sorted(entries))
    tmp = manifest.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(manifest)
    return len(entries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="+")
    parser.add_argument("--root", type=Path, default=Path("data"))
    args = parser.parse_args()
    print(f"{update(args.root, args.folders)} files listed in {args.root / ea.data.MANIFEST_NAME}")


if __name__ == "__main__":
    main()
