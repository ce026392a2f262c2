"""Training: the loss falls, resume equals uninterrupted training, time budget, export."""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import liif
from liif.data import PatchSampler
from liif.train import TrainConfig, Trainer, lr_at, parse_duration


@pytest.fixture(scope="module")
def train_dir(tmp_path_factory, photo) -> Path:
    """A few real image crops as a training folder."""
    from skimage import data

    folder = tmp_path_factory.mktemp("train")
    for i, img in enumerate([data.astronaut(), data.coffee(), data.chelsea()]):
        Image.fromarray(img[::2, ::2][:120, :120]).save(folder / f"img{i}.png")
    return folder


def _cfg(train_dir: Path, **kw) -> TrainConfig:
    base = TrainConfig(train_dirs=[str(train_dir)], val_dir=None, model=liif.ModelConfig.tiny().asdict(),
                       patch=16, batch_size=4, sample_q=128, lr=2e-3, total_steps=40, log_every=5, val_every=0,
                       threads=1)
    return replace(base, **kw)


def test_sampler_shapes_and_ranges(train_dir):
    s = PatchSampler(liif.data.find_images([train_dir]), patch=16, scale_min=1, scale_max=4, sample_q=64)
    b = s.sample(3, np.random.default_rng(0))
    assert b.inp.shape == (3, 3, 16, 16) and b.coord.shape == (3, 64, 2) and b.gt.shape == (3, 64, 3)
    assert b.inp.min() >= -1 and b.inp.max() <= 1 and b.coord.abs().max() < 1
    assert torch.allclose(b.cell[0, 0], b.cell[-1, -1])


def test_tiny_training_lowers_the_loss(train_dir, tmp_path):
    tr = Trainer(_cfg(train_dir), tmp_path)
    losses = [tr.train_step() for _ in range(40)]
    assert np.mean(losses[-10:]) < 0.7 * np.mean(losses[:5])


def test_resume_equals_uninterrupted(train_dir, tmp_path):
    cfg = _cfg(train_dir, total_steps=12, ema_decay=0.9)
    straight = Trainer(cfg, tmp_path / "a")
    straight.run(quiet=True)
    first = Trainer(cfg, tmp_path / "b")
    first.run(max_steps=5, quiet=True)
    resumed = Trainer(cfg, tmp_path / "c")
    resumed.load(first.state_path)
    assert resumed.step == 5
    resumed.run(quiet=True)
    for (k, a), b in zip(straight.model.state_dict().items(), resumed.model.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=0, msg=k)
    for a, b in zip(straight.ema.parameters(), resumed.ema.parameters(), strict=True):
        torch.testing.assert_close(a, b, atol=1e-6, rtol=0)


def test_time_budget_stops_and_saves(train_dir, tmp_path):
    tr = Trainer(_cfg(train_dir, total_steps=10_000), tmp_path)
    tr.run(max_time=1.0, quiet=True)
    assert 0 < tr.step < 10_000 and tr.state_path.exists()
    log = (tmp_path / "log.csv").read_text().splitlines()
    assert log[0].startswith("step,loss,lr")


def test_export_loads_as_a_model(train_dir, tmp_path):
    tr = Trainer(_cfg(train_dir, total_steps=3), tmp_path)
    tr.run(quiet=True)
    path = tr.export(tmp_path / "m.safetensors", card={"steps": 3})
    model = liif.create_model(path)
    out = liif.Upscaler(model).upscale(np.zeros((8, 8, 3), np.uint8), scale=2)
    assert out.shape == (16, 16, 3)


def test_schedules():
    cfg = TrainConfig(lr=1.0, total_steps=100, milestones=[0.5], gamma=0.1, warmup_steps=10)
    assert lr_at(cfg, 0) == pytest.approx(0.1) and lr_at(cfg, 20) == 1.0 and lr_at(cfg, 60) == pytest.approx(0.1)
    cos = replace(cfg, schedule="cosine", min_lr_ratio=0.0)
    assert lr_at(cos, 10) == pytest.approx(1.0) and lr_at(cos, 100) == pytest.approx(0.0, abs=1e-9)


def test_a_new_cosine_cycle_restarts_at_the_peak():
    cfg = TrainConfig(lr=1.0, total_steps=100, schedule="cosine", min_lr_ratio=0.0, warmup_steps=10)
    again = replace(cfg, cycle_start=60, total_steps=160)
    assert lr_at(cfg, 60) < 0.5 and lr_at(again, 60) == pytest.approx(1.0)
    assert lr_at(again, 110) == pytest.approx(0.5) and lr_at(again, 160) == pytest.approx(0.0, abs=1e-9)
    assert lr_at(again, 59) == pytest.approx(1.0)  # steps before a cycle's start (never run) read its peak


