"""liif-studio: the Gradio demo (local: ``python app.py``; Hugging Face Spaces: ``app_file: app.py``).

This file is layout and wiring only. The work is done by two libraries that never import gradio:
``liif`` (loading models, upscaling, rendering windows, bicubic baseline, lossless PNG) and ``iqa``
(the quality report). Every heavy event shares one queue slot (``concurrency_id="compute"``) so a
2-core Space serves one computation at a time and queues the rest.

Environment variables:
  LIIF_MODELS_DIR              folder scanned for extra checkpoints (.pth / .safetensors); default ./models
  LIIF_MAX_OUTPUT_MEGAPIXELS   largest output the app renders (default 4; 2 on a Space)
  LIIF_MAX_INPUT_MEGAPIXELS    largest input the app accepts (default 1)
  LIIF_ALLOW_CHECKPOINT_PATHS  1/0: show the "checkpoint path" box (default 1, 0 on a Space)
  LIIF_PREFETCH                comma-separated iqa metric keys (or "all") whose weights to download in the
                               background at start-up, where the network allows (default: none)
  GRADIO_SERVER_NAME / GRADIO_SERVER_PORT   where ``python app.py`` serves (read by gradio)
"""
from __future__ import annotations

import functools
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

import iqa
import liif
from liif.engine import window_box

log = logging.getLogger("liif_studio.app")

ROOT = Path(__file__).resolve().parent
EXAMPLES_DIR = ROOT / "examples"
ON_SPACES = bool(os.environ.get("SPACE_ID"))

DEFAULT_LABEL = "default (bundled)"
BUNDLED_PREFIX = "bundled: "
FILE_PREFIX = "file: "
CHECKPOINT_SUFFIXES = (".safetensors", ".pth", ".pt")
SCALE_MODE, SIZE_MODE = "Scale factor", "Exact output size"
COMPARE_FACTORS = ["x2", "x3", "x4", "x6", "x8", "x12", "x16"]
COMPARE_DEFAULT = ["x2", "x3", "x4", "x6", "x8"]
REPORT_COLUMNS = ["Cue", "Group", "LIIF", "Bicubic (same size)", "Better", "Range", "Reading"]
REPORT_WIDTHS = ["13%", "9%", "8%", "8%", "10%", "17%", "35%"]
COMPARE_COLUMNS = ["Scale", "Cue", "LIIF", "Bicubic", "Better"]
CROP_PANEL = 256  # display size of each half of the magnified crop
GALLERY_MAX = 512  # display size cap of the compare-scales gallery tiles


def _env_float(name: str, default: float) -> float:
    try:
        return float(os.environ.get(name, default))
    except ValueError:
        return default


MAX_OUTPUT_MP = _env_float("LIIF_MAX_OUTPUT_MEGAPIXELS", 2.0 if ON_SPACES else 4.0)
MAX_INPUT_MP = _env_float("LIIF_MAX_INPUT_MEGAPIXELS", 1.0)
ALLOW_PATHS = os.environ.get("LIIF_ALLOW_CHECKPOINT_PATHS", "0" if ON_SPACES else "1") not in ("0", "false", "")


# --------------------------------------------------------------------------------------------
# Models: the dropdown's choices and a small cache of loaded upscalers
# --------------------------------------------------------------------------------------------
def models_dir() -> Path:
    return Path(os.environ.get("LIIF_MODELS_DIR", ROOT / "models")).expanduser()


def model_choices() -> list[str]:
    """The dropdown: the bundled default, every bundled model, and checkpoints in the models folder."""
    choices = [DEFAULT_LABEL] + [BUNDLED_PREFIX + name for name in liif.list_models()]
    folder = models_dir()
    if folder.is_dir():
        files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in CHECKPOINT_SUFFIXES)
        choices += [FILE_PREFIX + p.name for p in files]
    return choices


def default_choice(choices: list[str]) -> str:
    """The bundled default when weights are bundled, else the first checkpoint in the models folder."""
    if liif.list_models():
        return DEFAULT_LABEL
    files = [c for c in choices if c.startswith(FILE_PREFIX)]
    return files[0] if files else DEFAULT_LABEL


def model_status() -> str:
    """A line for the top of the page: what the app will use, or what to do when nothing is there."""
    bundled = liif.list_models()
    files = [c for c in model_choices() if c.startswith(FILE_PREFIX)]
    if bundled:
        return f"Bundled models: {', '.join(bundled)}." + (f" Also found {len(files)} checkpoint(s) in `{models_dir()}`." if files else "")
    if files:
        return (f"**No bundled weights are installed**; using checkpoints from `{models_dir()}`. "
                "The bundled default will report an error until weights are added.")
    return ("**No bundled weights are installed and no checkpoint was found.** Put an official LIIF `.pth` "
            f"or a liif-studio `.safetensors` checkpoint in `{models_dir()}` (or set `LIIF_MODELS_DIR`) "
            "and press the refresh button" + (", or give its path below." if ALLOW_PATHS else "."))


def _model_source(choice: str | None, path: str | None) -> str | None:
    """What ``liif.load_model`` takes for a dropdown choice or a typed path."""
    if path and path.strip():
        if not ALLOW_PATHS:
            raise gr.Error("Checkpoint paths are disabled on this server; choose a model from the list.")
        return str(Path(path.strip()).expanduser())
    if not choice or choice == DEFAULT_LABEL:
        return None
    if choice.startswith(BUNDLED_PREFIX):
        return choice[len(BUNDLED_PREFIX):]
    if choice.startswith(FILE_PREFIX):
        return str(models_dir() / choice[len(FILE_PREFIX):])
    raise gr.Error(f"Unknown model choice {choice!r}: press the refresh button next to the model list.")


