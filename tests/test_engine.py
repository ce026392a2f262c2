"""Engine: scales and sizes, tiling equality, windows, precision, memory bound, guards."""
from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from liif_oracle import official_upscale
from PIL import Image

import liif
from liif.engine import output_size


@pytest.mark.parametrize("scale,expected", [(4, (384, 320)), (2.7, (259, 216)), ((2, 3), (192, 240)), (0.5, (48, 40))])
def test_output_size_for_scales(scale, expected):
    assert output_size((96, 80), scale) == expected


def test_output_size_exact_target():
    assert output_size((96, 80), size=(1000, 333)) == (1000, 333)


@pytest.mark.parametrize("bad", [0, -1, float("nan"), float("inf")])
def test_bad_scale_is_refused_clearly(tiny_model, photo, bad):
    with pytest.raises(liif.InputError, match="scale must be a finite number above 0"):
        liif.Upscaler(tiny_model).upscale(photo, scale=bad)


def test_scale_and_size_together_refused(tiny_model, photo):
    with pytest.raises(liif.InputError, match="exactly one"):
        liif.Upscaler(tiny_model).upscale(photo, scale=2, size=(10, 10))


@pytest.mark.parametrize("scale", [1.0, 2.7, 4, 12, 30])
def test_engine_equals_oracle_at_many_scales(small_official_model, photo, scale):
    img = photo[:20, :24]
    up = liif.Upscaler(small_official_model, tile=None)
    out = np.asarray(up.upscale(Image.fromarray(img), scale=scale))
    h, w = out.shape[:2]
    assert (w, h) == output_size((24, 20), scale)
    ref = official_upscale(small_official_model, torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255, h, w)
    ref8 = np.rint(ref[0].permute(1, 2, 0).numpy() * 255).astype(np.uint8)
    assert np.abs(out.astype(int) - ref8.astype(int)).max() <= 1


def test_anisotropic_scale(tiny_model, photo):
    out = liif.Upscaler(tiny_model).upscale(photo, scale=(3.0, 1.5))
    assert out.shape == (120, 288, 3)


@pytest.mark.parametrize("tile", [8, 17, 40])
def test_tiled_equals_untiled(small_official_model, photo, tile):
    up_whole = liif.Upscaler(small_official_model, tile=None)
    up_tiled = liif.Upscaler(small_official_model, tile=tile, chunk=777)
    rgb = photo.astype(np.float32) / 255
    a = up_whole.render(rgb, 111, 133)
    b = up_tiled.render(rgb, 111, 133)
    np.testing.assert_allclose(a, b, atol=1e-4, rtol=0)


def test_window_equals_crop_of_full_render(small_official_model, photo):
    up = liif.Upscaler(small_official_model, tile=32)
    rgb = photo.astype(np.float32) / 255
    full = up.render(rgb, 240, 288)
    win = up.render(rgb, 240, 288, rows=(50, 130), cols=(100, 160))
    np.testing.assert_allclose(win, full[50:130, 100:160], atol=1e-5)


def test_render_window_at_30x_is_window_sized(tiny_model, photo):
    up = liif.Upscaler(tiny_model)
    win = up.render_window(Image.fromarray(photo), center=(48, 40), magnification=30, window=(128, 96))
    assert win.size == (128, 96)
    full_corner = up.render_window(photo, center=(0, 0), magnification=30, window=(64, 64))
    assert full_corner.shape == (64, 64, 3)


def test_bf16_is_close_to_exact(small_official_model, photo):
    rgb = photo.astype(np.float32) / 255
    exact = liif.Upscaler(small_official_model).render(rgb, 160, 192)
    approx = liif.Upscaler(small_official_model, precision="bf16").render(rgb, 160, 192)
    assert np.abs(exact - approx).mean() < 0.01
    assert not np.array_equal(exact, approx)  # it really ran in another precision


def test_fp16_refused_on_cpu(tiny_model):
    with pytest.raises(liif.InputError, match="GPU"):
        liif.Upscaler(tiny_model, device="cpu", precision="fp16")


def test_unavailable_device_is_explained(tiny_model):
    if torch.cuda.is_available():
        pytest.skip("a CUDA device exists here")
    with pytest.raises(liif.InputError, match="no CUDA GPU"):
        liif.Upscaler(tiny_model, device="cuda")


