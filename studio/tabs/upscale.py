"""The Upscale tab: one image to any scale or size, beside bicubic, then its quality report (the /upscale and
/crop endpoints)."""
from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import gradio as gr

import iqa
import liif
from liif.sizes import stretch_note
from studio import bigphoto, downloads, reports, settings, uploads, views, zerogpu
from studio.tabs import tab
from studio.tabs.common import (
    LIMITS,
    PRIVATE,
    SETTINGS,
    Results,
    fetch_note,
    friendly,
    message_box,
    notes,
    open_upload,
    progress_reporter,
    shown_gallery,
    upscaler,
    wire,
)
from studio.tabs.inputs import about, example_shelf, input_panel, on_new_file, pick_point, preview_update

SCALE_MODE, SIZE_MODE = "Scale factor", "Exact output size"
REGION, COPY = "A region at the chosen scale", "A downscaled copy"  # what is rendered of a photo over the limit
REPORT_PENDING = "Computing the quality report..."
# One report at a time, started while the picture is being sent (heavy events already run one at a time).
REPORTS = ThreadPoolExecutor(1, thread_name_prefix="report")


def _timed_report(output: Any, lowres: Any, condition: liif.InputReport, bicubic: Any) -> tuple[iqa.Report, float]:
    """``iqa.assess`` of the shown output against the shown input, and the seconds it took."""
    started = time.perf_counter()
    return iqa.assess(output, lowres, input_condition=condition, bicubic=bicubic), time.perf_counter() - started


