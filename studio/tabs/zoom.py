"""The Zoom anywhere tab: a window of a huge output around a clicked point, without rendering the rest (/zoom)."""
from __future__ import annotations

import time

import gradio as gr

from studio import bigphoto, downloads, views, zerogpu
from studio.tabs import tab
from studio.tabs.common import (
    HEAVY,
    LIMITS,
    PRIVATE,
    Results,
    friendly,
    message_box,
    notes,
    open_upload,
    page_outputs,
    upscaler,
    wire,
)
from studio.tabs.inputs import example_shelf, input_panel, inspect_input, on_new_file, pick_point


@friendly
@zerogpu.gpu_task
def zoom(image_path: str | None, x: float, y: float, magnification: float, window: float, model: str,
         checkpoint_path: str, precision: str,
         progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """Render only a window of the x``magnification`` output around a point (LIIF and bicubic)."""
    upload = open_upload(image_path, max_megapixels=LIMITS.zoom_input_mp)  # a phone photo: only a window renders
    image, (w, h) = upload.image, upload.size
    n, mag = int(window), float(magnification)
    up, model_name = upscaler(model, checkpoint_path, precision, progress, image=image_path)
    centre = (x * w, y * h)
    progress(0.1, desc=f"LIIF: rendering a {n}x{n} window of the x{mag:g} output")
    started = time.perf_counter()
    win, box = bigphoto.render_window(up, image, centre, mag, (n, n))  # from the crop the window needs
    seconds = time.perf_counter() - started
    full_w, full_h = box.out_size
    info = (f"A {box.size[0]}x{box.size[1]} window of the **{full_w}x{full_h}** (x{mag:g}) output around "
            f"({centre[0]:.1f}, {centre[1]:.1f}) in input pixels, rendered by **{model_name}** ({precision}) "
            f"in {seconds:.2f} s without rendering the other {max(0.0, (full_w * full_h - n * n) / 1e6):.1f} "
            f"megapixels.{notes(upload)}")
    where = views.locator(*bigphoto.shrunk(image, box.input_box))  # drawn on a small copy, not on a 12 MP photo
    file_b, file_l, file_where = downloads.shown(views.bicubic_window(image, centre, mag, (n, n)),
                                                 views.to_display(win), where)
    return (file_b, file_l), file_where, info


def build(common: list, examples: list[str]) -> None:
    """The tab's layout and wiring (inside ``gr.Tabs``); ``common`` are the model panel's three inputs."""
    info = tab("zoom")
    with gr.Tab(info.label, id=info.id):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                file, preview, about_line = input_panel("Image file", "zoom")
                magnification = gr.Slider(1, 30, value=12, step=0.5, label="Magnification")
                button = gr.Button("Zoom", variant="primary", elem_id="zoom-button")
                error = message_box("zoom")
                with gr.Accordion("More settings: window, point", open=False, elem_id="zoom-settings"):
                    window = gr.Radio([128, 256, 384], value=256, label="Window (output pixels)")
                    with gr.Row():
                        x = gr.Slider(0, 1, value=0.5, step=0.001, label="Point x")
                        y = gr.Slider(0, 1, value=0.5, step=0.001, label="Point y")
                example_shelf(file, "zoom", examples)
            with gr.Column(scale=2, min_width=300):
                results = Results("zoom", info.summary)
                with results.group():
                    summary = gr.Markdown(label="Summary", elem_id="zoom-info")
                    with gr.Row():
                        slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right)", format="png", type="pil",
                                                max_height=640, elem_id="zoom-slider", scale=3)
                        where = gr.Image(label="Where the window is", format="png", type="pil", interactive=False,
                                         scale=1, min_width=160, elem_id="zoom-where",
                                         buttons=[])  # no icons over the label
        inputs = [file, x, y, magnification, window, *common]
        outputs = [slider, where, summary]
        on_new_file(file, [*outputs, error], results, lambda p: inspect_input(p, "zoom"), [file],
                    [preview, about_line, button])
        page = wire(button, zoom, inputs, outputs, error, "zoom", results=results)
        preview.select(pick_point, [preview], [x, y], **PRIVATE).then(
            page, inputs, page_outputs(outputs, error, results), api_name="zoom_on_click", api_visibility="private",
            **HEAVY)
