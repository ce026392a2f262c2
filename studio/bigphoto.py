"""Phone-size photos in the demo: a window of one for Zoom anywhere, a region or a downscaled copy for Upscale.

A 12-megapixel photo is 36 MB as 8-bit RGB, and 144 MB again as the engine's float copy; the demo keeps
only the 8-bit decode (one per recent upload) and hands the engine the part of it that a window needs.
The limits are configuration (:class:`Limits`, from the demo's settings and the environment).
"""
from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image

import liif
from liif.engine import WindowBox, window_box
from liif.imageio import ImageLike, from_picture, to_picture
from liif.resize import pil_bicubic
from studio import uploads

# Zoom anywhere holds the 8-bit decode (3 bytes a pixel) and renders a window: 24 MP covers the photos
# phones save by default (12 MP; 48-50 MP sensors bin to 12) and the 24 MP of most cameras, at 72 MB.
ZOOM_INPUT_MP = 24.0
PREVIEW_SIDE = 1600  # the longest side of the copy a visitor clicks on: a phone screen's width, twice


@dataclass(frozen=True)
class Limits:
    """How large a photo each tab takes, in megapixels."""

    upscale_input_mp: float  # Upscale renders the whole input: its limit (settings.max_input_mp)
    output_mp: float  # every rendered output (settings.max_output_mp)
    zoom_input_mp: float = ZOOM_INPUT_MP  # Zoom anywhere renders a window: only the decode grows with the photo


def limits_from(max_input_mp: float, max_output_mp: float, env: Mapping[str, str] | None = None) -> Limits:
    """The limits from the demo's settings, with Zoom's from ``LIIF_MAX_ZOOM_MEGAPIXELS`` (default 24)."""
    env = os.environ if env is None else env
    try:
        zoom = float(env.get("LIIF_MAX_ZOOM_MEGAPIXELS", ZOOM_INPUT_MP))
    except ValueError:
        zoom = ZOOM_INPUT_MP
    return Limits(max_input_mp, max_output_mp, max(zoom if zoom > 0 else ZOOM_INPUT_MP, max_input_mp))


# ----- decoding once ------------------------------------------------------------------------------------
def open_photo(path: str | Path | None, max_megapixels: float, what: str = "an image") -> uploads.Upload:
    """``uploads.open_upload`` with the decode kept for the two latest files (a Zoom click re-reads none)."""
    if not path:
        return uploads.open_upload(path, max_megapixels, what)
    stat = Path(path).stat()
    return _open_cached(str(path), stat.st_mtime_ns, stat.st_size, max_megapixels, what)


@lru_cache(maxsize=2)
def _open_cached(path: str, _mtime: int, _size: int, max_megapixels: float, what: str) -> uploads.Upload:
    return uploads.open_upload(path, max_megapixels, what)


def image_size(image: ImageLike) -> tuple[int, int]:
    """(width, height) of a PIL image or an array."""
    return (image.shape[1], image.shape[0]) if isinstance(image, np.ndarray) else image.size


def preview(image: ImageLike, side: int = PREVIEW_SIDE) -> Image.Image:
    """A copy to show and click on, at most ``side`` pixels long (a point on it maps back by fractions)."""
    shown = image if isinstance(image, Image.Image) else Image.fromarray(liif.imageio.to_rgb8(image))
    if max(shown.size) <= side:
        return shown
    k = side / max(shown.size)
    return shown.resize((max(1, round(shown.width * k)), max(1, round(shown.height * k))), Image.Resampling.LANCZOS)


def shrunk(image: ImageLike, box: tuple[float, float, float, float],
           side: int = 512) -> tuple[Image.Image, tuple[float, float, float, float]]:
    """A copy at most ``side`` long and ``box`` (x0, y0, x1, y1, input pixels) in its pixels: the locator's picture."""
    small = preview(image, side)
    k = small.width / image_size(image)[0]
    return small, (box[0] * k, box[1] * k, box[2] * k, box[3] * k)


# ----- Zoom anywhere: a window from a crop ----------------------------------------------------------------
def crop_box(size: tuple[int, int], box: WindowBox, margin: int) -> tuple[int, int, int, int]:
    """The input pixels (x0, y0, x1, y1) a window needs: its input box and ``margin`` pixels around, in the image."""
    w, h = size
    x0, y0, x1, y1 = box.input_box
    return (max(0, math.floor(x0) - margin), max(0, math.floor(y0) - margin),
            min(w, math.ceil(x1) + margin), min(h, math.ceil(y1) + margin))


def render_window(up: liif.Upscaler, image: ImageLike, center: tuple[float, float], magnification: float,
                  window: tuple[int, int] = (256, 256)) -> tuple[ImageLike, WindowBox]:
    """``Upscaler.render_window``'s window rendered from the crop of the input it needs, and where it lies.

    The engine's float copy is then the crop's (a 400x400 crop: 2 MB), not the photo's (12 MP: 144 MB). The
    margin covers the model's receptive field, so the features are the whole photo's; at a whole-number
    magnification the window is the same as from the whole photo, at others it lies within half an output
    pixel of it (the crop's grid is rounded to whole pixels).
    """
    size = image_size(image)
    box = window_box(size, center, magnification, window)
    margin = int(getattr(up.model, "receptive_radius", 16)) + 2  # +1 for the local ensemble, +1 for rounding
    x0, y0, x1, y1 = crop_box(size, box, margin)
    crop = image.crop((x0, y0, x1, y1)) if isinstance(image, Image.Image) else image[y0:y1, x0:x1]
    (w, h), (ow, oh) = size, box.out_size
    cw, ch = round((x1 - x0) * ow / w), round((y1 - y0) * oh / h)  # the crop's part of the magnified grid
    ww, wh = box.size
    c0 = min(max(round(box.cols[0] - x0 * ow / w), 0), cw - ww)
    r0 = min(max(round(box.rows[0] - y0 * oh / h), 0), ch - wh)
    pic = to_picture(crop)
    rgb = up.render(pic, ch, cw, rows=(r0, r0 + wh), cols=(c0, c0 + ww))
    alpha = None
    if pic.alpha is not None:
        ix0, iy0, ix1, iy1 = box.input_box
        alpha = pil_bicubic(pic.alpha.astype(np.float32), box.size, box=(ix0 - x0, iy0 - y0, ix1 - x0, iy1 - y0))
    return from_picture(rgb, alpha, pic), box


