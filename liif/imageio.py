"""The project's one image layer: loading and saving, modes, bit depths, alpha, EXIF orientation, guards.

The array contract: an image is a PIL image (any mode) or a numpy array of shape (H, W), (H, W, 3)
or (H, W, 4) holding uint8 (0-255), uint16 (0-65535) or float (0-1). Everything enters the engine as
``Picture`` (float32 RGB in [0, 1], an optional alpha plane, and what is needed to give the result back
in the caller's form); the quality package takes :func:`to_rgb8` of it (HxWx3 uint8). Luma is
:func:`luma_bt601`; the benchmark's MATLAB ``rgb2ycbcr`` Y is a different thing (``liif.metrics.rgb_to_y``).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import InputError

ImageLike = Image.Image | np.ndarray
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}
BT601_LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 luma weights, as PIL's convert("L") and OpenCV's RGB2GRAY


@dataclass
class Picture:
    """An image as the engine sees it, plus how to hand results back in the caller's form."""

    rgb: np.ndarray  # (H, W, 3) float32 in [0, 1]
    alpha: np.ndarray | None  # (H, W) float32 in [0, 1] or None
    gray: bool  # the source had one colour channel
    bits: int  # 8 or 16
    as_pil: bool  # the caller passed a PIL image
    pil_mode: str | None = None

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        return self.rgb.shape[1], self.rgb.shape[0]


def load_image(path: str | Path) -> Image.Image:
    """Open an image file with its EXIF orientation applied; 16-bit colour PNG/TIFF kept as numpy."""
    path = Path(path)
    if not path.is_file():
        raise InputError(f"image not found: {path}")
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("RGB", "RGBA") and _is_16bit_colour(path, im):
                return _load_16bit_colour(path)
            return ImageOps.exif_transpose(im)
    except UnidentifiedImageError as exc:
        raise InputError(f"{path} is not an image file that can be read (PNG, JPEG, BMP, TIFF, WebP)") from exc
    except Image.DecompressionBombError as exc:  # not an OSError: it would escape as a traceback
        raise InputError(f"{path} has more pixels than can be decoded safely "
                         f"(over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, Pillow's guard against "
                         "decompression bombs): downscale or crop it first") from exc
    except OSError as exc:
        raise InputError(f"{path} could not be read: {exc}") from exc


def _is_16bit_colour(path: Path, im: Image.Image) -> bool:
    # PIL silently reduces 48/64-bit PNG to 8 bits per channel; its info keeps no trace, so ask OpenCV.
    return path.suffix.lower() in (".png", ".tif", ".tiff") and _cv2_depth(path) == 2


def _cv2_depth(path: Path) -> int | None:
    import cv2

    arr = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    return None if arr is None else {np.dtype(np.uint8): 0, np.dtype(np.uint16): 2}.get(arr.dtype)


def _load_16bit_colour(path: Path) -> np.ndarray:
    import cv2

    arr = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    return cv2.cvtColor(arr, cv2.COLOR_BGRA2RGBA if arr.shape[2] == 4 else cv2.COLOR_BGR2RGB)


def load_rgb_array(path: str | Path) -> np.ndarray:
    """An image file as an (H, W, 3) uint8 array (grayscale replicated, alpha dropped, 16 bits rounded)."""
    return to_rgb8(load_image(path), str(path))


def luma_bt601(rgb: np.ndarray) -> np.ndarray:
    """BT.601 luma Y' = 0.299 R + 0.587 G + 0.114 B of an (..., 3) array, in the input's range (float32 stays)."""
    dtype = np.float32 if rgb.dtype == np.float32 else np.float64
    return rgb.astype(dtype, copy=False) @ np.array(BT601_LUMA, dtype)


def to_rgb8(image: ImageLike, what: str = "image") -> np.ndarray:
    """Any image of the array contract as an (H, W, 3) uint8 array: grayscale replicated, alpha dropped."""
    if isinstance(image, np.ndarray) and np.issubdtype(image.dtype, np.floating) and image.size \
            and np.nanmax(image) > 1.001:  # 0-255 floats would otherwise clip to white
        raise InputError(f"{what}: float pixels must be in [0, 1] (got values up to {np.nanmax(image):.4g}): "
                         "divide 0-255 values by 255 or pass uint8")
    if isinstance(image, Image.Image) and image.mode in ("RGB", "RGBA"):
        image = np.asarray(image)
    if isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] in (3, 4) \
            and image.shape[0] and image.shape[1]:  # already 8-bit colour: the float round trip would give it back
        return np.ascontiguousarray(image[..., :3])
    try:
        pic = to_picture(image)
    except InputError as exc:
        raise InputError(f"{what}: {exc}") from None
    return np.rint(pic.rgb * 255).astype(np.uint8)