@pytest.mark.parametrize("text,seconds", [("90s", 90), ("45m", 2700), ("2h", 7200), ("1h30m", 5400), ("12", 12)])
def test_parse_duration(text, seconds):
    assert parse_duration(text) == seconds


def test_parse_duration_rejects_nonsense():
    with pytest.raises(ValueError, match="cannot read"):
        parse_duration("soon")


def test_lmliif_trains_with_a_frozen_encoder_copied_from_another_model(train_dir, tmp_path):
    """LM-LIIF from a LIIF's encoder: the encoder is copied and stays fixed; the decoder learns."""
    donor = liif.create_model(liif.ModelConfig.tiny())
    donor_path = liif.save_checkpoint(donor, tmp_path / "donor.safetensors")
    model_cfg = liif.ModelConfig(family="lmliif", encoder_args={"n_resblocks": 2, "n_feats": 8}, render_hidden=8,
                                 render_depth=2, hypernet_hidden=[16])
    tr = Trainer(_cfg(train_dir, model=model_cfg.asdict(), init_encoder_from=str(donor_path), freeze_encoder=True,
                      total_steps=30), tmp_path / "run")
    enc_before = {k: v.clone() for k, v in tr.model.encoder.state_dict().items()}
    for k, v in donor.encoder.state_dict().items():
        torch.testing.assert_close(enc_before[k], v)
    hyper_before = tr.model.hypernet.linears[0].weight.clone()
    first = tr.train_step()
    for _ in range(28):
        tr.train_step()
    assert tr.train_step() < first
    for k, v in tr.model.encoder.state_dict().items():
        torch.testing.assert_close(v, enc_before[k], rtol=0, atol=0)
    assert not torch.equal(tr.model.hypernet.linears[0].weight, hyper_before)


def test_encoder_init_from_a_different_encoder_is_explained(train_dir, tmp_path):
    donor_path = liif.save_checkpoint(liif.create_model(liif.ModelConfig.tiny()), tmp_path / "donor.safetensors")
    with pytest.raises(ValueError, match="encoders differ"):
        Trainer(_cfg(train_dir, model=liif.ModelConfig().asdict(), init_encoder_from=str(donor_path)), tmp_path / "r")


def test_precision_uses_the_engine_names_and_old_configs_still_load(tmp_path):
    from liif.errors import InputError
    from liif.train import load_config_file

    assert TrainConfig().precision == "exact"
    assert TrainConfig(precision="bf16").precision == "bf16"
    assert TrainConfig.from_dict({"precision": "fp32"}).precision == "exact"  # runs/*/config.json before the rename
    old = tmp_path / "config.json"
    old.write_text(json.dumps({"precision": "fp32", "lr": 5e-4}))
    assert load_config_file(old).precision == "exact"
    for saved in sorted(Path(__file__).resolve().parents[1].glob("runs/*/config.json")):
        assert load_config_file(saved).precision in ("exact", "bf16"), saved
    with pytest.raises(InputError, match="use exact .float32. or bf16"):
        TrainConfig(precision="fp16")


def test_trainer_runs_on_the_configured_device(train_dir, tmp_path):
    tr = Trainer(_cfg(train_dir, device="cpu", total_steps=2), tmp_path / "run")
    assert next(tr.model.parameters()).device.type == "cpu" and tr.device.type == "cpu"
    assert np.isfinite(tr.train_step())
    if not torch.cuda.is_available():
        with pytest.raises(liif.InputError, match="no CUDA GPU"):
            Trainer(_cfg(train_dir, device="cuda"), tmp_path / "gpu")


