"""Zoom anywhere on a 12-megapixel phone photo: peak memory and time of one window, from a crop against the whole
photo (issue 37).

A 4032x3024 JPEG (an iPhone's 12 MP; Set14's baboon tiled where ../shared is, else scikit-image's astronaut),
a 256x256 window at x4 with the demo's default model, two ways, each in a fresh interpreter so that the
peaks do not mix:

* **crop**: ``studio.bigphoto.open_photo`` (the 8-bit decode) then ``studio.bigphoto.render_window`` (the engine
  gets the crop the window needs);
* **whole**: the same decode, then ``Upscaler.render_window`` on the whole photo (the engine's float copy of
  all of it, and its hash for the feature cache).

Peak memory is the process's peak resident set (``ru_maxrss``) less its resident set after the imports and the
model: what the photo and the window add. Not a test: prints a table (same run, so the ratios compare).

    python benchmarks/bench_bigphoto.py [--threads 2]
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CHILD = r"""
import json, resource, sys, time
import numpy as np, torch
import liif
from studio import bigphoto
torch.set_num_threads(int(sys.argv[3]))
up = liif.Upscaler(liif.create_model(None), precision="exact")
def rss_mb():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmRSS")) / 1024
base = rss_mb()
t0 = time.perf_counter()
upload = bigphoto.open_photo(sys.argv[1], bigphoto.ZOOM_INPUT_MP)
t1 = time.perf_counter()
centre = (2900.0, 1700.0)
if sys.argv[2] == "crop":
    win, _ = bigphoto.render_window(up, upload.image, centre, 4, (256, 256))
else:
    win = up.render_window(upload.image, centre, 4, (256, 256))
t2 = time.perf_counter()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"decode_s": t1 - t0, "window_s": t2 - t1, "added_peak_mb": peak - base}))
"""


def photo(folder: Path) -> Path:
    """The 12 MP test photo: a real texture tiled to 4032x3024, saved as a quality-90 JPEG."""
    import numpy as np
    from PIL import Image

    baboon = ROOT.parent / "shared" / "datasets" / "eval" / "Set14" / "baboon.png"
    if baboon.exists():
        tile = np.asarray(Image.open(baboon).convert("RGB"))
    else:
        from skimage import data

        tile = data.astronaut()
    reps = (-(-3024 // tile.shape[0]), -(-4032 // tile.shape[1]), 1)
    path = folder / "IMG_0001.jpg"
    Image.fromarray(np.tile(tile, reps)[:3024, :4032]).save(path, quality=90)
    return path


def main() -> None:
    """Run both ways and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = photo(Path(tmp))
        rows = {}
        for way in ("crop", "whole"):
            out = subprocess.run([sys.executable, "-c", CHILD, str(path), way, str(args.threads)], cwd=ROOT,
                                 capture_output=True, text=True, check=True)
            rows[way] = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"# {platform.processor() or platform.machine()}, {args.threads} threads; 4032x3024 JPEG, "
          "256x256 window at x4, default model, exact")
    print(f"{'way':6s} {'decode s':>9s} {'window s':>9s} {'added peak MB':>14s}")
    for way, r in rows.items():
        print(f"{way:6s} {r['decode_s']:9.2f} {r['window_s']:9.2f} {r['added_peak_mb']:14.0f}")
    crop, whole = rows["crop"], rows["whole"]
    print(f"crop / whole: window time {crop['window_s'] / whole['window_s']:.2f}x, "
          f"added peak {crop['added_peak_mb'] / whole['added_peak_mb']:.2f}x")


if __name__ == "__main__":
    main()
