"""liif-studio: the Gradio demo (local: ``python app.py``; Hugging Face Spaces: ``app_file: app.py``).

Layout, wiring and messages only. The work is done by libraries that never import gradio: ``liif``
(models, upscaling, windows, loading and saving images), ``iqa`` (the quality report) and ``studio`` (the
demo's own computations: uploads, display copies, comparisons, the reference protocol, report views,
background downloads). Every heavy event shares one queue slot (``concurrency_id="compute"``) so a
2-core Space serves one computation at a time and queues the rest. Each heavy handler has two doors
(``_wire``): the page's click, where a refusal is one sentence under the button, and the named API endpoint,
where it raises for the gradio_client caller. On GPU Space hardware (ZeroGPU included)
the heavy handlers run under ``spaces.GPU`` (``studio.zerogpu``); ``liif space export DIR`` writes the Space.

Environment variables:
  LIIF_MODELS_DIR              folder scanned for extra checkpoints (.pth / .safetensors); default ./models
  LIIF_MAX_OUTPUT_MEGAPIXELS   largest output the app renders (default 4; 2 on a Space)
  LIIF_MAX_INPUT_MEGAPIXELS    largest input the app accepts (default 1)
  LIIF_MAX_UPLOAD_MB           largest upload in megabytes (default 20)
  LIIF_ALLOW_CHECKPOINT_PATHS  1/0: show the "checkpoint path" box (default 1, 0 on a Space)
  LIIF_PREFETCH                "all", "none" or comma-separated iqa metric keys whose weights to download in
                               the background at start-up (default: all on a Space, none elsewhere)
  GRADIO_SERVER_NAME / GRADIO_SERVER_PORT   where ``python app.py`` serves (read by gradio)
"""
from __future__ import annotations

import functools
import inspect
import logging
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import gradio as gr

import iqa
import liif
from liif.engine import window_box
from studio import (
    compare,
    downloads,
    models,
    prefetch,
    reference,
    reports,
    settings,
    uploads,
    views,
    zerogpu,
)

log = logging.getLogger("liif_studio.app")

ROOT = Path(__file__).resolve().parent
EXAMPLES_DIR = ROOT / "examples"
SETTINGS = settings.from_env()
SCALE_MODE, SIZE_MODE = "Scale factor", "Exact output size"
COMPARE_FACTORS = ["x2", "x3", "x4", "x6", "x8", "x12", "x16"]
COMPARE_DEFAULT = ["x2", "x3", "x4", "x6", "x8"]
FILE_TYPES = [".png", ".jpg", ".jpeg", ".webp", ".tif", ".tiff", ".bmp", ".gif"]
BICUBIC = "bicubic"
# Every heavy event shares one queue slot: a 2-core Space serves one computation at a time.
HEAVY = {"concurrency_limit": 1, "concurrency_id": "compute"}
# The background download of quality models started by main() (None: none running).
PREFETCH: prefetch.Prefetch | None = None


# --------------------------------------------------------------------------------------------
# Wiring helpers
# --------------------------------------------------------------------------------------------
def _sentence(fn: Callable, exc: Exception) -> str:
    """The one sentence a visitor reads for ``exc``: a refusal is one log line, a bug its traceback in the log."""
    if isinstance(exc, gr.Error):
        message = exc.message
    elif isinstance(exc, (liif.LiifError, iqa.ImageInputError, iqa.MetricUnavailable)):
        message = str(exc)
    elif isinstance(exc, MemoryError):
        return "The server ran out of memory: try a smaller scale, output size or window."
    else:  # a bug: the operator gets the traceback in the log, the visitor a plain sentence
        log.error("unexpected error in %s", fn.__name__, exc_info=exc)
        return ("Something went wrong on the server with this request (it has been logged). Try another image or "
                "setting; if it keeps happening, please report it.")
    log.info("%s refused: %s", fn.__name__, message)
    return message


def _is_generator(fn: Callable) -> bool:
    return inspect.isgeneratorfunction(fn) or inspect.isgeneratorfunction(inspect.unwrap(fn))


def _friendly(fn: Callable) -> Callable:
    """Errors become one sentence for the API caller (gr.Error), before or after a generator's first yield."""
    if _is_generator(fn):
        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Iterator:
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise gr.Error(_sentence(fn, exc), print_exception=False) from None
        return stream

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise gr.Error(_sentence(fn, exc), print_exception=False) from None
    return wrapper


def _on_page(fn: Callable, outputs: int, after_partial: dict[int, Any] | None = None) -> Callable:
    """The page's event for a ``_friendly`` handler: its outputs plus the tab's message box (one more output).

    A refusal becomes the sentence in the message box, which stays until the next click; the outputs keep what
    they showed (no red "Error" on them), except ``after_partial``'s (output index -> value) once the handler
    had already shown a first result (a report placeholder must not stay).
    """
    @functools.wraps(fn)
    def page(*args: Any, **kwargs: Any) -> Iterator:
        shown = False
        try:
            if _is_generator(fn):
                for values in fn(*args, **kwargs):
                    shown = True
                    yield (*values, "")
            else:
                yield (*fn(*args, **kwargs), "")
        except gr.Error as exc:
            kept = [gr.skip()] * outputs
            for index, value in (after_partial or {}).items() if shown else ():
                kept[index] = value
            yield (*kept, exc.message)
    return page


def _progress(progress: Any, desc: str) -> Callable[[int, int], None]:
    def update(done: int, total: int) -> None:
        progress((done, total), desc=desc)
    return update


def _upscaler(choice: str | None, path: str | None, precision: str, progress: Any, backproject: int = 0,
              image: str | liif.InputReport | None = None) -> tuple[liif.Upscaler, str]:
    """The cached upscaler for the chosen model (``auto``: for ``image``), and how the page names that model."""
    why = ""
    if choice == models.AUTO_CHOICE and not (path and path.strip()):
        source, why = models.auto_source(image)
    else:
        source = models.model_source(choice, path, SETTINGS.models_dir, SETTINGS.allow_paths)
    progress(0, desc="Loading the model")
    up = models.get_upscaler(source, precision, SETTINGS.max_output_mp, backproject)
    return up, f"{up.model.family} with {models.describe(source)}" + (f" (auto: {why})" if why else "")


