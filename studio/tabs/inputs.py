"""Every tab's input: a drop zone, a clickable preview once a file is there, a line about the file, examples."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import gradio as gr

import liif
from studio import bigphoto, settings, uploads, views
from studio.tabs.common import LIMITS, PRIVATE, SETTINGS, notes, open_upload

FILE_TYPES = [".png", ".jpg", ".jpeg", ".heic", ".heif", ".avif", ".webp", ".tif", ".tiff", ".bmp", ".gif"]
PHOTO_TABS = ("upscale", "zoom")  # the tabs that take phone photos (up to LIMITS.zoom_input_mp)
REGION_LINE = "The region starts where the input has the most texture; click the input to move it."


def _upscale_line(upload: uploads.Upload) -> str:
    w, h = upload.size
    if w * h > LIMITS.upscale_input_mp * 1e6:  # a phone photo: rendered as a region or a downscaled copy
        return (f"Over this tab's {uploads.megapixels(LIMITS.upscale_input_mp)}: a region around the point you click "
                "is rendered at the scale you choose, or a downscaled copy (More settings).")
    top = settings.max_scale(upload.size, SETTINGS.max_output_mp)
    return f"Largest scale here: **x{top:g}** (this demo renders up to {SETTINGS.max_output_mp:g} megapixels)."


# What each tab can do with a usable file, after its size (only the Upscale tab has a largest scale).
ABOUT_LINES: dict[str, Callable[[uploads.Upload], str]] = {
    "upscale": _upscale_line,
    "compare": lambda _: REGION_LINE,
    "models": lambda _: REGION_LINE,
    "reference": lambda _: "The sharp original: it is shrunk by the factor below, then enlarged back and scored.",
    "zoom": lambda _: "Click a point of the input to magnify it, up to x30; only the window is rendered.",
}


def examples_in(folder: Path) -> list[str]:
    """The example photos in ``folder`` (none when it is absent)."""
    return [str(p) for p in sorted([*folder.glob("*.png"), *folder.glob("*.jpg")])] if folder.is_dir() else []


def _example_path(sample: list | None) -> str | None:
    """The file behind a clicked example thumbnail."""
    if not sample:
        return None
    value = sample[0]
    return value.get("path") if isinstance(value, dict) else value


def file_label(label: str) -> str:
    """The drop zone's label: what it takes and the upload cap, short enough to stay whole on a phone."""
    return f"{label} (PNG, JPEG, HEIC, WebP...; up to {SETTINGS.max_upload_mb:g} MB)"


def input_panel(label: str, elem: str) -> tuple[gr.File, gr.Image, gr.Markdown]:
    """A file input, its preview (clickable; shown once a file is there) and the line about it."""
    file = gr.File(label=file_label(label), file_types=FILE_TYPES, elem_id=f"{elem}-file", height=150,
                   elem_classes="studio-file")
    preview = gr.Image(label="Input (click it to choose the point)", type="pil", format="png", interactive=False,
                       height=240, elem_id=f"{elem}-input", buttons=[], visible=False)
    about = gr.Markdown(elem_id=f"{elem}-about")
    return file, preview, about


def example_shelf(file: gr.File, elem: str, examples: list[str], label: str = "Examples") -> None:
    """Example thumbnails that fill ``file`` when clicked (nothing when there are none)."""
    if examples:
        shelf = gr.Dataset(components=[gr.Image(visible=False, type="filepath")], samples=[[p] for p in examples],
                           label=label, elem_id=f"{elem}-examples", type="values", samples_per_page=8)
        shelf.click(_example_path, [shelf], [file], **PRIVATE)


def region_controls() -> tuple[gr.Slider, gr.Slider, gr.Slider]:
    """The region side and centre sliders of the two comparison tabs."""
    region = gr.Slider(16, 96, value=48, step=1, label="Region side (input pixels)")
    with gr.Row():
        x = gr.Slider(0, 1, value=0.5, step=0.01, label="Region centre x")
        y = gr.Slider(0, 1, value=0.5, step=0.01, label="Region centre y")
    return region, x, y


def about(path: str | None, tab: str) -> tuple[uploads.Upload | None, Any, str]:
    """The decoded upload (None if unusable), its preview and the line about it (or why it cannot be used)."""
    try:
        upload = open_upload(path, max_megapixels=LIMITS.zoom_input_mp if tab in PHOTO_TABS else None)
    except liif.LiifError as exc:
        return None, None, f"**This file cannot be used.** {exc}"
    w, h = upload.size
    shown = bigphoto.preview(views.to_display(upload.image))  # a phone photo is shown (and clicked) 1600 px long
    return upload, shown, (
        f"{upload.name}: **{w}x{h}** pixels. {ABOUT_LINES[tab](upload)}{notes(upload)}")


def preview_update(preview: Any) -> Any:
    """The preview box: the picture, shown; or hidden when there is none (no empty box)."""
    return gr.Image(value=preview, visible=preview is not None)


def inspect_input(path: str | None, tab: str) -> tuple:
    """On a new file: its preview, a line about it (or the plain reason it cannot be used), the tab's button."""
    if not path:
        return preview_update(None), "", gr.Button(interactive=True)
    upload, preview, line = about(path, tab)
    return preview_update(preview), line, gr.Button(interactive=upload is not None)


def inspect_for_region(path: str | None, side: float, tab: str) -> tuple:
    """``inspect_input``, plus the region's centre moved to the input's most textured part."""
    if not path:
        return (*inspect_input(path, tab), gr.skip(), gr.skip())
    upload, preview, line = about(path, tab)
    if upload is None:
        return preview_update(None), line, gr.Button(interactive=False), gr.skip(), gr.skip()
    fx, fy = views.textured_point(preview, int(side))
    return preview_update(preview), line, gr.Button(interactive=True), fx, fy


def pick_point(preview: Any, evt: gr.SelectData) -> tuple[float, float]:
    """A click on a preview -> the point as fractions of its width and height."""
    if preview is None or evt is None or evt.index is None:
        return gr.skip(), gr.skip()
    w, h = views.size_of(preview)
    x, y = evt.index[0], evt.index[1]
    return round(min(max((x + 0.5) / w, 0.0), 1.0), 4), round(min(max((y + 0.5) / h, 0.0), 1.0), 4)


def on_new_file(file: gr.File, cleared: list, results: Any, inspect: Callable, inputs: list, shown: list,
                reset: tuple[tuple[Any, Any], ...] = ()) -> Any:
    """A new file clears the last result (and its message; ``reset``: (component, value) pairs), hides the
    result boxes, then inspects the file."""
    values = [None] * len(cleared) + [value for _, value in reset]
    return file.change(lambda: (*values, *results.shown(False)), None,
                       [*cleared, *(c for c, _ in reset), *results.targets],
                       **PRIVATE).then(inspect, inputs, shown, **PRIVATE)
