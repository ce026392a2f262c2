"""The project's one image layer: loading and saving, modes, bit depths, alpha, EXIF orientation, colour, guards.

The array contract: an image is a PIL image (any mode) or a numpy array of shape (H, W), (H, W, 3)
or (H, W, 4) holding uint8 (0-255), uint16 (0-65535) or float (0-1). Everything enters the engine as
``Picture`` (float32 RGB in [0, 1], an optional alpha plane, and what is needed to give the result back
in the caller's form); the quality package takes :func:`to_rgb8` of it (HxWx3 uint8). Luma is
:func:`luma_bt601`; the benchmark's MATLAB ``rgb2ycbcr`` Y is a different thing (``liif.metrics.rgb_to_y``).

Colour: every pixel the project handles is sRGB. An input that carries an ICC profile (Display P3, Adobe
RGB, ProPhoto, CMYK with its profile, a grey profile) is converted to sRGB as it is loaded (LittleCMS
through Pillow's ImageCms), so every viewer shows the output alike, the models see the colour space they
were trained in, and the report's tone rows compare what a colour-managed viewer shows. Outputs are tagged
sRGB. Metadata: the capture date, camera, lens, author and copyright travel to the output; the GPS
position only when asked (``keep_gps``).
"""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from PIL import Image, ImageCms, ImageOps, PngImagePlugin, UnidentifiedImageError

from .errors import InputError

ImageLike = Image.Image | np.ndarray
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".gif", ".heic", ".heif",
                  ".avif"}
READABLE = "PNG, JPEG, HEIC, AVIF, WebP, TIFF, BMP or GIF"
NOTES_KEY = "liif_notes"  # PIL info key: the loader's sentences about what it changed (profile, frames, depth)
KEEP_GPS_KEY = "liif_keep_gps"  # PIL info key: the caller asked to keep the GPS position
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
    exif: bytes | None = None  # the metadata handed on to a PIL result (kept_exif of the source)

    @property
    def size(self) -> tuple[int, int]:
        """(width, height)."""
        return self.rgb.shape[1], self.rgb.shape[0]


def load_image(path: str | Path, keep_gps: bool = False) -> Image.Image:
    """Open an image file upright (EXIF orientation) in sRGB; 16-bit colour PNG/TIFF kept as numpy.

    A file with an ICC profile is converted to sRGB; its EXIF keeps capture date, camera and lens (GPS only
    with ``keep_gps``); ``image.info["liif_notes"]`` holds a sentence for each thing the loader changed.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"image not found: {path}")
    register_heif()
    try:
        with Image.open(path) as im:
            im.load()
            notes = [f"animated image: the first of its {im.n_frames} frames is used"] \
                if getattr(im, "n_frames", 1) > 1 else []
            if im.mode in ("RGB", "RGBA") and _is_16bit_colour(path, im):
                if not _profile_changes(im.info.get("icc_profile")):
                    return _load_16bit_colour(path)
                # Pillow's colour management is 8-bit for colour: the colours matter more than bits no screen shows.
                notes.append("16-bit image with a colour profile: converted to 8-bit sRGB")
            ImageOps.exif_transpose(im, in_place=True)  # no copy of an upright photo (12 MP: 36 MB saved)
        out = to_srgb(im, notes)  # leaving the block closed the file only: the pixels stay
    except UnidentifiedImageError as exc:
        raise InputError(f"{path} is not an image file that can be read ({READABLE})") from exc
    except Image.DecompressionBombError as exc:  # not an OSError: it would escape as a traceback
        raise InputError(f"{path} has more pixels than can be decoded safely "
                         f"(over {2 * Image.MAX_IMAGE_PIXELS / 1e6:.0f} megapixels, Pillow's guard against "
                         "decompression bombs): downscale or crop it first") from exc
    except OSError as exc:
        raise InputError(f"{path} could not be read: {exc}") from exc
    out.info[NOTES_KEY] = notes
    if keep_gps:
        out.info[KEEP_GPS_KEY] = True
    return out


def register_heif() -> bool:
    """Let Pillow open HEIC/HEIF (pillow-heif, imported on first use); False where it is not installed."""
    return _register_heif()


@lru_cache(maxsize=1)
def _register_heif() -> bool:
    try:
        from pillow_heif import register_heif_opener
    except ImportError:  # the loader still reads every other format; HEIC then gets the unreadable-file sentence
        return False
    register_heif_opener()
    return True


# ----- colour ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def srgb_profile() -> bytes:
    """The ICC bytes of LittleCMS's built-in sRGB: the tag of non-PNG outputs."""
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def profile_name(icc: bytes) -> str:
    """An ICC profile's description ('Display P3', 'Adobe RGB (1998)'), or 'an unnamed profile'."""
    try:
        return ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))).strip() or "an unnamed profile"
    except (OSError, ImageCms.PyCMSError):
        return "an unnamed profile"


