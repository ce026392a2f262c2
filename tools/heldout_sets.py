"""Lay the held-out image sets into the user cache: content the project's thresholds and models never saw.

    python tools/heldout_sets.py --from PATH     # PATH: a clone of majedelhelou/denoising_datasets (or its git dir)
    python tools/heldout_sets.py --list          # what is cached, and where

    python tools/heldout_sets.py --faces PATH    # PATH: a clone of IBM/MAX-Image-Resolution-Enhancer

The sets are public research benchmarks collected in the first repository (commit d3636716c8e3, 2021):
colour BSD68 (the BSDS300 *test* images, disjoint from the BSD200 training split in ../shared), Urban100
(buildings, regular structure), Manga109 (line art and screentone) and Sun-Hays 80 (scenes; JPEG
originals). Faces are the portraits among the second repository's sample originals (Pexels, CC0; commit
8485fabcf16a). They are never committed to this project: they land in ``$LIIF_STUDIO_CACHE/heldout``
(default ``~/.cache/liif-studio/heldout``), one folder per family, and whatever reads them skips with a
reason where they are absent (CI has none of them).
"""
from __future__ import annotations

import argparse
import io
import subprocess
import tarfile
from pathlib import Path

# family -> folder in the source repository (its colour versions carry a leading C)
FAMILIES = {"natural": "CBSD68", "urban": "CUrban100", "manga": "CManga109", "scenes": "CSun_Hays80",
            "faces": "faces"}
SOURCE = "majedelhelou/denoising_datasets @ d3636716c8e3fb806f4395bbb3f2e4c0fde50700"
FACES_SOURCE = "IBM/MAX-Image-Resolution-Enhancer @ 8485fabcf16a8877a267eb3f4575da16832ce867"
FACES_FOLDER = "samples/test_examples/original"
FACE_FILES = ("face.png", "face_paint.png", "woman.png", "monkey_and_man.png")


def heldout_root() -> Path:
    """Where the held-out families live: the project's user cache (iqa's, where its weights go too)."""
    from iqa.weights import cache_root

    return cache_root() / "heldout"


def family_dir(family: str) -> Path:
    """One family's folder (it may not exist: callers skip with a reason)."""
    return heldout_root() / FAMILIES[family]


def _archive(source: Path, folder: str) -> tarfile.TarFile:
    git_dir = source / ".git" if (source / ".git").exists() else source
    data = subprocess.run(["git", f"--git-dir={git_dir}", "archive", "HEAD", folder],
                          capture_output=True, check=True).stdout
    return tarfile.open(fileobj=io.BytesIO(data))


def extract(source: Path) -> None:
    """Copy each benchmark family's images out of a clone (or bare git dir) of the first source."""
    for family, folder in FAMILIES.items():
        if family == "faces":
            continue
        with _archive(source, folder) as tar:
            tar.extractall(heldout_root(), filter="data")
        print(f"{family}: {len(list(family_dir(family).iterdir()))} images in {family_dir(family)}")


def extract_faces(source: Path) -> None:
    """Copy the portraits out of a clone (or bare git dir) of the faces' source."""
    target = family_dir("faces")
    target.mkdir(parents=True, exist_ok=True)
    with _archive(source, FACES_FOLDER) as tar:
        for name in FACE_FILES:
            member = tar.extractfile(f"{FACES_FOLDER}/{name}")
            (target / name).write_bytes(member.read())
    print(f"faces: {len(FACE_FILES)} images in {target}")


def main() -> None:
    """Extract, or list what is cached."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", type=Path, help=f"a local copy of {SOURCE.split(' @')[0]}")
    ap.add_argument("--faces", type=Path, help=f"a local copy of {FACES_SOURCE.split(' @')[0]}")
    ap.add_argument("--list", action="store_true")
    args = ap.parse_args()
    if args.source:
        extract(args.source)
    if args.faces:
        extract_faces(args.faces)
    for family in FAMILIES:
        folder = family_dir(family)
        count = len(list(folder.iterdir())) if folder.is_dir() else 0
        print(f"{family:8s} {count:4d} images  {folder}" + ("" if count else "  (absent)"))


if __name__ == "__main__":
    main()
