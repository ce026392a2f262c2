"""Lossless PNG downloads of full-resolution results, in a folder that prunes itself (a Space runs for days)."""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import liif
from liif.imageio import ImageLike

OUTPUT_ROOT = Path(tempfile.gettempdir()) / "liif-studio-outputs"
MAX_AGE_S = 2 * 3600  # downloads older than this are deleted
# zlib level of the files a visitor waits for: 3x faster than the default 6 and about 10% larger (still lossless).
PNG_LEVEL = 1


def safe_stem(name: str | None, fallback: str = "image") -> str:
    """A file-name stem made of letters, digits, '-' and '_' (at most 60 characters)."""
    stem = Path(name).stem if name else fallback
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60] or fallback


def prune(root: Path = OUTPUT_ROOT, max_age_s: float = MAX_AGE_S) -> None:
    """Delete download folders older than ``max_age_s``."""
    if not root.is_dir():
        return
    now = time.time()
    for old in root.iterdir():
        try:
            if now - old.stat().st_mtime > max_age_s:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:  # removed by another request meanwhile
            pass


def _fresh_folder(root: Path) -> Path:
    """A new folder under ``root`` (made if needed), after pruning the old ones."""
    root.mkdir(parents=True, exist_ok=True)
    prune(root)
    return Path(tempfile.mkdtemp(dir=root))


def _write_all(jobs: list[tuple[ImageLike, Path]]) -> list[Path]:
    """Encode the files side by side (Pillow's and OpenCV's PNG encoders release the GIL)."""
    def write(job: tuple[ImageLike, Path]) -> Path:
        return liif.save_image(job[0], job[1], png_level=PNG_LEVEL)
    if len(jobs) < 2:
        return [write(job) for job in jobs]
    with ThreadPoolExecutor(min(len(jobs), len(os.sched_getaffinity(0)))) as pool:
        return list(pool.map(write, jobs))


def write_png(image: ImageLike, stem: str, root: Path = OUTPUT_ROOT) -> Path:
    """Save ``image`` losslessly (16-bit kept) as ``<stem>.png`` in a fresh folder; prune old ones first."""
    return _write_all([(image, _fresh_folder(root) / f"{safe_stem(stem)}.png")])[0]


def shown(*images: ImageLike, root: Path = OUTPUT_ROOT) -> list[str]:
    """PNG files of the images one answer displays (one fresh folder), for gradio outputs: paths, not pixels.

    Gradio writes an image it encodes itself in place, to a cache path named by the hash of its bytes:
    two visitors shown the same picture at once (the same example, say) could each download it while
    the other's copy is being rewritten, and get a truncated file. A file path takes gradio's atomic copy.
    """
    folder = _fresh_folder(root)
    return [str(path) for path in _write_all([(image, folder / f"shown{i}.png") for i, image in enumerate(images)])]


def download_and_shown(download: ImageLike, stem: str, *images: ImageLike,
                       root: Path = OUTPUT_ROOT) -> tuple[Path, list[str]]:
    """``write_png(download, stem)`` and ``shown(*images)`` at once: one answer's files, encoded side by side."""
    folder, shown_folder = _fresh_folder(root), _fresh_folder(root)  # the download alone in its folder, as ever
    files = _write_all([(download, folder / f"{safe_stem(stem)}.png")]
                       + [(image, shown_folder / f"shown{i}.png") for i, image in enumerate(images)])
    return files[0], [str(path) for path in files[1:]]
