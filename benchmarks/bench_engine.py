"""Throughput and peak memory of the engine (LIIF and LM-LIIF) against the official LIIF procedure and PIL bicubic.

Each case runs in a fresh subprocess so that its peak resident memory (torch included) is its own.
Figures are printed as ratios against the official path measured in the same run.

    python benchmarks/bench_engine.py                 # 256x256 at x4 and x8, 512x512 at x4 (2048^2 output)
    python benchmarks/bench_engine.py --quick         # 128x128 at x4 only
    python benchmarks/bench_engine.py --psnr          # also: PSNR change of bf16 vs exact (bundled model, Set5)
    python benchmarks/bench_engine.py --psnr-only     # only that
    python benchmarks/bench_engine.py --methods exact lmf-exact   # a subset (ratios then against the first)

Methods: official (the official LIIF query_rgb, tests/liif_oracle.py), exact and bf16 (LIIF in the
engine), lmf-exact and lmf-bf16 (LM-LIIF in the engine: the fused render kernel where numba is
installed), bicubic (PIL).
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
METHODS = ["official", "exact", "bf16", "lmf-exact", "lmf-bf16", "bicubic"]


def run_case(method: str, size: int, scale: int, threads: int) -> dict:
    """Run one case in this process and return seconds, output MP/s and peak RSS."""
    import numpy as np
    import torch

    torch.set_num_threads(threads)
    sys.path.insert(0, str(REPO / "tests"))
    import liif

    rng = np.random.default_rng(0)
    # A real photo region, so the timing does not depend on unusual statistics.
    from PIL import Image
    from skimage import data

    img = np.asarray(Image.fromarray(data.astronaut()).resize((size, size), Image.BICUBIC))
    out_side = size * scale
    torch.manual_seed(0)
    # The papers' EDSR-baseline models; speed does not depend on the weights.
    family = "lmliif" if method.startswith("lmf-") else "liif"
    model = liif.create_model(liif.ModelConfig(family=family))
    if method == "bicubic":
        t0 = time.perf_counter()
        Image.fromarray(img).resize((out_side, out_side), Image.BICUBIC)
        seconds = time.perf_counter() - t0
    elif method == "official":
        from liif_oracle import official_upscale

        x = torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255
        official_upscale(model, x[:, :, :16, :16], 64, 64)  # warm-up (start-up excluded)
        t0 = time.perf_counter()
        official_upscale(model, x, out_side, out_side)
        seconds = time.perf_counter() - t0
    else:
        up = liif.Upscaler(model, device="cpu", precision=method.removeprefix("lmf-"))
        up.render(img[:16, :16].astype(np.float32) / 255, 64, 64)  # warm-up
        t0 = time.perf_counter()
        up.render(img.astype(np.float32) / 255, out_side, out_side)
        seconds = time.perf_counter() - t0
    del rng
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"method": method, "input": size, "scale": scale, "seconds": seconds,
            "mp_per_s": out_side * out_side / 1e6 / seconds, "peak_rss_mb": peak_mb}


def psnr_check() -> list[dict]:
    """Y-PSNR of exact vs bf16 with each bundled model on Set5 (standard protocol)."""
    import liif
    from liif.evaluate import evaluate_folder

    folder = REPO.parent / "shared" / "datasets" / "eval" / "Set5"
    rows = []
    for name in liif.list_models():
        model = liif.create_model(name)
        for scale in (2, 4, 8):
            exact = evaluate_folder(model, folder, [scale], precision="exact")[0]["psnr"]
            bf16 = evaluate_folder(model, folder, [scale], precision="bf16")[0]["psnr"]
            rows.append({"model": name, "scale": scale, "exact_psnr": exact, "bf16_psnr": bf16,
                         "delta_db": bf16 - exact})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--psnr", action="store_true", help="also measure bf16's PSNR change (bundled model)")
    parser.add_argument("--psnr-only", action="store_true", help="only the PSNR check, no timings")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=METHODS)
    parser.add_argument("--cases", nargs="+",
                        help="input side and scale, e.g. 256x4 512x4 (default: 256x4 256x8 512x4)")
    parser.add_argument("--case", help=argparse.SUPPRESS)  # internal: method,size,scale
    args = parser.parse_args()
    if args.case:
        method, size, scale = args.case.split(",")
        print(json.dumps(run_case(method, int(size), int(scale), args.threads)))
        return
    cases = [] if args.psnr_only else [(128, 4)] if args.quick else [(256, 4), (256, 8), (512, 4)]
    if args.cases and not args.psnr_only:
        cases = [tuple(int(v) for v in c.split("x")) for c in args.cases]
    print(f"machine: {platform.processor() or platform.machine()}, {args.threads} threads, "
          f"python {platform.python_version()}")
    results = []
    for size, scale in cases:
        for method in args.methods:
            proc = subprocess.run([sys.executable, __file__, "--case", f"{method},{size},{scale}",
                                   "--threads", str(args.threads)], capture_output=True, text=True, check=True)
            results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
            r = results[-1]
            print(f"  {method:9s} {size}x{size} x{scale}: {r['seconds']:8.2f} s  {r['mp_per_s']:.4f} MP/s  "
                  f"peak {r['peak_rss_mb']:.0f} MB", flush=True)
    base_name = args.methods[0]
    second = "exact" if "exact" in args.methods and base_name != "exact" else None
    if cases:
        extra = " vs exact LIIF |" if second else ""
        print(f"\n| input | scale | method | seconds | output MP/s | vs {base_name} |{extra} "
              f"peak RSS (MB) | vs {base_name} |")
        print("|---|---|---|---|---|---|" + ("---|" if second else "") + "---|---|")
    for size, scale in cases:
        group = [r for r in results if r["input"] == size and r["scale"] == scale]
        base = next(r for r in group if r["method"] == base_name)
        ref = next((r for r in group if r["method"] == second), None)
        for r in group:
            vs_exact = f" {r['mp_per_s'] / ref['mp_per_s']:.2f}x |" if ref else ""
            print(f"| {size}x{size} | x{scale} | {r['method']} | {r['seconds']:.2f} | {r['mp_per_s']:.4f} | "
                  f"{r['mp_per_s'] / base['mp_per_s']:.2f}x |{vs_exact} {r['peak_rss_mb']:.0f} | "
                  f"{r['peak_rss_mb'] / base['peak_rss_mb']:.2f} |")
    if args.psnr or args.psnr_only:
        print("\n| model | Set5 scale | exact PSNR | bf16 PSNR | change (dB) |\n|---|---|---|---|---|")
        for r in psnr_check():
            print(f"| {r['model']} | x{r['scale']} | {r['exact_psnr']:.3f} | {r['bf16_psnr']:.3f} "
                  f"| {r['delta_db']:+.3f} |")


if __name__ == "__main__":
    main()