@lru_cache(maxsize=8)
def _transform(icc: bytes, mode: str) -> ImageCms.ImageCmsTransform | None:
    """The transform from ``icc`` (for pixels of ``mode``: RGB, CMYK or L) to sRGB; None when it changes nothing."""
    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except (OSError, ImageCms.PyCMSError):
        return None  # unreadable: shown as if untagged, as browsers do
    space = {"RGB": "RGB ", "CMYK": "CMYK", "L": "GRAY"}[mode]
    if src.profile.xcolor_space != space:  # a profile for other pixels (RGB on a grey file): ignored, as browsers do
        return None
    # Relative colorimetric with black-point compensation: what Photoshop and Lightroom use to export to sRGB
    # (matrix-shaper profiles, the phones' and cameras', have no perceptual table anyway).
    try:
        xform = ImageCms.buildTransform(src, ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")), mode, "RGB",
                                        renderingIntent=ImageCms.Intent.RELATIVE_COLORIMETRIC,
                                        flags=ImageCms.Flags.BLACKPOINTCOMPENSATION)
    except ImageCms.PyCMSError:
        return None
    if mode == "RGB":  # an sRGB profile by any name: skip the work (a 12 MP conversion costs a few tenths of a s)
        grid = np.stack(np.meshgrid(*[np.linspace(0, 255, 17).round().astype(np.uint8)] * 3), -1).reshape(-1, 1, 3)
        if np.abs(np.asarray(xform.apply(Image.fromarray(grid))).astype(int) - grid).max() <= 1:
            return None
    return xform


def _profile_changes(icc: bytes | None) -> bool:
    return bool(icc) and _transform(icc, "RGB") is not None


def to_srgb(im: Image.Image, notes: list[str] | None = None) -> Image.Image:
    """``im`` with its ICC profile (if any) applied: sRGB pixels, the profile dropped from its info.

    RGB, RGBA, CMYK, L, LA and palette images are converted; alpha is kept as it is. ``notes`` receives a
    sentence for what was done.
    """
    icc = im.info.get("icc_profile")
    if not icc:
        if im.mode == "CMYK" and notes is not None:
            notes.append("CMYK colours converted to RGB without a colour profile (the file has none)")
        return im
    info = {k: v for k, v in im.info.items() if k != "icc_profile"}
    if im.mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    alpha = im.getchannel("A") if im.mode in ("RGBA", "LA", "PA") else None
    base = {"RGBA": "RGB", "RGBX": "RGB", "LA": "L", "PA": "RGB"}.get(im.mode, im.mode)
    xform = _transform(icc, base) if base in ("RGB", "CMYK", "L") else None
    if xform is None:
        out = im.copy()
    else:
        out = xform.apply(im.convert(base) if im.mode != base else im)
        if base == "L":  # a grey profile gives a neutral grey in sRGB: one channel holds it
            out = out.getchannel("R")
        if alpha is not None:
            out.putalpha(alpha)
        if notes is not None:
            notes.append(f"colours converted from {profile_name(icc)} to sRGB")
    out.info = info
    return out


# ----- metadata -------------------------------------------------------------------------------------------
# What travels from a photo to its enlargement: what Lightroom's export keeps under "All except camera raw
# info" less the location. IFD0 tags, then the Exif sub-IFD's.
KEPT_TAGS = (0x010E, 0x010F, 0x0110, 0x0112, 0x0131, 0x0132, 0x013B, 0x8298)  # description, make, model,
# orientation (only where the pixels were not turned upright), software, date, artist, copyright
KEPT_EXIF_TAGS = (0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0xA433, 0xA434)  # dates taken and digitised, their
# time-zone offsets, lens make and model
EXIF_IFD, GPS_IFD = 0x8769, 0x8825


