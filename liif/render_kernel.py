"""A fused CPU kernel for LM-LIIF's render MLP (numba), with a clean fallback when numba is absent.

LM-LIIF's per-query work is tiny (a 16-wide MLP), so PyTorch spends its time gathering 208
modulation values per query and moving 16-wide activations through memory, not computing. The
kernel instead walks the output grid row by row: the local-ensemble geometry is separable (a
query's low-resolution row depends only on its output row, its column only on its output column),
so each query reads its pixel's table row in place and runs the four ensemble members' MLPs in
registers, writing only the final RGB. Nothing per query is ever materialised.
"""
from __future__ import annotations

import numpy as np
import torch

from .models.lmliif import LMLIIF

try:  # numba is optional: without it the engine runs the PyTorch path (same numbers, slower)
    import numba
    from numba import njit, prange
except ImportError:  # pragma: no cover - exercised where numba is not installed
    numba = None

AVAILABLE = numba is not None

# Queries processed together: 64 neighbouring output columns of one row, so that every layer is a
# loop over queries that the compiler unrolls into wide FMAs (8 or 16 lanes at a time were ~3x slower).
LANES = 64

if AVAILABLE:

    @njit(parallel=True, fastmath=True, cache=True, nogil=True, boundscheck=False)
    def _render(table, tw, w_query, w_hidden, b_hidden, w_out, b_out,
                iy, ry, ix, rx, area_eps, out):  # pragma: no cover - compiled
        n_rows, n_cols, n_out = out.shape[0], out.shape[1], out.shape[2]
        n_my, n_mx = iy.shape[0], ix.shape[0]
        hidden, depth = w_query.shape[0], w_hidden.shape[0] + 1
        off_g, off_t = hidden, hidden + depth * hidden
        n_groups = (n_cols + LANES - 1) // LANES
        for r in prange(n_rows):
            x = np.empty((hidden, LANES), np.float32)
            y = np.empty((hidden, LANES), np.float32)
            acc = np.empty((n_out, LANES), np.float32)
            tot = np.empty(LANES, np.float32)
            pix = np.empty(LANES, np.int64)
            dxs = np.empty(LANES, np.float32)
            wts = np.empty(LANES, np.float32)
            for g in range(n_groups):
                c0 = g * LANES
                acc[:, :] = 0.0
                tot[:] = 0.0
                for a in range(n_my):
                    py, dy = iy[a, r], ry[a, r]
                    for b in range(n_mx):
                        for n in range(LANES):
                            c = min(c0 + n, n_cols - 1)
                            pix[n] = py * tw + ix[b, c]
                            dxs[n] = rx[b, c]
                            # Weight: the area of the diagonally opposite member's sub-rectangle.
                            wts[n] = abs(ry[n_my - 1 - a, r] * rx[n_mx - 1 - b, c]) + area_eps
                        for j in range(hidden):
                            q0, q1 = w_query[j, 0] * dy, w_query[j, 1]
                            for n in range(LANES):
                                p = pix[n]
                                v = (table[p, j] + q0 + q1 * dxs[n]) * (1.0 + table[p, off_g + j]) + table[p, off_t + j]
                                x[j, n] = v if v > 0 else 0.0
                        for layer in range(depth - 1):
                            go, to = off_g + (layer + 1) * hidden, off_t + (layer + 1) * hidden
                            for j in range(hidden):
                                bj = b_hidden[layer, j]
                                for n in range(LANES):
                                    y[j, n] = bj
                                for k in range(hidden):
                                    wjk = w_hidden[layer, j, k]
                                    for n in range(LANES):
                                        y[j, n] += wjk * x[k, n]
                            for j in range(hidden):
                                for n in range(LANES):
                                    p = pix[n]
                                    v = y[j, n] * (1.0 + table[p, go + j]) + table[p, to + j]
                                    x[j, n] = v if v > 0 else 0.0
                        for o in range(n_out):
                            for n in range(LANES):
                                s = b_out[o]
                                for k in range(hidden):
                                    s += w_out[o, k] * x[k, n]
                                acc[o, n] += s * wts[n]
                        for n in range(LANES):
                            tot[n] += wts[n]
                for n in range(min(LANES, n_cols - c0)):
                    for o in range(n_out):
                        out[r, c0 + n, o] = acc[o, n] / tot[n]


class FusedRender:
    """The render MLP of one LM-LIIF model, laid out once for the kernel."""

    def __init__(self, model: LMLIIF) -> None:
        if not AVAILABLE:
            raise RuntimeError("the fused LM-LIIF kernel needs numba (pip install numba)")
        render = model.imnet
        lin = render.linears
        as_np = lambda t: np.ascontiguousarray(t.detach().float().cpu().numpy())  # noqa: E731
        self.hidden, self.depth = render.hidden_dim, render.hidden_depth
        self.mod_scale, self.mod_shift = render.mod_scale, render.mod_shift
        if self.depth > 1:
            self.w_hidden = as_np(torch.stack([m.weight for m in lin[1:-1]]))
            self.b_hidden = as_np(torch.stack([m.bias for m in lin[1:-1]]))
        else:
            self.w_hidden = np.zeros((0, self.hidden, self.hidden), np.float32)
            self.b_hidden = np.zeros((0, self.hidden), np.float32)
        self.w_out, self.b_out = as_np(lin[-1].weight), as_np(lin[-1].bias)

    def kernel_table(self, table: torch.Tensor) -> np.ndarray:
        """(h*w, hidden + 2*depth*hidden) rows [layer-1 term | scales | shifts] from the model's table.

        With both modulations (the paper's model) this is the model's table itself, not a copy: a
        tile's table is the engine's largest buffer. A missing modulation is filled with zeros.
        """
        t = table.detach().float().cpu()
        t = t.reshape(-1, t.shape[-1])
        if self.mod_scale and self.mod_shift:
            return np.ascontiguousarray(t.numpy())
        n, hd = self.hidden, self.hidden * self.depth
        zeros = torch.zeros(t.shape[0], hd)
        scales = t[:, n:n + hd] if self.mod_scale else zeros
        shifts = t[:, n + (hd if self.mod_scale else 0):][:, :hd] if self.mod_shift else zeros
        return np.ascontiguousarray(torch.cat([t[:, :n], scales, shifts], dim=1).numpy())

    def __call__(self, table: np.ndarray, tile_w: int, w_query: torch.Tensor, iy: np.ndarray, ry: np.ndarray,
                 ix: np.ndarray, rx: np.ndarray, area_eps: float, threads: int) -> np.ndarray:
        """RGB (rows, cols, 3), normalised and unclamped, for the separable query geometry given.

        ``table`` rows are [layer-1 term | scales | shifts]; each hidden layer's output is multiplied
        by ``1 + scale`` and shifted, as the official ``lmmlp`` does.
        """
        out = np.empty((iy.shape[1], ix.shape[1], self.w_out.shape[0]), np.float32)
        numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
        _render(table, tile_w, np.ascontiguousarray(w_query.detach().float().cpu().numpy()), self.w_hidden,
                self.b_hidden, self.w_out, self.b_out, iy, ry, ix, rx, np.float32(area_eps), out)
        return out
