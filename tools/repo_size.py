"""Print what a clone of this repository weighs: ``git clone --depth 1`` (today's tree) and a full clone.

The README quotes these figures; re-run after a large commit: ``python tools/repo_size.py``. Both clones are
made from this checkout's committed history (``file://``, so ``--depth`` applies), into a temporary folder,
and measured with ``du`` (the checkout and its ``.git`` together, in MB of 10^6 bytes as ``du -s --si``).
"""
from __future__ import annotations

import argparse
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class CloneSizes:
    """Megabytes on disk of a shallow and a full clone."""

    shallow_mb: float
    full_mb: float


def du_mb(folder: Path) -> float:
    """The disk usage of ``folder`` in MB (10^6 bytes), as ``du`` counts it."""
    kib = int(subprocess.run(["du", "-sk", str(folder)], capture_output=True, text=True, check=True).stdout.split()[0])
    return kib * 1024 / 1e6


def clone_sizes(repo: Path = ROOT) -> CloneSizes:
    """Clone ``repo`` twice (``--depth 1`` and full) into a temporary folder and measure both."""
    with tempfile.TemporaryDirectory(prefix="repo-size-") as tmp:
        sizes = []
        for name, depth in (("shallow", ["--depth", "1"]), ("full", [])):
            target = Path(tmp) / name
            subprocess.run(["git", "clone", "--quiet", *depth, f"file://{repo}", str(target)], check=True)
            sizes.append(du_mb(target))
    return CloneSizes(*sizes)


def main(argv: list[str] | None = None) -> int:
    """Print both sizes, as the README quotes them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, default=ROOT, help="the repository to clone (default: this one)")
    sizes = clone_sizes(parser.parse_args(argv).repo)
    print(f"git clone --depth 1: {sizes.shallow_mb:.0f} MB")
    print(f"git clone (full history): {sizes.full_mb:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