# ----- Upscale: a region or a downscaled copy -------------------------------------------------------------
@dataclass
class Fitted:
    """What the Upscale tab renders instead of an over-large photo, and the sentence that says so."""

    image: ImageLike
    sentence: str
    box: tuple[int, int, int, int] | None  # the region in the photo's pixels; None for a downscaled copy


def largest_input_mp(scale: float, limits: Limits) -> float:
    """The largest input (megapixels) Upscale renders at ``scale``: within its input and output limits."""
    return min(limits.upscale_input_mp, limits.output_mp / (scale * scale))


def too_large(size: tuple[int, int], scale: float, limits: Limits) -> str | None:
    """None when Upscale can render the photo at ``scale``; else the sentence offering a region or a copy."""
    w, h = size
    most = largest_input_mp(scale, limits)
    if w * h <= most * 1e6:
        return None
    rw, rh = _shape_within(size, most)
    return (f"This photo is {w}x{h} pixels ({w * h / 1e6:.1f} megapixels); at x{scale:g} this demo renders inputs "
            f"up to {uploads.megapixels(round(most, 2))}. Choose a region ({rw}x{rh} around the point you click, "
            f"at x{scale:g}) or a downscaled copy (the whole photo at {rw}x{rh}, then x{scale:g}), or run "
            "liif-studio on your own computer for the whole photo.")


def fitting_size(size: tuple[int, int], scale: float, limits: Limits) -> tuple[int, int]:
    """The size of the region or downscaled copy Upscale renders of a photo of ``size`` at ``scale``."""
    return _shape_within(size, largest_input_mp(scale, limits))


def _shape_within(size: tuple[int, int], megapixels: float) -> tuple[int, int]:
    """The photo's shape scaled to at most ``megapixels`` (never enlarged)."""
    w, h = size
    k = min(1.0, math.sqrt(megapixels * 1e6 / (w * h)))
    return max(1, math.floor(w * k)), max(1, math.floor(h * k))


def region(image: ImageLike, center: tuple[float, float], scale: float, limits: Limits) -> Fitted:
    """The largest part of the photo, of its shape, around ``center`` (fractions of width and height) that
    Upscale renders at ``scale``."""
    w, h = size = image_size(image)
    rw, rh = _shape_within(size, largest_input_mp(scale, limits))
    x0 = min(max(round(center[0] * w - rw / 2), 0), w - rw)
    y0 = min(max(round(center[1] * h - rh / 2), 0), h - rh)
    box = (x0, y0, x0 + rw, y0 + rh)
    part = image.crop(box) if isinstance(image, Image.Image) else image[y0:y0 + rh, x0:x0 + rw]
    if isinstance(part, Image.Image):
        part.info = dict(image.info)  # the photo's metadata goes with its region
    sentence = (f"A {rw}x{rh} region of the {w}x{h} photo (from x {x0}, y {y0}), rendered at x{scale:g}: "
                "the whole photo is over this demo's limit.")
    return Fitted(part, sentence, box)


def downscaled(image: ImageLike, scale: float, limits: Limits) -> Fitted:
    """The whole photo reduced (antialiased bicubic, the display kernel) so that Upscale renders it at ``scale``."""
    w, h = size = image_size(image)
    rw, rh = _shape_within(size, largest_input_mp(scale, limits))
    if (rw, rh) == (w, h):
        return Fitted(image, "", None)
    if isinstance(image, Image.Image):
        small = image.resize((rw, rh), Image.Resampling.BICUBIC, reducing_gap=3.0)  # reduce first: fast, antialiased
        small.info = dict(image.info)
    else:  # arrays keep their type (pil_bicubic works in float for anything but 8-bit)
        small = pil_bicubic(image, (rw, rh))
        if small.dtype != image.dtype:
            top = 1.0 if np.issubdtype(image.dtype, np.floating) else np.iinfo(image.dtype).max
            small = np.clip(small, 0, top)
            small = small.astype(image.dtype) if top == 1.0 else np.rint(small).astype(image.dtype)
    sentence = (f"The {w}x{h} photo reduced to {rw}x{rh} (x{rw / w:.2f}) and then rendered at x{scale:g}: "
                f"the whole photo is over this demo's limit.")
    return Fitted(small, sentence, None)


def scale_limit(size: tuple[int, int], scale: float, limits: Limits) -> str | None:
    """None when ``scale`` fits the output limit; else a sentence for under the button (never a silent reset)."""
    w, h = size
    ow, oh = round(w * scale), round(h * scale)
    if ow * oh <= limits.output_mp * 1e6:
        return None
    largest = math.floor(math.sqrt(limits.output_mp * 1e6 / (w * h)) * 10 + 1e-9) / 10
    return (f"x{scale:g} would make {ow}x{oh} pixels ({ow * oh / 1e6:.1f} megapixels); this demo renders up to "
            f"{uploads.megapixels(limits.output_mp)}: for this {w}x{h} image choose x{largest:g} or less.")
