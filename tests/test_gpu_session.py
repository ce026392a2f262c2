"""tools/gpu_session.py end to end on the CPU: pack here, train "there", unpack here (a tiny run)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import liif
from liif.imageio import load_rgb_array
from liif.train import TrainConfig, Trainer

SCRIPT = Path(__file__).resolve().parents[1] / "tools" / "gpu_session.py"


def _session(repo: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    return subprocess.run([sys.executable, str(SCRIPT), *args], cwd=repo, env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True,
                   capture_output=True)


@pytest.fixture()
def project(tmp_path, photo) -> Path:
    """A git checkout with two local runs (one tiny LIIF run to continue; states ignored by git), and data beside it."""
    repo = tmp_path / "repo"
    data, val = tmp_path / "data" / "set", tmp_path / "val"
    data.mkdir(parents=True)
    val.mkdir()
    Image.fromarray(np.tile(photo, (2, 2, 1))).save(data / "a.png")
    Image.fromarray(photo).convert("L").save(data / "b.bmp")  # grey: packed as the RGB the trainer reads
    Image.fromarray(photo).save(val / "v.png")
    cfg = TrainConfig(train_dirs=[str(data)], val_dir=None, model=liif.ModelConfig.tiny().asdict(), patch=16,
                      batch_size=2, sample_q=64, total_steps=100, schedule="cosine", log_every=1, threads=1)
    Trainer(cfg, repo / "runs" / "tiny").run(max_steps=3, quiet=True)
    (repo / "runs" / "other").mkdir()
    (repo / "runs" / "other" / "last.pt").write_bytes(b"another run's state")
    (repo / ".gitignore").write_text("/shared/\n*.pt\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "runs")
    return repo


def test_pack_train_unpack_continues_the_run(project, tmp_path):
    data, val = tmp_path / "data", tmp_path / "val"
    packed = _session(project, "pack", "--run", "runs/tiny", "--data", str(data), "--val", str(val))
    assert packed.returncode == 0, packed.stderr
    assert "the run at step 3" in packed.stdout and "MiB" in packed.stdout
    gpu = project / "shared" / "gpu"
    for src in (data / "set" / "a.png", data / "set" / "b.bmp"):
        webp = gpu / "train" / "0" / "set" / src.with_suffix(".webp").name
        assert np.array_equal(load_rgb_array(webp), load_rgb_array(src))  # lossless, as the trainer reads it
    assert torch.load(gpu / "state.pt", weights_only=True)["optimizer"] is None
    assert (project / "runs" / "other" / "last.pt").read_bytes() == b"another run's state"  # untouched

    out = tmp_path / "out"
    trained = _session(project, "train", "--device", "cpu", "--precision", "exact", "--minutes", "0.6", "--out",
                       str(out), "--calibration-steps", "10", "--reserve", "4", "--val-every", "0")
    assert trained.returncode == 0, trained.stderr
    summary = json.loads((out / "gpu.json").read_text())
    log = (out / "cuda-tests.log").read_text()
    if torch.cuda.is_available():
        assert summary["cuda_tests"] == 0 and " passed" in log
    else:  # the CUDA tests ran and reported themselves skipped (pytest's exit code 0), none failed
        assert summary["cuda_tests"] == 0 and " skipped" in log and "failed" not in log
    assert summary["steps"][0] == 3 and summary["steps"][1] > 3 + 1 + 10 and summary["val_psnr"] > 10
    assert liif.create_model(out / "tiny.safetensors").imnet is not None

    unpacked = _session(project, "unpack", str(out))
    assert unpacked.returncode == 0, unpacked.stderr
    assert (project / "runs" / "other" / "last.pt").read_bytes() == b"another run's state"
    state = torch.load(project / "runs" / "tiny" / "last.pt", weights_only=True)
    assert state["step"] == summary["steps"][1] and state["optimizer"] is None
    assert state["config"]["cycle_start"] == 3 and state["config"]["total_steps"] > 3
    # the machine's settings are the run's again (the device trained from shared/gpu/, on "cuda", in bf16)
    assert state["config"]["train_dirs"] == [str(data / "set")] and state["config"]["device"] == "auto"
    assert state["config"]["precision"] == "exact" and state["config"]["threads"] == 1
    assert json.loads((project / "runs" / "tiny" / "config.json").read_text())["cycle_start"] == 3
    assert json.loads((project / "runs" / "tiny" / "gpu-sessions.json").read_text())[0]["device"] == "cpu"
    rows = (project / "runs" / "tiny" / "log.csv").read_text().splitlines()
    assert rows[0].startswith("step,") and int(rows[-1].split(",")[0]) == state["step"]
    assert int(rows[3].split(",")[0]) == 3  # the committed rows are kept, the new ones follow


def test_pack_continues_from_the_shipped_weights_where_there_is_no_local_state(project, tmp_path):
    from liif.train import model_card

    run = project / "runs" / "tiny"
    trainer = Trainer(TrainConfig.from_dict(torch.load(run / "last.pt", weights_only=True)["config"]), tmp_path / "t")
    trainer.load(run / "last.pt")
    (run / "last.pt").unlink()
    args = ["pack", "--run", "runs/tiny", "--data", str(tmp_path / "data"), "--val", str(tmp_path / "val")]
    refused = _session(project, *args)
    assert refused.returncode != 0 and "no shipped weights" in refused.stderr and not (project / "shared").exists()
    trainer.export(project / "liif" / "weights" / "tiny.safetensors", card=model_card(trainer.state()), half=False)
    packed = _session(project, *args)
    assert packed.returncode == 0, packed.stderr
    state = torch.load(project / "shared" / "gpu" / "state.pt", weights_only=True)
    assert state["step"] == 3 and state["optimizer"] is None and state["config"]["total_steps"] == 100
