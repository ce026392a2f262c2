"""The How tab: the page shows docs/how-it-works.md, the same text the documentation links to."""
from __future__ import annotations

import re
from pathlib import Path

import gradio as gr

from studio.tabs import tab


def page_text(path: Path) -> str:
    """The Markdown without its H1 title (the tab names it) and its first paragraph (which says where it shows)."""
    if not path.is_file():  # an install without the docs: say where the text lives instead of failing
        return "The text of this tab is `docs/how-it-works.md` in the project's repository."
    text = path.read_text(encoding="utf-8")
    return re.sub(r"\A# [^\n]*\n+(?:[^#\n][^\n]*\n)*\n*", "", text)


def build(path: Path) -> None:
    """The tab (inside ``gr.Tabs``), reading ``path``."""
    info = tab("how")
    with gr.Tab(info.label, id=info.id):
        gr.Markdown(page_text(path), elem_id="how-it-works")
