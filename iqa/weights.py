"""Weight files: where they live, where a metric's files are looked for, and whether they are there.

Never uses the network: fetching is ``iqa.prefetch`` (``liif prefetch``), which lets pyiqa,
torch hub or Hugging Face download into this cache. (``iqa.paths`` is this module too.)

One directory holds everything ``iqa`` downloads: ``$LIIF_STUDIO_CACHE`` when set,
otherwise ``~/.cache/liif-studio``. The variable is read at call time, so it can
be changed before any metric is created. Inside it:

* ``pyiqa/``        pyiqa checkpoints (NIQE/BRISQUE parameters, MUSIQ, TOPIQ, ...)
* ``torch/``        torch hub dir while pyiqa metrics are built: ``torch/checkpoints``
                    (torchvision backbones for LPIPS/DISTS) and ``torch/clip``
                    (OpenAI CLIP weights used by pyiqa's CLIP-IQA)
* ``huggingface/``  Hugging Face hub cache (timm backbones, open_clip models), only when
                    ``$LIIF_STUDIO_CACHE`` is set: otherwise the machine's own Hugging Face cache
                    (``HF_HUB_CACHE``), where other tools' downloads and the files a Space's
                    ``preload_from_hub`` fetched at build time already are
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ENV_VAR", "cache_root", "pyiqa_dir", "torch_hub_dir", "hf_dir", "PYIQA_HUB", "WeightFile",
           "hub_cached", "status"]

ENV_VAR = "LIIF_STUDIO_CACHE"


def cache_root() -> Path:
    """The cache every download goes to: $LIIF_STUDIO_CACHE, else ~/.cache/liif-studio."""
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    return Path.home() / ".cache" / "liif-studio"


def pyiqa_dir() -> Path:
    """pyiqa's checkpoints."""
    return cache_root() / "pyiqa"


def torch_hub_dir() -> Path:
    """The torch hub directory while pyiqa metrics are built."""
    return cache_root() / "torch"


def hf_dir() -> Path:
    """The Hugging Face hub cache the metrics read: ours when the cache is isolated, else the machine's."""
    if os.environ.get(ENV_VAR, "").strip():
        return cache_root() / "huggingface"
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)


PYIQA_HUB = "chaofengc/IQA-PyTorch-Weights"  # the Hub repository pyiqa downloads its own checkpoints from


def hub_cached(repo: str, names: Sequence[str]) -> Path | None:
    """The first of ``names`` in the Hub cache the metrics read (``hf_dir``), or None. No network."""
    # The Hub cache keeps a repository's files under models--ORG--NAME (huggingface_hub's documented layout):
    # without that folder nothing of it is there, and the lookup, which imports huggingface_hub's download
    # stack (a fifth of a second), is skipped.
    if not (hf_dir() / ("models--" + repo.replace("/", "--"))).is_dir():
        return None
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:  # pragma: no cover - huggingface_hub ships with timm
        return None
    for name in names:
        found = try_to_load_from_cache(repo, name, cache_dir=str(hf_dir()))
        if isinstance(found, str) and Path(found).is_file():
            return Path(found)
    return None


def _base(store: str) -> Path:
    return {
        "pyiqa": pyiqa_dir(),
        "torch": torch_hub_dir() / "checkpoints",
        "clip": torch_hub_dir() / "clip",
    }[store]


@dataclass(frozen=True)
class WeightFile:
    """One file a metric needs, and where it is looked for.

    store: ``"pyiqa"`` (pyiqa cache dir), ``"torch"`` (torch hub ``checkpoints/``),
    ``"clip"`` (torch hub ``clip/``) or ``"hf"`` (Hugging Face cache; ``repo`` is
    the repository id and any of ``names`` counts).
    """

    store: str
    names: tuple[str, ...]
    repo: str = ""

    def hub(self) -> tuple[str, str] | None:
        """(repository, file) where the Hugging Face Hub publishes this file; None for other servers."""
        repo = {"pyiqa": PYIQA_HUB, "hf": self.repo}.get(self.store)
        return (repo, self.names[0]) if repo else None

    def locate(self) -> Path | None:
        """The local path of the file, or None when it is not there. Never uses the network."""
        if self.store == "hf":
            return hub_cached(self.repo, self.names)
        base = _base(self.store)
        for name in self.names:
            candidate = base / name
            if candidate.is_file():
                return candidate
        if self.store == "pyiqa":  # fetched into the Hub cache instead (a Space's preload_from_hub)
            return hub_cached(PYIQA_HUB, self.names)
        return None

    def install(self) -> Path | None:
        """Put a present file where its loader reads it: pyiqa reads only its own directory, so a checkpoint
        found in the Hub cache is linked there. Returns the file's path, or None when it is absent."""
        found = self.locate()
        if found is None or self.store != "pyiqa" or found.parent == _base("pyiqa"):
            return found
        target = _base("pyiqa") / found.name
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            target.symlink_to(found.resolve())
        except OSError:  # no symlinks here (some filesystems): a copy does too
            import shutil

            shutil.copyfile(found, target)
        return target

    def describe(self) -> str:
        """Where the file is looked for, for messages."""
        if self.store == "hf":
            return f"{self.repo}/{self.names[0]} (Hugging Face cache {hf_dir()})"
        return str(_base(self.store) / self.names[0])


def status(key: str, files: Sequence[WeightFile]) -> tuple[bool, str]:
    """(present, reason) for the weight files of catalogue metric ``key``; the reason says how to get them."""
    missing = [w for w in files if w.locate() is None]
    if not missing:
        return True, ""
    where = "; ".join(w.describe() for w in missing)
    return False, (
        f"weights not found: {where}. Run `liif prefetch {key}` where the network is "
        f"reachable, or copy the files there (${ENV_VAR} sets the cache "
        f"directory, now {cache_root()})."
    )
