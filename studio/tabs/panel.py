"""The model panel: which model and precision every tab uses, folded into an accordion that names the choice."""
from __future__ import annotations

from dataclasses import dataclass

import gradio as gr

from studio import models, settings
from studio.tabs import common
from studio.tabs.common import BICUBIC, PRIVATE, SETTINGS


@dataclass
class Panel:
    """The panel's inputs, which every heavy handler takes (``common``), and what refreshing the models updates."""

    model: gr.Dropdown
    checkpoint_path: gr.Textbox
    precision: gr.Radio
    accordion: gr.Accordion
    status: gr.Markdown
    fetch_status: gr.Markdown
    refresh: gr.Button

    @property
    def common(self) -> list:
        """The three inputs the heavy handlers take after their own: model, checkpoint path, precision."""
        return [self.model, self.checkpoint_path, self.precision]


def title(model: str | None, precision: str | None, path: str | None = "") -> str:
    """The accordion's title: the current choice, so that the folded panel still says what renders."""
    name = "a checkpoint path" if path and path.strip() else (model or "none installed")
    name = name.removesuffix(models.BUNDLED_SUFFIX)
    return f"Model: {name} · {precision}"


def precision_info() -> str:
    """One line under the precision choice: what was measured here, and what the self-ensemble costs."""
    return f"{settings.precision_hint()}; self-ensemble: sharper, 8x the time"


def quality_models_status() -> str:
    """What the background download of quality models has done so far ('' when none runs)."""
    return common.PREFETCH.summary() if common.PREFETCH is not None else ""


def build(default_model: str | None = None) -> Panel:
    """The folded model panel (open when no model is installed: the visitor must act first)."""
    choices = models.dropdown_choices(SETTINGS.models_dir)
    chosen = default_model if default_model in choices else models.default_choice(choices)
    precisions = settings.precision_choices()
    with gr.Accordion(title(chosen, precisions[0]), open=chosen is None, elem_id="model-panel") as accordion:
        with gr.Row(equal_height=False):
            # min_width: on a phone the dropdown gets a whole row, so a model's name is not cut under the caret
            model = gr.Dropdown(choices, value=chosen, label="Model", scale=2, min_width=320, elem_id="model",
                                info="auto: the model for compressed or noisy photos when the input is one")
            checkpoint_path = gr.Textbox("", label="...or a checkpoint path (.pth / .safetensors)", scale=2,
                                         min_width=260, placeholder="/path/to/edsr-baseline-liif.pth",
                                         visible=SETTINGS.allow_paths)
            precision = gr.Radio(precisions, value=precisions[0], label="Precision", scale=3, min_width=320,
                                 elem_id="precision", info=precision_info())
        with gr.Row(equal_height=True):
            status = gr.Markdown(models.status_line(SETTINGS.models_dir, SETTINGS.allow_paths),
                                 elem_id="models-status")
            refresh = gr.Button("Refresh models", scale=0, size="sm", min_width=120)
        fetch_status = gr.Markdown(quality_models_status(), elem_id="quality-models-status")
    panel = Panel(model, checkpoint_path, precision, accordion, status, fetch_status, refresh)
    for field in panel.common:
        field.change(lambda m, p, c: gr.Accordion(label=title(m, c, p)), panel.common, [accordion], **PRIVATE)
    timer = gr.Timer(2.0, active=common.PREFETCH is not None and not common.PREFETCH.finished)
    timer.tick(_status_tick, None, [fetch_status, timer], **PRIVATE)
    return panel


def _status_tick() -> tuple:
    running = common.PREFETCH is not None and not common.PREFETCH.finished
    return quality_models_status(), gr.Timer(active=running)


def refresh_models(current: str | None) -> tuple:
    """Re-scan the models folder: the dropdown, the methods of Compare models and the status line."""
    choices, methods = models.dropdown_choices(SETTINGS.models_dir), models.model_choices(SETTINGS.models_dir)
    value = current if current in choices else models.default_choice(choices)
    return (gr.Dropdown(choices=choices, value=value), gr.CheckboxGroup(choices=[BICUBIC, *methods]),
            models.status_line(SETTINGS.models_dir, SETTINGS.allow_paths))