def _shown_gallery(gallery: list[tuple[Any, str]]) -> list[tuple[str, str]]:
    """A gallery's images as files (see ``downloads.shown``), captions kept."""
    files = downloads.shown(*(image for image, _ in gallery))
    return [(file, caption) for file, (_, caption) in zip(files, gallery, strict=True)]


def _open(path: str | None, what: str = "an image") -> uploads.Upload:
    upload = uploads.open_upload(path, SETTINGS.max_input_mp, what)
    message = reports.too_small(upload.name, upload.size)
    if message:
        raise uploads.UploadError(message)
    return upload


def _notes(upload: uploads.Upload) -> str:
    return f" Note: {'; '.join(upload.notes)}." if upload.notes else ""


def _fetch_note() -> str:
    return prefetch.report_note(PREFETCH)


# --------------------------------------------------------------------------------------------
# Inputs: every tab takes a file, shows a preview and says what the demo can do with it
# --------------------------------------------------------------------------------------------
def _upscale_line(upload: uploads.Upload) -> str:
    top = settings.max_scale(upload.size, SETTINGS.max_output_mp)
    return f"Largest scale here: **x{top:g}** (this demo renders up to {SETTINGS.max_output_mp:g} megapixels)."


# What each tab can do with a usable file, after its size (only the Upscale tab has a largest scale).
ABOUT_LINES: dict[str, Callable[[uploads.Upload], str]] = {
    "upscale": _upscale_line,
    "compare": lambda _: "The region starts where the input has the most texture; click the input to move it.",
    "models": lambda _: "The region starts where the input has the most texture; click the input to move it.",
    "reference": lambda _: "The sharp original: it is shrunk by the factor below, then enlarged back and scored.",
    "zoom": lambda _: "Click a point of the input to magnify it, up to x30; only the window is rendered.",
}


def _about(path: str | None, tab: str) -> tuple[uploads.Upload | None, Any, str]:
    """The decoded upload (None if unusable), its preview and the line about it (or why it cannot be used)."""
    try:
        upload = _open(path)
    except liif.LiifError as exc:
        return None, None, f"**This file cannot be used.** {exc}"
    w, h = upload.size
    return upload, views.to_display(upload.image), (
        f"{upload.name}: **{w}x{h}** pixels. {ABOUT_LINES[tab](upload)}{_notes(upload)}")


def inspect_input(path: str | None, tab: str) -> tuple:
    """On a new file: its preview, a line about it (or the plain reason it cannot be used), the tab's button."""
    if not path:
        return None, "", gr.Button(interactive=True)
    upload, preview, line = _about(path, tab)
    return preview, line, gr.Button(interactive=upload is not None)


def inspect_for_region(path: str | None, side: float, tab: str) -> tuple:
    """``inspect_input``, plus the region's centre moved to the input's most textured part."""
    preview, line, button = inspect_input(path, tab)
    if preview is None:
        return preview, line, button, gr.skip(), gr.skip()
    fx, fy = views.textured_point(preview, int(side))
    return preview, line, button, fx, fy


def inspect_for_upscale(path: str | None, scale: float | None) -> tuple:
    """``inspect_input``, plus the scale slider capped at the largest scale and an exact size of the same shape."""
    if not path:
        return None, "", gr.Button(interactive=True), gr.skip(), gr.skip(), gr.skip()
    upload, preview, line = _about(path, "upscale")
    if upload is None:
        return preview, line, gr.Button(interactive=False), gr.skip(), gr.skip(), gr.skip()
    w, h = upload.size
    top = settings.max_scale((w, h), SETTINGS.max_output_mp)
    s = min(float(scale or 4), top)
    return (preview, line, gr.Button(interactive=True), gr.Slider(maximum=top, value=s), gr.Number(value=round(w * s)),
            gr.Number(value=round(h * s)))


def pick_point(preview: Any, evt: gr.SelectData) -> tuple[float, float]:
    """A click on a preview -> the point as fractions of its width and height."""
    if preview is None or evt is None or evt.index is None:
        return gr.skip(), gr.skip()
    w, h = views.size_of(preview)
    x, y = evt.index[0], evt.index[1]
    return round(min(max((x + 0.5) / w, 0.0), 1.0), 4), round(min(max((y + 0.5) / h, 0.0), 1.0), 4)


# --------------------------------------------------------------------------------------------
# Event handlers (one per named API endpoint)
# --------------------------------------------------------------------------------------------
REPORT_PENDING = "Computing the quality report..."
# One report at a time, started while the picture is being sent (heavy events already run one at a time).
REPORTS = ThreadPoolExecutor(1, thread_name_prefix="report")


def _timed_report(output: Any, lowres: Any, condition: liif.InputReport, bicubic: Any) -> tuple[iqa.Report, float]:
    """``iqa.assess`` of the shown output against the shown input, and the seconds it took."""
    started = time.perf_counter()
    return iqa.assess(output, lowres, input_condition=condition, bicubic=bicubic), time.perf_counter() - started


