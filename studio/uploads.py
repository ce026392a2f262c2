"""Uploaded files -> images, through the project's loader (``liif.load_image``).

Every failure becomes an ``UploadError`` whose message is one plain sentence saying what to do; the
temporary path the server stored the upload under never appears in it.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

import liif
import liif.imageio

FORMATS = liif.imageio.READABLE


class UploadError(liif.InputError):
    """An upload the demo cannot use; the message is meant for the visitor."""


@dataclass
class Upload:
    """A decoded upload: the image as ``liif.load_image`` returns it, and notes worth telling the visitor."""

    image: Image.Image | np.ndarray
    name: str
    notes: list[str] = field(default_factory=list)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        if isinstance(self.image, np.ndarray):
            return self.image.shape[1], self.image.shape[0]
        return self.image.size


def megapixels(value: float) -> str:
    """'1 megapixel', '2.5 megapixels'."""
    return f"{value:g} megapixel" + ("" if value == 1 else "s")


def size_message(w: int, h: int, limit_mp: float) -> str:
    """The sentence for an input above the size limit."""
    return (f"This image is {w}x{h} pixels ({w * h / 1e6:.1f} megapixels); this demo accepts up to "
            f"{megapixels(limit_mp)} so that it stays responsive. Crop or downscale it first, or run liif-studio "
            "on your own computer (`liif upscale`, or `LIIF_MAX_INPUT_MEGAPIXELS=... python app.py`).")


def open_upload(path: str | Path | None, max_megapixels: float, what: str = "an image") -> Upload:
    """Decode an uploaded file; raise ``UploadError`` (one sentence) for anything the demo cannot use."""
    if not path:
        raise UploadError(f"Upload {what} first: drop a file, click to browse, or pick an example.")
    path = Path(path)
    name = path.name
    unreadable = f"{name} is not an image this demo can read: upload a {FORMATS} file."
    damaged = (f"{name} could not be decoded: the file looks damaged or cut short. Upload the complete file again, "
               f"or another {FORMATS} image.")
    # Read the header only (no pixels decoded) so that size limits hold before any memory is spent.
    liif.imageio.register_heif()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
    except Image.DecompressionBombError:
        raise UploadError(f"{name} is far too large to open safely (over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} "
                          f"megapixels); this demo accepts up to {megapixels(max_megapixels)}: crop or downscale "
                          "it first.") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise UploadError(unreadable) from None
    with im:
        (w, h), mode = im.size, im.mode
        try:  # these read further into the file: a truncated one fails here
            frames = getattr(im, "n_frames", 1)
            orientation = im.getexif().get(0x0112, 1)
        except (OSError, ValueError, SyntaxError, EOFError):
            raise UploadError(damaged) from None
    if w * h > max_megapixels * 1e6:
        raise UploadError(size_message(w, h, max_megapixels))
    try:
        image = liif.load_image(path)
    except liif.LiifError:
        raise UploadError(damaged) from None
    # The loader's own sentences: a colour profile applied, CMYK without one, the first frame of an animation.
    notes = list(image.info.get(liif.imageio.NOTES_KEY, [])) if isinstance(image, Image.Image) else []
    if frames > 1 and not any(n.startswith("animated") for n in notes):
        notes.append(f"animated image: the first of its {frames} frames is used")
    if orientation not in (1, None):
        notes.append("turned upright as its EXIF orientation says")
    if isinstance(image, np.ndarray) and image.dtype == np.uint16 or mode.startswith("I;16"):
        notes.append("16-bit image: the download keeps 16 bits, the screen shows 8")
    return Upload(image, name, notes)
