"""End-to-end tests of the demo through its named API endpoints (gradio_client), with a tiny random model."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image
from test_app_helpers import APP_CHOICE, app_module, client_for, launch_app, models_dir, tiny_checkpoint  # noqa: F401

pytest.importorskip("gradio_client")
from gradio_client import handle_file
from gradio_client.exceptions import AppError


def _smooth_image(path, w: int, h: int, mode: str = "RGB", seed: int = 0) -> str:
    """A small image with structure (gradients + a few edges) so that crops and scores differ by place."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    base = np.stack([xx / w, yy / h, 0.5 + 0.5 * np.sin(xx / 3.0) * np.cos(yy / 4.0)], axis=-1) * 255
    base[h // 3: h // 2, w // 4: w // 2] = [250, 30, 30]
    base += rng.normal(0, 4, base.shape)
    img = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8))
    if mode != "RGB":
        img = img.convert(mode)
    img.save(path)
    return str(path)


@pytest.fixture(scope="module")
def client(launch_app):  # noqa: F811
    return client_for(launch_app)


@pytest.fixture(scope="module")
def small_image(tmp_path_factory):
    return _smooth_image(tmp_path_factory.mktemp("img") / "small.png", 40, 30)


def _common(choice: str = APP_CHOICE, path: str = "", precision: str = "exact") -> dict:
    return {"model": choice, "checkpoint_path": path, "precision": precision}


def _upscale(client, image, mode="Scale factor", scale=2.5, width=64, height=20, report=True, cx=0.5, cy=0.5, **kw):
    return client.predict(handle_file(image), mode, scale, width, height, *(_common(**kw).values()), report, cx, cy,
                          api_name="/upscale")


def _open(path) -> Image.Image:
    with Image.open(path) as im:
        im.load()
        return im


# ----------------------------------------------------------------------------------------------
def test_list_models_offers_the_models_folder(client):
    choices = client.predict(api_name="/list_models")
    assert APP_CHOICE in choices
    assert choices[0] == "default (bundled)"


def test_upscale_by_scale_returns_sizes_lossless_png_and_report(client, small_image, app_module):  # noqa: F811
    slider, crop, png, table, info = _upscale(client, small_image, scale=2.5)
    bicubic, result = (_open(p) for p in slider)
    assert result.size == bicubic.size == (100, 75)
    assert "100x75" in info
    # The download is a real PNG with exactly the pixels shown in the slider (no lossy re-encoding).
    with Image.open(png) as f:
        assert f.format == "PNG"
        downloaded = np.asarray(f.convert("RGB"))
    assert downloaded.shape == (75, 100, 3)
    np.testing.assert_array_equal(downloaded, np.asarray(result.convert("RGB")))
    assert not np.array_equal(np.asarray(bicubic.convert("RGB")), downloaded)  # LIIF is not bicubic
    # The magnified crop shows two panels side by side.
    crop_img = _open(crop)
    assert crop_img.width > crop_img.height > 16
    # The report: one row per cue of iqa's report, unavailable ones kept and marked.
    headers, rows = table["headers"], table["data"]
    assert headers == app_module.REPORT_COLUMNS
    import iqa
    lowres = _open(small_image)
    expected = iqa.assess(_open(png).convert("RGB"), lowres.convert("RGB")).rows
    assert [r[0] for r in rows] == [s.name for s in expected]
    for row, score in zip(rows, expected):
        if score.available:
            assert row[2] != "unavailable" and row[2] != "-"
        else:
            assert row[2] == "unavailable" and row[6].startswith("unavailable:"), row
    assert len({r[4] for r in rows} - {"higher is better", "lower is better", "no direction"}) == 0


def test_upscale_to_exact_size_without_report(client, small_image):
    slider, _crop, png, table, _info = _upscale(client, small_image, mode="Exact output size", width=64,
                                                height=20, report=False)
    assert _open(slider[1]).size == (64, 20)
    assert _open(png).size == (64, 20)
    assert table["data"] in ([], [[""] * 7]) or all(not any(r) for r in table["data"])


def test_crop_endpoint_recuts_the_last_result(client, small_image):
    _slider, crop, *_ = _upscale(client, small_image, scale=4, report=False)
    centre = np.asarray(_open(crop).convert("RGB"))
    corner = np.asarray(_open(client.predict(0.0, 0.0, api_name="/crop")).convert("RGB"))
    assert corner.shape == centre.shape
    assert not np.array_equal(corner, centre)