def kept_exif(exif: bytes | Image.Exif | None, keep_gps: bool = False) -> bytes | None:
    """The EXIF an output carries: capture date, camera, lens, author, copyright; GPS only with ``keep_gps``."""
    if not exif:
        return None
    if isinstance(exif, bytes):
        source = Image.Exif()
        try:
            source.load(exif)
        except Exception:  # noqa: BLE001 - malformed EXIF from some camera: drop it, never fail a render for it
            return None
    else:
        source = exif
    out = Image.Exif()
    for tag in KEPT_TAGS:
        if tag in source:
            out[tag] = source[tag]
    sub = source.get_ifd(EXIF_IFD)
    kept = {tag: sub[tag] for tag in KEPT_EXIF_TAGS if tag in sub}
    if kept:
        out.get_ifd(EXIF_IFD).update(kept)
    if keep_gps and source.get_ifd(GPS_IFD):
        out.get_ifd(GPS_IFD).update(source.get_ifd(GPS_IFD))
    return out.tobytes() if len(out) or kept else None


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
    if isinstance(image, Image.Image) and image.mode in ("RGB", "RGBA") and not image.info.get("icc_profile"):
        image = np.asarray(image)  # a profile still attached goes through to_picture, which applies it
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
    exif = kept_exif(im.info.get("exif"), keep_gps=bool(im.info.get(KEEP_GPS_KEY)))
    pic = _pil_pixels(to_srgb(im))  # a PIL image opened elsewhere may still carry its profile
    pic.exif = exif
    return pic


def _pil_pixels(im: Image.Image) -> Picture:
    mode = im.mode
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        pic = _array_to_picture(np.clip(np.asarray(im), 0, 65535).astype(np.uint16), as_pil=True)
        pic.pil_mode = mode
        return pic
    if mode == "P":
        im = im.convert("RGBA" if "transparency" in im.info else "RGB")
    elif mode == "1":  # a bilevel scan is grey: one channel in, one out
        im = im.convert("L")
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
        result = Image.fromarray(out.astype(np.int32) if like.pil_mode == "I" else out)
    elif out.dtype == np.uint16:  # 16-bit colour has no PIL mode: give the array back
        return out
    else:
        result = Image.fromarray(out)
    if like.exif:
        result.info["exif"] = like.exif
    return result


def save_image(image: ImageLike, path: str | Path, overwrite: bool = False, *,
               png_level: int | None = None, exif: bytes | None = None) -> Path:
    """Save losslessly (PNG unless the suffix says otherwise), tagged sRGB; never replaces a file unless asked.

    ``png_level``: PNG's zlib level, 0-9 (default: the library's, 6); 1 writes 3x faster and about 10%
    larger, for files made while someone waits. ``exif``: the metadata to write (default: a PIL image's
    own ``info["exif"]``, as :func:`from_picture` hands on the source's :func:`kept_exif`).
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise InputError(f"{path} exists: choose another name or pass overwrite=True")
    path.parent.mkdir(parents=True, exist_ok=True)
    png = path.suffix.lower() == ".png"
    if isinstance(image, np.ndarray) and image.dtype == np.uint16 and image.ndim == 3:
        import cv2

        conv = cv2.COLOR_RGBA2BGRA if image.shape[2] == 4 else cv2.COLOR_RGB2BGR
        params = [cv2.IMWRITE_PNG_COMPRESSION, png_level] if png_level is not None else []
        ok, data = cv2.imencode(path.suffix or ".png", cv2.cvtColor(image, conv), params)
        if not ok:
            raise InputError(f"could not write {path}")
        data = data.tobytes()
        chunks = [(b"sRGB", SRGB_INTENT)] + ([(b"eXIf", exif.removeprefix(b"Exif\x00\x00"))] if exif else [])
        path.write_bytes(_png_with_chunks(data, chunks) if png else data)  # eXIf holds the TIFF data alone
        return path
    im = image if isinstance(image, Image.Image) else Image.fromarray(image)
    exif = exif if exif is not None else im.info.get("exif")
    options: dict = {"exif": exif} if exif else {}
    if png:
        # The sRGB chunk (13 bytes) rather than a 3 kB ICC profile: the PNG specification's own sRGB tag.
        info = PngImagePlugin.PngInfo()
        info.add(b"sRGB", SRGB_INTENT)
        options["pnginfo"] = info
        if png_level is not None:
            options["compress_level"] = png_level
    elif path.suffix.lower() in (".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".avif", ".heic"):
        options["icc_profile"] = srgb_profile()
    im.save(path, **options)
    return path


SRGB_INTENT = b"\x00"  # the sRGB chunk's rendering intent: perceptual, as libpng and browsers write it


def _png_with_chunks(data: bytes, chunks: list[tuple[bytes, bytes]]) -> bytes:
    """A PNG file's bytes with ``chunks`` added after IHDR (OpenCV writes 16-bit PNG, but no sRGB or eXIf chunk)."""
    end = 8 + 25  # signature, then IHDR: length 4 + type 4 + 13 bytes of data + CRC 4
    extra = b"".join(len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
                     for kind, body in chunks)
    return data[:end] + extra + data[end:]
