"""The inference engine: arbitrary-scale upscaling that is exact, tiled, chunked and device-aware.

Memory stays bounded whatever the output size: the encoder runs on overlapping low-resolution
tiles (the overlap covers the model's whole receptive field, so tiles are seamless and equal to
the untiled result), and the decoder is queried in chunks of output rows. Peak working memory is
about ``tile_pixels * 1.6 KB + chunk * hidden * 16 B`` on top of the model and the output array.
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import math
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import torch
from PIL import Image

from .backproject import back_project
from .ensemble import ENSEMBLE_SIZES, transforms
from .errors import InputError, SizeLimitError
from .imageio import ImageLike, Picture, from_picture, to_picture
from .kernels import InferenceTail
from .models import LIIF, LMLIIF
from .models.liif import AREA_EPS, FirstLayer, axis_centres, axis_neighbours, nearest_index
from .precision import resolve as resolve_precision
from .resize import pil_bicubic

if TYPE_CHECKING:
    from .render_kernel import FusedRender

Progress = Callable[[int, int], None]
PRECISIONS = ("exact", "bf16", "fp16")  # "auto" is resolved to one of these by liif.precision
RENDER_KERNELS = ("auto", "fused", "torch")
CELL_POLICIES = ("model", "true", "enlarge")
MAX_BACKPROJECT = 10  # the correction converges in 2 to 4 passes (docs/engine.md); more is a mistake
ENLARGE_ABOVE = 4.0  # the training range's top scale that "enlarge" assumes (LMF's and LTE's)
Model = LIIF | LMLIIF


@dataclass
class EngineConfig:
    """How the engine runs; the defaults suit a laptop CPU."""

    device: str = "auto"  # auto | cpu | cuda | mps
    # exact (float32, the official numbers) | bf16 | fp16 (GPU only) | auto (bf16 where measured faster:
    # liif.precision; the engine's ``precision_reason`` says which ran and why)
    precision: str = "exact"
    # LR tile side for the encoder; None = whole image at once. Each tile border re-runs the encoder over the
    # receptive field on both sides (36 px each for EDSR-baseline): with 256 a 480x480 photo costs 1.32x the
    # untiled encoder work and a 1000x1000 one 1.48x; with 512, 1.00x and 1.15x (docs/engine.md#memory: about
    # +0.3 GB peak at a 1024x1024 input).
    tile: int | None = 512
    # Queries decoded at once. Blocks of ~10k rows keep the GEMM operands in cache: 32768 ran 1.6x
    # slower on this CPU (power-of-two rows also alias in cache).
    chunk: int = 12000
    max_output_megapixels: float = 64.0
    threads: int | None = None  # CPU threads (None = torch's default)
    cache_mb: float = 512.0  # features kept for zooming around one image (render_window)
    # LM-LIIF's render MLP on the CPU: auto = the fused numba kernel when numba is installed.
    render_kernel: str = "auto"  # auto | fused | torch
    ensemble: int = 1  # geometric self-ensemble: 1 (off), 2, 4 or 8 renders averaged
    # The cell beyond the training scales: the model's own convention (recorded with it), the true
    # pixel size (official LIIF), or enlarged by max(scale / 4, 1) (official LMF, LTE).
    cell: str = "model"  # model | true | enlarge
    # Iterative back-projection passes on whole renders (0 = off; zoom windows are never corrected,
    # as the correction needs the whole output): see liif/backproject.py for when it helps.
    backproject: int = 0


def pick_device(name: str = "auto") -> torch.device:
    """Resolve ``auto`` to CUDA, then Apple MPS, then CPU; check that an explicit choice exists."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise InputError("device 'cuda' was asked for but no CUDA GPU is available: use --device cpu or auto")
    if name == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise InputError("device 'mps' was asked for but Apple MPS is not available: use --device cpu or auto")
    if name not in ("cpu", "cuda", "mps"):
        raise InputError(f"unknown device {name!r}: use auto, cpu, cuda or mps")
    return torch.device(name)


