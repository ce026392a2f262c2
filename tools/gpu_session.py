"""Train the bundled weights on a lent GPU: pack here, train there, unpack here.

A lent GPU machine receives only this checkout, at most 64 MiB of it, and returns at most 16 MiB a
file; it sees neither ``../shared`` nor the internet. So:

  python tools/gpu_session.py pack        # here: shared/gpu/ = training images (lossless WebP),
                                          # Set5, the run's state without Adam: this machine's
                                          # runs/NAME/last.pt, else the shipped weights' card
  PYTHONUNBUFFERED=1 python3 tools/gpu_session.py train --minutes 8 --out "$OUT"   # there
  python tools/gpu_session.py unpack FILES_AT   # here: the GPU's state, log and summary in the run

Training states are never committed (git ignores ``*.pt``, so they do not travel either): a run goes on
from the state this machine has, or from the shipped weights and their card (``liif.train.state_from_weights``).

``train`` runs the CUDA tests first (tests/test_cuda.py), then continues the run in a new cosine
cycle sized to the time left (measured steps per second), with bfloat16 autocast, and writes the
state, log, weights and a summary to ``--out``.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the device has no install of this project

DEST = Path("shared/gpu")  # a shared/ folder in the checkout travels to the device (git ignores it)
DEFAULT_RUN = "runs/edsr-baseline-lmliif"
DEVICE_TREE_LIMIT = 64 * 2**20
# Config fields that describe the machine, not the recipe: the run keeps its own when the state returns.
LOCAL_FIELDS = ("train_dirs", "val_dir", "device", "precision", "threads", "batch_size", "val_every",
                "save_every_minutes")


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], check=True, capture_output=True, text=True).stdout


def run_state(run: Path) -> dict:
    """The run's state: this machine's ``last.pt`` where there is one, else rebuilt from the shipped weights."""
    import torch

    from liif.train import state_from_weights

    local = run / "last.pt"
    if local.exists():
        return torch.load(local, map_location="cpu", weights_only=True)
    shipped = Path("liif/weights") / f"{run.name}.safetensors"
    if not shipped.exists():
        sys.exit(f"{run} has no last.pt here and there are no shipped weights {shipped} to continue from")
    return state_from_weights(shipped)


def travelling_bytes() -> int:
    """What a device call would carry: tracked and untracked-not-ignored files present, and all of shared/."""
    listed = _git("ls-files", "--cached", "--others", "--exclude-standard", "-z").split("\0")
    files = {Path(p) for p in listed if p and Path(p).is_file()}
    files |= {p for p in Path("shared").rglob("*") if p.is_file()}
    return sum(p.stat().st_size for p in files)


def pack(args: argparse.Namespace) -> int:
    """Build shared/gpu/ and take the committed training states out of the working tree."""
    import numpy as np
    import torch
    from PIL import Image

    from liif.data import find_images
    from liif.imageio import load_rgb_array
    from liif.train import slim_state

    run, dest = Path(args.run), DEST
    state = run_state(run)
    if dest.exists():
        shutil.rmtree(dest)
    for i, folder in enumerate(args.data):
        for src in find_images([folder]):
            rgb = load_rgb_array(src)
            out = dest / "train" / f"{i}" / src.relative_to(folder).with_suffix(".webp")
            out.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(rgb).save(out, "WEBP", lossless=True, quality=100, method=4)
            if not np.array_equal(np.asarray(Image.open(out).convert("RGB")), rgb):
                sys.exit(f"lossless WebP did not round-trip {src}: pack cannot guarantee the same data")
    (dest / "val").mkdir(parents=True)
    for src in find_images([args.val]):
        shutil.copy2(src, dest / "val" / src.name)
    torch.save(slim_state(state), dest / "state.pt")
    (dest / "run.json").write_text(json.dumps({"run": str(run), "step": state["step"]}, indent=1))
    size = travelling_bytes()
    print(f"packed {dest}: the run at step {state['step']}. A device call now carries {size / 2**20:.1f} MiB "
          f"of its {DEVICE_TREE_LIMIT / 2**20:.0f}.")
    if size > DEVICE_TREE_LIMIT:
        print("too large for the device: pack fewer --data folders", file=sys.stderr)
        return 1
    print('device command: PYTHONUNBUFFERED=1 python3 tools/gpu_session.py train --minutes 8 --out "$OUT"')
    return 0


def train(args: argparse.Namespace) -> int:
    """On the device: CUDA tests, then the run continued in a cosine cycle that fits the time left."""
    import torch

    from liif.train import TrainConfig, Trainer, model_card, slim_state

    began = time.perf_counter()
    budget = args.minutes * 60
    src, out = Path(args.src), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    info = json.loads((src / "run.json").read_text())
    summary: dict = {"device": torch.cuda.get_device_name() if torch.cuda.is_available() else "cpu",
                     "torch": torch.__version__, "run": info["run"]}

    if not args.skip_tests:  # a failing or hanging test is reported; the training still gets its minutes
        with (out / "cuda-tests.log").open("w") as log:
            tests = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_cuda.py"]
            try:
                code = subprocess.run(tests, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                      timeout=args.test_timeout, check=False).returncode
            except subprocess.TimeoutExpired:
                code = f"stopped after {args.test_timeout:.0f} s"
        summary["cuda_tests"] = code
        print(f"CUDA tests: {code}", *(out / "cuda-tests.log").read_text().strip().splitlines()[-1:])

    saved = torch.load(src / "state.pt", map_location="cpu", weights_only=True)
    run_dir = Path(args.work) / Path(info["run"]).name
    run_dir.mkdir(parents=True, exist_ok=True)
    if (Path(info["run"]) / "log.csv").exists():  # the new rows continue the run's log
        shutil.copy2(Path(info["run"]) / "log.csv", run_dir / "log.csv")
    cfg = replace(TrainConfig.from_dict(saved["config"]), train_dirs=[str(src / "train")], val_dir=str(src / "val"),
                  device=args.device, precision=args.precision, threads=None, batch_size=args.batch_size,
                  lr=args.lr, val_every=args.val_every, save_every_minutes=2.0)
    trainer = Trainer(cfg, run_dir)
    trainer.load(saved)
    start, spent_before = trainer.step, trainer.device_seconds.get(trainer.device.type, 0.0)
    # Measure the pace at the cycle's peak rate, then size the cycle to end with the time budget.
    trainer.cfg.cycle_start, trainer.cfg.total_steps = start, start + 10**9
    trainer.cfg.val_every = 0
    trainer.run(max_steps=max(1, args.calibration_steps // 10), quiet=True)  # CUDA start-up and autotuning
    t0 = time.perf_counter()
    trainer.run(max_steps=args.calibration_steps, quiet=True)
    rate = args.calibration_steps / (time.perf_counter() - t0)
    left = budget - (time.perf_counter() - began) - args.reserve
    trainer.cfg.total_steps = trainer.step + max(1, int(rate * left))
    trainer.cfg.val_every = args.val_every
    print(f"{rate:.1f} steps/s: cycle {start} -> {trainer.cfg.total_steps} in {left / 60:.1f} min")
    trainer.run(max_time=left, quiet=True)
    val = trainer.validate()

    state = trainer.state()
    torch.save(slim_state(state), out / "state.pt")
    shutil.copy2(run_dir / "log.csv", out / "log.csv")
    name = Path(info["run"]).name
    trainer.export(out / f"{name}.safetensors", card=model_card(state))
    spent = trainer.device_seconds[trainer.device.type] - spent_before
    summary.update(steps=[start, trainer.step], steps_per_s=round(rate, 2), lr=args.lr, batch_size=args.batch_size,
                   precision=args.precision, train_seconds=round(spent), val_psnr=val,
                   wall_s=round(time.perf_counter() - began))
    (out / "gpu.json").write_text(json.dumps(summary, indent=1))
    print(json.dumps(summary))
    return 0


def unpack(args: argparse.Namespace) -> int:
    """Put the GPU's state, log and summary into the run (the state stays local: git ignores it)."""
    import torch

    got = Path(args.files_at)
    missing = [f for f in ("state.pt", "log.csv", "gpu.json") if not (got / f).exists()]
    if missing:
        sys.exit(f"{got} lacks {', '.join(missing)}: was it the train command's --out?")
    summary = json.loads((got / "gpu.json").read_text())
    run = Path(summary["run"])
    state = torch.load(got / "state.pt", map_location="cpu", weights_only=True)
    before = run_state(run)
    if state["config"]["model"] != before["config"]["model"] or state["step"] <= before["step"]:
        sys.exit(f"{got}/state.pt does not continue {run} (step {state['step']} against {before['step']}): "
                 "nothing was changed")
    state["config"].update({k: before["config"][k] for k in LOCAL_FIELDS if k in before["config"]})
    run.mkdir(parents=True, exist_ok=True)
    torch.save(state, run / "last.pt")
    shutil.copy2(got / "log.csv", run / "log.csv")
    (run / "config.json").write_text(json.dumps(state["config"], indent=1) + "\n")
    history = run / "gpu-sessions.json"
    sessions = json.loads(history.read_text()) if history.exists() else []
    history.write_text(json.dumps(sessions + [summary], indent=1) + "\n")
    print(f"{run}: step {before['step']} -> {state['step']} on {summary['device']} "
          f"({summary['train_seconds'] / 60:.1f} min of training there). The state has no Adam moments: the next "
          f"resume starts them fresh. Next: liif export {run}/last.pt liif/weights/{run.name}.safetensors "
          f"--overwrite; liif eval; rm -r {DEST}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: pack | train | unpack."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("pack", help="here: build shared/gpu/ for the device")
    p.add_argument("--run", default=DEFAULT_RUN)
    p.add_argument("--data", nargs="+", default=["../shared/datasets/train"])
    p.add_argument("--val", default="../shared/datasets/eval/Set5")
    p.set_defaults(func=pack)
    p = sub.add_parser("train", help="there: CUDA tests, then training for the time left")
    p.add_argument("--minutes", type=float, default=8.0, help="the whole command's budget")
    p.add_argument("--out", required=True, help="where the results go ($OUT on the device)")
    p.add_argument("--src", default=str(DEST))
    p.add_argument("--work", default="/tmp/gpu-session", help="the run folder there")
    p.add_argument("--device", default="cuda")
    p.add_argument("--precision", default="bf16")
    p.add_argument("--lr", type=float, default=2e-4, help="the new cycle's peak rate")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--val-every", type=int, default=2000)
    p.add_argument("--calibration-steps", type=int, default=200)
    p.add_argument("--reserve", type=float, default=45.0, help="seconds kept for validation and writing")
    p.add_argument("--test-timeout", type=float, default=150.0)
    p.add_argument("--skip-tests", action="store_true")
    p.set_defaults(func=train)
    p = sub.add_parser("unpack", help="here: the device's results into the run")
    p.add_argument("files_at", help="the folder the device's files came back to")
    p.set_defaults(func=unpack)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
