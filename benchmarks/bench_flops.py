"""Where a render's time goes: the encoder's and the decoder's seconds and GFLOP/s against this CPU's GEMM peak.

    python benchmarks/bench_flops.py                       # the demo's default model, 480 -> 1920, exact and bf16
    python benchmarks/bench_flops.py --model edsr-baseline-liif --side 256
    ONEDNN_MAX_CPU_ISA=AVX512_CORE_VNNI python benchmarks/bench_flops.py   # as an AVX-512 CPU without bf16

The encoder is every call of the model's per-input-pixel work (``gen_feat``, and LM-LIIF's hypernet in
``first_layer``); the decoder is the rest of the render. FLOPs are counted by torch's FlopCounterMode
(matrix products and convolutions) on the same calls; LM-LIIF's fused numba render is not a torch op,
so its FLOPs come from the same decode counted on the PyTorch path over a small window, per output
pixel. The peak is what this machine's BLAS reaches on a large GEMM in that precision (the achievable
roof, not the data sheet's), measured in the same run. Every line names the CPU class.
"""
from __future__ import annotations

import argparse
import contextlib
import time
from collections.abc import Callable
from unittest import mock

import numpy as np
import torch
from PIL import Image
from skimage import data
from torch.utils.flop_counter import FlopCounterMode

import liif
import liif.engine as liif_engine
from liif.precision import cpu_class


def gemm_peak(dtype: torch.dtype, n: int = 2048, repeats: int = 5) -> float:
    """GFLOP/s of a large square matrix product in ``dtype``, the better of torch.mm and oneDNN's linear."""
    from liif.kernels import fused_linear_relu

    gen = torch.Generator().manual_seed(0)
    a, b = (torch.randn(n, n, generator=gen).to(dtype) for _ in range(2))
    bias = torch.zeros(n, dtype=dtype)
    fused = fused_linear_relu(dtype)
    candidates = [lambda: torch.mm(a, b)] + ([lambda: fused(a, b, bias)] if fused is not None else [])
    best = float("inf")
    for fn in candidates:
        fn()  # warm-up
        best = min([best] + [_seconds(fn) for _ in range(repeats)])
    return 2 * n**3 / best / 1e9


def _seconds(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


class EncoderMeter:
    """Accumulates the seconds (and, with ``count``, the FLOPs) of the model's per-input-pixel calls in a render."""

    def __init__(self, up: liif.Upscaler, count: bool = False) -> None:
        self.seconds, self.flops, self.count = 0.0, 0.0, count
        for name in ("gen_feat", "first_layer"):
            setattr(up.model, name, self._measured(getattr(up.model, name)))

    def _measured(self, fn: Callable) -> Callable:
        def run(*args, **kwargs):
            counter = FlopCounterMode(display=False) if self.count else contextlib.nullcontext()
            t0 = time.perf_counter()
            try:
                with counter:
                    return fn(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - t0
                self.flops += float(counter.get_total_flops()) if self.count else 0.0
        return run


def decoder_flops_per_pixel(model: liif.LIIF | liif.LMLIIF, precision: str) -> float:
    """Matrix-product FLOPs per output pixel of the decoder, counted on the PyTorch path over a 64x64 output."""
    small = np.asarray(Image.fromarray(data.astronaut()).resize((32, 32), Image.Resampling.BICUBIC))
    up = liif.Upscaler(model, precision=precision, render_kernel="torch")
    meter = EncoderMeter(up, count=True)
    # LIIF's inference tail runs oneDNN ops the counter has no formula for: count the model's own autograd
    # tail, the same products in plain linear layers.
    with FlopCounterMode(display=False) as whole, mock.patch.object(liif_engine, "InferenceTail", lambda *a: None):
        up.upscale(small, scale=2)
    return (float(whole.get_total_flops()) - meter.flops) / (64 * 64)


def main() -> None:
    """Time and count one render per precision and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default=liif.DEFAULT_MODEL)
    ap.add_argument("--side", type=int, default=480)
    ap.add_argument("--scale", type=int, default=4)
    ap.add_argument("--precisions", nargs="+", default=["exact", "bf16"], choices=["exact", "bf16"])
    args = ap.parse_args()
    image = np.asarray(Image.fromarray(data.astronaut()).resize((args.side, args.side), Image.Resampling.BICUBIC))
    model = liif.create_model(args.model)
    out_px = (args.side * args.scale) ** 2
    print(f"{cpu_class()}, torch {torch.__version__}, {torch.get_num_threads()} threads")
    print(f"{args.model}, {args.side} -> {args.side * args.scale}\n")
    print("| precision | GEMM peak GFLOP/s | part | seconds | GFLOP | GFLOP/s | of peak |")
    print("|---|---|---|---|---|---|---|")
    for precision in args.precisions:
        peak = gemm_peak(torch.float32 if precision == "exact" else torch.bfloat16)
        counted = liif.Upscaler(model, precision=precision)
        meter = EncoderMeter(counted, count=True)
        counted.upscale(image, scale=args.scale)  # one counted render: the encoder's FLOPs, tile overlaps included
        enc_flops = meter.flops
        dec_flops = decoder_flops_per_pixel(model, precision) * out_px
        up = liif.Upscaler(model, precision=precision)
        up.upscale(image[:32, :32], scale=args.scale)  # warm-up: oneDNN and numba kernels
        clock = EncoderMeter(up)
        total = _seconds(lambda up=up: up.upscale(image, scale=args.scale))
        parts = (("encoder", clock.seconds, enc_flops), ("decoder", total - clock.seconds, dec_flops))
        for name, seconds, flops in parts:
            rate = flops / seconds / 1e9
            print(f"| {precision} | {peak:.0f} | {name} | {seconds:.2f} | {flops / 1e9:.1f} | {rate:.0f} | "
                  f"{rate / peak:.0%} |")
        print(f"| {precision} | | whole render | {total:.2f} | | | |")


if __name__ == "__main__":
    main()