def test_grayscale_input_keeps_its_mode_in_the_png(client, tmp_path):
    gray = _smooth_image(tmp_path / "gray.png", 24, 24, mode="L")
    _slider, _crop, png, _table, _info = _upscale(client, gray, scale=2, report=False)
    assert _open(png).mode == "L" and _open(png).size == (48, 48)


def test_compare_scales_gallery_chart_and_table(client, small_image):
    gallery, plot, table, cue = client.predict(handle_file(small_image), ["x2", "x3"], 0.5, 0.5, 16,
                                               *_common().values(), api_name="/compare_scales")
    assert len(gallery) == 4  # bicubic and LIIF per factor
    sizes = {_open(item["image"]).size for item in gallery}
    assert sizes == {(48, 48)}  # the same region at the same display size (16 px x the largest factor)
    captions = [item["caption"] for item in gallery]
    assert captions[0].startswith("bicubic x2") and captions[3].startswith("LIIF x3")
    chosen = cue["value"] if isinstance(cue, dict) else cue
    assert chosen == table["data"][0][1]  # the "cue to plot" list now offers the measured cues
    assert table["headers"] == ["Scale", "Cue", "LIIF", "Bicubic", "Better"]
    scales = {float(r[0]) for r in table["data"]}
    assert scales == {2.0, 3.0}
    points = plot["value"]["data"] if isinstance(plot, dict) and "value" in plot else plot["data"]
    assert len(points) == 4  # one cue, two methods, two scales


def test_plot_cue_endpoint(client):
    table = {"headers": ["Scale", "Cue", "LIIF", "Bicubic", "Better"],
             "data": [[2, "A", 1.0, 0.5, "higher is better"], [4, "A", 2.0, 0.7, "higher is better"],
                      [2, "B", 9.0, 9.5, "lower is better"]]}
    plot = client.predict(table, "A", api_name="/plot_cue")
    points = plot["value"]["data"] if isinstance(plot, dict) and "value" in plot else plot["data"]
    assert len(points) == 4


def test_with_reference_scores_against_the_truth(client, tmp_path):
    import iqa
    hr_path = _smooth_image(tmp_path / "hr.png", 64, 48, seed=3)
    slider, lowres, emap, table, info = client.predict(handle_file(hr_path), 4, *_common().values(),
                                                       api_name="/with_reference")
    bicubic, result = (_open(p).convert("RGB") for p in slider)
    assert result.size == bicubic.size == (64, 48)
    assert _open(lowres).size == (16, 12)
    assert _open(emap).width > 2 * 64 - 1
    rows = {r[0]: r for r in table["data"]}
    hr = np.asarray(_open(hr_path).convert("RGB"))
    psnr_row = next(r for name, r in rows.items() if "PSNR" in name)
    expected = iqa.fr.psnr_y(np.asarray(result), hr)
    assert float(psnr_row[2]) == pytest.approx(expected, abs=0.01)
    assert float(psnr_row[3]) == pytest.approx(iqa.fr.psnr_y(np.asarray(bicubic), hr), abs=0.01)
    assert any("SSIM" in name for name in rows)
    assert f"{expected:.4g} dB" in info  # the gain is stated as a number above the pictures


def test_zoom_renders_the_window_of_the_full_output(client, small_image, tiny_checkpoint):  # noqa: F811
    import liif
    slider, _where, info = client.predict(handle_file(small_image), 0.25, 0.5, 4, 128, *_common().values(),
                                         api_name="/zoom")
    bicubic, window = (np.asarray(_open(p).convert("RGB")) for p in slider)
    assert window.shape == bicubic.shape == (120, 128, 3)  # clamped to the 160x120 output's height
    full = np.asarray(liif.Upscaler(liif.load_model(tiny_checkpoint)).upscale(_open(small_image), scale=4))
    # centre (10, 15) in input pixels -> x = 40*4*... : the window is the 128-wide block starting at column 0
    col0 = int(min(max(10 * 4 - 64, 0), 160 - 128))
    np.testing.assert_allclose(window.astype(int), full[:, col0:col0 + 128].astype(int), atol=1)
    assert "x4" in info


def test_zoom_at_30x_is_only_the_window(client, small_image):
    slider, _where, info = client.predict(handle_file(small_image), 0.5, 0.5, 30, 128, *_common().values(),
                                         api_name="/zoom")
    assert _open(slider[1]).size == (128, 128)
    assert "1200x900" in info


# ----------------------------------------------------------------------------------------------
# Errors come back as a message for the user, not a stack trace
def _error(client, *args, api_name):
    with pytest.raises(AppError) as info:
        client.predict(*args, api_name=api_name)
    message = str(info.value)
    assert "Traceback" not in message
    return message


