"""The Compare scales tab: one region at several factors, and LIIF's gain over bicubic against the scale (the
/compare_scales and /plot_cue endpoints)."""
from __future__ import annotations

from typing import Any

import gradio as gr

from studio import compare, zerogpu
from studio.tabs import tab
from studio.tabs.common import PRIVATE, Results, friendly, message_box, open_upload, shown_gallery, upscaler, wire
from studio.tabs.inputs import example_shelf, input_panel, inspect_for_region, on_new_file, pick_point, region_controls

FACTORS = ["x2", "x3", "x4", "x6", "x8", "x12", "x16"]
DEFAULT_FACTORS = ["x2", "x3", "x4", "x6", "x8"]


def _factors(factors: list[str] | None) -> list[float]:
    if not factors:
        raise gr.Error("Tick at least one scale factor.")
    return sorted({float(str(f).lstrip("xX")) for f in factors})


@friendly
@zerogpu.gpu_task
def compare_scales(image_path: str | None, factors: list[str], region_x: float, region_y: float, region: float,
                   model: str, checkpoint_path: str, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """The same region at several factors (bicubic and LIIF), and LIIF's gain over bicubic against the scale."""
    upload = open_upload(image_path)
    scales = _factors(factors)
    up, model_name = upscaler(model, checkpoint_path, precision, progress, image=image_path)
    area = compare.region_of(upload.image, region_x, region_y, int(region))

    def step(i: int, n: int, s: float) -> None:
        progress((i, n), desc=f"x{s:g}: LIIF window and cues", unit="factors")

    gallery, table = compare.compare_scales(up, upload.image, scales, area, progress=step)
    cues = compare.charted_cues(table)
    first = cues[0] if cues else None
    info = (f"A {area.side}x{area.side}-pixel region around ({area.centre[0]:.0f}, {area.centre[1]:.0f}), rendered by "
            f"**{model_name}** ({precision}) and by bicubic at each factor.")
    return (shown_gallery(gallery), compare.gain_chart(table, first), table, gr.Dropdown(choices=cues, value=first),
            info)


@friendly
def plot_cue(table: Any, cue: str | None) -> Any:
    """Redraw the gain chart for another cue (no re-rendering)."""
    return compare.gain_chart(table, cue)


def build(common: list, examples: list[str]) -> None:
    """The tab's layout and wiring (inside ``gr.Tabs``); ``common`` are the model panel's three inputs."""
    info = tab("compare")
    with gr.Tab(info.label, id=info.id):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                file, preview, about_line = input_panel("Image file", "compare")
                factors = gr.CheckboxGroup(FACTORS, value=DEFAULT_FACTORS, label="Scale factors",
                                           elem_id="compare-factors")
                button = gr.Button("Compare", variant="primary", elem_id="compare-button")
                error = message_box("compare")
                with gr.Accordion("More settings: the region", open=False, elem_id="compare-settings"):
                    region, x, y = region_controls()
                example_shelf(file, "compare", examples)
            with gr.Column(scale=2, min_width=300):
                results = Results("compare", info.summary)
                with results.group():
                    summary = gr.Markdown(label="Summary", elem_id="compare-info")
                    gallery = gr.Gallery(label="The same region at each factor: bicubic (left), LIIF (right)",
                                         format="png", columns=4, object_fit="contain", height="fit-content",
                                         elem_id="compare-gallery", elem_classes="studio-captioned")
        with results.group():
            with gr.Row():
                cue = gr.Dropdown([], label="Cue to chart", scale=1, elem_id="compare-cue", allow_custom_value=True)
                plot = gr.Plot(label="LIIF's gain over bicubic against the scale", scale=3, elem_id="compare-chart")
            table = gr.Dataframe(headers=compare.SCALE_COLUMNS, label="The numbers behind the chart (cues "
                                 "measured on the region shown)", interactive=False, elem_id="compare-table",
                                 # a phone shows the scale and the cue beside each column it scrolls to
                                 pinned_columns=2, wrap=True)
        outputs = [gallery, plot, table, cue, summary]
        on_new_file(file, [*outputs, error], results, lambda p, side: inspect_for_region(p, side, "compare"),
                    [file, region], [preview, about_line, button, x, y])
        preview.select(pick_point, [preview], [x, y], **PRIVATE)
        wire(button, compare_scales, [file, factors, x, y, region, *common], outputs, error, "compare_scales",
             results=results)
        cue.input(plot_cue, [table, cue], [plot], api_name="plot_cue", queue=False)