def test_output_megapixel_limit(tiny_model, photo):
    up = liif.Upscaler(tiny_model, max_output_megapixels=0.5)
    with pytest.raises(liif.SizeLimitError, match="above the limit of 0.5 MP"):
        up.upscale(photo, scale=10)


def test_progress_reports_every_query(tiny_model, photo):
    seen = []
    liif.Upscaler(tiny_model, tile=40, chunk=1000).upscale(photo, scale=2, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1][0] == seen[-1][1] == 160 * 192
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_working_set_is_bounded_by_tile_and_chunk(small_official_model, monkeypatch):
    """Memory bound by construction: every encoder call sees at most (tile + 2 * overlap)^2 pixels and
    every decoder call at most ``chunk`` queries, whatever the output size."""
    up = liif.Upscaler(small_official_model, tile=32, chunk=3000)
    model = up.model
    seen = {"pixels": [], "queries": []}
    gen_feat, decode = model.gen_feat, model.decode
    monkeypatch.setattr(model, "gen_feat", lambda x: seen["pixels"].append(x.shape[-2] * x.shape[-1]) or gen_feat(x))
    monkeypatch.setattr(model, "decode", lambda f, c, *a: seen["queries"].append(c.shape[1]) or decode(f, c, *a))
    rgb = np.random.default_rng(0).random((70, 90, 3), dtype=np.float32)
    pad = model.receptive_radius + 1
    for out_h, out_w in [(140, 180), (700, 900)]:
        seen["pixels"].clear()
        seen["queries"].clear()
        up.render(rgb, out_h, out_w)
        assert max(seen["pixels"]) <= (32 + 2 * pad) ** 2
        assert max(seen["queries"]) <= 3000
        assert sum(seen["queries"]) == out_h * out_w


def test_window_box_places_and_clamps():
    from liif.engine import window_box

    box = window_box((100, 50), center=(50, 25), magnification=10, window=(200, 100))
    assert box.out_size == (1000, 500) and box.cols == (400, 600) and box.rows == (200, 300)
    assert box.input_box == (40.0, 20.0, 60.0, 30.0)
    corner = window_box((100, 50), center=(0, 0), magnification=10, window=(200, 100))
    assert corner.cols == (0, 200) and corner.rows == (0, 100)
    with pytest.raises(liif.InputError, match="magnification"):
        window_box((100, 50), center=(0, 0), magnification=0, window=(10, 10))


def test_window_keeps_alpha_of_that_window(tiny_model, photo):
    alpha = np.zeros(photo.shape[:2], np.uint8)
    alpha[:, 48:] = 255
    img = Image.fromarray(np.dstack([photo, alpha]))
    win = liif.Upscaler(tiny_model).render_window(img, center=(70, 40), magnification=20, window=(64, 64))
    assert win.mode == "RGBA" and win.size == (64, 64)
    assert np.asarray(win)[..., 3].min() > 245  # the window lies in the opaque half


def test_zoom_reuses_features_for_the_same_image(small_official_model, photo, monkeypatch):
    up = liif.Upscaler(small_official_model, tile=None)
    calls = []
    gen_feat = up.model.gen_feat
    monkeypatch.setattr(up.model, "gen_feat", lambda x: calls.append(1) or gen_feat(x))
    a = up.render_window(photo, center=(30, 30), magnification=12, window=(48, 48))
    b = up.render_window(photo, center=(60, 50), magnification=12, window=(48, 48))
    assert len(calls) == 1  # the second window reused the encoder's features
    fresh = liif.Upscaler(small_official_model, tile=None).render_window(photo, center=(60, 50), magnification=12,
                                                                          window=(48, 48))
    np.testing.assert_array_equal(b, fresh)
    calls.clear()
    up.render_window(photo[::-1].copy(), center=(60, 50), magnification=12, window=(48, 48))
    assert len(calls) == 1  # another image: computed again
    assert not np.array_equal(a, b)


def test_upscaler_leaves_the_callers_model_alone(tiny_model):
    """The engine works on its own copy: a training model stays in training mode and layout."""
    model = copy.deepcopy(tiny_model).train()
    conv = model.encoder.head[0].weight if hasattr(model.encoder, "head") else next(model.encoder.parameters())
    before = conv.stride()
    up = liif.Upscaler(model, device="cpu")
    assert model.training and conv.stride() == before
    assert not up.model.training and up.model is not model


