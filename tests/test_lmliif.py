"""LM-LIIF: the rearranged model against the official procedure, and the engine's guarantees for it."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from lmf_oracle import official_lmf_query_rgb

import liif
from liif import render_kernel
from liif.zoo import ModelConfig

KERNELS = ["torch"] + (["fused"] if render_kernel.AVAILABLE else [])


def tiny_lmf_config(**switches) -> ModelConfig:
    """A very small LM-LIIF: EDSR-baseline 8x2, render MLP 8 x 3, hypernet [24]."""
    return ModelConfig(family="lmliif", encoder_args={"n_resblocks": 2, "n_feats": 8}, render_hidden=8,
                       render_depth=3, hypernet_hidden=[24], **switches)


@pytest.fixture(scope="module")
def tiny_lmf():
    torch.manual_seed(0)
    model = liif.create_model(tiny_lmf_config())
    with torch.no_grad():  # random weights give near-constant outputs: scale them so outputs carry structure
        for lin in model.hypernet.linears + model.imnet.linears:
            lin.weight.mul_(3)
    return model.eval()


@pytest.mark.parametrize("flags", [(True, True, True, True), (False, True, False, True), (True, False, True, False),
                                   (False, False, False, False)])
def test_random_coords_match_official_for_every_switch(flags):
    """Arbitrary (non-grid) queries, the switches on and off (local_ensemble, feat_unfold, cell_decode, mod_input)."""
    torch.manual_seed(1)
    ens, unfold, cell_dec, mod_input = flags
    model = liif.create_model(tiny_lmf_config(local_ensemble=ens, feat_unfold=unfold, cell_decode=cell_dec,
                                             mod_input=mod_input)).eval()
    inp = torch.rand(2, 3, 13, 17) * 2 - 1
    coord = torch.rand(2, 500, 2) * 2 - 1
    cell = torch.rand(2, 1, 2).expand(2, 500, 2) * 0.2  # one cell per image, as LMF assumes
    with torch.no_grad():
        ours = model(inp, coord, cell)
        ref = official_lmf_query_rgb(model, inp, coord, cell)
    torch.testing.assert_close(ours, ref, atol=1e-5, rtol=0)


@pytest.mark.parametrize("unfold,mod_input", [(True, True), (False, False)])
def test_table_built_in_bands_equals_the_whole_table(unfold, mod_input):
    """Inference builds the table a few rows at a time (bounded memory): same rows as in one piece."""
    torch.manual_seed(2)
    model = liif.create_model(tiny_lmf_config(feat_unfold=unfold, mod_input=mod_input)).eval()
    feat = model.gen_feat(torch.rand(1, 3, 13, 17) * 2 - 1).detach()
    rel_cell = torch.tensor([[0.7, 0.4]])
    whole = model.first_layer(feat, rel_cell)  # autograd on: built in one piece
    model.table_band_pixels = 40  # two rows of 17 per band, the last band a single row
    with torch.no_grad():
        banded = model.first_layer(feat, rel_cell)
    torch.testing.assert_close(banded.feat_map, whole.feat_map.detach(), atol=1e-6, rtol=0)
    torch.testing.assert_close(banded.w_query, whole.w_query.detach())


def test_gradients_match_official():
    """Training uses the rearranged path: its gradients equal the official graph's."""
    torch.manual_seed(2)
    model = liif.create_model(tiny_lmf_config())
    inp = torch.rand(1, 3, 9, 11) * 2 - 1
    coord = torch.rand(1, 200, 2) * 2 - 1
    cell = torch.full((1, 200, 2), 0.1)
    grads = []
    for fn in (lambda: model(inp, coord, cell), lambda: official_lmf_query_rgb(model, inp, coord, cell)):
        model.zero_grad()
        fn().square().sum().backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys() and len(grads[0]) == sum(p.requires_grad for p in model.parameters())
    for name in grads[0]:
        torch.testing.assert_close(grads[0][name], grads[1][name], atol=1e-4, rtol=1e-4, msg=name)