@_friendly
@zerogpu.gpu_task
def upscale(image_path: str | None, mode: str, scale: float, width: float | None, height: float | None,
            model: str, checkpoint_path: str, precision: str, with_report: bool, crop_x: float, crop_y: float,
            back_projected: bool = False, crop_chosen: bool = True,
            progress: gr.Progress = gr.Progress()) -> Iterator[tuple]:  # noqa: B008 (gradio injects it)
    """Upscale one image: the picture first (slider, crops, PNG, summary), then the quality report and its pictures.

    ``crop_chosen`` False (the page, before the visitor picks a point): the crops show where the model adds most
    detail over bicubic, and the crop sliders move there.
    """
    upload = _open(image_path)
    image, (w, h) = upload.image, upload.size
    if mode == SIZE_MODE:
        if not width or not height or width < 1 or height < 1:
            raise gr.Error("Give the output width and height in pixels (both at least 1).")
        target = {"size": (int(width), int(height))}
    else:
        target = {"scale": float(scale)}
    out_size = liif.output_size((w, h), **target)
    message = settings.output_limit_message((w, h), out_size, SETTINGS.max_output_mp)
    if message:
        raise gr.Error(message)
    passes = settings.BACKPROJECT_PASSES if back_projected else 0
    # From the file's header (its JPEG tables) and the pixels decoded above; auto's choice and the report share it.
    condition = liif.inspect(image_path, pixels=image)
    up, model_name = _upscaler(model, checkpoint_path, precision, progress, passes, image=condition)
    started = time.perf_counter()
    result = up.upscale(image, progress=_progress(progress, "LIIF: rendering the output"), **target)
    seconds = time.perf_counter() - started
    ow, oh = out_size
    progress(0.9, desc="Bicubic baseline")
    shown_b, shown_r = views.to_display(liif.bicubic(image, size=out_size)), views.to_display(result)
    if not crop_chosen:
        crop_x, crop_y = views.detail_point(shown_b, shown_r, views.crop_side(out_size))
    crop_b, crop_l, zoom = views.magnified_crops(shown_b, shown_r, crop_x, crop_y)

    def info(report_seconds: float | None) -> str:
        timing = f"rendered in {seconds:.1f} s" + (
            "" if not with_report else ", report " + (f"{report_seconds:.1f} s" if report_seconds is not None
                                                     else "in progress"))
        return (f"Input **{w}x{h}** -> output **{ow}x{oh}** (x{ow / w:.2f} wide, x{oh / h:.2f} high) by "
                f"**{model_name}** ({precision}{f', back-projected x{passes}' if passes else ''}), {timing}. "
                f"Left of the slider: bicubic at the same size. The download is a lossless PNG.{_notes(upload)}")

    stem = f"{downloads.safe_stem(upload.name)}_liif_{ow}x{oh}"
    if shown_r is result:  # 8-bit: the download is the very picture shown, so one encoding of it, not two
        png, (file_b, file_cb, file_cl) = downloads.download_and_shown(result, stem, shown_b, crop_b, crop_l)
        file_r = str(png)
    else:
        png, (file_b, file_r, file_cb, file_cl) = downloads.download_and_shown(result, stem, shown_b, shown_r,
                                                                               crop_b, crop_l)
    picture = ((file_b, file_r), gr.Image(file_cb, label=f"Bicubic, magnified x{zoom}"),
               gr.Image(file_cl, label=f"LIIF, magnified x{zoom}"), str(png))
    point, state = (crop_x, crop_y), (shown_b, shown_r)
    if not with_report:
        yield (*picture, "", None, info(None), "", None, *point, state)
        return
    # The picture first: a visitor looks at it while the report is computed. The report starts now, in the
    # background, so that it runs while gradio hands the picture's files to the page.
    lowres = views.to_display(image)
    pending = REPORTS.submit(_timed_report, shown_r, lowres, condition, shown_b)
    yield (*picture, f'<p class="studio-pending">{REPORT_PENDING}</p>', None, info(None), REPORT_PENDING, None,
           *point, state)
    progress(0.95, desc="Quality report")
    report, report_seconds = pending.result()
    report.meta["model"] = model_name  # which model rendered it (and, for auto, why)
    verdict = reports.verdict(report)
    scored = (reports.report_html(report, _fetch_note()), reports.report_json(report), info(report_seconds),
              f"**Verdict:** {verdict}" if verdict else "")
    done = (*picture, *scored)
    # The report alone: the picture is on the page already (re-sending its files would delay the report), and
    # the pictures of a large output take as long as the report itself, so the verdict does not wait for them.
    kept = gr.skip()
    yield (*[kept] * len(picture), *scored, None, kept, kept, kept)
    progress(0.98, desc="Pictures: detail and tone")
    yield (*done, _shown_gallery(reports.pictures(shown_r, lowres)), *point, state)


def recrop(pair: tuple | None, crop_x: float, crop_y: float) -> tuple:
    """Re-cut the magnified crops of the last result at another point (nothing to do before the first one)."""
    if not pair:
        return gr.skip(), gr.skip()
    crop_b, crop_l, zoom = views.magnified_crops(pair[0], pair[1], crop_x, crop_y)
    file_b, file_l = downloads.shown(crop_b, crop_l)
    return gr.Image(file_b, label=f"Bicubic, magnified x{zoom}"), gr.Image(file_l, label=f"LIIF, magnified x{zoom}")


@_friendly
def crop_api(pair: tuple | None, crop_x: float, crop_y: float) -> tuple:
    """The /crop endpoint: like ``recrop``, but says so when there is no result yet."""
    if not pair:
        raise gr.Error("Upscale an image first; then pick the region to magnify.")
    return recrop(pair, crop_x, crop_y)


def _factors(factors: list[str] | None) -> list[float]:
    if not factors:
        raise gr.Error("Tick at least one scale factor.")
    return sorted({float(str(f).lstrip("xX")) for f in factors})