@friendly
@zerogpu.gpu_task
def upscale(image_path: str | None, mode: str, scale: float, width: float | None, height: float | None,
            model: str, checkpoint_path: str, precision: str, with_report: bool, crop_x: float, crop_y: float,
            back_projected: bool = False, stretch: bool = False, over_limit: str = REGION, crop_chosen: bool = True,
            progress: gr.Progress = gr.Progress()) -> Iterator[tuple]:  # noqa: B008 (gradio injects it)
    """Upscale one image: the picture first (slider, crops, PNG, summary), then the quality report and its pictures.

    The exact size fits inside width x height, shape kept, unless ``stretch``. A photo over the tab's input limit
    becomes ``over_limit``: a region around (``crop_x``, ``crop_y``) at the scale, or a downscaled copy.
    ``crop_chosen`` False (the page, before the visitor picks a point): the crops show where the model adds most
    detail over bicubic, and the crop sliders move there.
    """
    upload = open_upload(image_path, max_megapixels=LIMITS.zoom_input_mp)
    image, (w, h) = upload.image, upload.size
    box = (int(width) if width and width >= 1 else None, int(height) if height and height >= 1 else None)
    if mode == SIZE_MODE and box == (None, None):
        raise gr.Error("Give the output width, the height or both in pixels (at least 1).")
    fitted = None
    if w * h > LIMITS.upscale_input_mp * 1e6:  # a phone photo: never refused, a part or a smaller copy rendered
        if mode == SIZE_MODE:  # the size is asked, so a copy within the input limit
            fitted = bigphoto.downscaled(image, 1.0, LIMITS)
        elif over_limit == COPY:
            fitted = bigphoto.downscaled(image, float(scale), LIMITS)
        else:
            fitted = bigphoto.region(image, (crop_x, crop_y), float(scale), LIMITS)
        image, (w, h) = fitted.image, bigphoto.image_size(fitted.image)
    target = {"size": liif.fit_size(w, h, *box, stretch=stretch)} if mode == SIZE_MODE else {"scale": float(scale)}
    out_size = liif.output_size((w, h), **target)
    message = settings.output_limit_message((w, h), out_size, SETTINGS.max_output_mp)
    if message:
        raise gr.Error(message)
    passes = settings.BACKPROJECT_PASSES if back_projected else 0
    # From the file's header (its JPEG tables) and the pixels decoded above; auto's choice and the report share it.
    condition = liif.inspect(image_path, pixels=image)
    up, model_name = upscaler(model, checkpoint_path, precision, progress, passes, image=condition)
    started = time.perf_counter()
    result = up.upscale(image, progress=progress_reporter(progress, "LIIF: rendering the output"), **target)
    seconds = time.perf_counter() - started
    ow, oh = out_size
    stretched = stretch_note((w, h), out_size) if mode == SIZE_MODE else None
    progress(0.9, desc="Bicubic baseline")
    shown_b, shown_r = views.to_display(liif.bicubic(image, size=out_size)), views.to_display(result)
    region = fitted.box if fitted is not None else None
    asked = (crop_x, crop_y)  # a region's centre, in the photo's fractions: the sliders keep it for the next click
    if not crop_chosen:
        crop_x, crop_y = views.detail_point(shown_b, shown_r, views.crop_side(out_size))
    elif region is not None:  # the point clicked on the photo, inside the region rendered
        x0, y0, x1, y1 = region
        full_w, full_h = upload.size
        crop_x = min(max((crop_x * full_w - x0) / (x1 - x0), 0.0), 1.0)
        crop_y = min(max((crop_y * full_h - y0) / (y1 - y0), 0.0), 1.0)
    crop_b, crop_l, zoom = views.magnified_crops(shown_b, shown_r, crop_x, crop_y)

    def info(report_seconds: float | None) -> str:
        timing = f"rendered in {seconds:.1f} s" + (
            "" if not with_report else ", report " + (f"{report_seconds:.1f} s" if report_seconds is not None
                                                     else "in progress"))
        return (f"Input **{w}x{h}** -> output **{ow}x{oh}** (x{ow / w:.2f} wide, x{oh / h:.2f} high) by "
                f"**{model_name}** ({precision}{f', back-projected x{passes}' if passes else ''}), {timing}. "
                f"{f'{fitted.sentence} ' if fitted else ''}{f'The shape changes ({stretched}). ' if stretched else ''}"
                f"Left of the slider: bicubic at the same size. The download is a lossless PNG.{notes(upload)}")

    stem = f"{downloads.safe_stem(upload.name)}_liif_{ow}x{oh}"
    if shown_r is result:  # 8-bit: the download is the very picture shown, so one encoding of it, not two
        png, (file_b, file_cb, file_cl) = downloads.download_and_shown(result, stem, shown_b, crop_b, crop_l)
        file_r = str(png)
    else:
        png, (file_b, file_r, file_cb, file_cl) = downloads.download_and_shown(result, stem, shown_b, shown_r,
                                                                               crop_b, crop_l)
    picture = ((file_b, file_r), gr.Image(file_cb, label=f"Bicubic, magnified x{zoom}"),
               gr.Image(file_cl, label=f"LIIF, magnified x{zoom}"), str(png))
    point, state = asked if region is not None else (crop_x, crop_y), (shown_b, shown_r)
    if not with_report:
        yield (*picture, "", None, info(None), "", None, *point, state)
        return
    # The picture first: a visitor looks at it while the report is computed. The report starts now, in the
    # background, so that it runs while gradio hands the picture's files to the page.
    lowres = views.to_display(image)
    pending = REPORTS.submit(_timed_report, shown_r, lowres, condition, shown_b)
    yield (*picture, f'<p class="studio-pending">{REPORT_PENDING}</p>', None, info(None), REPORT_PENDING, None,
           *point, state)
    progress(0.95, desc="Quality report")
    report, report_seconds = pending.result()
    report.meta["model"] = model_name  # which model rendered it (and, for auto, why)
    verdict = reports.verdict(report)
    scored = (reports.report_html(report, fetch_note()), reports.report_json(report), info(report_seconds),
              f"**Verdict:** {verdict}" if verdict else "")
    done = (*picture, *scored)
    # The report alone: the picture is on the page already (re-sending its files would delay the report), and
    # the pictures of a large output take as long as the report itself, so the verdict does not wait for them.
    kept = gr.skip()
    yield (*[kept] * len(picture), *scored, None, kept, kept, kept)
    progress(0.98, desc="Pictures: detail and tone")
    yield (*done, shown_gallery(reports.pictures(shown_r, lowres)), *point, state)