_UPSCALERS: dict[tuple, Any] = {}
_UPSCALER_LOCK = threading.Lock()


def get_upscaler(choice: str | None, path: str | None, precision: str = "exact", progress: Any = None) -> Any:
    """A cached ``liif.Upscaler`` (the last two models stay loaded; a changed file is reloaded)."""
    source = _model_source(choice, path)
    stamp = None
    if source is not None and Path(source).is_file():
        stat = Path(source).stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
    key = (source, stamp, precision or "exact")
    with _UPSCALER_LOCK:
        if key not in _UPSCALERS:
            if progress is not None:
                progress(0, desc="Loading the model")
            model = liif.load_model(source)
            while len(_UPSCALERS) >= 2:
                _UPSCALERS.pop(next(iter(_UPSCALERS)))
            _UPSCALERS[key] = liif.Upscaler(model, device="auto", precision=precision or "exact",
                                            max_output_megapixels=MAX_OUTPUT_MP)
        return _UPSCALERS[key]


# --------------------------------------------------------------------------------------------
# Small image helpers (display only: the computation is in liif / iqa)
# --------------------------------------------------------------------------------------------
def _size(image: Any) -> tuple[int, int]:
    if isinstance(image, np.ndarray):
        return image.shape[1], image.shape[0]
    return image.size


def to_display(image: Any) -> Image.Image:
    """An 8-bit PIL image for the browser (16-bit results are shown at 8 bits; the PNG keeps 16)."""
    if isinstance(image, np.ndarray):
        arr = image
        if arr.dtype == np.uint16:
            arr = (arr >> 8).astype(np.uint8)
        elif arr.dtype != np.uint8:
            arr = np.clip(arr, 0, 255).astype(np.uint8)
        return Image.fromarray(arr)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(image, dtype=np.uint32)
        return Image.fromarray((arr >> 8).clip(0, 255).astype(np.uint8), mode="L")
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        return image.convert("RGBA" if "A" in image.getbands() else "RGB")
    return image


def load_input(path: str | None, what: str = "an image", max_mp: float | None = None) -> Any:
    """Open an uploaded file with ``liif.load_image`` and apply the input size guard."""
    if not path:
        raise gr.Error(f"Upload {what} first (drag and drop, paste, or click an example).")
    image = liif.load_image(path)
    w, h = _size(image)
    limit = MAX_INPUT_MP if max_mp is None else max_mp
    if w * h > limit * 1e6:
        raise gr.Error(
            f"The image is {w}x{h} ({w * h / 1e6:.1f} MP); this demo accepts inputs up to {limit:g} MP so that "
            "it stays responsive on a small CPU. Crop or downscale the image first, or run liif-studio "
            "locally (`liif upscale ...` or `LIIF_MAX_INPUT_MEGAPIXELS=... python app.py`).")
    return image


def _clamped_box(w: int, h: int, cx: float, cy: float, side_w: float, side_h: float) -> tuple[float, float, float, float]:
    """A box of side_w x side_h centred on (cx, cy), moved (not shrunk) to stay inside w x h."""
    side_w, side_h = min(side_w, w), min(side_h, h)
    x0 = min(max(cx - side_w / 2, 0.0), w - side_w)
    y0 = min(max(cy - side_h / 2, 0.0), h - side_h)
    return x0, y0, x0 + side_w, y0 + side_h


def _fit(image: Image.Image, size: tuple[int, int]) -> Image.Image:
    """Resize for display: nearest when enlarging (shows the real pixels), Lanczos when reducing."""
    if image.size == size:
        return image
    enlarging = size[0] >= image.size[0] and size[1] >= image.size[1]
    return image.resize(size, Image.Resampling.NEAREST if enlarging else Image.Resampling.LANCZOS)


def _labelled(panels: list[tuple[Image.Image, str]], gap: int = 6) -> Image.Image:
    """Panels side by side on a white strip, each with a caption above it."""
    panels = [(to_display(p).convert("RGB"), t) for p, t in panels]
    head = 18
    width = sum(p.size[0] for p, _ in panels) + gap * (len(panels) - 1)
    height = max(p.size[1] for p, _ in panels) + head
    sheet = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(sheet)
    x = 0
    for panel, text in panels:
        sheet.paste(panel, (x, head))
        draw.text((x + 4, 3), text, fill=(20, 20, 20))
        x += panel.size[0] + gap
    return sheet