def output_size(in_size: tuple[int, int], scale: float | tuple[float, float] | None = None,
                size: tuple[int, int] | None = None) -> tuple[int, int]:
    """Output (width, height) for a scale (one factor or (sx, sy)) or an exact size."""
    if (scale is None) == (size is None):
        raise InputError("give exactly one of scale (e.g. 4 or 2.7) or size (width, height)")
    w, h = in_size
    if size is not None:
        try:
            ow, oh = (int(v) for v in size)
        except (TypeError, ValueError) as exc:
            raise InputError(f"size must be (width, height) in pixels, got {size!r}") from exc
        if ow < 1 or oh < 1:
            raise InputError(f"the output size must be positive, got {ow}x{oh}")
        return ow, oh
    sx, sy = (scale, scale) if np.isscalar(scale) else tuple(scale)  # type: ignore[misc]
    for s in (sx, sy):
        if not isinstance(s, (int, float, np.floating, np.integer)) or not math.isfinite(s) or s <= 0:
            raise InputError(f"the scale must be a finite number above 0, got {s!r}")
    return max(1, round(w * sx)), max(1, round(h * sy))


@dataclass(frozen=True)
class WindowBox:
    """Where a zoom window lies: output rows/columns of the magnified grid and the input box it covers."""

    rows: tuple[int, int]
    cols: tuple[int, int]
    out_size: tuple[int, int]  # (width, height) of the whole magnified image
    size: tuple[int, int]  # (width, height) of the window
    input_box: tuple[float, float, float, float]  # (x0, y0, x1, y1) in input pixels


def window_box(in_size: tuple[int, int], center: tuple[float, float], magnification: float,
               window: tuple[int, int]) -> WindowBox:
    """Place a ``window`` (width, height) of the x``magnification`` output around ``center`` (input x, y)."""
    try:
        magnification, center = float(magnification), (float(center[0]), float(center[1]))
    except (TypeError, ValueError, IndexError) as exc:
        raise InputError(f"magnification must be a number and center an (x, y) pair, "
                         f"got {magnification!r}, {center!r}") from exc
    if not math.isfinite(magnification) or magnification <= 0:
        raise InputError(f"the magnification must be a number above 0, got {magnification!r}")
    if not all(math.isfinite(c) for c in center):
        raise InputError(f"the window centre must be finite pixel coordinates, got {center!r}")
    w, h = in_size
    ow, oh = output_size(in_size, magnification)
    ww, wh = min(int(window[0]), ow), min(int(window[1]), oh)
    if ww < 1 or wh < 1:
        raise InputError(f"the window must be at least 1x1 pixels, got {window!r}")
    c0 = int(min(max(center[0] * ow / w - ww / 2, 0), ow - ww))
    r0 = int(min(max(center[1] * oh / h - wh / 2, 0), oh - wh))
    return WindowBox(rows=(r0, r0 + wh), cols=(c0, c0 + ww), out_size=(ow, oh), size=(ww, wh),
                     input_box=(c0 * w / ow, r0 * h / oh, (c0 + ww) * w / ow, (r0 + wh) * h / oh))


def _spans(n: int, tile: int | None) -> Iterator[tuple[int, int]]:
    step = n if not tile else tile
    for start in range(0, n, step):
        yield start, min(n, start + step)


def query_cell(model: Model, in_h: int, out_h: int, out_w: int, policy: str = "model") -> tuple[float, float]:
    """The cell (pixel size in [-1, 1] units) the model is queried with for an out_h x out_w output.

    ``policy`` "model" follows the model's ``cell_enlarge_above`` (LM-LIIF: 4, as the official LMF
    demo; official LIIF: none; a checkpoint can record its own): beyond that scale the cell is
    enlarged by ``max(scale / limit, 1)`` with ``scale = out_h / in_h``. "true" never enlarges it,
    "enlarge" always does (above x4).
    """
    limit = {"model": getattr(model, "cell_enlarge_above", None), "true": None, "enlarge": ENLARGE_ABOVE}[policy]
    factor = max(out_h / in_h / limit, 1.0) if limit else 1.0
    return 2 / out_h * factor, 2 / out_w * factor


