"""The benchmark protocol: known PSNR/SSIM values and the published bicubic baseline on Set5."""
from __future__ import annotations

import numpy as np
import pytest
from conftest import EVAL

from iqa.cues.fr import psnr_y, ssim_y
from liif.evaluate import evaluate_folder, make_pair, write_tables


def test_psnr_of_a_known_error():
    a = np.full((20, 20, 3), 100, np.uint8)
    b = a.copy()
    b[..., :] = 110  # every channel +10 -> Y differs by 10 * (65.481 + 128.553 + 24.966) / 255
    dy = 10 * (65.481 + 128.553 + 24.966) / 255
    assert psnr_y(b, a) == pytest.approx(10 * np.log10(255**2 / dy**2), abs=1e-9)


def test_ssim_identity_and_drop(photo):
    assert ssim_y(photo, photo) == pytest.approx(1.0)
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 20, photo.shape), 0, 255).astype(np.uint8)
    assert ssim_y(noisy, photo) < 0.8


def test_make_pair_crops_to_multiples():
    hr = np.zeros((101, 203, 3), np.uint8)
    hr2, lr = make_pair(hr, 4)
    assert hr2.shape == (100, 200, 3) and lr.shape == (25, 50, 3)
    hr3, lr3 = make_pair(hr, 2.5)
    assert lr3.shape == (40, 81, 3) and hr3.shape == (100, 202, 3)


def test_make_pair_takes_a_read_only_image_without_warnings(photo):
    import warnings

    frozen = photo.copy()
    frozen.flags.writeable = False  # as np.asarray(PIL image) gives
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hr, lr = make_pair(frozen, 4)
    assert lr.shape == (hr.shape[0] // 4, hr.shape[1] // 4, 3)


@pytest.mark.skipif(not (EVAL / "Set5").exists(), reason="../shared/datasets is absent (CI has it)")
def test_bicubic_reproduces_published_set5():
    rows = evaluate_folder(None, EVAL / "Set5", [2, 3, 4])
    published = {2: 33.66, 3: 30.39, 4: 28.42}
    for row in rows:
        assert row["bicubic_psnr"] == pytest.approx(published[row["scale"]], abs=0.05)


def test_liif_eval_writes_tables(tiny_model, tmp_path, photo):
    from PIL import Image

    folder = tmp_path / "set"
    folder.mkdir()
    Image.fromarray(photo).save(folder / "a.png")
    rows = evaluate_folder(tiny_model, folder, [2, 3.5])
    assert rows[0]["psnr"] is not None and np.isfinite(rows[0]["psnr"])
    md, csv_path, js = write_tables(rows, tmp_path / "out")
    assert "| set | x3.5 |" in md.read_text() and csv_path.exists() and js.exists()