def magnified_crop(bicubic: Any, result: Any, fx: float, fy: float) -> Image.Image:
    """The same region of the bicubic and LIIF outputs, enlarged with nearest-neighbour for display."""
    bicubic, result = to_display(bicubic), to_display(result)
    w, h = result.size
    side = max(16, min(128, w, h, round(min(w, h) / 4)))
    box = tuple(round(v) for v in _clamped_box(w, h, fx * w, fy * h, side, side))
    cw, ch = box[2] - box[0], box[3] - box[1]
    zoom = max(1, CROP_PANEL // max(cw, ch))
    shown = (cw * zoom, ch * zoom)
    return _labelled([(_fit(bicubic.crop(box), shown), f"bicubic x{zoom} view"),
                      (_fit(result.crop(box), shown), f"LIIF x{zoom} view")])


def bicubic_window(image: Any, center: tuple[float, float], magnification: float, window: tuple[int, int]) -> Image.Image:
    """The bicubic counterpart of ``Upscaler.render_window``: PIL bicubic over the same input box only."""
    pil = to_display(image)
    box = window_box(pil.size, center, magnification, window)
    return pil.resize(box.size, Image.Resampling.BICUBIC, box=box.input_box)


def error_map(result: Any, reference: Any, bicubic: Any) -> tuple[Image.Image, float]:
    """|output - reference| (luma, 8-bit units) for bicubic and LIIF, on one colour scale; returns its top."""
    def luma(x: Any) -> np.ndarray:
        return np.asarray(to_display(x).convert("L"), dtype=np.float32)

    ref = luma(reference)
    err_b, err_l = np.abs(luma(bicubic) - ref), np.abs(luma(result) - ref)
    top = float(max(np.percentile(err_b, 99.5), np.percentile(err_l, 99.5), 1.0))
    stops = np.array([[0, 0, 4], [80, 18, 123], [183, 55, 121], [252, 137, 97], [252, 253, 191]], np.float32)  # magma-like

    def colour(err: np.ndarray) -> Image.Image:
        t = np.clip(err / top, 0, 1) * (len(stops) - 1)
        rgb = np.stack([np.interp(t, np.arange(len(stops)), stops[:, c]) for c in range(3)], axis=-1)
        return Image.fromarray(rgb.astype(np.uint8))

    return _labelled([(colour(err_b), "bicubic error"), (colour(err_l), "LIIF error")]), top


OUTPUT_ROOT = Path(tempfile.gettempdir()) / "liif-studio-outputs"
OUTPUT_MAX_AGE_S = 2 * 3600  # downloads older than this are deleted (a Space runs for days)


def write_png(image: Any, stem: str) -> str:
    """A lossless PNG of the full-resolution result, in a fresh folder (gradio serves a copy)."""
    OUTPUT_ROOT.mkdir(parents=True, exist_ok=True)
    now = time.time()
    for old in OUTPUT_ROOT.iterdir():
        try:
            if now - old.stat().st_mtime > OUTPUT_MAX_AGE_S:
                shutil.rmtree(old, ignore_errors=True)
        except OSError:
            pass
    folder = Path(tempfile.mkdtemp(dir=OUTPUT_ROOT))
    return str(liif.save_image(image, folder / f"{stem}.png"))


# --------------------------------------------------------------------------------------------
# The quality report as a table
# --------------------------------------------------------------------------------------------
_BETTER = {"higher": "higher is better", "lower": "lower is better"}


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    if not np.isfinite(value):
        return str(value)
    return f"{value:.4g}" if abs(value) < 1e4 else f"{value:.0f}"


def _round(value: float | None) -> float | None:
    """Four significant digits, as a number (the chart is drawn from these)."""
    if value is None or not np.isfinite(float(value)):
        return None
    return float(f"{float(value):.4g}")


def report_table(report: Any) -> pd.DataFrame:
    """One row per cue; unavailable cues stay in the table, marked as such with the reason."""
    rows = []
    for s in report.rows:
        available = bool(getattr(s, "available", s.value is not None))
        rows.append({
            "Cue": s.name,
            "Group": s.group,
            "LIIF": _fmt(s.value) if available else "unavailable",
            "Bicubic (same size)": _fmt(s.baseline) if available else "unavailable",
            "Better": _BETTER.get(s.direction, "no direction"),
            "Range": s.range,
            "Reading": s.reading if available else f"unavailable: {s.reason}",
        })
    return pd.DataFrame(rows, columns=REPORT_COLUMNS)


def _stem(path: str | None, fallback: str = "image") -> str:
    stem = Path(path).stem if path else fallback
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in stem)[:60] or fallback


def _friendly(fn: Callable) -> Callable:
    """Turn library errors into a message for the user (gr.Error), never a stack trace."""
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except gr.Error:
            raise
        except (liif.LiifError, iqa.ImageInputError, iqa.MetricUnavailable) as exc:
            raise gr.Error(str(exc), print_exception=False) from None
        except MemoryError:
            raise gr.Error("Out of memory: try a smaller scale, output size or window.", print_exception=False) from None
        except Exception as exc:  # a bug: log it for the operator, say so plainly to the user
            log.exception("unexpected error in %s", fn.__name__)
            raise gr.Error(f"Unexpected error ({type(exc).__name__}: {exc}). This is a bug in liif-studio; "
                           "please report it with the input that caused it.", print_exception=False) from None
    return wrapper


def _render_progress(progress: Any, desc: str) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        progress((done, total), desc=desc)
    return update