@pytest.mark.parametrize("kernel", KERNELS)
@pytest.mark.parametrize("tile", [8, 13])
def test_tiled_equals_untiled(tiny_lmf, photo, kernel, tile):
    rgb = photo[:40, :50].astype(np.float32) / 255
    whole = liif.Upscaler(tiny_lmf, device="cpu", tile=None, render_kernel=kernel).render(rgb, 97, 131)
    tiled = liif.Upscaler(tiny_lmf, device="cpu", tile=tile, chunk=777, render_kernel=kernel).render(rgb, 97, 131)
    np.testing.assert_allclose(tiled, whole, atol=1e-4, rtol=0)


@pytest.mark.parametrize("kernel", KERNELS)
def test_engine_equals_model_beyond_the_training_scale(tiny_lmf, photo, kernel):
    """At x6 the engine queries with the enlarged cell (x1.5), exactly as the model's own forward."""
    rgb = photo[:20, :24].astype(np.float32) / 255
    out = liif.Upscaler(tiny_lmf, device="cpu", tile=9, render_kernel=kernel).render(rgb, 120, 144)
    inp = torch.from_numpy(rgb).permute(2, 0, 1)[None].sub(0.5).div(0.5)
    coord = liif.make_coord((120, 144))[None]
    cell = (torch.tensor([2 / 120, 2 / 144]) * 1.5).expand(1, 120 * 144, 2)
    with torch.no_grad():
        ref = tiny_lmf(inp, coord, cell)[0].mul(0.5).add(0.5).clamp(0, 1).view(120, 144, 3).numpy()
    np.testing.assert_allclose(out, ref, atol=1e-4, rtol=0)


def test_fused_kernel_equals_torch_path(tiny_lmf, photo):
    if not render_kernel.AVAILABLE:
        pytest.skip("numba is not installed")
    rgb = photo[:30, :30].astype(np.float32) / 255
    # 71 columns: a partial lane group
    a = liif.Upscaler(tiny_lmf, device="cpu", render_kernel="fused").render(rgb, 83, 71)
    b = liif.Upscaler(tiny_lmf, device="cpu", render_kernel="torch").render(rgb, 83, 71)
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)


def test_window_equals_crop_of_full_render(tiny_lmf, photo):
    rgb = photo[:30, :40].astype(np.float32) / 255
    up = liif.Upscaler(tiny_lmf, device="cpu", tile=16)
    full = up.render(rgb, 210, 280)
    win = up.render(rgb, 210, 280, rows=(50, 90), cols=(100, 171))
    np.testing.assert_allclose(win, full[50:90, 100:171], atol=1e-5, rtol=0)


def test_zoom_cache_is_per_cell(tiny_lmf, photo):
    """The table depends on the cell: a new magnification must not reuse the last one's."""
    up = liif.Upscaler(tiny_lmf, device="cpu", tile=None)
    pic = photo[:30, :30]
    # The premise: the windows hold an edge. On a flat patch the random model's clipped output is the same at
    # every magnification, and a stale table would go unnoticed.
    assert np.ptp(pic[13:18, 13:18].mean(axis=2)) > 50, "the photo is flat where the windows look"
    a = np.asarray(up.render_window(pic, center=(15, 15), magnification=8, window=(32, 32)))
    b = np.asarray(up.render_window(pic, center=(15, 15), magnification=16, window=(32, 32)))
    fresh = np.asarray(liif.Upscaler(tiny_lmf, device="cpu", tile=None).render_window(
        pic, center=(15, 15), magnification=16, window=(32, 32)))
    np.testing.assert_array_equal(b, fresh)
    assert not np.array_equal(a, b)


