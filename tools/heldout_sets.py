"""Lay the held-out image sets into the user cache: content the project's thresholds and models never saw.

    python tools/heldout_sets.py --from PATH     # PATH: a clone of majedelhelou/denoising_datasets (or its git dir)
    python tools/heldout_sets.py --list          # what is cached, and where

The sets are public research benchmarks collected in that repository (commit d3636716c8e3, 2021): colour
BSD68 (the BSDS300 *test* images, disjoint from the BSD200 training split in ../shared), Urban100
(buildings, regular structure), Manga109 (line art and screentone) and Sun-Hays 80 (scenes; JPEG
originals). They are never committed to this project: they land in ``$LIIF_STUDIO_CACHE/heldout``
(default ``~/.cache/liif-studio/heldout``), one folder per family, and whatever reads them skips with a
reason where they are absent (CI has none of them).
"""
from __future__ import annotations

import argparse
import io
import os
import subprocess
import tarfile
from pathlib import Path

# family -> folder in the source repository (its colour versions carry a leading C)
FAMILIES = {"natural": "CBSD68", "urban": "CUrban100", "manga": "CManga109", "scenes": "CSun_Hays80"}
SOURCE = "majedelhelou/denoising_datasets @ d3636716c8e3fb806f4395bbb3f2e4c0fde50700"


def heldout_root() -> Path:
    """Where the held-out families live: the project's user cache."""
    root = os.environ.get("LIIF_STUDIO_CACHE", "").strip()
    return (Path(root).expanduser() if root else Path.home() / ".cache" / "liif-studio") / "heldout"


def family_dir(family: str) -> Path:
    """One family's folder (it may not exist: callers skip with a reason)."""
    return heldout_root() / FAMILIES[family]


def extract(source: Path) -> None:
    """Copy each family's images out of a clone (or bare git dir) of the source repository."""
    git_dir = source / ".git" if (source / ".git").exists() else source
    for family, folder in FAMILIES.items():
        data = subprocess.run(["git", f"--git-dir={git_dir}", "archive", "HEAD", folder],
                              capture_output=True, check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            tar.extractall(heldout_root(), filter="data")
        print(f"{family}: {len(list(family_dir(family).iterdir()))} images in {family_dir(family)}")


def main() -> None:
    """Extract, or list what is cached."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help=f"a local copy of {SOURCE.split(' @')[0]}")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.source:
        extract(args.source)
    for family in FAMILIES:
        folder = family_dir(family)
        count = len(list(folder.iterdir())) if folder.is_dir() else 0
        print(f"{family:8s} {count:4d} images  {folder}" + ("" if count else "  (absent)"))


if __name__ == "__main__":
    main()
