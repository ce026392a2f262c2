"""The With a reference tab: a sharp image shrunk, enlarged back and scored against itself (/with_reference)."""
from __future__ import annotations

import gradio as gr

from studio import downloads, reference, reports, views, zerogpu
from studio.tabs import tab
from studio.tabs.common import Results, fetch_note, friendly, message_box, notes, open_upload, upscaler, wire
from studio.tabs.inputs import example_shelf, input_panel, inspect_input, on_new_file


@friendly
@zerogpu.gpu_task
def with_reference(reference_path: str | None, factor: float, model: str, checkpoint_path: str, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """Make the low-resolution input from a sharp image, enlarge it back with LIIF and bicubic, score both."""
    upload = open_upload(reference_path, "a sharp reference image")
    up, model_name = upscaler(model, checkpoint_path, precision, progress)
    progress(0.1, desc="Low-resolution input (MATLAB bicubic), LIIF, bicubic and scores")
    run = reference.degrade_and_score(up, upload.image, float(factor))
    err_b, err_l, top = reference.error_maps(run)
    (h, w), (lh, lw) = run.reference.shape[:2], run.lowres.shape[:2]
    info = (f"Reference **{w}x{h}** -> low-resolution input **{lw}x{lh}** (/{factor:g}, MATLAB-compatible bicubic, "
            f"as `liif eval`) -> back to **{w}x{h}** by **{model_name}** ({precision}) and by bicubic. "
            f"Scores on the luma with a {run.shave}-pixel border ignored.\n\n{reference.gain_sentence(run.report)}"
            f"{notes(upload)}")
    info += (f"\n\nError maps: |output - reference| of the luma, on one scale for both: black = 0, light yellow = "
             f"{top:.0f} or more (of 219 luma levels).")
    file_b, file_r, file_low, file_eb, file_el = downloads.shown(
        views.to_display(run.bicubic), views.to_display(run.result), views.enlarge_for_display(run.lowres),
        err_b, err_l)
    return ((file_b, file_r), gr.Image(file_low, label=f"Low-resolution input ({lw}x{lh})"),
            gr.Image(file_eb, label="Bicubic error"), gr.Image(file_el, label="LIIF error"),
            reports.report_html(run.report, fetch_note(), reference_first=True), reports.report_json(run.report),
            info)


def build(common: list, examples: list[str]) -> None:
    """The tab's layout and wiring (inside ``gr.Tabs``); ``common`` are the model panel's three inputs."""
    info = tab("reference")
    with gr.Tab(info.label, id=info.id):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                file, preview, about_line = input_panel("A sharp image", "reference")
                factor = gr.Slider(2, 8, value=4, step=0.5, label="Downscale factor")
                button = gr.Button("Downscale, upscale and score", variant="primary", elem_id="reference-button")
                error = message_box("reference")
                example_shelf(file, "reference", examples, "Examples (native-resolution crops)")
            with gr.Column(scale=2, min_width=300):
                results = Results("reference", info.summary)
                with results.group():
                    summary = gr.Markdown(label="Summary", elem_id="reference-info")
                    slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right)", format="png", type="pil",
                                            max_height=560, elem_id="reference-slider")
                    with gr.Row():
                        lowres = gr.Image(label="The low-resolution input", format="png", type="pil",
                                          interactive=False, elem_classes="studio-small", min_width=160)
                        err_b = gr.Image(label="Bicubic error", format="png", type="pil", interactive=False,
                                         min_width=160, elem_id="reference-map-bicubic")
                        err_l = gr.Image(label="LIIF error", format="png", type="pil", interactive=False,
                                         min_width=160, elem_id="reference-map")
        with results.group():
            html = gr.HTML(label="Quality report", elem_id="reference-report")
            with gr.Accordion("The scores as data (JSON)", open=False):
                data = gr.JSON(label="Quality report (data)")
        outputs = [slider, lowres, err_b, err_l, html, data, summary]
        on_new_file(file, [*outputs, error], results, lambda p: inspect_input(p, "reference"), [file],
                    [preview, about_line, button])
        wire(button, with_reference, [file, factor, *common], outputs, error, "with_reference", results=results)
