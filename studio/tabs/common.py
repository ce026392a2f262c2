"""What every tab shares: the server's settings, the model panel's choice, and the two doors of a handler.

Each heavy handler has two doors (``wire``): the page's click, where a refusal is one sentence under the
button, and the named API endpoint, where it raises for the gradio_client caller. Every heavy event shares
one queue slot (``HEAVY``) so a 2-core Space serves one computation at a time and queues the rest.
"""
from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

import iqa
import liif
from studio import bigphoto, downloads, models, prefetch, settings, uploads
from studio.reports import too_small

log = logging.getLogger("liif_studio.app")

SETTINGS = settings.from_env()
# Phone photos: Zoom anywhere and Upscale take them up to LIIF_MAX_ZOOM_MEGAPIXELS (studio.bigphoto).
LIMITS = bigphoto.limits_from(SETTINGS.max_input_mp, SETTINGS.max_output_mp)
BICUBIC = "bicubic"
# Every heavy event shares one queue slot: a 2-core Space serves one computation at a time.
HEAVY = {"concurrency_limit": 1, "concurrency_id": "compute"}
# Page-only events: no API endpoint, no queue (they are instant).
PRIVATE = {"api_visibility": "private", "queue": False}
# The background download of quality models started by ``app.main`` (None: none running).
PREFETCH: prefetch.Prefetch | None = None


def sentence(fn: Callable, exc: Exception) -> str:
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


def friendly(fn: Callable) -> Callable:
    """Errors become one sentence for the API caller (gr.Error), before or after a generator's first yield."""
    if _is_generator(fn):
        @functools.wraps(fn)
        def stream(*args: Any, **kwargs: Any) -> Iterator:
            try:
                yield from fn(*args, **kwargs)
            except Exception as exc:
                raise gr.Error(sentence(fn, exc), print_exception=False) from None
        return stream

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            raise gr.Error(sentence(fn, exc), print_exception=False) from None
    return wrapper


def on_page(fn: Callable, outputs: int, after_partial: dict[int, Any] | None = None, shown: tuple = ()) -> Callable:
    """The page's event for a ``friendly`` handler: its outputs, the tab's message box, then ``shown``.

    A refusal becomes the sentence in the message box, which stays until the next click; the outputs keep what
    they showed (no red "Error" on them), except ``after_partial``'s (output index -> value) once the handler
    had already shown a first result (a report placeholder must not stay). ``shown`` (updates that show the
    result boxes) goes with every result and not with a refusal: a refused click opens no empty box.
    """
    unchanged = (gr.skip(),) * len(shown)

    @functools.wraps(fn)
    def page(*args: Any, **kwargs: Any) -> Iterator:
        started = False
        try:
            if _is_generator(fn):
                for values in fn(*args, **kwargs):
                    started = True
                    yield (*values, "", *shown)
            else:
                yield (*fn(*args, **kwargs), "", *shown)
        except gr.Error as exc:
            kept = [gr.skip()] * outputs
            for index, value in (after_partial or {}).items() if started else ():
                kept[index] = value
            yield (*kept, exc.message, *unchanged)
    return page


def wire(button: gr.Button, fn: Callable, inputs: list, outputs: list, message: gr.Markdown, api_name: str,
         page_inputs: list | None = None, after_partial: dict[int, Any] | None = None,
         progress_on: list | None = None, results: Results | None = None) -> Callable:
    """A handler's two doors: the page's click (a refusal lands in ``message``; ``page_inputs`` added; progress
    shown over ``progress_on``, default all outputs; ``results``' boxes shown with the first result) and the
    named API endpoint (a refusal raises, so a gradio_client caller gets the sentence). Returns the page's event,
    whose outputs are ``page_outputs(outputs, message, results)``."""
    page = on_page(fn, len(outputs), after_partial, results.shown(True) if results else ())
    button.click(page, [*inputs, *(page_inputs or [])], page_outputs(outputs, message, results),
                 api_name=f"{api_name}_on_page",
                 api_visibility="private", show_progress_on=progress_on,
                 **HEAVY)  # named: it would take the endpoint's name otherwise
    gr.Button(visible=False).click(fn, inputs, outputs, api_name=api_name, **HEAVY)
    return page


def page_outputs(outputs: list, message: gr.Markdown, results: Results | None = None) -> list:
    """The outputs of a page's event made by ``wire``: the handler's, the message box, the result boxes."""
    return [*outputs, message, *(results.targets if results else [])]


def message_box(prefix: str) -> gr.Markdown:
    """Under a tab's button: why its last click was refused (one sentence), until the next click or file."""
    return gr.Markdown(elem_id=f"{prefix}-error", elem_classes="studio-error")


class Results:
    """A tab's result boxes, hidden behind a one-line hint until there is a result: no empty boxes before one."""

    def __init__(self, tab_id: str, hint: str) -> None:
        self.hint = gr.Markdown(hint, elem_id=f"{tab_id}-hint", elem_classes="studio-hint")
        self.groups: list[Any] = []

    def group(self, **kwargs: Any) -> gr.Column:
        """A column of result boxes, shown with the first result."""
        column = gr.Column(visible=False, **kwargs)
        self.groups.append(column)
        return column

    def shown(self, visible: bool = True) -> tuple:
        """The updates that show the result boxes (``visible``) or the hint (not ``visible``)."""
        return (gr.update(visible=not visible), *[gr.update(visible=visible) for _ in self.groups])

    @property
    def targets(self) -> list:
        """The components ``shown`` updates."""
        return [self.hint, *self.groups]


def upscaler(choice: str | None, path: str | None, precision: str, progress: Any, backproject: int = 0,
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


def progress_reporter(progress: Any, desc: str) -> Callable[[int, int], None]:
    """The engine's ``progress(done, total)`` callback, shown by gradio's progress bar under ``desc``."""
    def update(done: int, total: int) -> None:
        progress((done, total), desc=desc)
    return update


def shown_gallery(gallery: list[tuple[Any, str]]) -> list[tuple[str, str]]:
    """A gallery's images as files (see ``downloads.shown``), captions kept."""
    files = downloads.shown(*(image for image, _ in gallery))
    return [(file, caption) for file, (_, caption) in zip(files, gallery, strict=True)]


def open_upload(path: str | None, what: str = "an image", max_megapixels: float | None = None) -> uploads.Upload:
    """The decoded upload, or one sentence (``uploads.UploadError``) on why it cannot be used.

    ``max_megapixels``: the tab's own limit (the phone-photo tabs pass ``LIMITS.zoom_input_mp``; their decode
    is kept for the next click); default the demo's input limit.
    """
    if max_megapixels is None:
        upload = uploads.open_upload(path, SETTINGS.max_input_mp, what)
    else:
        upload = bigphoto.open_photo(path, max_megapixels, what)
    message = too_small(upload.name, upload.size)
    if message:
        raise uploads.UploadError(message)
    return upload


def notes(upload: uploads.Upload) -> str:
    """What the loader did to the upload (alpha, 16-bit, EXIF rotation...), as a sentence to append."""
    return f" Note: {'; '.join(upload.notes)}." if upload.notes else ""


def fetch_note() -> str:
    """The report's line on the background download of quality models ('' when none runs)."""
    return prefetch.report_note(PREFETCH)
