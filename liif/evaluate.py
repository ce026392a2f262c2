"""The standard SR benchmark protocol: MATLAB-bicubic LR, Y-channel PSNR/SSIM with a shaved border."""
from __future__ import annotations

import csv
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from .data import find_images
from .imageio import load_rgb_array
from .metrics import psnr_y, ssim_y
from .models import LIIF, LMLIIF
from .resize import imresize

if TYPE_CHECKING:
    from .engine import Upscaler


def make_pair(hr: np.ndarray, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """Crop HR so its sides are whole multiples of the LR's, and make the uint8 LR with MATLAB bicubic."""
    h_lr, w_lr = (math.floor(n / scale + 1e-9) for n in hr.shape[:2])
    if h_lr < 1 or w_lr < 1:
        raise ValueError(f"an image of {hr.shape[1]}x{hr.shape[0]} is too small for x{scale}")
    hr = hr[: round(h_lr * scale), : round(w_lr * scale)]
    lr = _resize_uint8(hr, (h_lr, w_lr))
    return hr, lr


def _resize_uint8(img: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    t = torch.tensor(img).permute(2, 0, 1)[None].double() / 255  # a copy: callers pass read-only arrays too
    out = imresize(t, size)[0].permute(1, 2, 0).numpy()
    return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)


def bicubic_upscale(lr: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """MATLAB-bicubic upscaling to (h, w), quantised to uint8: the literature's bicubic baseline."""
    return _resize_uint8(lr, size)


def liif_upscale(
    model: LIIF | LMLIIF | Upscaler, lr: np.ndarray, size: tuple[int, int], **engine_kw: Any
) -> np.ndarray:
    """LIIF-family upscaling of a uint8 LR to (h, w), quantised to uint8 (a model, or a ready Upscaler)."""
    from .engine import Upscaler

    up = model if isinstance(model, Upscaler) else Upscaler(model, **{"device": "cpu", **engine_kw})
    out = up.render(lr.astype(np.float32) / 255, size[0], size[1])
    return np.clip(np.rint(out * 255), 0, 255).astype(np.uint8)


def evaluate_folder(model: LIIF | LMLIIF | None, folder: str | Path, scales: list[float], shave: bool = True,
                    degrade: str = "clean", **engine_kw: Any) -> list[dict[str, Any]]:
    """Mean Y-PSNR/SSIM per scale over a folder for the model and bicubic; model=None: bicubic only.

    ``degrade`` names a fixed degradation of every low-resolution input (``liif.degrade.named``: jpeg75,
    noise5, ...); both methods enlarge the same degraded input and are scored against the clean original.
    """
    from .degrade import named
    from .engine import Upscaler

    spoil = named(degrade)

    up = None if model is None else Upscaler(model, **{"device": "cpu", **engine_kw})  # one engine for every image
    files = find_images([folder])
    images = [load_rgb_array(f) for f in files]
    rows = []
    for scale in scales:
        acc: dict[str, list[float]] = {"psnr": [], "ssim": [], "bicubic_psnr": [], "bicubic_ssim": []}
        border = math.ceil(scale) if shave else 0
        for hr_full in images:
            hr, lr = make_pair(hr_full, scale)
            lr = spoil(lr)
            bic = bicubic_upscale(lr, hr.shape[:2])
            acc["bicubic_psnr"].append(psnr_y(bic, hr, border))
            acc["bicubic_ssim"].append(ssim_y(bic, hr, border))
            if model is not None:
                sr = liif_upscale(up, lr, hr.shape[:2])
                acc["psnr"].append(psnr_y(sr, hr, border))
                acc["ssim"].append(ssim_y(sr, hr, border))
        row = {"dataset": Path(folder).name, "scale": scale, "images": len(images)}
        if degrade != "clean":  # clean rows keep the columns every committed result has
            row["input"] = degrade
        row.update({k: (float(np.mean(v)) if v else None) for k, v in acc.items()})
        rows.append(row)
    return rows


def write_tables(rows: list[dict[str, Any]], out_dir: str | Path, label: str = "model") -> list[Path]:
    """Write results.md (columns headed by ``label``, e.g. the model's name), results.csv and results.json."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = any("input" in r for r in rows)
    md = [("| input " if inputs else "") +
          f"| dataset | scale | {label} PSNR | {label} SSIM | bicubic PSNR | bicubic SSIM | gain (dB) |",
          "|---" * (8 if inputs else 7) + "|"]
    for r in rows:
        gain = r["psnr"] - r["bicubic_psnr"] if r["psnr"] is not None else None
        md.append((f"| {r.get('input', 'clean')} " if inputs else "") +
                  f"| {r['dataset']} | x{r['scale']:g} | {_fmt(r['psnr'])} | {_fmt(r['ssim'], 4)} | "
                  f"{_fmt(r['bicubic_psnr'])} | {_fmt(r['bicubic_ssim'], 4)} | {_fmt(gain)} |")
    paths = [out_dir / "results.md", out_dir / "results.csv", out_dir / "results.json"]
    paths[0].write_text("\n".join(md) + "\n")
    with paths[1].open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(dict.fromkeys(k for r in rows for k in r)))
        w.writeheader()
        w.writerows(rows)
    paths[2].write_text(json.dumps(rows, indent=1))
    return paths


def _fmt(v: float | None, nd: int = 2) -> str:
    return "-" if v is None else f"{v:.{nd}f}"