def test_missing_image_says_what_to_do(client):
    message = _error(client, None, "Scale factor", 2, 64, 64, *_common().values(), False, 0.5, 0.5,
                     api_name="/upscale")
    assert "Upload" in message


def test_output_size_guard_explains(client, small_image):
    message = _error(client, handle_file(small_image), "Exact output size", 2, 5000, 5000, *_common().values(),
                     False, 0.5, 0.5, api_name="/upscale")
    assert "megapixel" in message.lower() or "MP" in message


def test_input_size_guard_explains(client, tmp_path):
    big = tmp_path / "big.png"
    Image.new("RGB", (1200, 1000), (90, 120, 150)).save(big)
    message = _error(client, handle_file(str(big)), "Scale factor", 2, 64, 64, *_common().values(), False,
                     0.5, 0.5, api_name="/upscale")
    assert "Crop or downscale" in message


def test_bad_checkpoint_path_is_a_clear_message(client, small_image, tmp_path):
    message = _error(client, handle_file(small_image), "Scale factor", 2, 64, 64, APP_CHOICE,
                     str(tmp_path / "nope.pth"), "exact", False, 0.5, 0.5, api_name="/upscale")
    assert "not found" in message


def test_non_image_upload_is_a_clear_message(client, tmp_path):
    junk = tmp_path / "notes.png"
    junk.write_text("this is not an image")
    message = _error(client, handle_file(str(junk)), 0.5, 0.5, 4, 128, *_common().values(), api_name="/zoom")
    assert "image" in message.lower()


def test_compare_without_factors_says_so(client, small_image):
    message = _error(client, handle_file(small_image), [], 0.5, 0.5, 16, *_common().values(),
                     api_name="/compare_scales")
    assert "factor" in message


def test_default_model_works_or_says_weights_are_missing(client, small_image):
    import liif
    args = (handle_file(small_image), "Scale factor", 2, 64, 64, "default (bundled)", "", "exact", False, 0.5, 0.5)
    if liif.list_models():
        slider, *_ = client.predict(*args, api_name="/upscale")
        assert _open(slider[1]).size == (80, 60)
    else:
        message = _error(client, *args, api_name="/upscale")
        assert "bundled" in message


def test_bf16_precision_is_close_to_exact(client, small_image):
    exact = np.asarray(_open(_upscale(client, small_image, scale=2, report=False)[2]).convert("RGB"), dtype=int)
    bf16 = np.asarray(_open(_upscale(client, small_image, scale=2, report=False, precision="bf16")[2]).convert("RGB"),
                      dtype=int)
    assert bf16.shape == exact.shape == (60, 80, 3)
    assert np.abs(bf16 - exact).mean() < 3


def test_examples_are_small_documented_pngs():
    from test_app_helpers import ROOT
    lowres = sorted((ROOT / "examples").glob("*.png"))
    references = sorted((ROOT / "examples" / "reference").glob("*.png"))
    assert len(lowres) >= 4 and len(references) >= 2
    readme = (ROOT / "examples" / "README.md").read_text()
    for path in lowres:
        with Image.open(path) as im:
            assert im.format == "PNG" and 128 <= im.width <= 192, path
        assert f"`{path.name}`" in readme
    for path in references:
        assert f"`reference/{path.name}`" in readme


def test_16_bit_input_gives_a_16_bit_png(client, tmp_path):
    ramp = (np.linspace(0, 65535, 32 * 24).reshape(24, 32)).astype(np.uint16)
    path = tmp_path / "deep.png"
    Image.fromarray(ramp).save(path)  # mode I;16
    _slider, _crop, png, _table, _info = _upscale(client, str(path), scale=2, report=False)
    with Image.open(png) as im:
        assert im.size == (64, 48)
        values = np.asarray(im)
    assert values.max() > 255  # the download keeps 16 bits; only the on-screen copy is 8-bit


def test_transparent_input_keeps_alpha_in_the_png_and_zooms(client, tmp_path):
    rgba = np.zeros((20, 24, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[..., 3] = np.linspace(0, 255, 24, dtype=np.uint8)[None, :]
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    _slider, _crop, png, _table, _info = _upscale(client, str(path), scale=2, report=True)
    with Image.open(png) as im:
        assert im.mode == "RGBA" and im.size == (48, 40)
        alpha = np.asarray(im)[..., 3]
    assert alpha[:, 0].mean() < 40 and alpha[:, -1].mean() > 215  # the transparency ramp survives
    slider, _where, _info = client.predict(handle_file(str(path)), 0.5, 0.5, 30, 128, *_common().values(),
                                           api_name="/zoom")
    assert _open(slider[1]).size == (128, 128)