def recrop(pair: tuple | None, crop_x: float, crop_y: float) -> tuple:
    """Re-cut the magnified crops of the last result at another point (nothing to do before the first one)."""
    if not pair:
        return gr.skip(), gr.skip()
    crop_b, crop_l, zoom = views.magnified_crops(pair[0], pair[1], crop_x, crop_y)
    file_b, file_l = downloads.shown(crop_b, crop_l)
    return gr.Image(file_b, label=f"Bicubic, magnified x{zoom}"), gr.Image(file_l, label=f"LIIF, magnified x{zoom}")


@friendly
def crop_api(pair: tuple | None, crop_x: float, crop_y: float) -> tuple:
    """The /crop endpoint: like ``recrop``, but says so when there is no result yet."""
    if not pair:
        raise gr.Error("Upscale an image first; then pick the region to magnify.")
    return recrop(pair, crop_x, crop_y)


def inspect_for_upscale(path: str | None, scale: float | None) -> tuple:
    """On a new file: its preview and line, the button, the scale slider capped at the largest scale and an
    exact size of the same shape."""
    if not path:
        return preview_update(None), "", gr.Button(interactive=True), gr.skip(), gr.skip(), gr.skip()
    upload, preview, line = about(path, "upscale")
    if upload is None:
        return preview_update(None), line, gr.Button(interactive=False), gr.skip(), gr.skip(), gr.skip()
    w, h = upload.size
    # The scale stays as the visitor set it (never silently lowered): scale_note says when it is beyond the limit.
    s = float(scale or 4)
    if w * h > LIMITS.upscale_input_mp * 1e6:  # a phone photo: the exact size starts at the limit's own size
        w, h = bigphoto.fitting_size((w, h), s, LIMITS)
    return (preview_update(preview), line, gr.Button(interactive=True), gr.skip(),
            gr.Number(value=round(w * s)), gr.Number(value=round(h * s)))


def scale_note(path: str | None, scale: float | None) -> str:
    """Under the button, as the scale changes: a sentence when it is beyond the output limit ('' when it fits)."""
    if not path or not scale:
        return ""
    try:
        upload = open_upload(path, max_megapixels=LIMITS.zoom_input_mp)
    except liif.LiifError:
        return ""  # the line about the file says why already
    w, h = upload.size
    if w * h > LIMITS.upscale_input_mp * 1e6:  # a region or a copy is rendered at any scale
        return ""
    return bigphoto.scale_limit((w, h), float(scale), LIMITS) or ""


