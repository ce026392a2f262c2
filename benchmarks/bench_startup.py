"""Whole-process times of the ``liif`` command: start-up against ``import torch``, and a small upscale against
the official LIIF procedure run as a script the way the official demo is.

Every command is a fresh process, started in turn (A B C A B C ...) so that a drift of the shared machine's
speed falls on all of them; medians are printed, with the ratios the goals are stated in:

* ``liif --help`` and ``liif upscale`` start within 0.5 s of ``import torch`` (start-up = the whole process
  of a 16x16 x2 upscale, whose render is a few milliseconds);
* the whole process of a 192x192 x4 upscale (the paper's EDSR-baseline-LIIF, official-format checkpoint) is
  >= 3.5x faster than the official procedure (``tests/liif_oracle.py``: the official demo's batched_predict
  and query_rgb) run as a script, its imports and model loading included;
* ``liif score`` of a 1-megapixel output (1024x1024, the bicubic x4 of a 256x256 photo) takes at most 1 s over
  ``import torch``, its report computed (issue 38; the rows whose weights are absent cost nothing).

    python benchmarks/bench_startup.py [--runs 5] [--threads 2] [--official-repo PATH] [--score-only]

``--official-repo`` is a checkout of the official code (github.com/yinboc/liif): its ``demo.py`` is run
too, on a copy whose ``.cuda()`` calls are removed (it assumes a GPU) and whose unused tensorboardX
import is stubbed, so the figure is the official code itself on this CPU.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TORCH = "python -c 'import torch'"
OFFICIAL_SCRIPT = """
import sys, torch
from PIL import Image
import numpy as np
sys.path.insert(0, {tests!r})
from liif_oracle import official_upscale
import liif
model = liif.load_official({ckpt!r})
img = torch.from_numpy(np.asarray(Image.open({src!r}).convert("RGB")).copy()).permute(2, 0, 1)[None].float() / 255
with torch.no_grad():
    out = official_upscale(model, img, {side}, {side})
Image.fromarray((out[0].permute(1, 2, 0) * 255).round().byte().numpy()).save({dst!r})
"""


def _score_pair(work: Path) -> tuple[Path, Path]:
    """A 256x256 photo and its 1024x1024 bicubic enlargement: what ``liif score`` reads."""
    from PIL import Image
    from skimage import data

    low = work / "score_in.png"
    Image.fromarray(data.astronaut()[100:356, 150:406]).save(low)
    out = work / "score_out.png"
    Image.open(low).resize((1024, 1024), Image.BICUBIC).save(out)
    return out, low


def _prepare(work: Path) -> tuple[Path, Path, Path]:
    """A 192x192 photo, a 16x16 one, and the paper's EDSR-baseline-LIIF as an official-format checkpoint."""
    import numpy as np
    import torch
    from PIL import Image
    from skimage import data

    import liif

    photo = work / "in192.png"
    Image.fromarray(data.astronaut()[100:292, 150:342]).save(photo)
    tiny = work / "in16.png"
    Image.fromarray(np.asarray(Image.open(photo))[:16, :16]).save(tiny)
    torch.manual_seed(0)
    model = liif.create_model(liif.ModelConfig())  # the paper's size; random weights cost the same time
    ckpt = work / "edsr-baseline-liif.pth"
    torch.save({"model": {**model.spec, "sd": model.state_dict()}}, ckpt)
    return photo, tiny, ckpt


def _official_on_cpu(repo: Path, work: Path) -> Path:
    """A copy of the official code that runs on a CPU: the same procedure, without .cuda() and tensorboardX."""
    copy = work / "official"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns(".git"))
    for path in copy.rglob("*.py"):
        text = re.sub(r"\.cuda\(\)", "", path.read_text())
        text = text.replace("from tensorboardX import SummaryWriter", "SummaryWriter = None")
        text = text.replace("torch.load(args.model)", "torch.load(args.model, weights_only=False)")
        path.write_text(text)
    return copy / "demo.py"


def _cpu_name() -> str:
    """The processor's model name (Linux), for the figures' CPU class."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    """Time the commands in turn and print medians and the goals' ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--official-repo", type=Path, help="a checkout of github.com/yinboc/liif")
    parser.add_argument("--score-only", action="store_true", help="time only import torch and liif score")
    args = parser.parse_args()
    liif_cmd = shutil.which("liif")
    if liif_cmd is None:
        sys.exit("the liif command is not installed: pip install -e . first")
    env = {**os.environ, "OMP_NUM_THREADS": str(args.threads), "OMP_WAIT_POLICY": "PASSIVE"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        photo, tiny, ckpt = _prepare(work)
        official = OFFICIAL_SCRIPT.format(tests=str(ROOT / "tests"), ckpt=str(ckpt), src=str(photo), side=768,
                                          dst=str(work / "official.png"))
        commands = {
            TORCH: [sys.executable, "-c", "import torch"],
            "liif --help": [liif_cmd, "--help"],
            "liif upscale 16x16 x2 (start-up)": [liif_cmd, "upscale", str(tiny), "-o", str(work / "t.png"),
                                                 "--scale", "2", "--model", str(ckpt), "-q", "--overwrite"],
            "liif upscale 192x192 x4": [liif_cmd, "upscale", str(photo), "-o", str(work / "ours.png"), "--scale",
                                        "4", "--model", str(ckpt), "-q", "--overwrite",
                                        "--threads", str(args.threads)],
            "official procedure 192x192 x4": [sys.executable, "-c", official],
        }
        score_out, score_in = _score_pair(work)
        commands["liif score 1 MP"] = [liif_cmd, "score", str(score_out), "--input", str(score_in)]
        if args.score_only:
            commands = {name: cmd for name, cmd in commands.items() if name in (TORCH, "liif score 1 MP")}
        if args.official_repo is not None:
            demo = _official_on_cpu(args.official_repo, work)
            commands["official demo.py 192x192 x4"] = [
                sys.executable, str(demo), "--input", str(photo), "--model", str(ckpt), "--resolution", "768,768",
                "--output", str(work / "demo.png")]
        for cmd in commands.values():  # warm-up: file caches, numba's cache
            _time(cmd, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.runs):
            for name, cmd in commands.items():
                times[name].append(_time(cmd, env))
    med = {name: statistics.median(t) for name, t in times.items()}
    print(f"{args.runs} runs each, interleaved, {args.threads} threads; medians (min-max):")
    for name, t in times.items():
        print(f"  {name:34s} {med[name]:6.2f} s  ({min(t):.2f}-{max(t):.2f})")
    torch_s = med[TORCH]
    print(f"CPU: {_cpu_name()}, {os.cpu_count()} cores visible (a shared machine: compare within one run)")
    if "liif --help" in med:
        print(f"liif --help: import torch + {med['liif --help'] - torch_s:.2f} s (goal: <= 0.5 s)")
        print(f"liif upscale start-up: import torch + {med['liif upscale 16x16 x2 (start-up)'] - torch_s:.2f} s "
              "(goal: <= 0.5 s)")
    print(f"liif score 1 MP: import torch + {med['liif score 1 MP'] - torch_s:.2f} s (goal: <= 1 s)")
    for official in ("official procedure 192x192 x4", "official demo.py 192x192 x4"):
        if official in med:
            ratio = med[official] / med["liif upscale 192x192 x4"]
            print(f"whole process, 192x192 x4: {ratio:.2f}x faster than the {official.rsplit(' 192x192', 1)[0]} "
                  "(goal: >= 3.5x)")


if __name__ == "__main__":
    main()