def test_a_frozen_encoder_run_resumes_with_the_whole_model_trained(train_dir, tmp_path):
    """Unfreezing on resume: the decoder keeps its Adam moments (by name), the encoder starts learning."""
    model_cfg = liif.ModelConfig(family="lmliif", encoder_args={"n_resblocks": 2, "n_feats": 8}, render_hidden=8,
                                 render_depth=2, hypernet_hidden=[16])
    frozen = Trainer(_cfg(train_dir, model=model_cfg.asdict(), freeze_encoder=True, total_steps=20), tmp_path / "a")
    frozen.run(max_steps=3, quiet=True)
    saved_moments = {n: frozen.opt.state[p]["exp_avg"].clone() for n, p in frozen.model.named_parameters()
                     if p.requires_grad}
    whole = Trainer(replace(frozen.cfg, freeze_encoder=False), tmp_path / "b")
    whole.load(frozen.state_path)
    params = dict(whole.model.named_parameters())
    for name, moment in saved_moments.items():
        torch.testing.assert_close(whole.opt.state[params[name]]["exp_avg"], moment, rtol=0, atol=0)
    assert not any(whole.opt.state.get(p) for n, p in params.items() if n.startswith("encoder."))
    enc_before = {k: v.clone() for k, v in whole.model.encoder.state_dict().items()}
    whole.train_step()
    assert any(not torch.equal(v, enc_before[k]) for k, v in whole.model.encoder.state_dict().items())
    whole.save()
    again = Trainer(whole.cfg, tmp_path / "c")
    again.load(whole.state_path)  # the unfrozen state resumes as saved
    assert again.step == 4


def test_a_slim_state_resumes_with_fresh_optimiser_moments(train_dir, tmp_path):
    """The state sent to and from a GPU drops Adam: weights, average, step, RNG and time carry on."""
    from liif.train import model_card, slim_state

    full = Trainer(_cfg(train_dir, ema_decay=0.9, total_steps=10), tmp_path / "a")
    full.run(max_steps=3, quiet=True)
    state = full.state()
    slim = tmp_path / "slim.pt"
    torch.save(slim_state(state), slim)
    assert slim.stat().st_size < 0.75 * full.state_path.stat().st_size
    resumed = Trainer(full.cfg, tmp_path / "b")
    resumed.load(slim)
    assert resumed.step == 3 and resumed.elapsed == pytest.approx(full.elapsed) and not resumed.opt.state
    for a, b in zip(full.ema.parameters(), resumed.ema.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)
    assert resumed.rng.random() == full.rng.random()
    resumed.run(quiet=True)
    assert resumed.step == 10 and resumed.opt.state
    card = model_card(resumed.state())
    assert card["train_seconds_by_device"]["cpu"] == pytest.approx(card["train_seconds"], abs=1)


def test_training_resumes_from_shipped_weights_with_fresh_moments(train_dir, tmp_path):
    """No training state is committed: exported weights and their card carry the run on (step, time, config)."""
    from liif.train import model_card, read_state

    first = Trainer(_cfg(train_dir, ema_decay=0.9, total_steps=10), tmp_path / "a")
    first.run(max_steps=3, quiet=True)
    weights = first.export(tmp_path / "w.safetensors", card=model_card(first.state()), half=False)
    state = read_state(weights)
    assert state["step"] == 3 and state["optimizer"] is None and state["rng"] is None
    assert state["elapsed"] == pytest.approx(first.elapsed, abs=1)
    resumed = Trainer(TrainConfig.from_dict(state["config"]), tmp_path / "b")
    resumed.load(state)
    assert resumed.step == 3 and not resumed.opt.state
    for a, b in zip(first.ema.parameters(), resumed.model.parameters(), strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=0)  # the exported (averaged) weights, both copies
    fresh = np.random.default_rng(first.cfg.seed).random()
    assert resumed.rng.random() != fresh  # new patches, not a replay of step 0's
    resumed.run(quiet=True)
    assert resumed.step == 10 and resumed.opt.state


def test_the_bundled_models_carry_what_resuming_needs(tmp_path, tiny_model):
    from liif.train import read_state

    for name in liif.list_models():
        state = read_state(name)
        assert state["step"] > 0 and TrainConfig.from_dict(state["config"]).total_steps >= state["step"]
        assert set(state["model"]) == set(liif.create_model(name).state_dict())
    cardless = liif.save_checkpoint(tiny_model, tmp_path / "cardless.safetensors")
    with pytest.raises(liif.InputError, match="not exported by liif train"):
        read_state(cardless)
    with pytest.raises(liif.InputError, match="does not exist"):
        read_state(tmp_path / "last.pt")


def test_old_states_keep_their_time_as_unrecorded_by_device(train_dir, tmp_path):
    tr = Trainer(_cfg(train_dir, total_steps=2), tmp_path / "a")
    tr.run(quiet=True)
    old = tr.state()
    del old["device_seconds"]
    torch.save(old, tmp_path / "old.pt")
    again = Trainer(tr.cfg, tmp_path / "b")
    again.load(tmp_path / "old.pt")
    assert again.device_seconds == {"unrecorded": pytest.approx(tr.elapsed)}
