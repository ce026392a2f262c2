"""Where LM-LIIF's time goes: encoder, hypernet + table, and the render MLP, on one image.

    python benchmarks/profile_lmliif.py                  # 256x256 -> 1024x1024, 2 threads
    python benchmarks/profile_lmliif.py --size 512 --scale 4 --threads 1

Each stage is timed on its own (best of two), then the whole render; "render" is the whole minus
the per-low-resolution-pixel stages. The model is the paper's EDSR-baseline-LM-LIIF (random weights:
speed does not depend on them).
"""
from __future__ import annotations

import argparse
import time

import numpy as np
import torch

import liif


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--scale", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--kernel", default="auto", choices=["auto", "fused", "torch"])
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    model = liif.create_model(liif.ModelConfig(family="lmliif"))
    up = liif.Upscaler(model, device="cpu", tile=None, render_kernel=args.kernel)
    rgb = np.random.default_rng(0).random((args.size, args.size, 3)).astype(np.float32)
    out = args.size * args.scale
    up.render(rgb[:32, :32], 128, 128)  # warm-up (the kernel's compilation is not counted)
    best: dict[str, float] = {}
    with torch.inference_mode():
        x = torch.from_numpy(rgb).permute(2, 0, 1)[None].sub(0.5).div(0.5).contiguous(memory_format=torch.channels_last)
        rel_cell = torch.tensor([[2 * args.size / out] * 2])
        for _ in range(2):
            t0 = time.perf_counter()
            feat = up.model.gen_feat(x)
            t1 = time.perf_counter()
            up.model.first_layer(feat, rel_cell)
            t2 = time.perf_counter()
            best["encoder"] = min(best.get("encoder", 1e9), t1 - t0)
            best["hypernet+table"] = min(best.get("hypernet+table", 1e9), t2 - t1)
    t0 = time.perf_counter()
    up.render(rgb, out, out)
    total = time.perf_counter() - t0
    render = total - best["encoder"] - best["hypernet+table"]
    print(f"{args.size}x{args.size} -> {out}x{out}, {args.threads} threads, kernel "
          f"{'fused' if up.fused_render is not None else 'torch'}: total {total:.2f} s = encoder "
          f"{best['encoder']:.2f} s + hypernet and table {best['hypernet+table']:.2f} s + render {render:.2f} s "
          f"({out * out / 1e6 / max(render, 1e-9):.2f} output MP/s)")


if __name__ == "__main__":
    main()
