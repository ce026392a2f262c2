"""The Compare models tab: one region at one scale by bicubic and each model, side by side (/compare_models)."""
from __future__ import annotations

import gradio as gr

import liif
from studio import compare, models, zerogpu
from studio.tabs import tab
from studio.tabs.common import (
    BICUBIC,
    PRIVATE,
    SETTINGS,
    Results,
    friendly,
    message_box,
    open_upload,
    shown_gallery,
    upscaler,
    wire,
)
from studio.tabs.inputs import example_shelf, input_panel, inspect_for_region, on_new_file, pick_point, region_controls


@friendly
@zerogpu.gpu_task
def compare_models(image_path: str | None, chosen: list[str], checkpoint_path: str, scale: float, region_x: float,
                   region_y: float, region: float, precision: str,
                   progress: gr.Progress = gr.Progress()) -> tuple:  # noqa: B008 (gradio injects it)
    """One region at one scale by bicubic, each chosen model and the checkpoint path, side by side."""
    upload = open_upload(image_path)
    entries: list[tuple[str, liif.Upscaler | None]] = []
    picks = [c for c in (chosen or []) if c != BICUBIC] + ([""] if checkpoint_path and checkpoint_path.strip() else [])
    if BICUBIC in (chosen or []):
        entries.append((BICUBIC, None))
    for choice in picks:
        up, name = upscaler(choice or None, checkpoint_path if not choice else "", precision, progress)
        entries.append((name, up))
    if len(entries) < 2:
        raise gr.Error("Tick at least two of the methods (bicubic and the models), or give a checkpoint path.")
    area = compare.region_of(upload.image, region_x, region_y, int(region))
    progress(0.2, desc=f"Rendering the region at x{scale:g} with {len(entries)} methods")
    gallery, table = compare.compare_models(entries, upload.image, float(scale), area)
    return shown_gallery(gallery), table


def build(checkpoint_path: gr.Textbox, precision: gr.Radio, examples: list[str]) -> gr.CheckboxGroup:
    """The tab's layout and wiring (inside ``gr.Tabs``); returns the methods, which refreshing the models updates."""
    info = tab("models")
    methods = models.model_choices(SETTINGS.models_dir)
    with gr.Tab(info.label, id=info.id):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                file, preview, about_line = input_panel("Image file", "models")
                chosen = gr.CheckboxGroup([BICUBIC, *methods], value=[BICUBIC, *methods],
                                          label="Methods (a checkpoint path in the model panel is added too)",
                                          elem_id="models-methods")
                scale = gr.Slider(2, 12, value=4, step=0.5, label="Scale factor")
                button = gr.Button("Compare models", variant="primary", elem_id="models-button")
                error = message_box("models")
                with gr.Accordion("More settings: the region", open=False, elem_id="models-settings"):
                    region, x, y = region_controls()
                example_shelf(file, "models", examples)
            with gr.Column(scale=2, min_width=300):
                results = Results("models", info.summary)
                with results.group():
                    gallery = gr.Gallery(label="Each method on the region (time in the caption)", format="png",
                                         columns=3, object_fit="contain", height="fit-content",
                                         elem_id="models-gallery", elem_classes="studio-captioned")
        with results.group():
            table = gr.Dataframe(headers=compare.MODEL_COLUMNS, label="Cues on the region (gains are multiples "
                                 "of bicubic's)", interactive=False, elem_id="models-table",
                                 # a phone shows the method beside each column it scrolls to, names whole
                                 pinned_columns=1, wrap=True)
        on_new_file(file, [gallery, table, error], results, lambda p, side: inspect_for_region(p, side, "models"),
                    [file, region], [preview, about_line, button, x, y])
        preview.select(pick_point, [preview], [x, y], **PRIVATE)
        wire(button, compare_models, [file, chosen, checkpoint_path, scale, x, y, region, precision],
             [gallery, table], error, "compare_models", results=results)
    return chosen
