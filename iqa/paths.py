"""Where downloaded weights live.

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
from pathlib import Path

ENV_VAR = "LIIF_STUDIO_CACHE"


def cache_root() -> Path:
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser()
    return Path.home() / ".cache" / "liif-studio"


def pyiqa_dir() -> Path:
    return cache_root() / "pyiqa"


def torch_hub_dir() -> Path:
    return cache_root() / "torch"


def hf_dir() -> Path:
    """The Hugging Face hub cache the metrics read: ours when the cache is isolated, else the machine's."""
    if os.environ.get(ENV_VAR, "").strip():
        return cache_root() / "huggingface"
    from huggingface_hub import constants

    return Path(constants.HF_HUB_CACHE)
