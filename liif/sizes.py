"""Output sizes that keep the picture's shape: the one rule behind ``--size``, ``liif.upscale(size=)`` and the demo.

A requested size is a box: the output fits inside it with the input's aspect ratio (as Lightroom's export
"resize to fit" and Squoosh's "maintain aspect ratio" do), unless ``stretch`` asks for exactly that size.
One side may be left open ("1920x", "x1080"): the other follows the aspect ratio.
"""
from __future__ import annotations

from .errors import InputError

SizeRequest = tuple[int | None, int | None]  # (width, height); None = follow the aspect ratio


def fit_size(in_w: int, in_h: int, width: int | None, height: int | None, stretch: bool = False) -> tuple[int, int]:
    """The output (width, height) for a requested box: inside it, aspect ratio kept; exactly it with ``stretch``."""
    if width is None and height is None:
        raise InputError("give a width, a height or both (e.g. 1920x1080, 1920x or x1080)")
    for name, value in (("width", width), ("height", height)):
        if value is not None and (int(value) != value or value < 1):
            raise InputError(f"the output {name} must be a whole number of pixels of at least 1, got {value!r}")
    if in_w < 1 or in_h < 1:
        raise InputError(f"the image is empty ({in_w}x{in_h})")
    if width is not None and height is not None and stretch:
        return int(width), int(height)
    # The binding side gets exactly what was asked; the other is rounded, never beyond its own bound.
    by_width = height is None or (width is not None and width / in_w <= height / in_h)
    if by_width:
        h = max(1, round(in_h * width / in_w))
        return int(width), min(h, int(height)) if height is not None else h
    w = max(1, round(in_w * height / in_h))
    return min(w, int(width)) if width is not None else w, int(height)


def stretch_note(in_size: tuple[int, int], out_size: tuple[int, int]) -> str | None:
    """A sentence when the two axes are enlarged by different factors (beyond a pixel's rounding), else None."""
    (w, h), (ow, oh) = in_size, out_size
    sx, sy = ow / w, oh / h
    if abs(round(h * sx) - oh) <= 1 or abs(round(w * sy) - ow) <= 1:  # one side follows the other's factor
        return None
    return f"stretched: width x{sx:.3g}, height x{sy:.3g} (the shape changes)"


def parse_size_request(text: str) -> SizeRequest:
    """'1920x1080', '1920x' or 'x1080' -> (width, height) with None for an open side; ValueError otherwise."""
    w, sep, h = text.strip().lower().partition("x")
    if not sep or not (w or h):
        raise ValueError(text)
    width, height = (int(w) if w else None), (int(h) if h else None)
    if (width is not None and width < 1) or (height is not None and height < 1):
        raise ValueError(text)
    return width, height
