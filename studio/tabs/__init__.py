"""The demo's tabs: each tab's layout and wiring (``studio.tabs.upscale`` ...), beside the studio code it calls.

The only gradio in the packages lives here (``tests/test_layering.py``). This ``__init__`` itself imports no
gradio: ``TABS`` says what each tab is for, for the page and for the Space's card (``studio.space``).
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tab:
    """One tab: its id, its label on the tab bar, its full name in the docs and one sentence on what it is for."""

    id: str
    label: str  # short: the six labels fit a 390-pixel phone's tab bar, none hidden behind a menu
    name: str
    summary: str


TABS = (
    Tab("upscale", "Upscale", "Upscale",
        "Enlarge a photo to any scale or exact size with LIIF, beside bicubic at the same size, with a quality "
        "report (a verdict, cues against bicubic, pictures of the detail added and the tone kept) and a lossless "
        "PNG download."),
    Tab("compare", "Scales", "Compare scales",
        "The same region at several factors (x2 to x16), bicubic and LIIF side by side, and a chart of LIIF's "
        "gain over bicubic against the scale."),
    Tab("models", "Models", "Compare models",
        "One region at one scale by bicubic and each model (and a checkpoint of your own), with the time each "
        "took and the cues of each."),
    Tab("reference", "Reference", "With a reference",
        "Start from a sharp image: it is shrunk, enlarged back by LIIF and bicubic, and scored against the "
        "original (PSNR, SSIM) with maps of where the errors are."),
    Tab("zoom", "Zoom", "Zoom anywhere",
        "Click a point of a photo to see it magnified up to x30: only that window of the huge output is rendered."),
    Tab("how", "How", "How it works",
        "What the models do, why detail and tone survive, where they do not, and the papers and tools behind it."),
)


def tab(tab_id: str) -> Tab:
    """The tab with this id."""
    return next(t for t in TABS if t.id == tab_id)