def to_picture(image: ImageLike) -> Picture:
    """Convert a PIL image or a numpy array (uint8, uint16 or float in [0, 1]) into a ``Picture``."""
    if isinstance(image, Image.Image):
        return _pil_to_picture(image)
    if isinstance(image, np.ndarray):
        return _array_to_picture(image, as_pil=False)
    raise InputError(f"expected a PIL image or a numpy array, got {type(image).__name__}")


def _pil_to_picture(im: Image.Image) -> Picture:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        pic = _array_to_picture(np.clip(np.asarray(im), 0, 65535).astype(np.uint16), as_pil=True)
        pic.pil_mode = mode
        return pic
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode not in ("RGB", "RGBA", "L", "LA"):
        im = im.convert("RGB")
    pic = _array_to_picture(np.asarray(im), as_pil=True)
    pic.pil_mode = im.mode
    return pic


def _array_to_picture(arr: np.ndarray, as_pil: bool) -> Picture:
    if arr.ndim == 2:
        arr = arr[..., None]
    if arr.ndim != 3 or arr.shape[2] not in (1, 2, 3, 4):
        raise InputError(f"expected an image array of shape (H, W), (H, W, 3) or (H, W, 4), got {arr.shape}")
    if arr.shape[0] < 1 or arr.shape[1] < 1:
        raise InputError(f"the image is empty ({arr.shape[1]}x{arr.shape[0]})")
    if arr.dtype == np.uint8:
        bits, data = 8, arr.astype(np.float32) / 255
    elif arr.dtype == np.uint16:
        bits, data = 16, arr.astype(np.float32) / 65535
    elif np.issubdtype(arr.dtype, np.floating):
        if not np.isfinite(arr).all():
            raise InputError("the image contains NaN or infinite values")
        bits, data = 32, np.clip(arr.astype(np.float32), 0, 1)
    else:
        raise InputError(f"unsupported pixel type {arr.dtype}: use uint8, uint16 or float in [0, 1]")
    channels = data.shape[2]
    alpha = data[..., -1] if channels in (2, 4) else None
    colour = data[..., :3] if channels >= 3 else np.repeat(data[..., :1], 3, axis=2)
    return Picture(np.ascontiguousarray(colour), alpha, gray=channels <= 2, bits=bits, as_pil=as_pil)


def from_picture(rgb: np.ndarray, alpha: np.ndarray | None, like: Picture) -> ImageLike:
    """Hand an (H, W, 3) float result back in the form, mode and bit depth of ``like``."""
    rgb = np.clip(rgb, 0, 1)
    planes = [luma_bt601(rgb) if like.gray else rgb]
    if alpha is not None:
        planes.append(np.clip(alpha, 0, 1))
    data = np.dstack([p if p.ndim == 3 else p[..., None] for p in planes])
    if like.bits == 32:
        out = data.astype(np.float32)
    elif like.bits == 16:
        out = np.rint(data * 65535).astype(np.uint16)
    else:
        out = np.rint(data * 255).astype(np.uint8)
    if out.shape[2] == 1:
        out = out[..., 0]
    if not like.as_pil:
        return out
    if like.pil_mode and like.pil_mode.startswith("I"):
        return Image.fromarray(out.astype(np.int32) if like.pil_mode == "I" else out)
    if out.dtype == np.uint16:  # 16-bit colour has no PIL mode: give the array back
        return out
    return Image.fromarray(out)


def save_image(image: ImageLike, path: str | Path, overwrite: bool = False, *,
               png_level: int | None = None) -> Path:
    """Save losslessly (PNG unless the suffix says otherwise); never replaces a file unless asked.

    ``png_level``: PNG's zlib level, 0-9 (default: the library's, 6); 1 writes 3x faster and about 10%
    larger, for files made while someone waits.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError(f"{path} exists: choose another name or pass overwrite=True")
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(image, np.ndarray) and image.dtype == np.uint16 and image.ndim == 3:
        import cv2

        conv = cv2.COLOR_RGBA2BGRA if image.shape[2] == 4 else cv2.COLOR_RGB2BGR
        params = [cv2.IMWRITE_PNG_COMPRESSION, png_level] if png_level is not None else []
        if not cv2.imwrite(str(path), cv2.cvtColor(image, conv), params):
            raise InputError(f"could not write {path}")
        return path
    im = image if isinstance(image, Image.Image) else Image.fromarray(image)
    im.save(path, **({"compress_level": png_level} if png_level is not None and path.suffix.lower() == ".png"
                     else {}))
    return path