class Upscaler:
    """Upscale images with a LIIF-family model (LIIF or LM-LIIF); holds its own copy of the model on its device."""

    def __init__(self, model: Model, config: EngineConfig | None = None, **options: Any) -> None:
        """``config`` (an EngineConfig) and/or its fields as keyword arguments (``tile=128``...)."""
        try:
            self.config = dataclasses.replace(config or EngineConfig(), **options)
        except TypeError as exc:
            fields = ", ".join(f.name for f in dataclasses.fields(EngineConfig))
            raise InputError(f"unknown engine option ({exc}); the options are: {fields}") from exc
        cfg = self.config
        if cfg.precision not in (*PRECISIONS, "auto"):
            raise InputError(f"precision must be one of auto, {', '.join(PRECISIONS)}, got {cfg.precision!r}")
        if cfg.render_kernel not in RENDER_KERNELS:
            raise InputError(f"render_kernel must be one of {', '.join(RENDER_KERNELS)}, got {cfg.render_kernel!r}")
        if cfg.cell not in CELL_POLICIES:
            raise InputError(f"cell must be one of {', '.join(CELL_POLICIES)}, got {cfg.cell!r}")
        if cfg.ensemble not in ENSEMBLE_SIZES:
            raise InputError(f"ensemble must be one of {', '.join(map(str, ENSEMBLE_SIZES))}, got {cfg.ensemble!r}")
        if not isinstance(cfg.backproject, int) or not 0 <= cfg.backproject <= MAX_BACKPROJECT:
            raise InputError(f"backproject must be a whole number of passes from 0 to {MAX_BACKPROJECT}, "
                             f"got {cfg.backproject!r}")
        if cfg.tile is not None and cfg.tile < 8:
            raise InputError(f"tile must be at least 8 pixels (or None for no tiling), got {cfg.tile}")
        self.device = pick_device(cfg.device)
        chosen = resolve_precision(cfg.precision, self.device)
        self.precision_reason = chosen.reason  # for summary lines: "bf16: measured 1.97x exact's speed here"
        cfg = self.config = dataclasses.replace(cfg, precision=chosen.precision,
                                                threads=cfg.threads or chosen.threads)
        if cfg.precision == "fp16" and self.device.type == "cpu":
            raise InputError("fp16 runs on GPUs only: on the CPU use precision 'bf16' or 'exact'")
        if cfg.threads and cfg.threads != torch.get_num_threads():
            torch.set_num_threads(cfg.threads)
        # A copy: moving, re-laying-out or switching the caller's (perhaps training) model to eval is not ours to do.
        self.model = copy.deepcopy(model).to(self.device).eval()
        # Channels-last convolutions take oneDNN's fast path on CPUs (about 2x for the encoder).
        if self.device.type == "cpu":
            self.model.encoder.to(memory_format=torch.channels_last)
        self.fused_render = self._pick_fused_render()
        self._cache: dict[Hashable, FirstLayer] = {}
        self._cache_key: Hashable | None = None

    def _pick_fused_render(self) -> FusedRender | None:
        """The fused LM-LIIF kernel where it applies and is wanted, else None (the PyTorch path)."""
        kernel = self.config.render_kernel
        if not isinstance(self.model, LMLIIF) or kernel == "torch":
            return None
        if self.device.type != "cpu":
            return None  # on GPUs the PyTorch path is the fast one
        from . import render_kernel  # numba (0.1 s to import) only when an LM-LIIF model runs on a CPU

        if not render_kernel.AVAILABLE:
            if kernel == "fused":
                raise InputError("render_kernel 'fused' needs numba (pip install numba); or use 'auto' or 'torch'")
            return None
        return render_kernel.FusedRender(self.model)

    # ----- public API -------------------------------------------------------------------------
    def upscale(self, image: ImageLike, scale: float | tuple[float, float] | None = None,
                size: tuple[int, int] | None = None, progress: Progress | None = None) -> ImageLike:
        """Upscale ``image`` by ``scale`` (float or (sx, sy)) or to ``size`` = (width, height)."""
        pic = to_picture(image)
        ow, oh = output_size(pic.size, scale, size)
        self._check_limit(ow, oh)
        rgb = self.render(pic, oh, ow, progress=progress)
        return from_picture(rgb, self._resize_alpha(pic, ow, oh), pic)

    def render_window(self, image: ImageLike, center: tuple[float, float], magnification: float,
                      window: tuple[int, int] = (256, 256), progress: Progress | None = None) -> ImageLike:
        """Render only a ``window`` (width, height) of the image magnified by ``magnification``.

        ``center`` is in input-pixel coordinates (x, y); the window is moved inside the image.
        Only the window's pixels are decoded, so x30 costs the same as x2 for the same window, and
        the encoder's features are kept for the last image, so moving the window is cheap.
        """
        pic = to_picture(image)
        box = window_box(pic.size, center, magnification, window)
        key = (hashlib.blake2b(pic.rgb.tobytes(), digest_size=16).hexdigest(), pic.rgb.shape)
        rgb = self.render(pic, box.out_size[1], box.out_size[0], rows=box.rows, cols=box.cols,
                          progress=progress, cache_key=key)
        alpha = None
        if pic.alpha is not None:  # only the window of the alpha plane, never the whole magnified mask
            alpha = pil_bicubic(pic.alpha.astype(np.float32), box.size, box=box.input_box)
        return from_picture(rgb, alpha, pic)

    # ----- core -------------------------------------------------------------------------------
    def render(self, pic: Picture | np.ndarray, out_h: int, out_w: int, rows: tuple[int, int] | None = None,
               cols: tuple[int, int] | None = None, progress: Progress | None = None,
               cache_key: Hashable | None = None) -> np.ndarray:
        """Decode an (out_h x out_w) output, or its [rows) x [cols) window, as float32 (H, W, 3)."""
        rgb = pic.rgb if isinstance(pic, Picture) else pic
        inp = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None]
        out = self.render_tensor(inp, out_h, out_w, rows, cols, progress, cache_key)
        return out[0].permute(1, 2, 0).numpy()

    @torch.inference_mode()
    def render_tensor(self, inp: torch.Tensor, out_h: int, out_w: int, rows: tuple[int, int] | None = None,
                      cols: tuple[int, int] | None = None, progress: Progress | None = None,
                      cache_key: Hashable | None = None) -> torch.Tensor:
        """Core: (1, 3, h, w) in [0, 1] -> (1, 3, rows, cols) in [0, 1] on the CPU.

        With ``cache_key`` (an identifier of ``inp``), the encoder's per-tile features are kept for
        that one image and reused by the next call with the same key (zooming around one image).
        With ``ensemble`` > 1 in the config, the renders of the flipped/transposed input are averaged;
        with ``backproject`` > 0, a whole output is then corrected towards the input.
        """
        rows, cols = rows or (0, out_h), cols or (0, out_w)
        todo = transforms(self.config.ensemble)
        exact = no_tf32(self.device) if self.config.precision == "exact" else contextlib.nullcontext()
        with exact:
            if len(todo) == 1:
                total = self._render_once(inp, out_h, out_w, rows, cols, progress, cache_key)
            else:
                total = None
                for k, t in enumerate(todo):
                    t_rows, t_cols = t.window(out_h, out_w, rows, cols)
                    t_h, t_w = t.size(out_h, out_w)
                    step = None if progress is None else (lambda d, n, k=k: progress(k * n + d, len(todo) * n))
                    out = t.undo(self._render_once(t.apply(inp), t_h, t_w, t_rows, t_cols, step, cache_key,
                                                   variant=t))
                    total = out if total is None else total.add_(out)
                total.div_(len(todo))
        if self.config.backproject and (rows, cols) == ((0, out_h), (0, out_w)):
            total = back_project(total, inp.float(), self.config.backproject)
        return total

    def _render_once(self, inp: torch.Tensor, out_h: int, out_w: int, rows: tuple[int, int] | None = None,
                     cols: tuple[int, int] | None = None, progress: Progress | None = None,
                     cache_key: Hashable | None = None, variant: Hashable = None) -> torch.Tensor:
        """One render (no self-ensemble): the tiled, chunked decode of ``render_tensor``.

        ``variant`` names the transform ``inp`` went through, so cached tiles of one are never used for another.
        """
        model, dev = self.model, self.device
        _, _, h, w = inp.shape
        r0, r1 = rows or (0, out_h)
        c0, c1 = cols or (0, out_w)
        ys = axis_centres(out_h)[r0:r1]
        xs = axis_centres(out_w)[c0:c1]
        # Each output row/column belongs to the tile holding its nearest LR pixel.
        own_y, own_x = nearest_index(ys, h), nearest_index(xs, w)
        cell_h, cell_w = query_cell(model, h, out_h, out_w, self.config.cell)
        cell = torch.tensor([cell_h, cell_w], device=dev)
        rel_cell = cell[None] * torch.tensor([h, w], device=dev) if isinstance(model, LMLIIF) else None
        out = torch.empty(1, 3, r1 - r0, c1 - c0)
        pad = model.receptive_radius + 1  # +1: the local ensemble reaches one LR pixel further
        tiles = [(ty, tx) for ty in _spans(h, self.config.tile) for tx in _spans(w, self.config.tile)]
        need = [(ty, tx) for ty, tx in tiles if _any_in(own_y, ty) and _any_in(own_x, tx)]
        total = sum(int(_mask(own_y, ty).sum()) * int(_mask(own_x, tx).sum()) for ty, tx in need)
        done = 0
        tail = InferenceTail(model.imnet, self._compute_dtype(), dev) if isinstance(model, LIIF) else None
        for (ty0, ty1), (tx0, tx1) in need:
            py0, py1, px0, px1 = max(0, ty0 - pad), min(h, ty1 + pad), max(0, tx0 - pad), min(w, tx1 + pad)
            first = self._first_layer(inp, (py0, py1, px0, px1), cache_key, rel_cell, variant)
            row_idx = torch.nonzero(_mask(own_y, (ty0, ty1))).flatten()
            col_idx = torch.nonzero(_mask(own_x, (tx0, tx1))).flatten()
            ry, cx = ys[row_idx].to(dev), xs[col_idx].to(dev)
            rows_per_chunk = max(1, self.config.chunk // len(col_idx))
            fused = self._fused_tile(first, cx, (py0, px0, h, w)) if self.fused_render is not None else None
            for s in range(0, len(row_idx), rows_per_chunk):
                cy = ry[s:s + rows_per_chunk]
                if fused is not None:
                    pred = fused(cy)
                else:
                    coord = torch.stack(torch.meshgrid(cy, cx, indexing="ij"), dim=-1).view(1, -1, 2)
                    pred = model.decode(first, coord, cell.expand(1, coord.shape[1], 2), (py0, px0, h, w), tail)
                block = pred.float().mul_(0.5).add_(0.5).clamp_(0, 1).view(len(cy), len(cx), 3).permute(2, 0, 1).cpu()
                sel = row_idx[s:s + rows_per_chunk]
                out[0, :, sel[0]:sel[-1] + 1, col_idx[0]:col_idx[-1] + 1] = block
                done += len(cy) * len(cx)
                if progress is not None:
                    progress(done, total)
        return out

    def _fused_tile(self, first: FirstLayer, cx: torch.Tensor,
                    region: tuple[int, int, int, int]) -> Callable[[torch.Tensor], torch.Tensor]:
        """The fused kernel bound to one tile: output rows' coordinates -> RGB (rows, cols, 3)."""
        y0, x0, h, w = region
        fused, ens = self.fused_render, self.model.local_ensemble
        table = fused.kernel_table(first.feat_map)
        tile_w = first.feat_map.shape[2]
        ix, rx = _neighbour_arrays(cx, w, x0, ens)
        threads = torch.get_num_threads()

        def run(cy: torch.Tensor) -> torch.Tensor:
            iy, ry = _neighbour_arrays(cy, h, y0, ens)
            return torch.from_numpy(fused(table, tile_w, first.w_query, iy, ry, ix, rx, AREA_EPS, threads))

        return run

    # ----- helpers ----------------------------------------------------------------------------
    def _first_layer(self, inp: torch.Tensor, span: tuple[int, int, int, int], cache_key: Hashable | None,
                     rel_cell: torch.Tensor | None = None, variant: Hashable = None) -> FirstLayer:
        """Encoder + per-pixel table on one padded tile, from the one-image cache when possible.

        LM-LIIF's table depends on the image's cell (the hypernet reads it), so it is cached per cell.
        """
        cell_key = None if rel_cell is None else tuple(rel_cell.flatten().tolist())
        key = (cache_key, variant, self.config.precision, span, cell_key)
        if cache_key is not None and self._cache_key == cache_key and key in self._cache:
            return self._cache[key]
        py0, py1, px0, px1 = span
        tile_in = inp[:, :, py0:py1, px0:px1].to(self.device, non_blocking=True).sub(0.5).div(0.5)
        if self.device.type == "cpu":
            tile_in = tile_in.contiguous(memory_format=torch.channels_last)
        with self._autocast():
            feat = self.model.gen_feat(tile_in)
            if isinstance(self.model, LMLIIF):  # the hypernet is per-LR-pixel work like the encoder
                first = self.model.first_layer(feat, rel_cell)
        if isinstance(self.model, LIIF):
            first = self.model.first_layer(feat.float())
        if cache_key is not None:
            if self._cache_key != cache_key:
                self._cache, self._cache_key = {}, cache_key
            if first.feat_map.numel() * 4 <= self.config.cache_mb * 2**20:
                self._cache[key] = first
        return first

    def _compute_dtype(self) -> torch.dtype:
        return {"exact": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[self.config.precision]

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.config.precision == "exact":
            return contextlib.nullcontext()
        dtype = torch.bfloat16 if self.config.precision == "bf16" else torch.float16
        return torch.autocast(self.device.type, dtype=dtype)

    def _check_limit(self, ow: int, oh: int) -> None:
        mp = ow * oh / 1e6
        if mp > self.config.max_output_megapixels:
            raise SizeLimitError(
                f"the output would be {ow}x{oh} ({mp:.1f} MP), above the limit of "
                f"{self.config.max_output_megapixels:g} MP: choose a smaller scale, or raise "
                "max_output_megapixels (CLI: --max-megapixels)"
            )

    @staticmethod
    def _resize_alpha(pic: Picture, ow: int, oh: int) -> np.ndarray | None:
        # Alpha is a mask, not a photograph: bicubic keeps its edges without LIIF's texture prior.
        if pic.alpha is None:
            return None
        return pil_bicubic(pic.alpha.astype(np.float32), (ow, oh))


def _neighbour_arrays(c: torch.Tensor, n: int, start: int, local_ensemble: bool) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's view of ``axis_neighbours``: (members, len) tile-local indices and offsets."""
    pairs = axis_neighbours(c.cpu(), n, local_ensemble)
    index = np.stack([(i - start).numpy() for i, _ in pairs]).astype(np.int64)
    offset = np.stack([r.numpy() for _, r in pairs]).astype(np.float32)
    return index, offset


def _mask(owner: torch.Tensor, span: tuple[int, int]) -> torch.Tensor:
    return (owner >= span[0]) & (owner < span[1])


def _any_in(owner: torch.Tensor, span: tuple[int, int]) -> bool:
    return bool(_mask(owner, span).any())


def bicubic(image: ImageLike, size: tuple[int, int]) -> ImageLike:
    """Resize with PIL's bicubic filter to ``size`` = (width, height): the baseline LIIF is shown against.

    8-bit RGB goes through PIL's own 8-bit filter (what a viewer's image editor gives, and iqa's baseline);
    other images through 32-bit float per channel, alpha resized alongside, in their own form and depth.
    """
    if isinstance(image, Image.Image) and image.mode == "RGB":
        return image.resize(output_size(image.size, size=size), Image.Resampling.BICUBIC)
    if isinstance(image, np.ndarray) and image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3:
        return pil_bicubic(image, output_size((image.shape[1], image.shape[0]), size=size))
    pic = to_picture(image)
    ow, oh = output_size(pic.size, size=size)
    return from_picture(pil_bicubic(pic.rgb, (ow, oh)), Upscaler._resize_alpha(pic, ow, oh), pic)


@contextlib.contextmanager
def no_tf32(device: torch.device) -> Iterator[None]:
    """Float32 that is float32 on CUDA: PyTorch lets cuDNN convolutions round to TF32 unless told not to."""
    if device.type != "cuda":
        yield
        return
    saved = torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32
    torch.backends.cudnn.allow_tf32 = torch.backends.cuda.matmul.allow_tf32 = False
    try:
        yield
    finally:
        torch.backends.cudnn.allow_tf32, torch.backends.cuda.matmul.allow_tf32 = saved