def test_engine_config_reaches_the_upscaler(tiny_model):
    cfg = liif.EngineConfig(device="cpu", tile=64, cache_mb=1.0)
    up = liif.Upscaler(tiny_model, config=cfg, chunk=999)
    assert (up.config.tile, up.config.cache_mb, up.config.chunk) == (64, 1.0, 999)
    assert cfg.chunk == 12000  # the caller's config is not modified
    with pytest.raises(liif.InputError, match="unknown engine option"):
        liif.Upscaler(tiny_model, tiles=3)


def test_cell_policies(tiny_model):
    from liif.engine import query_cell

    lmf = liif.create_model(liif.ModelConfig(family="lmliif", encoder_args={"n_resblocks": 1, "n_feats": 8},
                                            render_hidden=8, render_depth=2, hypernet_hidden=[8]))
    assert query_cell(tiny_model, 10, 80, 40) == (2 / 80, 2 / 40)  # official LIIF: the true cell
    assert query_cell(lmf, 10, 80, 40) == pytest.approx((2 / 80 * 2, 2 / 40 * 2))  # LMF: x8 -> cell x2
    assert query_cell(lmf, 10, 30, 30) == (2 / 30, 2 / 30)  # within the training range: unchanged
    assert query_cell(lmf, 10, 80, 40, "true") == (2 / 80, 2 / 40)
    assert query_cell(tiny_model, 10, 120, 120, "enlarge") == pytest.approx((2 / 120 * 3, 2 / 120 * 3))
    with pytest.raises(liif.InputError, match="cell must be one of"):
        liif.Upscaler(tiny_model, cell="bigger")


def test_a_recorded_cell_policy_is_saved_loaded_and_applied(tiny_model, photo, tmp_path):
    model = copy.deepcopy(tiny_model)
    model.cell_enlarge_above = 4.0
    path = liif.save_checkpoint(model, tmp_path / "enlarging.safetensors")
    again = liif.create_model(path)
    assert again.cell_enlarge_above == 4.0
    plain = liif.save_checkpoint(tiny_model, tmp_path / "plain.safetensors")
    assert liif.create_model(plain).cell_enlarge_above is None
    rgb = photo[:20, :20].astype(np.float32) / 255
    recorded = liif.Upscaler(again).render(rgb, 160, 160)
    np.testing.assert_array_equal(recorded, liif.Upscaler(tiny_model, cell="enlarge").render(rgb, 160, 160))
    assert not np.array_equal(recorded, liif.Upscaler(again, cell="true").render(rgb, 160, 160))
    np.testing.assert_array_equal(liif.Upscaler(again).render(rgb, 60, 60),
                                  liif.Upscaler(tiny_model).render(rgb, 60, 60))


def test_exact_float32_on_cuda_turns_tf32_off_and_back():
    """cuDNN rounds float32 convolutions to TF32 by default: exact renders switch it off, then restore it."""
    from liif.engine import no_tf32

    before = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = True
    try:
        with no_tf32(torch.device("cuda")):  # the switches exist without a GPU
            assert not torch.backends.cudnn.allow_tf32 and not torch.backends.cuda.matmul.allow_tf32
        assert torch.backends.cudnn.allow_tf32 and torch.backends.cuda.matmul.allow_tf32
        with no_tf32(torch.device("cpu")):
            assert torch.backends.cudnn.allow_tf32
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = before


def test_a_liif_render_does_not_import_numba():
    """numba (LM-LIIF's fused CPU kernel) costs 0.1 s of every command's start-up: only LM-LIIF loads it."""
    import subprocess
    import sys

    lmliif = "liif.ModelConfig(family='lmliif', encoder_args={'n_resblocks': 1})"
    code = ("import sys, numpy as np, liif\n"
            "up = liif.Upscaler(liif.create_model(liif.ModelConfig.tiny()))\n"
            "up.upscale(np.zeros((8, 8, 3), np.uint8), scale=2)\n"
            "print('numba' in sys.modules)\n"
            f"lm = liif.Upscaler(liif.create_model({lmliif}))\n"
            "print('numba' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["False", "True"]  # the check would see numba: an LM-LIIF engine does load it
