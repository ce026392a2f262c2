"""The one-call Python API: ``liif.upscale(image_or_path, scale=4)``."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from .condition import choose_model, inspect
from .engine import Progress, Upscaler
from .imageio import ImageLike, load_image
from .models import LIIF, LMLIIF
from .sizes import fit_size
from .zoo import DEFAULT_MODEL, create_model, list_models


@lru_cache(maxsize=4)
def _cached_model(name_or_path: str | None) -> LIIF | LMLIIF:
    return create_model(name_or_path)


def upscale(
    image: ImageLike | str | Path,
    scale: float | tuple[float, float] | None = None,
    size: tuple[int | None, int | None] | None = None,
    model: LIIF | LMLIIF | str | Path | None = "auto",
    device: str = "auto",
    tile: int | None = 512,
    precision: str = "auto",
    max_output_megapixels: float = 64.0,
    progress: Progress | None = None,
    stretch: bool = False,
    keep_gps: bool = False,
    **engine_options: Any,
) -> ImageLike:
    """Upscale an image (PIL, numpy array or file path) by ``scale``, or to fit ``size`` = (width, height).

    ``size`` is a box the output fits in, aspect ratio kept (one side may be None: the other follows); with
    ``stretch`` the output is exactly ``size`` (``liif.fit_size``). A path is read by ``liif.load_image``
    (sRGB, upright; ``keep_gps`` keeps the GPS position in the metadata a PIL result carries).

    ``model`` is a loaded model, a bundled model name, a checkpoint path, None for ``DEFAULT_MODEL``, or "auto":
    the model for inputs marked by JPEG or noise where ``liif.inspect`` finds them, the default otherwise.
    The result has the input's form: PIL in, PIL out (mode and alpha kept); numpy in, numpy out.
    ``precision`` "auto" runs bf16 where ``liif.precision`` measured it faster on this machine, exact elsewhere.
    Other ``EngineConfig`` fields pass through, e.g. ``ensemble=8``, ``backproject=3`` or ``threads=2``.
    """
    if isinstance(model, str) and model == "auto":
        model, _why = choose_model(inspect(image), list_models(), DEFAULT_MODEL)  # the file's JPEG tables, if any
    if isinstance(image, (str, Path)):
        image = load_image(image, keep_gps=keep_gps)
    if size is not None:
        w, h = (image.shape[1], image.shape[0]) if isinstance(image, np.ndarray) else image.size
        size = fit_size(w, h, *size, stretch=stretch)
    net = model if isinstance(model, (LIIF, LMLIIF)) else _cached_model(None if model is None else str(model))
    up = Upscaler(net, device=device, tile=tile, precision=precision, max_output_megapixels=max_output_megapixels,
                  **engine_options)
    return up.upscale(image, scale=scale, size=size, progress=progress)
