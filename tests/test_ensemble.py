"""Geometric self-ensemble: transforms, windows, and the averaged render."""
from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
import torch

import liif
from liif.ensemble import transforms


@pytest.mark.parametrize("n", [1, 2, 4, 8])
def test_transforms_are_distinct_and_invertible(n):
    x = torch.arange(2 * 3 * 5 * 7, dtype=torch.float32).view(2, 3, 5, 7)
    seen = set()
    for t in transforms(n):
        y = t.apply(x)
        assert y.shape[-2:] == t.size(5, 7)
        torch.testing.assert_close(t.undo(y), x, rtol=0, atol=0)
        seen.add(y.flatten().numpy().tobytes())
    assert len(seen) == n


def test_window_maps_to_the_same_pixels():
    x = torch.arange(6 * 9, dtype=torch.float32).view(1, 1, 6, 9)
    rows, cols = (1, 4), (2, 8)
    for t in transforms(8):
        (r0, r1), (c0, c1) = t.window(6, 9, rows, cols)
        torch.testing.assert_close(t.undo(t.apply(x)[..., r0:r1, c0:c1]), x[..., 1:4, 2:8], rtol=0, atol=0)


def test_bad_size_is_refused(tiny_model):
    with pytest.raises(liif.InputError, match="ensemble"):
        liif.Upscaler(tiny_model, ensemble=3)


def _symmetric_image(n: int = 24) -> np.ndarray:
    """An image equal to its flips and transposes (a function of the distances to the centre)."""
    c = (np.arange(n) - (n - 1) / 2) ** 2
    r = np.sqrt(c[:, None] + c[None, :])
    return np.dstack([np.cos(r / 2), np.sin(r / 3), np.cos(r / 5)]).astype(np.float32) * 0.4 + 0.5


def test_self_ensemble_of_a_symmetric_input_is_symmetric(small_official_model):
    """The plain model is not equivariant; the 8x ensemble of a symmetric input is symmetric again."""
    img = _symmetric_image()
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)  # noqa: E731
    for t in transforms(8):  # the premise: the input really is symmetric
        torch.testing.assert_close(t.apply(as_t(img)), as_t(img), rtol=0, atol=0)
    plain = liif.Upscaler(small_official_model, tile=None).render(img, 96, 96)
    ens = liif.Upscaler(small_official_model, tile=None, ensemble=8).render(img, 96, 96)
    asym = max(float((t.apply(as_t(plain)) - as_t(plain)).abs().max()) for t in transforms(8))
    assert asym > 1e-2  # a random model's plain output is not symmetric...
    for t in transforms(8):  # ...its ensemble is
        torch.testing.assert_close(t.apply(as_t(ens)), as_t(ens), rtol=0, atol=1e-4)


def test_self_ensemble_is_equivariant(small_official_model, photo):
    """Upscaling a flipped/transposed photo with the 8x ensemble gives the transformed result."""
    rgb = photo[:24, :24].astype(np.float32) / 255
    up = liif.Upscaler(small_official_model, tile=None, ensemble=8)
    base = torch.from_numpy(up.render(rgb, 72, 72)).permute(2, 0, 1)
    for t in transforms(8)[1:]:
        moved = t.apply(torch.from_numpy(rgb).permute(2, 0, 1)).permute(1, 2, 0).contiguous().numpy()
        out = torch.from_numpy(up.render(moved, 72, 72)).permute(2, 0, 1)
        torch.testing.assert_close(out, t.apply(base), rtol=0, atol=1e-4)


def test_self_ensemble_changes_a_photo_and_keeps_windows_exact(small_official_model, photo):
    rgb = photo[:30, :40].astype(np.float32) / 255
    single = liif.Upscaler(small_official_model, tile=16)
    plain = single.render(rgb, 75, 100)
    up = liif.Upscaler(small_official_model, tile=16, ensemble=8)
    ens = up.render(rgb, 75, 100)
    assert np.abs(ens - plain).max() > 1e-3  # the transforms really ran
    # ...and it averaged renders of the same picture: each transformed photo's render, mapped back. (How far
    # that lies from the plain render is the random model's lack of equivariance, which depends on the photo.)
    as_t = lambda a: torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)  # noqa: E731
    renders = [t.undo(as_t(single.render(t.apply(as_t(rgb)).permute(1, 2, 0).numpy(), *t.size(75, 100))))
               for t in transforms(8)]
    np.testing.assert_allclose(ens, torch.stack(renders).mean(0).permute(1, 2, 0).numpy(), atol=1e-5, rtol=0)
    win = up.render(rgb, 75, 100, rows=(10, 41), cols=(33, 90))
    np.testing.assert_allclose(win, ens[10:41, 33:90], atol=1e-5, rtol=0)


def test_progress_counts_every_render(tiny_model, photo):
    seen = []
    liif.Upscaler(tiny_model, ensemble=4).upscale(photo[:20, :20], scale=2, progress=lambda d, t: seen.append((d, t)))
    assert seen[-1] == (4 * 40 * 40, 4 * 40 * 40)
    assert all(a[0] <= b[0] for a, b in pairwise(seen))
