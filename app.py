"""liif-studio: the Gradio demo (local: ``python app.py``; Hugging Face Spaces: ``app_file: app.py``).

The page's assembly and launch only. Each tab's layout and wiring lives in its own module under
``studio/tabs/`` (``upscale``, ``compare_scales``, ``compare_models``, ``reference``, ``zoom``, ``how``), beside
the studio code it calls; what the tabs share (the model panel, the two doors of a handler, the input panel)
is in ``studio/tabs/panel.py``, ``common.py`` and ``inputs.py``. The work is done by libraries that never
import gradio: ``liif`` (models, upscaling), ``iqa`` (the quality report) and ``studio`` (the demo's
computations). On GPU Space hardware (ZeroGPU included) the heavy handlers run under ``spaces.GPU``
(``studio.zerogpu``); ``liif space export DIR`` writes the Space.

Environment variables:
  LIIF_MODELS_DIR              folder scanned for extra checkpoints (.pth / .safetensors); default ./models
  LIIF_MAX_OUTPUT_MEGAPIXELS   largest output the app renders (default 4; 2 on a Space)
  LIIF_MAX_INPUT_MEGAPIXELS    largest input the app accepts (default 1)
  LIIF_MAX_UPLOAD_MB           largest upload in megabytes (default 20)
  LIIF_ALLOW_CHECKPOINT_PATHS  1/0: show the "checkpoint path" box (default 1, 0 on a Space)
  LIIF_PREFETCH                "all", "none" or comma-separated iqa metric keys whose weights to download in
                               the background at start-up (default: all on a Space, none elsewhere)
  GRADIO_SERVER_NAME / GRADIO_SERVER_PORT   where ``python app.py`` serves (read by gradio)
  NUMBA_CACHE_DIR              where numba keeps the compiled render kernel (default: the user's cache)
"""
from __future__ import annotations

import os
import sys
from pathlib import Path


def _caches_in_the_user_cache() -> None:
    """numba's compiled kernel and Python's bytecode go to the user's cache, not beside the code: running the
    app leaves its folder as it was (an exported Space folder is uploaded as it stands)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "liif-studio"
    os.environ.setdefault("NUMBA_CACHE_DIR", str(cache / "numba"))  # read once, when numba is imported
    if sys.pycache_prefix is None:  # PYTHONPYCACHEPREFIX or -X pycache_prefix win
        sys.pycache_prefix = str(cache / "pycache")


_caches_in_the_user_cache()  # before the imports below load numba and compile our modules

import logging  # noqa: E402
import threading  # noqa: E402

import gradio as gr  # noqa: E402

import iqa  # noqa: E402
import liif  # noqa: E402
from studio import downloads, models, prefetch, reports, settings  # noqa: E402
from studio.tabs import (  # noqa: E402
    common,
    compare_models,
    compare_scales,
    how,
    inputs,
    panel,
    reference,
    upscale,
    zoom,
)

ROOT = Path(__file__).resolve().parent
EXAMPLES_DIR = ROOT / "examples"
HOW_IT_WORKS = ROOT / "docs" / "how-it-works.md"
SETTINGS = common.SETTINGS

INTRO = """# liif-studio
Enlarge a photo to any size with **LIIF** or its fast descendant **LM-LIIF**, beside bicubic at the same size,
and read honest quality scores. Runs on a CPU with the bundled weights."""

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
.studio-verdict-box:has(p) { padding: 8px 12px; border-radius: 6px; background: var(--color-accent-soft); }
.studio-verdict-box:not(:has(p)) { display: none !important; }  /* no verdict (report off): no empty bar */
.studio-hint { color: var(--body-text-color-subdued); }
/* a phone: the six short tab labels on one row */
@media (max-width: 480px) { #tabs [role="tab"] { padding-left: 6px !important; padding-right: 6px !important; } }
/* a phone: the tables' pinned name column narrow enough to leave room for the columns scrolled beside it */
@media (max-width: 480px) {
  #models-table th:first-child, #models-table td:first-child,
  #compare-table th:nth-child(2), #compare-table td:nth-child(2) {
    width: 120px !important; min-width: 120px !important; max-width: 120px !important; }
}
"""


def list_models_api() -> list[str]:
    """The model choices the other endpoints accept."""
    return models.dropdown_choices(SETTINGS.models_dir)


def quality_models_api() -> str:
    """The /quality_models endpoint: the download's progress, or which scores this server can compute."""
    if common.PREFETCH is not None:
        return common.PREFETCH.summary()
    ready = [key for key, ok, _ in iqa.available_metrics() if ok]
    return (f"{len(ready)} of {len(iqa.list_metrics())} scores can be computed here; no weights are being "
            f"downloaded (LIIF_PREFETCH=none). Ready: {', '.join(ready)}.")


def build_demo(default_model: str | None = None) -> gr.Blocks:
    """The Blocks app (not launched). ``default_model`` preselects a dropdown choice (tests use it)."""
    lowres = inputs.examples_in(EXAMPLES_DIR)
    sharp = inputs.examples_in(EXAMPLES_DIR / "reference")
    with gr.Blocks(title="liif-studio: arbitrary-scale super-resolution",
                   delete_cache=(1800, downloads.MAX_AGE_S)) as demo:
        gr.Markdown(INTRO, elem_id="intro")
        models_panel = panel.build(default_model)
        common_inputs = models_panel.common
        with gr.Tabs(elem_id="tabs", overflow_behavior="wrap"):  # every tab in view on a phone, none in a menu
            upscale.build(common_inputs, lowres)
            compare_scales.build(common_inputs, lowres)
            methods = compare_models.build(models_panel.checkpoint_path, models_panel.precision, lowres)
            reference.build(common_inputs, sharp)
            zoom.build(common_inputs, lowres)
            how.build(HOW_IT_WORKS)
        models_panel.refresh.click(panel.refresh_models, [models_panel.model],
                                   [models_panel.model, methods, models_panel.status], **common.PRIVATE)
        demo.load(panel.quality_models_status, None, [models_panel.fetch_status], **common.PRIVATE)
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
    logging.basicConfig(level=logging.INFO)
    common.PREFETCH = prefetch.start(SETTINGS.prefetch)
    if settings.DEFAULT_MODEL in liif.list_models():  # the preselected model, ready for the first visitor
        models.start_warm_up(settings.DEFAULT_MODEL, settings.precision_choices()[0], SETTINGS.max_output_mp)
    threading.Thread(target=reports.warm_up, name="report-warm-up", daemon=True).start()  # imports, metrics
    build_demo().launch(**LAUNCH_OPTIONS)  # host/port: GRADIO_SERVER_NAME / GRADIO_SERVER_PORT


if __name__ == "__main__":
    main()
