"""The liif command: upscale files and folders, summaries, errors, no overwrites; eval and export."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
import torch
from PIL import Image

import liif
from liif.cli import main


@pytest.fixture()
def model_path(tiny_model, tmp_path):
    return liif.save_checkpoint(tiny_model, tmp_path / "tiny.safetensors")


@pytest.fixture()
def inputs(tmp_path, photo):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(photo).save(folder / "a.png")
    Image.fromarray(photo[:40, :50]).convert("L").save(folder / "b.png")
    return folder


def test_upscale_folder_with_summary(inputs, model_path, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["upscale", str(inputs), "-o", str(out), "--scale", "2.5", "--model", str(model_path), "-q"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and "96x80 -> 240x200" in lines[0] and " s -> " in lines[0]
    # --precision auto (the default) says which precision ran and why
    assert all(("[exact: " in line or "[bf16: " in line) for line in lines), lines
    assert Image.open(out / "a.png").size == (240, 200)
    assert Image.open(out / "b.png").mode == "L"


def test_upscale_single_file_to_exact_size(inputs, model_path, tmp_path, capsys):
    dst = tmp_path / "big.png"
    assert main(["upscale", str(inputs / "a.png"), "-o", str(dst), "--size", "300x123", "--stretch",
                 "--model", str(model_path), "-q"]) == 0
    assert Image.open(dst).size == (300, 123)
    assert "stretched: width x3.12, height x1.54" in capsys.readouterr().out  # the summary says the shape changed


def test_existing_output_is_not_overwritten(inputs, model_path, tmp_path, capsys):
    dst = tmp_path / "keep.png"
    dst.write_bytes(b"precious")
    assert main(["upscale", str(inputs / "a.png"), "-o", str(dst), "--scale", "2",
                 "--model", str(model_path), "-q"]) == 1
    assert dst.read_bytes() == b"precious"
    assert "--overwrite" in capsys.readouterr().err
    assert main(["upscale", str(inputs / "a.png"), "-o", str(dst), "--scale", "2", "--model", str(model_path),
                 "-q", "--overwrite"]) == 0
    assert Image.open(dst).size == (192, 160)


def test_errors_are_one_clear_line(inputs, model_path, tmp_path, capsys):
    assert main(["upscale", str(tmp_path / "nope.png"), "-o", str(tmp_path), "--scale", "2",
                 "--model", str(model_path)]) == 2
    assert capsys.readouterr().err.startswith("error: input not found")
    assert main(["upscale", str(inputs), "-o", str(tmp_path / "o"), "--scale", "0",
                 "--model", str(model_path), "-q"]) == 1
    assert "scale must be a finite number above 0" in capsys.readouterr().err
    assert main(["upscale", str(inputs), "-o", str(tmp_path / "o"), "--scale", "2", "--model", "nosuch"]) == 2
    assert "unknown model" in capsys.readouterr().err


def test_official_checkpoint_through_cli(inputs, tmp_path):
    from conftest import FIXTURES

    dst = tmp_path / "o.png"
    assert main(["upscale", str(inputs / "a.png"), "-o", str(dst), "--scale", "3",
                 "--model", str(FIXTURES / "edsr-baseline-liif-small-random.pth"), "-q"]) == 0
    assert Image.open(dst).size == (288, 240)


def test_engine_commands_run_as_a_module():
    """`python -m liif.cli` is the engine's command alone (the installed `liif` adds iqa's: test_studio_cli.py)."""
    out = subprocess.run([sys.executable, "-m", "liif.cli", "--help"], capture_output=True, text=True)
    assert out.returncode == 0 and "upscale" in out.stdout and "train" in out.stdout and "eval" in out.stdout
    assert "score" not in out.stdout


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """`liif models | head -0`: no traceback when stdout's reader has closed the pipe."""
    proc = subprocess.Popen([sys.executable, "-m", "liif.cli", "models"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    proc.stdout.close()  # before the command has printed anything
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


def test_eval_bicubic_only(tmp_path, photo, capsys):
    folder = tmp_path / "set"
    folder.mkdir()
    Image.fromarray(photo).save(folder / "a.png")
    assert main(["eval", "--bicubic-only", "--data", str(folder), "--scales", "2", "--out", str(tmp_path / "r")]) == 0
    assert "| set | x2 |" in capsys.readouterr().out
    assert (tmp_path / "r" / "results.json").exists()


def test_train_and_export_via_cli(tmp_path, photo):
    data = tmp_path / "data"
    data.mkdir()
    Image.fromarray(np.tile(photo, (2, 2, 1))).save(data / "x.png")
    cfg = tmp_path / "cfg.json"
    cfg.write_text('{"model": {"encoder_args": {"n_resblocks": 1, "n_feats": 8}, "hidden_list": [16]},'
                   ' "patch": 16, "batch_size": 2, "sample_q": 64, "total_steps": 4, "val_dir": null}')
    run = tmp_path / "run"
    assert main(["train", "--config", str(cfg), "--data", str(data), "--run-dir", str(run), "-q",
                 "--export", str(tmp_path / "m.safetensors")]) == 0
    assert main(["train", "--config", str(cfg), "--data", str(data), "--run-dir", str(run), "-q"]) == 2  # exists
    assert main(["train", "--resume", str(run / "last.pt"), "--run-dir", str(run), "--steps", "6", "-q"]) == 0
    # A bare --resume continues the run folder's own state (it used to be ignored).
    assert main(["train", "--resume", "--run-dir", str(run), "--steps", "7", "-q"]) == 0
    import torch

    assert torch.load(run / "last.pt", weights_only=True)["step"] == 7
    assert main(["export", str(run / "last.pt"), str(tmp_path / "e.safetensors")]) == 0
    assert liif.create_model(tmp_path / "e.safetensors").imnet.linears[0].out_features == 16


def test_new_cycle_restarts_the_rate_where_the_run_stands(tmp_path, photo, capsys):
    """`--new-cycle`: the cosine starts again at --lr from the resumed step and ends at --steps."""
    import torch

    from liif.train import TrainConfig, lr_at

    data = tmp_path / "data"
    data.mkdir()
    Image.fromarray(np.tile(photo, (2, 2, 1))).save(data / "x.png")
    cfg = tmp_path / "cfg.json"
    cfg.write_text('{"model": {"encoder_args": {"n_resblocks": 1, "n_feats": 8}, "hidden_list": [16]},'
                   ' "patch": 16, "batch_size": 2, "sample_q": 64, "total_steps": 4, "val_dir": null,'
                   ' "schedule": "cosine", "lr": 0.001, "min_lr_ratio": 0.1, "log_every": 1}')
    run = tmp_path / "run"
    assert main(["train", "--config", str(cfg), "--data", str(data), "--run-dir", str(run), "-q"]) == 0
    assert main(["train", "--resume", "--run-dir", str(run), "--new-cycle", "--steps", "4", "-q"]) == 2
    assert "--steps beyond the current step 4" in capsys.readouterr().err
    assert main(["train", "--resume", "--run-dir", str(run), "--new-cycle", "--steps", "8", "--lr", "0.002",
                 "-q"]) == 0
    state = torch.load(run / "last.pt", weights_only=True)
    saved = TrainConfig.from_dict(state["config"])
    assert state["step"] == 8 and saved.cycle_start == 4 and saved.total_steps == 8
    assert lr_at(saved, 4) == pytest.approx(0.002) and lr_at(saved, 8) == pytest.approx(0.0002)
    rates = [float(r.split(",")[2]) for r in (run / "log.csv").read_text().splitlines()[1:]]
    assert len(rates) == 8 and rates[4] > rates[3] and rates[4:] == sorted(rates[4:], reverse=True)
    assert main(["train", "--config", str(cfg), "--data", str(data), "--run-dir", str(tmp_path / "b"),
                 "--new-cycle", "-q"]) == 2
    assert "add --resume" in capsys.readouterr().err


def test_upscale_with_self_ensemble(inputs, model_path, tmp_path):
    plain, ens = tmp_path / "plain.png", tmp_path / "ens.png"
    src = str(inputs / "a.png")
    assert main(["upscale", src, "-o", str(plain), "--scale", "2", "--model", str(model_path), "-q"]) == 0
    assert main(["upscale", src, "-o", str(ens), "--scale", "2", "--model", str(model_path), "-q",
                 "--ensemble", "8"]) == 0
    a, b = np.asarray(Image.open(plain), np.int16), np.asarray(Image.open(ens), np.int16)
    assert a.shape == b.shape and np.abs(a - b).max() > 0


def test_eval_with_back_projection_raises_a_poor_models_psnr(tmp_path, photo, model_path):
    """`--backproject 3`: a random tiny model's inconsistent output is pulled towards the truth."""
    import json

    folder = tmp_path / "set"
    folder.mkdir()
    Image.fromarray(photo).save(folder / "a.png")
    psnr = {}
    for passes in ("0", "3"):
        out = tmp_path / f"r{passes}"
        assert main(["eval", "--model", str(model_path), "--data", str(folder), "--scales", "4", "--out", str(out),
                     "--backproject", passes]) == 0
        psnr[passes] = json.loads((out / "results.json").read_text())[0]["psnr"]
    assert psnr["3"] > psnr["0"] + 1.0


def test_eval_runs_a_model_on_the_chosen_device_with_ensemble(tmp_path, photo, model_path, capsys):
    folder = tmp_path / "set"
    folder.mkdir()
    Image.fromarray(photo).save(folder / "a.png")
    args = ["eval", "--model", str(model_path), "--data", str(folder), "--scales", "2", "--out", str(tmp_path / "r"),
            "--device", "cpu"]
    assert main(args) == 0
    plain = capsys.readouterr().out
    assert main(args + ["--ensemble", "2"]) == 0
    assert "| set | x2 |" in plain and plain != capsys.readouterr().out


def test_exit_status_is_2_for_a_bad_command_and_1_for_an_image_that_failed(inputs, model_path, tmp_path, capsys):
    """As docs/batch.md says (and as `liif batch` does): 2 when nothing could start, 1 when an image failed."""
    broken = tmp_path / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    run = ["-o", str(tmp_path / "out.png"), "--scale", "2", "--model", str(model_path), "-q"]
    assert main(["upscale", str(broken), *run]) == 1  # a single image that failed
    assert main(["upscale", str(inputs / "a.png"), str(broken), "-o", str(tmp_path / "o"), "--scale", "2",
                 "--model", str(model_path), "-q"]) == 1  # one image of several
    assert main(["upscale", str(tmp_path / "missing.png"), *run]) == 2  # nothing to start with
    assert main(["upscale", str(inputs / "a.png"), *run[:-3], "--model", "nosuch"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 4 and all(line.startswith("error: ") for line in err)


def test_models_lists_bundled_weights_and_architectures(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    lines = {line.split()[0]: line for line in out.splitlines() if not line.startswith("architectures")}
    assert set(lines) == set(liif.list_models())
    assert lines[liif.DEFAULT_MODEL].endswith("(default)")
    assert sum(line.endswith("(default)") for line in lines.values()) == 1
    assert all(("LM-LIIF" in line) == ("lmliif" in name) for name, line in lines.items())  # each model's family
    assert "architectures: " in out and "lmliif" in out


def test_one_factory_and_no_old_names(tmp_path):
    from liif.models.registry import list_architectures

    assert liif.DEFAULT_MODEL in liif.list_models() and "liif" not in liif.list_models()
    assert "liif" in list_architectures() and liif.DEFAULT_MODEL not in list_architectures()
    trained, fresh = liif.create_model(), liif.create_model(liif.DEFAULT_MODEL, pretrained=False)
    assert fresh.spec == trained.spec  # the same architecture, without the weights
    assert not torch.equal(fresh.encoder.head[0].weight, trained.encoder.head[0].weight)
    paper = liif.create_model(liif.ModelConfig())
    assert paper.spec["name"] == "liif" and paper.spec == liif.ModelConfig().to_spec()
    assert liif.models.make(paper.spec).spec == paper.spec  # an official spec dict, built as the official code does
    # The names one factory replaced were never in a published release: they are gone, not deprecated.
    for old in ("load_model", "build_model", "list_bundled_models", "list_architectures", "make", "available_models"):
        assert not hasattr(liif, old), old
    assert not hasattr(liif.models, "available_models")


def test_eval_tables_are_headed_by_the_model(tmp_path, photo, model_path, capsys):
    folder = tmp_path / "set"
    folder.mkdir()
    Image.fromarray(photo).save(folder / "a.png")
    assert main(["eval", "--model", str(model_path), "--data", str(folder), "--scales", "2",
                 "--out", str(tmp_path / "r")]) == 0
    assert "| tiny PSNR | tiny SSIM |" in (tmp_path / "r" / "results.md").read_text()