def build(common: list, examples: list[str]) -> None:
    """The tab's layout and wiring (inside ``gr.Tabs``); ``common`` are the model panel's three inputs."""
    info = tab("upscale")
    with gr.Tab(info.label, id=info.id):
        with gr.Row():
            with gr.Column(scale=1, min_width=300):
                file, preview, about_line = input_panel("Image file", "upscale")
                scale = gr.Slider(1, 8, value=4, step=0.1, label="Scale factor", elem_id="upscale-scale")
                button = gr.Button("Upscale", variant="primary", elem_id="upscale-button")
                error = message_box("upscale")
                with gr.Accordion("More settings: exact size, magnified region, report", open=False,
                                  elem_id="upscale-settings"):
                    mode = gr.Radio([SCALE_MODE, SIZE_MODE], value=SCALE_MODE, label="Output size")
                    with gr.Row(visible=False) as size_row:
                        width = gr.Number(value=640, precision=0, minimum=1, label="Width (px)")
                        height = gr.Number(value=480, precision=0, minimum=1, label="Height (px)")
                        stretch = gr.Checkbox(value=False, label="Stretch to exactly this size",
                                              info="Otherwise the output fits inside it, shape kept",
                                              elem_id="upscale-stretch")
                    over_limit = gr.Radio(
                        [REGION, COPY], value=REGION, elem_id="upscale-over-limit",
                        label=f"A photo over {uploads.megapixels(LIMITS.upscale_input_mp)}",
                        info="a region around the point you click, or the whole photo made smaller first")
                    with gr.Row():
                        crop_x = gr.Slider(0, 1, value=0.5, step=0.01, label="Magnified region: x", elem_id="crop-x")
                        crop_y = gr.Slider(0, 1, value=0.5, step=0.01, label="Magnified region: y", elem_id="crop-y")
                    with_report = gr.Checkbox(value=True, label="Compute the quality report")
                    backproject = gr.Checkbox(
                        value=False, label="Consistency: back-project the result onto the input",
                        elem_id="upscale-backproject",
                        info=f"{settings.BACKPROJECT_PASSES} passes so that the result, shrunk back, matches "
                             "the input; +0.1 dB on bicubic-shrunk benchmarks, can sharpen a photo's own blur "
                             "or JPEG noise")
                example_shelf(file, "upscale", examples, "Examples (public domain / CC0)")
            with gr.Column(scale=2, min_width=300):
                results = Results("upscale", info.summary)
                with results.group():
                    summary = gr.Markdown(label="Summary", elem_id="upscale-info")
                    verdict = gr.Markdown(label="Verdict", elem_id="upscale-verdict",
                                          elem_classes="studio-verdict-box")
                    slider = gr.ImageSlider(label="Bicubic (left) vs LIIF (right), same size", format="png",
                                            type="pil", elem_id="upscale-slider", max_height=520)
                    with gr.Row(elem_id="upscale-crops"):
                        crop_b = gr.Image(label="Bicubic, magnified", format="png", type="pil", interactive=False,
                                          elem_id="upscale-crop-bicubic", min_width=160)
                        crop_l = gr.Image(label="LIIF, magnified", format="png", type="pil", interactive=False,
                                          elem_id="upscale-crop", min_width=160)
                    png = gr.File(label="Lossless PNG (full resolution)", elem_id="upscale-png")
        with results.group():
            html = gr.HTML(label="Quality report", elem_id="upscale-report")
            with gr.Accordion("Pictures: detail and tone", open=True, elem_id="upscale-pictures"):
                plots = gr.Gallery(label="What the model added, and whether the tone held (the captions say "
                                   "what to look for)", format="png", columns=3, object_fit="contain",
                                   height="auto", elem_id="upscale-plots", elem_classes="studio-captioned")
            with gr.Accordion("The scores as data (JSON)", open=False):
                data = gr.JSON(label="Quality report (data)", elem_id="upscale-json")
        state = gr.State()
        chosen = gr.State(False)  # has the visitor picked the magnified region (click or crop sliders)?

        outputs = [slider, crop_b, crop_l, png, html, data, summary, verdict, plots, crop_x, crop_y, state]
        cleared = [slider, crop_b, crop_l, png, html, data, summary, verdict, plots, state, error]
        on_new_file(file, cleared, results, inspect_for_upscale, [file, scale],
                    [preview, about_line, button, scale, width, height], reset=((chosen, False),))
        mode.change(lambda m: (gr.Slider(visible=m == SCALE_MODE), gr.Row(visible=m == SIZE_MODE)),
                    [mode], [scale, size_row], **PRIVATE)
        # a failure once the picture is shown must not leave "computing the report" behind
        scale.change(scale_note, [file, scale], [error], **PRIVATE)  # said under the button, not reset
        wire(button, upscale, [file, mode, scale, width, height, *common, with_report, crop_x, crop_y, backproject,
                               stretch, over_limit],
             outputs, error, "upscale", page_inputs=[chosen], after_partial={4: "", 7: ""},
             # over the report's boxes only: a progress overlay on every output would hide the picture
             # while the report is computed
             progress_on=[verdict, html], results=results)
        preview.select(pick_point, [preview], [crop_x, crop_y], **PRIVATE).then(
            lambda: True, None, chosen, **PRIVATE).then(recrop, [state, crop_x, crop_y], [crop_b, crop_l], **PRIVATE)
        for crop in (crop_x, crop_y):
            crop.release(lambda: True, None, chosen, **PRIVATE).then(
                recrop, [state, crop_x, crop_y], [crop_b, crop_l], **PRIVATE)
        crop_button = gr.Button(visible=False)
        crop_button.click(crop_api, [state, crop_x, crop_y], [crop_b, crop_l], api_name="crop")