def test_bf16_is_close_to_exact(tiny_lmf, photo):
    rgb = photo[:32, :32].astype(np.float32) / 255
    exact = liif.Upscaler(tiny_lmf, device="cpu").render(rgb, 128, 128)
    approx = liif.Upscaler(tiny_lmf, device="cpu", precision="bf16").render(rgb, 128, 128)
    assert np.abs(exact - approx).mean() < 5e-3
    assert not np.array_equal(exact, approx)  # bf16 really ran


def test_working_set_is_bounded_by_tile_and_chunk(tiny_lmf, monkeypatch):
    """Every encoder call sees at most (tile + 2 * overlap)^2 pixels, every kernel call at most ``chunk`` queries."""
    up = liif.Upscaler(tiny_lmf, device="cpu", tile=16, chunk=2000)
    seen = {"pixels": [], "queries": []}
    gen_feat = up.model.gen_feat
    monkeypatch.setattr(up.model, "gen_feat", lambda x: seen["pixels"].append(x.shape[-2] * x.shape[-1]) or gen_feat(x))
    fused = up.fused_render
    if fused is not None:
        def counting(*a):
            seen["queries"].append(a[3].shape[1] * a[5].shape[1])
            return fused(*a)

        monkeypatch.setattr(up, "fused_render", counting)
        up.fused_render.kernel_table = fused.kernel_table
    else:
        decode = up.model.decode
        monkeypatch.setattr(up.model, "decode", lambda f, c, *a: seen["queries"].append(c.shape[1]) or decode(f, c, *a))
    rgb = np.random.default_rng(0).random((40, 50, 3), dtype=np.float32)
    pad = up.model.receptive_radius + 1
    up.render(rgb, 400, 500)
    assert max(seen["pixels"]) <= (16 + 2 * pad) ** 2
    assert max(seen["queries"]) <= 2000
    assert sum(seen["queries"]) == 400 * 500


def test_save_and_load_round_trip(tiny_lmf, tmp_path, photo):
    path = liif.save_checkpoint(tiny_lmf, tmp_path / "tiny-lmf.safetensors")
    again = liif.create_model(path)
    assert isinstance(again, liif.LMLIIF)
    rgb = photo[:20, :20].astype(np.float32) / 255
    np.testing.assert_array_equal(liif.Upscaler(tiny_lmf).render(rgb, 50, 50), liif.Upscaler(again).render(rgb, 50, 50))


def test_models_from_make_save_and_load(tmp_path):
    """A model built straight from a spec with ``liif.make`` carries its spec, so it can be saved."""
    spec = tiny_lmf_config().to_spec()
    model = liif.models.make(spec)
    path = liif.save_checkpoint(model, tmp_path / "made.safetensors")
    assert liif.create_model(path).spec == spec


def test_cmsr_is_refused_clearly():
    spec = tiny_lmf_config().to_spec()
    spec["args"]["cmsr_spec"] = {"mse_threshold": 2e-5}
    with pytest.raises(ValueError, match="CMSR"):
        liif.models.make(spec)


@pytest.mark.parametrize("mod_scale,mod_shift", [(True, False), (False, True)])
def test_fused_kernel_with_one_modulation_equals_torch_path(photo, mod_scale, mod_shift):
    if not render_kernel.AVAILABLE:
        pytest.skip("numba is not installed")
    spec = tiny_lmf_config().to_spec()
    spec["args"]["imnet_spec"]["args"].update(mod_scale=mod_scale, mod_shift=mod_shift)
    torch.manual_seed(3)
    model = liif.models.make(spec).eval()
    with torch.no_grad():
        for lin in model.hypernet.linears + model.imnet.linears:
            lin.weight.mul_(3)
    rgb = photo[:20, :24].astype(np.float32) / 255
    a = liif.Upscaler(model, device="cpu", render_kernel="fused").render(rgb, 61, 70)
    b = liif.Upscaler(model, device="cpu", render_kernel="torch").render(rgb, 61, 70)
    np.testing.assert_allclose(a, b, atol=1e-5, rtol=0)