# --------------------------------------------------------------------------------------------
# Event handlers (one per named API endpoint)
# --------------------------------------------------------------------------------------------
@_friendly
def upscale(image_path: str | None, mode: str, scale: float, width: float | None, height: float | None,
            model: str, checkpoint_path: str, precision: str, with_report: bool, crop_x: float, crop_y: float,
            progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """Upscale one image: bicubic vs LIIF slider, magnified crop, lossless PNG, quality report."""
    image = load_input(image_path)
    w, h = _size(image)
    up = get_upscaler(model, checkpoint_path, precision, progress)
    started = time.perf_counter()
    render = _render_progress(progress, "LIIF: rendering the output")
    if mode == SIZE_MODE:
        if not width or not height or width < 1 or height < 1:
            raise gr.Error("Give the output width and height in pixels (both at least 1).")
        result = up.upscale(image, size=(int(width), int(height)), progress=render)
    else:
        result = up.upscale(image, scale=float(scale), progress=render)
    seconds = time.perf_counter() - started
    ow, oh = _size(result)
    progress(0.9, desc="Bicubic baseline")
    baseline = liif.bicubic(image, size=(ow, oh))
    png = write_png(result, f"{_stem(image_path)}_liif_{ow}x{oh}")
    table = pd.DataFrame(columns=REPORT_COLUMNS)
    if with_report:
        progress(0.95, desc="Quality report")
        table = report_table(iqa.assess(to_display(result), to_display(image)))
    info = (f"Input **{w}x{h}** -> output **{ow}x{oh}** (x{ow / w:.2f} wide, x{oh / h:.2f} high), "
            f"rendered by LIIF in {seconds:.1f} s ({precision}). The download is a lossless PNG.")
    shown_b, shown_r = to_display(baseline), to_display(result)
    return ((shown_b, shown_r), magnified_crop(shown_b, shown_r, crop_x, crop_y), png, table, info,
            (shown_b, shown_r))


@_friendly
def recrop(pair: tuple | None, crop_x: float, crop_y: float) -> Image.Image:
    """Re-cut the magnified crop of the last result at another point (no re-rendering)."""
    if not pair:
        raise gr.Error("Upscale an image first; then pick the region to magnify.")
    return magnified_crop(pair[0], pair[1], crop_x, crop_y)


@_friendly
def pick_point(image_path: str | None, evt: gr.SelectData) -> tuple[float, float]:
    """A click on an image -> the point as fractions of its width and height."""
    if not image_path or evt is None or evt.index is None:
        raise gr.Error("Click on the image to pick a point.")
    w, h = _size(liif.load_image(image_path))
    x, y = evt.index[0], evt.index[1]
    return round(min(max((x + 0.5) / w, 0.0), 1.0), 4), round(min(max((y + 0.5) / h, 0.0), 1.0), 4)


@_friendly
def compare_scales(image_path: str | None, factors: list[str], region_x: float, region_y: float, region: float,
                   model: str, checkpoint_path: str, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """The same region at several factors (LIIF and bicubic), and each cue against scale."""
    image = load_input(image_path)
    if not factors:
        raise gr.Error("Tick at least one scale factor.")
    scales = sorted({float(str(f).lstrip("xX")) for f in factors})
    up = get_upscaler(model, checkpoint_path, precision, progress)
    w, h = _size(image)
    side = int(min(region, w, h))
    x0, y0, x1, y1 = _clamped_box(w, h, region_x * w, region_y * h, side, side)
    x0, y0 = round(x0), round(y0)
    x1, y1 = x0 + side, y0 + side
    centre = ((x0 + x1) / 2, (y0 + y1) / 2)
    lowres = to_display(image).crop((x0, y0, x1, y1))
    tile = min(GALLERY_MAX, round(side * scales[-1]))
    gallery, rows = [], []
    for i, s in enumerate(scales):
        progress((i, len(scales)), desc=f"x{s:g}: LIIF window and cues", unit="factors")
        n = round(side * s)
        win = to_display(up.render_window(image, center=centre, magnification=s, window=(n, n)))
        bic = bicubic_window(image, centre, s, (n, n))
        gallery += [(_fit(bic, (tile, tile)), f"bicubic x{s:g} ({n}x{n} px)"),
                    (_fit(win, (tile, tile)), f"LIIF x{s:g} ({n}x{n} px)")]
        for score in iqa.assess(win, lowres, metrics=compare_metrics()).rows:
            if getattr(score, "available", score.value is not None) and score.value is not None:
                rows.append({"Scale": s, "Cue": score.name, "LIIF": _round(score.value),
                             "Bicubic": _round(score.baseline),
                             "Better": _BETTER.get(score.direction, "no direction")})
    progress((len(scales), len(scales)), desc="done", unit="factors")
    table = pd.DataFrame(rows, columns=COMPARE_COLUMNS)
    cues = list(dict.fromkeys(table["Cue"])) if len(table) else []
    first = cues[0] if cues else None
    return gallery, cue_plot(table, first), table, gr.Dropdown(choices=cues, value=first)


def compare_metrics() -> list[str]:
    """The cues charted against scale: the classical ones (fast, and meaningful on a small region)."""
    return [key for key, metric in iqa.METRICS.items() if metric.kind == "classical"]


def cue_plot(table: pd.DataFrame | None, cue: str | None) -> pd.DataFrame:
    """Long-form data for the line chart: one cue, LIIF and bicubic against scale."""
    columns = ["scale", "value", "method"]
    if table is None or len(table) == 0 or not cue:
        return pd.DataFrame(columns=columns)
    table = pd.DataFrame(table)
    part = table[table["Cue"] == cue]
    out = []
    for _, r in part.iterrows():
        for method in ("LIIF", "Bicubic"):
            value = pd.to_numeric(r[method], errors="coerce")
            if pd.notna(value):
                out.append({"scale": float(r["Scale"]), "value": float(value), "method": method})
    return pd.DataFrame(out, columns=columns)


@_friendly
def plot_cue(table: pd.DataFrame | None, cue: str | None) -> pd.DataFrame:
    return cue_plot(table, cue)


@_friendly
def with_reference(reference_path: str | None, factor: float, model: str, checkpoint_path: str, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """Downscale a sharp image by ``factor``, upscale it back with LIIF and bicubic, score against it."""
    reference = load_input(reference_path, "a sharp reference image")
    w, h = _size(reference)
    lw, lh = max(1, round(w / factor)), max(1, round(h / factor))
    if lw < 8 or lh < 8:
        raise gr.Error(f"At x{factor:g} the {w}x{h} reference becomes {lw}x{lh} pixels, too small to upscale: "
                       "use a smaller factor or a larger reference.")
    up = get_upscaler(model, checkpoint_path, precision, progress)
    progress(0.05, desc="Making the low-resolution input (bicubic downscale)")
    lowres = liif.bicubic(reference, size=(lw, lh))
    result = up.upscale(lowres, size=(w, h), progress=_render_progress(progress, "LIIF: rendering"))
    progress(0.85, desc="Bicubic baseline and scores")
    baseline = liif.bicubic(lowres, size=(w, h))
    report = iqa.assess(to_display(result), to_display(lowres), reference=to_display(reference))
    table = report_table(report)
    emap, top = error_map(result, reference, baseline)
    gains = []
    for key, unit in (("psnr_y", " dB"), ("ssim_y", ""), ("lpips", ""), ("dists", "")):
        score = report.get(key)
        if score is not None and score.available and score.value is not None and score.baseline is not None:
            gains.append(f"**{score.name}**: LIIF {score.value:.4g}{unit} vs bicubic {score.baseline:.4g}{unit} "
                         f"({'higher' if score.direction == 'higher' else 'lower'} is better)")
    info = (f"Reference **{w}x{h}** -> low-resolution input **{lw}x{lh}** (bicubic, /{factor:g}) -> back to "
            f"**{w}x{h}** with LIIF and with bicubic.\n\n" + "; ".join(gains) +
            f"\n\nError map: |output - reference| of the luma, black = 0, light yellow = {top:.0f} or more "
            "(of 255), same scale for both.")
    shown_b, shown_r = to_display(baseline), to_display(result)
    return (shown_b, shown_r), to_display(lowres), emap, table, info


@_friendly
def zoom(image_path: str | None, x: float, y: float, magnification: float, window: float, model: str,
         checkpoint_path: str, precision: str,
         progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """Render only a window of the x``magnification`` output around a point (LIIF and bicubic)."""
    image = load_input(image_path)
    w, h = _size(image)
    n = int(window)
    up = get_upscaler(model, checkpoint_path, precision, progress)
    centre = (x * w, y * h)
    progress(0.1, desc=f"LIIF: rendering a {n}x{n} window of the x{magnification:g} output")
    started = time.perf_counter()
    win = up.render_window(image, center=centre, magnification=float(magnification), window=(n, n))
    seconds = time.perf_counter() - started
    bic = bicubic_window(image, centre, float(magnification), (n, n))
    # where the window is, on the input
    where = to_display(image).convert("RGB")
    k = max(1, 256 // max(w, h))
    where = _fit(where, (w * k, h * k))
    bx0, by0, bx1, by1 = window_box((w, h), centre, float(magnification), (n, n)).input_box
    ImageDraw.Draw(where).rectangle([bx0 * k, by0 * k, bx1 * k - 1, by1 * k - 1], outline=(255, 40, 40), width=2)
    full_w, full_h = round(w * magnification), round(h * magnification)
    info = (f"A {n}x{n} window of the **{full_w}x{full_h}** (x{magnification:g}) output around "
            f"({centre[0]:.1f}, {centre[1]:.1f}) in input pixels, rendered in {seconds:.2f} s without rendering "
            f"the other {max(0.0, full_w * full_h / 1e6 - n * n / 1e6):.1f} MP.")
    return (bic, to_display(win)), where, info


def refresh_models(current: str | None) -> tuple:
    choices = model_choices()
    value = current if current in choices else default_choice(choices)
    return gr.Dropdown(choices=choices, value=value), model_status()


def list_models_api() -> list[str]:
    """The model choices the other endpoints accept."""
    return model_choices()


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------
INTRO = """# liif-studio: how does AI keep detail and tone at high magnification?
Upscale a photo to any size with **LIIF** (a learned *local implicit image function*), compare it with
bicubic interpolation at the same size, read honest quality scores, and zoom up to x30 anywhere.
Runs on a CPU with the bundled weights; nothing is downloaded."""

HOW_IT_WORKS = """
## The question
When you enlarge a photo 4x, 15 of every 16 output pixels were never recorded. Plain interpolation
(bicubic) fills them with smooth ramps between the known pixels: edges turn soft and textures wash
out. A learned super-resolution model fills them with *plausible* detail learned from many
photographs. This demo shows how one such model, LIIF, does that at **any** scale, and measures it.

## The task
**Single-image super-resolution at arbitrary scale**: from one low-resolution image, predict the
high-resolution image at any size, x1.7, x4, x12 or an exact 1920x1080, not only at the fixed
factors (x2, x4) most networks are trained for.

## The workflow
1. **Input.** Your image, as a grid of pixels (grayscale, colour, transparency and 16-bit are all
   kept; transparency is resized alongside).
2. **Encoder.** A convolutional network (EDSR or RDN in the LIIF paper) turns every input pixel into
   a *feature vector*: a few dozen numbers describing its neighbourhood (edges, their direction,
   texture, gradients), not just its colour.
3. **Local implicit function.** A small network (an MLP) shared by the whole image answers one
   question: *what colour is the image at this exact point?* It receives the features of the input
   pixel nearest to the point, the offset from that pixel's centre to the point, and the size of
   the output pixel being drawn (the *cell*). The answers from the four nearest input pixels are
   blended by area (*local ensemble*), so there are no seams between them.
4. **Output.** Ask the function for every output pixel's centre: any grid, any size. Because the
   image is now a continuous function, the app can also ask for just one window of a huge output
   (the *Zoom anywhere* tab renders a 256x256 window of a x30 image without drawing the rest).
5. **Quality assessment.** Your photo has no ground truth, so the Upscale tab reports
   *no-reference* cues for the LIIF output **next to the same cues for bicubic at the same size**,
   each with its direction (higher or lower is better) and a one-line reading. Cues whose model
   weights are not on this machine (some pyiqa and CLIP models) are listed as *unavailable*, not
   hidden and not guessed. The *With a reference* tab starts from a sharp image, so it can compute
   true errors (PSNR, SSIM) and show where they are.

## Why detail and tone survive
* **Detail**: the colour at a point is predicted from learned features, not averaged from
  neighbouring colours, so an edge stays a step instead of becoming a ramp, and fine texture is
  continued the way it continues in real photos. The *cell* input tells the network how large each
  output pixel is, so it knows how much detail it should draw at that scale.
* **Tone**: every prediction is anchored on the nearest input pixels and the model was trained to
  match real high-resolution photos pixel by pixel (an L1 loss), so brightness, colour and contrast
  follow the input: shrink the output back and you get (almost) the input again.
* **Any scale from one model**: coordinates are continuous, so the same weights serve x1.5 and
  x30. In the paper LIIF is trained on factors x1 to x4; beyond that it extrapolates: it stays clean and sharp
  edged, but adds little *new* detail past about x6 (see the *Compare scales* tab).

## Where they do not
* **Missing information stays missing.** The detail is a plausible guess, not a recovery: never use
  an upscaled image as evidence (faces, text, number plates).
* **Out-of-distribution inputs.** LIIF learns from clean photos downscaled with bicubic. JPEG
  block artefacts, noise, motion blur or heavy sharpening are *not* what it expects: it sharpens them
  as if they were real detail. Faces and text need priors (identity, letter shapes) that a small
  generic model does not have; drawings, screenshots and pixel art differ from photos too.
* **Scores are cues, not verdicts.** No-reference metrics can reward over-sharpening; compare with
  bicubic, look at the crop, and trust the reference tab's PSNR/SSIM when you have a reference.

## Papers and tools
* **LIIF**: Chen, Liu, Wang, *Learning Continuous Image Representation with Local Implicit Image
  Function*, CVPR 2021. [arXiv:2012.09161](https://arxiv.org/abs/2012.09161),
  code [github.com/yinboc/liif](https://github.com/yinboc/liif). The model this app runs.
* **FeatSharp**: *Your Vision Model Features, Sharper*
  ([arXiv:2502.16025](https://arxiv.org/abs/2502.16025)): the same question asked for the
  feature maps of vision encoders: how to raise their resolution while keeping the fine detail.
* **Saliency Suppressed, Semantics Surfaced**: visual transformations in neural networks and the
  brain ([arXiv:2404.18772](https://arxiv.org/abs/2404.18772),
  [github.com/gucioopielka/saliency-semantic-rsa](https://github.com/gucioopielka/saliency-semantic-rsa)):
  deep networks trade low-level saliency for semantics layer by layer, a reason why semantic
  (CLIP-based) cues and pixel-level cues can disagree about the same image.
* **AIGI-VC**: a benchmark for the visual communication of AI-generated images
  ([arXiv:2412.15677](https://arxiv.org/abs/2412.15677),
  [github.com/ytian73/aigi-vc](https://github.com/ytian73/aigi-vc)): quality is also about what an
  image conveys, not only about how sharp it is.
* **Libraries**: [Gradio](https://www.gradio.app) (this interface),
  [PyTorch](https://pytorch.org) (the model), [pyiqa](https://github.com/chaofengc/IQA-PyTorch)
  (image quality metrics), [open_clip](https://github.com/mlfoundations/open_clip) (CLIP
  similarity, when its weights are available), [scikit-image](https://scikit-image.org)
  (the example photos), Pillow and NumPy.
"""


def _examples(folder: Path) -> list[str]:
    return [str(p) for p in sorted(folder.glob("*.png"))] if folder.is_dir() else []


def build_demo(default_model: str | None = None) -> gr.Blocks:
    """The Blocks app (not launched). ``default_model`` preselects a dropdown choice (tests use it)."""
    choices = model_choices()
    chosen = default_model if default_model in choices else default_choice(choices)
    lowres_examples = _examples(EXAMPLES_DIR)
    reference_examples = _examples(EXAMPLES_DIR / "reference")
    heavy = {"concurrency_limit": 1, "concurrency_id": "compute"}

    with gr.Blocks(title="liif-studio: arbitrary-scale super-resolution", delete_cache=(1800, OUTPUT_MAX_AGE_S)) as demo:
        gr.Markdown(INTRO)
        with gr.Row(equal_height=False):
            model = gr.Dropdown(choices, value=chosen, label="Model", scale=3,
                                info="Bundled weights, or checkpoints found in the models folder")
            checkpoint_path = gr.Textbox(label="...or a checkpoint path (.pth / .safetensors)", scale=3,
                                         placeholder="/path/to/edsr-baseline-liif.pth", visible=ALLOW_PATHS)
            precision = gr.Radio(["exact", "bf16"], value="exact", label="Precision", scale=1,
                                 info="bf16: faster on recent CPUs, slightly less exact")
            refresh = gr.Button("Refresh models", scale=0, size="sm", min_width=120)
        status = gr.Markdown(model_status())
        common = [model, checkpoint_path, precision]

        with gr.Tabs():
            # ---------------------------------------------------------------- Upscale
            with gr.Tab("Upscale", id="upscale"):
                with gr.Row():
                    with gr.Column(scale=1):
                        up_image = gr.Image(type="filepath", label="Input (click it to choose the magnified region)",
                                            sources=["upload", "clipboard"], image_mode=None, height=320,
                                            elem_id="upscale-input")
                        up_mode = gr.Radio([SCALE_MODE, SIZE_MODE], value=SCALE_MODE, label="Output size")
                        up_scale = gr.Slider(1, 8, value=4, step=0.1, label="Scale factor")
                        with gr.Row(visible=False) as size_row:
                            up_width = gr.Number(value=640, precision=0, minimum=1, label="Width (px)")
                            up_height = gr.Number(value=480, precision=0, minimum=1, label="Height (px)")
                        with gr.Row():
                            crop_x = gr.Slider(0, 1, value=0.5, step=0.01, label="Crop centre x")
                            crop_y = gr.Slider(0, 1, value=0.5, step=0.01, label="Crop centre y")
                        up_report = gr.Checkbox(value=True, label="Compute the quality report")
                        up_button = gr.Button("Upscale", variant="primary", elem_id="upscale-button")
                        if lowres_examples:
                            gr.Examples(lowres_examples, inputs=[up_image], label="Examples (public domain / CC0)",
                                        elem_id="upscale-examples")
                    with gr.Column(scale=2):
                        up_info = gr.Markdown(elem_id="upscale-info")
                        up_slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right), same size", format="png",
                                                   type="pil", elem_id="upscale-slider", max_height=520)
                        with gr.Row():
                            up_crop = gr.Image(label="Magnified crop (nearest-neighbour view of the output pixels)",
                                               format="png", type="pil", interactive=False, elem_id="upscale-crop")
                            up_file = gr.File(label="Lossless PNG (full resolution)", elem_id="upscale-png")
                up_table = gr.Dataframe(headers=REPORT_COLUMNS, label="Quality report (LIIF vs bicubic at the same size)",
                                        interactive=False, wrap=True, elem_id="upscale-report",
                                        column_widths=REPORT_WIDTHS)
                up_state = gr.State()

                up_mode.change(lambda m: (gr.Slider(visible=m == SCALE_MODE), gr.Row(visible=m == SIZE_MODE)),
                               [up_mode], [up_scale, size_row], api_visibility="private", queue=False)
                up_button.click(upscale, [up_image, up_mode, up_scale, up_width, up_height, *common, up_report,
                                          crop_x, crop_y],
                                [up_slider, up_crop, up_file, up_table, up_info, up_state], api_name="upscale", **heavy)
                up_image.select(pick_point, [up_image], [crop_x, crop_y], api_visibility="private", queue=False).then(
                    recrop, [up_state, crop_x, crop_y], [up_crop], api_visibility="private", queue=False)
                for slider in (crop_x, crop_y):
                    slider.release(recrop, [up_state, crop_x, crop_y], [up_crop], api_visibility="private", queue=False)
                crop_btn = gr.Button(visible=False)
                crop_btn.click(recrop, [up_state, crop_x, crop_y], [up_crop], api_name="crop")

            # ---------------------------------------------------------------- Compare scales
            with gr.Tab("Compare scales", id="compare"):
                with gr.Row():
                    with gr.Column(scale=1):
                        cmp_image = gr.Image(type="filepath", label="Input (click it to choose the region)",
                                             sources=["upload", "clipboard"], image_mode=None, height=280)
                        cmp_factors = gr.CheckboxGroup(COMPARE_FACTORS, value=COMPARE_DEFAULT, label="Scale factors")
                        cmp_region = gr.Slider(16, 96, value=48, step=1, label="Region side (input pixels)")
                        with gr.Row():
                            cmp_x = gr.Slider(0, 1, value=0.5, step=0.01, label="Region centre x")
                            cmp_y = gr.Slider(0, 1, value=0.5, step=0.01, label="Region centre y")
                        cmp_button = gr.Button("Compare", variant="primary")
                        if lowres_examples:
                            gr.Examples(lowres_examples, inputs=[cmp_image], label="Examples", elem_id="compare-examples")
                    with gr.Column(scale=2):
                        cmp_gallery = gr.Gallery(label="The same region at each factor: bicubic, LIIF (same display size)",
                                                 format="png", columns=4, object_fit="contain", height=760)
                with gr.Row():
                    cmp_cue = gr.Dropdown([], label="Cue to plot", scale=1, allow_custom_value=True)
                    cmp_plot = gr.LinePlot(x="scale", y="value", color="method", title="Cue against scale",
                                           x_title="scale factor", y_title="value", scale=3)
                cmp_table = gr.Dataframe(headers=COMPARE_COLUMNS, label="The numbers behind the chart "
                                         "(cues measured on the region shown)", interactive=False)
                cmp_image.select(pick_point, [cmp_image], [cmp_x, cmp_y], api_visibility="private", queue=False)
                cmp_button.click(compare_scales, [cmp_image, cmp_factors, cmp_x, cmp_y, cmp_region, *common],
                                 [cmp_gallery, cmp_plot, cmp_table, cmp_cue], api_name="compare_scales", **heavy)
                cmp_cue.input(plot_cue, [cmp_table, cmp_cue], [cmp_plot], api_name="plot_cue", queue=False)

            # ---------------------------------------------------------------- With a reference
            with gr.Tab("With a reference", id="reference"):
                with gr.Row():
                    with gr.Column(scale=1):
                        ref_image = gr.Image(type="filepath", label="A sharp high-resolution image",
                                             sources=["upload", "clipboard"], image_mode=None, height=280)
                        ref_factor = gr.Slider(2, 8, value=4, step=0.5, label="Downscale factor")
                        ref_button = gr.Button("Downscale, upscale and score", variant="primary")
                        if reference_examples:
                            gr.Examples(reference_examples, inputs=[ref_image], label="Examples (native-resolution crops)",
                                        elem_id="reference-examples")
                        ref_lowres = gr.Image(label="The low-resolution input it made", format="png", type="pil",
                                              interactive=False)
                    with gr.Column(scale=2):
                        ref_info = gr.Markdown()
                        ref_slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right)", format="png", type="pil",
                                                    max_height=560)
                        ref_error = gr.Image(label="Error map against the reference", format="png", type="pil",
                                             interactive=False)
                ref_table = gr.Dataframe(headers=REPORT_COLUMNS, label="Scores against the reference", interactive=False,
                                         wrap=True, column_widths=REPORT_WIDTHS, elem_id="reference-report")
                ref_button.click(with_reference, [ref_image, ref_factor, *common],
                                 [ref_slider, ref_lowres, ref_error, ref_table, ref_info], api_name="with_reference",
                                 **heavy)

            # ---------------------------------------------------------------- Zoom anywhere
            with gr.Tab("Zoom anywhere", id="zoom"):
                with gr.Row():
                    with gr.Column(scale=1):
                        zoom_image = gr.Image(type="filepath", label="Input (click a point to zoom there)",
                                              sources=["upload", "clipboard"], image_mode=None, height=280,
                                              elem_id="zoom-input")
                        zoom_mag = gr.Slider(1, 30, value=12, step=0.5, label="Magnification")
                        zoom_window = gr.Radio([128, 256, 384], value=256, label="Window (output pixels)")
                        with gr.Row():
                            zoom_x = gr.Slider(0, 1, value=0.5, step=0.001, label="Point x")
                            zoom_y = gr.Slider(0, 1, value=0.5, step=0.001, label="Point y")
                        zoom_button = gr.Button("Zoom", variant="primary")
                        if lowres_examples:
                            gr.Examples(lowres_examples, inputs=[zoom_image], label="Examples", elem_id="zoom-examples")
                        zoom_where = gr.Image(label="Where the window is", format="png", type="pil", interactive=False)
                    with gr.Column(scale=2):
                        zoom_info = gr.Markdown(elem_id="zoom-info")
                        zoom_slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right)", format="png", type="pil",
                                                     max_height=640, elem_id="zoom-slider")
                zoom_inputs = [zoom_image, zoom_x, zoom_y, zoom_mag, zoom_window, *common]
                zoom_outputs = [zoom_slider, zoom_where, zoom_info]
                zoom_button.click(zoom, zoom_inputs, zoom_outputs, api_name="zoom", **heavy)
                zoom_image.select(pick_point, [zoom_image], [zoom_x, zoom_y], api_visibility="private",
                                  queue=False).then(zoom, zoom_inputs, zoom_outputs, api_visibility="private", **heavy)

            # ---------------------------------------------------------------- How it works
            with gr.Tab("How it works", id="how"):
                gr.Markdown(HOW_IT_WORKS)

        refresh.click(refresh_models, [model], [model, status], api_visibility="private", queue=False)
        gr.api(list_models_api, api_name="list_models")

    demo.queue(default_concurrency_limit=1, max_size=16)
    return demo


# Errors from our handlers are gr.Error (always shown); show_error=True also lets the user see why gradio
# itself refused an input (e.g. a file that is not an image) instead of a generic "Error".
LAUNCH_OPTIONS = {"show_error": True}


def start_prefetch(spec: str | None = None) -> threading.Thread | None:
    """Download iqa weights (LIIF_PREFETCH="all" or "niqe,brisque,...") in a background thread.

    Rows whose weights are missing show as unavailable until the download finishes; nothing blocks.
    """
    spec = (os.environ.get("LIIF_PREFETCH", "") if spec is None else spec).strip()
    if not spec:
        return None
    keys = None if spec.lower() == "all" else [k.strip() for k in spec.split(",") if k.strip()]

    def run() -> None:
        for key, ok, message in iqa.prefetch(keys):
            log.info("prefetch %s: %s (%s)", key, "ok" if ok else "failed", message)

    thread = threading.Thread(target=run, name="iqa-prefetch", daemon=True)
    thread.start()
    return thread


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    start_prefetch()
    build_demo().launch(**LAUNCH_OPTIONS)  # host/port: GRADIO_SERVER_NAME / GRADIO_SERVER_PORT