@_friendly
@zerogpu.gpu_task
def compare_scales(image_path: str | None, factors: list[str], region_x: float, region_y: float, region: float,
                   model: str, checkpoint_path: str, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """The same region at several factors (bicubic and LIIF), and LIIF's gain over bicubic against the scale."""
    upload = _open(image_path)
    scales = _factors(factors)
    up, model_name = _upscaler(model, checkpoint_path, precision, progress, image=image_path)
    area = compare.region_of(upload.image, region_x, region_y, int(region))

    def step(i: int, n: int, s: float) -> None:
        progress((i, n), desc=f"x{s:g}: LIIF window and cues", unit="factors")

    gallery, table = compare.compare_scales(up, upload.image, scales, area, progress=step)
    cues = compare.charted_cues(table)
    first = cues[0] if cues else None
    info = (f"A {area.side}x{area.side}-pixel region around ({area.centre[0]:.0f}, {area.centre[1]:.0f}), rendered by "
            f"**{model_name}** ({precision}) and by bicubic at each factor.")
    return (_shown_gallery(gallery), compare.gain_chart(table, first), table, gr.Dropdown(choices=cues, value=first),
            info)


@_friendly
def plot_cue(table: Any, cue: str | None) -> Any:
    """Redraw the gain chart for another cue (no re-rendering)."""
    return compare.gain_chart(table, cue)


@_friendly
@zerogpu.gpu_task
def compare_models(image_path: str | None, chosen: list[str], checkpoint_path: str, scale: float, region_x: float,
                   region_y: float, region: float, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """One region at one scale by bicubic, each chosen model and the checkpoint path, side by side."""
    upload = _open(image_path)
    entries: list[tuple[str, liif.Upscaler | None]] = []
    picks = [c for c in (chosen or []) if c != BICUBIC] + ([""] if checkpoint_path and checkpoint_path.strip() else [])
    if BICUBIC in (chosen or []):
        entries.append((BICUBIC, None))
    for choice in picks:
        up, name = _upscaler(choice or None, checkpoint_path if not choice else "", precision, progress)
        entries.append((name, up))
    if len(entries) < 2:
        raise gr.Error("Tick at least two of the methods (bicubic and the models), or give a checkpoint path.")
    area = compare.region_of(upload.image, region_x, region_y, int(region))
    progress(0.2, desc=f"Rendering the region at x{scale:g} with {len(entries)} methods")
    gallery, table = compare.compare_models(entries, upload.image, float(scale), area)
    return _shown_gallery(gallery), table


@_friendly
@zerogpu.gpu_task
def with_reference(reference_path: str | None, factor: float, model: str, checkpoint_path: str, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """Make the low-resolution input from a sharp image, enlarge it back with LIIF and bicubic, score both."""
    upload = _open(reference_path, "a sharp reference image")
    up, model_name = _upscaler(model, checkpoint_path, precision, progress)
    progress(0.1, desc="Low-resolution input (MATLAB bicubic), LIIF, bicubic and scores")
    run = reference.degrade_and_score(up, upload.image, float(factor))
    err_b, err_l, top = reference.error_maps(run)
    (h, w), (lh, lw) = run.reference.shape[:2], run.lowres.shape[:2]
    info = (f"Reference **{w}x{h}** -> low-resolution input **{lw}x{lh}** (/{factor:g}, MATLAB-compatible bicubic, "
            f"as `liif eval`) -> back to **{w}x{h}** by **{model_name}** ({precision}) and by bicubic. "
            f"Scores on the luma with a {run.shave}-pixel border ignored.\n\n{reference.gain_sentence(run.report)}"
            f"{_notes(upload)}")
    info += (f"\n\nError maps: |output - reference| of the luma, on one scale for both: black = 0, light yellow = "
             f"{top:.0f} or more (of 219 luma levels).")
    file_b, file_r, file_low, file_eb, file_el = downloads.shown(
        views.to_display(run.bicubic), views.to_display(run.result), views.enlarge_for_display(run.lowres),
        err_b, err_l)
    return ((file_b, file_r), gr.Image(file_low, label=f"Low-resolution input ({lw}x{lh})"),
            gr.Image(file_eb, label="Bicubic error"), gr.Image(file_el, label="LIIF error"),
            reports.report_html(run.report, _fetch_note(), reference_first=True), reports.report_json(run.report),
            info)


@_friendly
@zerogpu.gpu_task
def zoom(image_path: str | None, x: float, y: float, magnification: float, window: float, model: str,
         checkpoint_path: str, precision: str,
         progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """Render only a window of the x``magnification`` output around a point (LIIF and bicubic)."""
    upload = _open(image_path)
    image, (w, h) = upload.image, upload.size
    n, mag = int(window), float(magnification)
    up, model_name = _upscaler(model, checkpoint_path, precision, progress, image=image_path)
    centre = (x * w, y * h)
    progress(0.1, desc=f"LIIF: rendering a {n}x{n} window of the x{mag:g} output")
    started = time.perf_counter()
    win = up.render_window(image, center=centre, magnification=mag, window=(n, n))
    seconds = time.perf_counter() - started
    box = window_box((w, h), centre, mag, (n, n))
    full_w, full_h = box.out_size
    info = (f"A {box.size[0]}x{box.size[1]} window of the **{full_w}x{full_h}** (x{mag:g}) output around "
            f"({centre[0]:.1f}, {centre[1]:.1f}) in input pixels, rendered by **{model_name}** ({precision}) "
            f"in {seconds:.2f} s without rendering the other {max(0.0, (full_w * full_h - n * n) / 1e6):.1f} "
            f"megapixels.{_notes(upload)}")
    file_b, file_l, file_where = downloads.shown(views.bicubic_window(image, centre, mag, (n, n)),
                                                 views.to_display(win), views.locator(image, box.input_box))
    return (file_b, file_l), file_where, info


def refresh_models(current: str | None) -> tuple:
    """Re-scan the models folder."""
    choices, methods = models.dropdown_choices(SETTINGS.models_dir), models.model_choices(SETTINGS.models_dir)
    value = current if current in choices else models.default_choice(choices)
    return (gr.Dropdown(choices=choices, value=value), gr.CheckboxGroup(choices=[BICUBIC, *methods]),
            models.status_line(SETTINGS.models_dir, SETTINGS.allow_paths))


def list_models_api() -> list[str]:
    """The model choices the other endpoints accept."""
    return models.dropdown_choices(SETTINGS.models_dir)


def quality_models_status() -> str:
    """What the background download of quality models has done so far ('' when none runs)."""
    return PREFETCH.summary() if PREFETCH is not None else ""


def quality_models_api() -> str:
    """The /quality_models endpoint: the download's progress, or which scores this server can compute."""
    if PREFETCH is not None:
        return PREFETCH.summary()
    ready = [key for key, ok, _ in iqa.available_metrics() if ok]
    return (f"{len(ready)} of {len(iqa.list_metrics())} scores can be computed here; no weights are being "
            f"downloaded (LIIF_PREFETCH=none). Ready: {', '.join(ready)}.")


def _status_tick() -> tuple:
    running = PREFETCH is not None and not PREFETCH.finished
    return quality_models_status(), gr.Timer(active=running)


# --------------------------------------------------------------------------------------------
# Layout
# --------------------------------------------------------------------------------------------
INTRO = """# liif-studio: how does AI keep detail and tone at high magnification?
Upscale a photo to any size with **LIIF** (a learned *local implicit image function*) or its fast
descendant **LM-LIIF** (the default), compare it with bicubic interpolation at the same size, read
honest quality scores, and zoom up to x30 anywhere. Runs on a CPU with the bundled weights."""

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
   blended by area (*local ensemble*), so there are no seams between them. **LM-LIIF**, the model
   this demo preselects, moves the large network to the input's resolution: once per input pixel,
   a *hypernet* turns the features into a short code and per-layer scales and shifts, and a tiny
   network (16 numbers wide) modulated by them draws each output pixel. Slightly better on the
   benchmarks and several times faster on a CPU (model card: `liif/weights/edsr-baseline-lmliif.md`).
4. **Output.** Ask the function for every output pixel's centre: any grid, any size. Because the
   image is now a continuous function, the app can also ask for just one window of a huge output
   (the *Zoom anywhere* tab renders a 256x256 window of a x30 image without drawing the rest).
5. **Quality assessment.** Your photo has no ground truth, so the Upscale tab reports
   *no-reference* cues for the LIIF output **next to the same cues for bicubic at the same size**,
   each with its direction (higher or lower is better) and a one-line reading, after a verdict that
   sums them up. Cues whose model weights are not on this server (some pyiqa and CLIP models) are
   named in one line under the report, never guessed. The *With a reference* tab starts from a sharp
   image, so it can compute true errors (PSNR, SSIM) and show where they are.

## The pictures under the report
With the report, the Upscale tab draws three pictures (*Pictures: detail and tone*), each captioned
with what to look for:
* **the radial spectrum** of bicubic and of the result, the input's Nyquist frequency marked by a
  dashed line: the energy right of it is detail the input could not hold, so the model added it
  (where the result's curve lies above bicubic's; noise would show there too);
* **the detail-added map**: bright where the result has fine detail that bicubic lacks; it should
  follow edges and textures, not flat areas;
* **the tone view**: the colour difference between the result shrunk back and the input (under 1 is
  invisible), and the luma and chroma histograms of both, which should keep their shape.

The magnified crops open where the model adds the most detail over bicubic (from the same map);
click the input to look elsewhere.

## Why detail and tone survive
* **Detail**: the colour at a point is predicted from learned features, not averaged from
  neighbouring colours, so an edge stays a step instead of becoming a ramp, and fine texture is
  continued the way it continues in real photos. The *cell* input tells the network how large each
  output pixel is, so it knows how much detail it should draw at that scale.
* **Tone**: every prediction is anchored on the nearest input pixels and the model was trained to
  match real high-resolution photos pixel by pixel (an L1 loss), so brightness, colour and contrast
  follow the input: shrink the output back and you get (almost) the input again (the Upscale tab's
  *Consistency* box enforces it, by back-projection).
* **Any scale from one model**: coordinates are continuous, so the same weights serve x1.5 and
  x30. In the paper LIIF is trained on factors x1 to x4; beyond that it extrapolates: it stays clean and sharp
  edged, but adds little *new* detail past about x6 (see the *Compare scales* tab).

## Where they do not
* **Missing information stays missing.** The detail is a plausible guess, not a recovery: never use
  an upscaled image as evidence (faces, text, number plates).
* **Compressed and noisy photos.** A model trained only on clean photos downscaled with bicubic
  has never seen JPEG's 8x8 blocks, ringing or sensor noise, so it takes them for detail and sharpens
  them too. The model *auto* picks for such inputs (`edsr-baseline-lmliif-real`) was trained on inputs
  degraded the way uploads are (JPEG at quality 30-95, noise, mild blur) against the clean originals,
  so it learned to remove them; the report's line under the verdict says what your input had been
  through and whether its blocks were removed or magnified (try the `chelsea_jpeg` example).
* **Out-of-distribution inputs.** Motion blur, heavy sharpening, faces and text need priors
  (identity, letter shapes) that a small generic model does not have; drawings, screenshots and
  pixel art differ from photos too.
* **Scores are cues, not verdicts.** No-reference metrics can reward over-sharpening; compare with
  bicubic, look at the crop, and trust the reference tab's PSNR/SSIM when you have a reference.

## Papers and tools
* **LIIF**: Chen, Liu, Wang, *Learning Continuous Image Representation with Local Implicit Image
  Function*, CVPR 2021. [arXiv:2012.09161](https://arxiv.org/abs/2012.09161),
  code [github.com/yinboc/liif](https://github.com/yinboc/liif). The model family this app runs.
* **LMF** (LM-LIIF): He and Jin, *Latent Modulated Function for Computational Optimal Continuous
  Image Representation*, CVPR 2024. [arXiv:2404.16451](https://arxiv.org/abs/2404.16451),
  code [github.com/HeZongyao/LMF](https://github.com/HeZongyao/LMF). The fast default model.
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


CSS = reports.CSS + """
#upscale-crops img, .studio-small img { image-rendering: pixelated; }
.studio-error p { color: var(--error-text-color); font-weight: 600; margin: 0; }
.studio-verdict-box p { font-size: 1.05em; margin: 0; }
/* the drop zone's text starts below the file input's label, which floats over its top */
.studio-file .upload-container { padding-top: 26px !important; }
/* captions under the pictures, whole, not over them and cut */
.studio-captioned .thumbnail-item { display: flex !important; flex-direction: column; height: auto !important; }
.studio-captioned .thumbnail-item img { flex: 1 1 auto; min-height: 0; }
.studio-captioned .caption-label { position: static !important; white-space: normal !important;
  max-width: 100% !important; overflow: visible !important; text-overflow: clip !important;
  margin: 4px 0 0 0 !important; }
.studio-verdict-box:not(:empty) { padding: 8px 12px; border-radius: 6px; background: var(--color-accent-soft); }
"""


def _examples(folder: Path) -> list[str]:
    return [str(p) for p in sorted([*folder.glob("*.png"), *folder.glob("*.jpg")])] if folder.is_dir() else []


def _example_path(sample: list | None) -> str | None:
    """The file behind a clicked example thumbnail."""
    if not sample:
        return None
    value = sample[0]
    return value.get("path") if isinstance(value, dict) else value


def _region_controls() -> tuple[gr.Slider, gr.Slider, gr.Slider]:
    """The region side and centre sliders of the two comparison tabs."""
    region = gr.Slider(16, 96, value=48, step=1, label="Region side (input pixels)")
    with gr.Row():
        x = gr.Slider(0, 1, value=0.5, step=0.01, label="Region centre x")
        y = gr.Slider(0, 1, value=0.5, step=0.01, label="Region centre y")
    return region, x, y


def _input_panel(label: str, elem: str, examples: list[str], examples_label: str) -> tuple:
    """A file input, its preview (clickable), the line about it, and example thumbnails that fill the input."""
    file = gr.File(label=f"{label} ({', '.join(t.lstrip('.').upper() for t in FILE_TYPES[:5])}...; up to "
                         f"{SETTINGS.max_upload_mb:g} MB)", file_types=FILE_TYPES, elem_id=f"{elem}-file", height=130,
                   elem_classes="studio-file")
    preview = gr.Image(label="Input (click it to choose the point)", type="pil", format="png", interactive=False,
                       height=240, elem_id=f"{elem}-input", buttons=[])
    about = gr.Markdown(elem_id=f"{elem}-about")
    if examples:
        shelf = gr.Dataset(components=[gr.Image(visible=False, type="filepath")], samples=[[p] for p in examples],
                           label=examples_label, elem_id=f"{elem}-examples", type="values", samples_per_page=8)
        shelf.click(_example_path, [shelf], [file], api_visibility="private", queue=False)
    return file, preview, about


def _message_box(prefix: str) -> gr.Markdown:
    """Under a tab's button: why its last click was refused (one sentence), until the next click or file."""
    return gr.Markdown(elem_id=f"{prefix}-error", elem_classes="studio-error")


def _wire(button: gr.Button, fn: Callable, inputs: list, outputs: list, message: gr.Markdown, api_name: str,
          page_inputs: list | None = None, after_partial: dict[int, Any] | None = None,
          progress_on: list | None = None) -> Callable:
    """A handler's two doors: the page's click (a refusal lands in ``message``; ``page_inputs`` added; progress
    shown over ``progress_on``, default all outputs) and the named API endpoint (a refusal raises, so a
    gradio_client caller gets the sentence). Returns the page's event."""
    page = _on_page(fn, len(outputs), after_partial)
    button.click(page, [*inputs, *(page_inputs or [])], [*outputs, message], api_name=f"{api_name}_on_page",
                 api_visibility="private", show_progress_on=progress_on,
                 **HEAVY)  # named: it would take the endpoint's name otherwise
    gr.Button(visible=False).click(fn, inputs, outputs, api_name=api_name, **HEAVY)
    return page


def build_demo(default_model: str | None = None) -> gr.Blocks:
    """The Blocks app (not launched). ``default_model`` preselects a dropdown choice (tests use it)."""
    choices, methods = models.dropdown_choices(SETTINGS.models_dir), models.model_choices(SETTINGS.models_dir)
    chosen = default_model if default_model in choices else models.default_choice(choices)
    precisions = settings.precision_choices()
    lowres_examples = _examples(EXAMPLES_DIR)
    reference_examples = _examples(EXAMPLES_DIR / "reference")
    private = {"api_visibility": "private", "queue": False}

    with gr.Blocks(title="liif-studio: arbitrary-scale super-resolution",
                   delete_cache=(1800, downloads.MAX_AGE_S)) as demo:
        gr.Markdown(INTRO)
        with gr.Row(equal_height=False, elem_id="model-panel"):
            # min_width: on a phone the dropdown gets a whole row, so a model's name is not cut under the caret
            model = gr.Dropdown(choices, value=chosen, label="Model", scale=2, min_width=320, elem_id="model",
                                info="auto: the model for compressed or noisy photos when the input is one")
            checkpoint_path = gr.Textbox("", label="...or a checkpoint path (.pth / .safetensors)", scale=2,
                                         min_width=260, placeholder="/path/to/edsr-baseline-liif.pth",
                                         visible=SETTINGS.allow_paths)
            precision = gr.Radio(precisions, value=precisions[0], label="Precision", scale=3, min_width=320,
                                 elem_id="precision",
                                 info=("bf16: faster, within 0.005 dB of exact" if "bf16" in precisions else
                                       "exact (this processor has no fast bfloat16)")
                                 + "; self-ensemble: sharper, 8x the time")
            refresh = gr.Button("Refresh models", scale=0, size="sm", min_width=120)
        status = gr.Markdown(models.status_line(SETTINGS.models_dir, SETTINGS.allow_paths))
        fetch_status = gr.Markdown(quality_models_status(), elem_id="quality-models-status")
        common = [model, checkpoint_path, precision]

        with gr.Tabs():
            # ---------------------------------------------------------------- Upscale
            with gr.Tab("Upscale", id="upscale"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        up_file, up_preview, up_about = _input_panel("Image file", "upscale", lowres_examples,
                                                                     "Examples (public domain / CC0)")
                        up_mode = gr.Radio([SCALE_MODE, SIZE_MODE], value=SCALE_MODE, label="Output size")
                        up_scale = gr.Slider(1, 8, value=4, step=0.1, label="Scale factor", elem_id="upscale-scale")
                        with gr.Row(visible=False) as size_row:
                            up_width = gr.Number(value=640, precision=0, minimum=1, label="Width (px)")
                            up_height = gr.Number(value=480, precision=0, minimum=1, label="Height (px)")
                        with gr.Row():
                            crop_x = gr.Slider(0, 1, value=0.5, step=0.01, label="Magnified region: x",
                                               elem_id="crop-x")
                            crop_y = gr.Slider(0, 1, value=0.5, step=0.01, label="Magnified region: y",
                                               elem_id="crop-y")
                        up_report = gr.Checkbox(value=True, label="Compute the quality report")
                        up_backproject = gr.Checkbox(
                            value=False, label="Consistency: back-project the result onto the input",
                            elem_id="upscale-backproject",
                            info=f"{settings.BACKPROJECT_PASSES} passes so that the result, shrunk back, matches "
                                 "the input; +0.1 dB on bicubic-shrunk benchmarks, can sharpen a photo's own blur "
                                 "or JPEG noise")
                        up_button = gr.Button("Upscale", variant="primary", elem_id="upscale-button")
                        up_error = _message_box("upscale")
                    with gr.Column(scale=2, min_width=300):
                        up_info = gr.Markdown(label="Summary", elem_id="upscale-info")
                        up_verdict = gr.Markdown(label="Verdict", elem_id="upscale-verdict",
                                                 elem_classes="studio-verdict-box")
                        up_slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right), same size", format="png",
                                                   type="pil", elem_id="upscale-slider", max_height=520)
                        with gr.Row(elem_id="upscale-crops"):
                            up_crop_b = gr.Image(label="Bicubic, magnified", format="png", type="pil",
                                                 interactive=False, elem_id="upscale-crop-bicubic", min_width=160)
                            up_crop_l = gr.Image(label="LIIF, magnified", format="png", type="pil",
                                                 interactive=False, elem_id="upscale-crop", min_width=160)
                        up_png = gr.File(label="Lossless PNG (full resolution)", elem_id="upscale-png")
                up_html = gr.HTML(label="Quality report", elem_id="upscale-report")
                with gr.Accordion("Pictures: detail and tone", open=True, elem_id="upscale-pictures"):
                    up_plots = gr.Gallery(label="What the model added, and whether the tone held (the captions say "
                                          "what to look for)", format="png", columns=3, object_fit="contain",
                                          height="auto", elem_id="upscale-plots", elem_classes="studio-captioned")
                with gr.Accordion("The scores as data (JSON)", open=False):
                    up_json = gr.JSON(label="Quality report (data)", elem_id="upscale-json")
                up_state = gr.State()
                up_chosen = gr.State(False)  # has the visitor picked the magnified region (click or crop sliders)?

                up_outputs = [up_slider, up_crop_b, up_crop_l, up_png, up_html, up_json, up_info, up_verdict, up_plots,
                              crop_x, crop_y, up_state]
                up_cleared = [up_slider, up_crop_b, up_crop_l, up_png, up_html, up_json, up_info, up_verdict, up_plots,
                              up_state, up_error]
                up_file.change(lambda: (*[None] * len(up_cleared), False), None, [*up_cleared, up_chosen],
                               **private).then(inspect_for_upscale, [up_file, up_scale],
                                               [up_preview, up_about, up_button, up_scale, up_width, up_height],
                                               **private)
                up_mode.change(lambda m: (gr.Slider(visible=m == SCALE_MODE), gr.Row(visible=m == SIZE_MODE)),
                               [up_mode], [up_scale, size_row], **private)
                # a failure once the picture is shown must not leave "computing the report" behind
                _wire(up_button, upscale, [up_file, up_mode, up_scale, up_width, up_height, *common, up_report,
                                           crop_x, crop_y, up_backproject], up_outputs, up_error, "upscale",
                      page_inputs=[up_chosen], after_partial={4: "", 7: ""},
                      # over the report's boxes only: a progress overlay on every output would hide the picture
                      # while the report is computed
                      progress_on=[up_verdict, up_html])
                up_preview.select(pick_point, [up_preview], [crop_x, crop_y], **private).then(
                    lambda: True, None, up_chosen, **private).then(
                    recrop, [up_state, crop_x, crop_y], [up_crop_b, up_crop_l], **private)
                for slider in (crop_x, crop_y):
                    slider.release(lambda: True, None, up_chosen, **private).then(
                        recrop, [up_state, crop_x, crop_y], [up_crop_b, up_crop_l], **private)
                crop_btn = gr.Button(visible=False)
                crop_btn.click(crop_api, [up_state, crop_x, crop_y], [up_crop_b, up_crop_l], api_name="crop")

            # ---------------------------------------------------------------- Compare scales
            with gr.Tab("Compare scales", id="compare"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        cmp_file, cmp_preview, cmp_about = _input_panel("Image file", "compare", lowres_examples,
                                                                        "Examples")
                        cmp_factors = gr.CheckboxGroup(COMPARE_FACTORS, value=COMPARE_DEFAULT, label="Scale factors")
                        cmp_region, cmp_x, cmp_y = _region_controls()
                        cmp_button = gr.Button("Compare", variant="primary", elem_id="compare-button")
                        cmp_error = _message_box("compare")
                    with gr.Column(scale=2, min_width=300):
                        cmp_info = gr.Markdown(label="Summary", elem_id="compare-info")
                        cmp_gallery = gr.Gallery(label="The same region at each factor: bicubic (left), LIIF (right)",
                                                 format="png", columns=4, object_fit="contain",
                                                 height="fit-content", elem_id="compare-gallery",
                                                 elem_classes="studio-captioned")
                with gr.Row():
                    cmp_cue = gr.Dropdown([], label="Cue to chart", scale=1, elem_id="compare-cue",
                                          allow_custom_value=True)
                    cmp_plot = gr.Plot(label="LIIF's gain over bicubic against the scale", scale=3,
                                       elem_id="compare-chart")
                cmp_table = gr.Dataframe(headers=compare.SCALE_COLUMNS, label="The numbers behind the chart (cues "
                                         "measured on the region shown)", interactive=False, elem_id="compare-table")
                cmp_outputs = [cmp_gallery, cmp_plot, cmp_table, cmp_cue, cmp_info]
                cmp_file.change(lambda: [None] * (len(cmp_outputs) + 1), None, [*cmp_outputs, cmp_error],
                                **private).then(lambda p, side: inspect_for_region(p, side, "compare"),
                                                [cmp_file, cmp_region],
                                                [cmp_preview, cmp_about, cmp_button, cmp_x, cmp_y], **private)
                cmp_preview.select(pick_point, [cmp_preview], [cmp_x, cmp_y], **private)
                _wire(cmp_button, compare_scales, [cmp_file, cmp_factors, cmp_x, cmp_y, cmp_region, *common],
                      cmp_outputs, cmp_error, "compare_scales")
                cmp_cue.input(plot_cue, [cmp_table, cmp_cue], [cmp_plot], api_name="plot_cue", queue=False)

            # ---------------------------------------------------------------- Compare models
            with gr.Tab("Compare models", id="models"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        mod_file, mod_preview, mod_about = _input_panel("Image file", "models", lowres_examples,
                                                                        "Examples")
                        mod_methods = gr.CheckboxGroup([BICUBIC, *methods], value=[BICUBIC, *methods],
                                                       label="Methods (a checkpoint path above is added too)",
                                                       elem_id="models-methods")
                        mod_scale = gr.Slider(2, 12, value=4, step=0.5, label="Scale factor")
                        mod_region, mod_x, mod_y = _region_controls()
                        mod_button = gr.Button("Compare models", variant="primary", elem_id="models-button")
                        mod_error = _message_box("models")
                    with gr.Column(scale=2, min_width=300):
                        mod_gallery = gr.Gallery(label="Each method on the region (time in the caption)",
                                                 format="png", columns=3, object_fit="contain",
                                                 height="fit-content", elem_id="models-gallery",
                                                 elem_classes="studio-captioned")
                mod_table = gr.Dataframe(headers=compare.MODEL_COLUMNS, label="Cues on the region (gains are "
                                         "multiples of bicubic's)", interactive=False, elem_id="models-table")
                mod_file.change(lambda: (None, None, None), None, [mod_gallery, mod_table, mod_error],
                                **private).then(lambda p, side: inspect_for_region(p, side, "models"),
                                                [mod_file, mod_region],
                                                [mod_preview, mod_about, mod_button, mod_x, mod_y], **private)
                mod_preview.select(pick_point, [mod_preview], [mod_x, mod_y], **private)
                _wire(mod_button, compare_models, [mod_file, mod_methods, checkpoint_path, mod_scale, mod_x, mod_y,
                                                   mod_region, precision], [mod_gallery, mod_table], mod_error,
                      "compare_models")

            # ---------------------------------------------------------------- With a reference
            with gr.Tab("With a reference", id="reference"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        ref_file, ref_preview, ref_about = _input_panel(
                            "A sharp image", "reference", reference_examples, "Examples (native-resolution crops)")
                        ref_factor = gr.Slider(2, 8, value=4, step=0.5, label="Downscale factor")
                        ref_button = gr.Button("Downscale, upscale and score", variant="primary",
                                               elem_id="reference-button")
                        ref_error = _message_box("reference")
                    with gr.Column(scale=2, min_width=300):
                        ref_info = gr.Markdown(label="Summary", elem_id="reference-info")
                        ref_slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right)", format="png", type="pil",
                                                    max_height=560, elem_id="reference-slider")
                        with gr.Row():
                            ref_lowres = gr.Image(label="The low-resolution input", format="png", type="pil",
                                                  interactive=False, elem_classes="studio-small", min_width=160)
                            ref_err_b = gr.Image(label="Bicubic error", format="png", type="pil", interactive=False,
                                                 min_width=160, elem_id="reference-map-bicubic")
                            ref_err_l = gr.Image(label="LIIF error", format="png", type="pil", interactive=False,
                                                 min_width=160, elem_id="reference-map")
                ref_html = gr.HTML(label="Quality report", elem_id="reference-report")
                with gr.Accordion("The scores as data (JSON)", open=False):
                    ref_json = gr.JSON(label="Quality report (data)")
                ref_outputs = [ref_slider, ref_lowres, ref_err_b, ref_err_l, ref_html, ref_json, ref_info]
                ref_file.change(lambda: [None] * (len(ref_outputs) + 1), None, [*ref_outputs, ref_error],
                                **private).then(lambda p: inspect_input(p, "reference"), [ref_file],
                                                [ref_preview, ref_about, ref_button], **private)
                _wire(ref_button, with_reference, [ref_file, ref_factor, *common], ref_outputs, ref_error,
                      "with_reference")

            # ---------------------------------------------------------------- Zoom anywhere
            with gr.Tab("Zoom anywhere", id="zoom"):
                with gr.Row():
                    with gr.Column(scale=1, min_width=300):
                        zoom_file, zoom_preview, zoom_about = _input_panel("Image file", "zoom", lowres_examples,
                                                                           "Examples")
                        zoom_mag = gr.Slider(1, 30, value=12, step=0.5, label="Magnification")
                        zoom_window = gr.Radio([128, 256, 384], value=256, label="Window (output pixels)")
                        with gr.Row():
                            zoom_x = gr.Slider(0, 1, value=0.5, step=0.001, label="Point x")
                            zoom_y = gr.Slider(0, 1, value=0.5, step=0.001, label="Point y")
                        zoom_button = gr.Button("Zoom", variant="primary", elem_id="zoom-button")
                        zoom_error = _message_box("zoom")
                    with gr.Column(scale=2, min_width=300):
                        zoom_info = gr.Markdown(label="Summary", elem_id="zoom-info")
                        with gr.Row():
                            zoom_slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right)", format="png",
                                                         type="pil", max_height=640, elem_id="zoom-slider", scale=3)
                            zoom_where = gr.Image(label="Where the window is", format="png", type="pil",
                                                  interactive=False, scale=1, min_width=160, elem_id="zoom-where",
                                                  buttons=[])  # no icons over the label
                zoom_inputs = [zoom_file, zoom_x, zoom_y, zoom_mag, zoom_window, *common]
                zoom_outputs = [zoom_slider, zoom_where, zoom_info]
                zoom_file.change(lambda: [None] * (len(zoom_outputs) + 1), None, [*zoom_outputs, zoom_error],
                                 **private).then(lambda p: inspect_input(p, "zoom"), [zoom_file],
                                                 [zoom_preview, zoom_about, zoom_button], **private)
                zoom_page = _wire(zoom_button, zoom, zoom_inputs, zoom_outputs, zoom_error, "zoom")
                zoom_preview.select(pick_point, [zoom_preview], [zoom_x, zoom_y], **private).then(
                    zoom_page, zoom_inputs, [*zoom_outputs, zoom_error], api_name="zoom_on_click",
                    api_visibility="private", **HEAVY)

            # ---------------------------------------------------------------- How it works
            with gr.Tab("How it works", id="how"):
                gr.Markdown(HOW_IT_WORKS)

        refresh.click(refresh_models, [model], [model, mod_methods, status], **private)
        timer = gr.Timer(2.0, active=PREFETCH is not None and not PREFETCH.finished)
        timer.tick(_status_tick, None, [fetch_status, timer], **private)
        demo.load(quality_models_status, None, [fetch_status], **private)
        gr.api(list_models_api, api_name="list_models")
        gr.api(quality_models_api, api_name="quality_models")

    demo.queue(default_concurrency_limit=1, max_size=16)
    return demo


# Errors from our handlers are gr.Error (always shown); show_error=True also lets the visitor see why gradio
# itself refused an input (e.g. a file above the upload cap) instead of a generic "Error".
LAUNCH_OPTIONS = {"show_error": True, "max_file_size": SETTINGS.max_file_size, "css": CSS,
                  "allowed_paths": [str(EXAMPLES_DIR)]}


def main() -> None:
    """``python app.py``: start the background download of quality models (if any), then serve."""
    global PREFETCH
    logging.basicConfig(level=logging.INFO)
    PREFETCH = prefetch.start(SETTINGS.prefetch)
    if settings.DEFAULT_MODEL in liif.list_models():  # the preselected model, ready for the first visitor
        models.start_warm_up(settings.DEFAULT_MODEL, settings.precision_choices()[0], SETTINGS.max_output_mp)
    threading.Thread(target=reports.warm_up, name="report-warm-up", daemon=True).start()  # imports, metrics
    build_demo().launch(**LAUNCH_OPTIONS)  # host/port: GRADIO_SERVER_NAME / GRADIO_SERVER_PORT


if __name__ == "__main__":
    main()
