"""studio.views: display copies (8-bit, crops, windows, locators) and studio.downloads."""
from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from liif.engine import window_box
from studio import downloads, views


def test_to_display_rounds_16_bit_like_liif_and_keeps_8_bit_images():
    ramp = np.array([[0, 257 * 100 + 128, 65535]], np.uint16)
    shown = views.to_display(ramp)
    assert shown.mode == "L" and np.asarray(shown).tolist() == [[0, 100, 255]]  # rounded, not shifted
    rgb16 = np.dstack([ramp] * 3)
    assert views.to_display(rgb16).mode == "RGB"
    photo = Image.new("RGBA", (4, 4))
    assert views.to_display(photo) is photo


def test_centred_box_is_the_engine_window_at_magnification_one():
    assert views.centred_box((100, 80), 0.0, 0.0, 30) == (0, 0, 30, 30)  # moved inside, not shrunk
    assert views.centred_box((100, 80), 1.0, 1.0, 30) == (70, 50, 100, 80)
    assert views.centred_box((20, 20), 0.5, 0.5, 30) == (0, 0, 20, 20)
    box = window_box((100, 80), (37.0, 41.0), 1.0, (30, 30))
    assert views.centred_box((100, 80), 0.37, 41 / 80, 30) == (box.cols[0], box.rows[0], box.cols[1], box.rows[1])


def test_magnified_crops_are_the_same_region_enlarged_by_a_whole_factor():
    rng = np.random.default_rng(0)
    a = Image.fromarray(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8))
    b = Image.fromarray(rng.integers(0, 255, (64, 96, 3), dtype=np.uint8))
    crop_a, crop_b, zoom = views.magnified_crops(a, b, 0.0, 0.0, panel=256)
    assert crop_a.size == crop_b.size == (16 * zoom, 16 * zoom) and zoom == 16
    np.testing.assert_array_equal(np.asarray(crop_b)[::zoom, ::zoom], np.asarray(b)[:16, :16])


def test_bicubic_window_matches_a_whole_bicubic_enlargement_inside():
    rng = np.random.default_rng(1)
    small = Image.fromarray(rng.integers(0, 255, (20, 30, 3), dtype=np.uint8))
    win = views.bicubic_window(small, (15, 10), 4, (32, 32))
    full = np.asarray(small.resize((120, 80), Image.Resampling.BICUBIC), dtype=int)
    assert win.size == (32, 32)
    assert np.abs(np.asarray(win, dtype=int) - full[24:56, 44:76]).mean() < 1.5


def test_locator_draws_the_box_on_an_enlarged_input():
    shown = views.locator(Image.new("RGB", (32, 16), "white"), (8, 4, 16, 12), side=256)
    assert shown.size == (256, 128)
    pixels = np.asarray(shown)
    assert tuple(pixels[32, 70]) == (255, 40, 40) and tuple(pixels[5, 5]) == (255, 255, 255)


def test_enlarge_for_display_uses_whole_factors():
    small = Image.new("RGB", (16, 12))
    assert views.enlarge_for_display(small, 256).size == (16 * 21, 12 * 21)


def test_downloads_are_lossless_and_old_ones_pruned(tmp_path):
    old = tmp_path / "old"
    old.mkdir()
    import os

    os.utime(old, (0, 0))
    deep = np.linspace(0, 65535, 48).reshape(4, 4, 3).astype(np.uint16)
    path = downloads.write_png(deep, "a photo (1)", root=tmp_path)
    assert path.name == "a_photo__1_.png" and not old.exists()
    import cv2

    np.testing.assert_array_equal(cv2.cvtColor(cv2.imread(str(path), cv2.IMREAD_UNCHANGED), cv2.COLOR_BGR2RGB), deep)


def test_a_shown_image_is_a_fresh_lossless_file_for_each_visitor(tmp_path):
    """Two visitors shown the same picture get two files: neither can rewrite the other's mid-download."""
    picture = np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)
    (first,), (second,) = downloads.shown(picture, root=tmp_path), downloads.shown(picture, root=tmp_path)
    assert first != second and first.endswith(".png")
    for path in (first, second):
        np.testing.assert_array_equal(np.asarray(Image.open(path)), picture)
    pair = downloads.shown(picture, picture[::-1], root=tmp_path)  # one answer's images: one folder
    assert len({Path(p).parent for p in pair}) == 1 and len(set(pair)) == 2


def _texture_in_a_corner(h: int = 120, w: int = 160) -> np.ndarray:
    """A flat grey image with a random texture in its bottom-right 40x40 corner only."""
    image = np.full((h, w), 128, np.uint8)
    image[h - 40:, w - 40:] = np.random.default_rng(2).integers(0, 255, (40, 40), dtype=np.uint8)
    return image


def test_textured_point_finds_the_textured_corner_and_the_centre_of_a_flat_image():
    fx, fy = views.textured_point(_texture_in_a_corner(), 32)
    assert fx * 160 > 160 - 40 and fy * 120 > 120 - 40  # its square lies in the textured corner
    assert views.textured_point(np.full((90, 70, 3), 77, np.uint8), 32) == (0.5, 0.5)


def test_detail_point_finds_where_the_result_differs_from_bicubic_in_detail():
    bicubic = np.full((400, 600, 3), 100, np.uint8)
    result = bicubic.copy()
    result[40:100, 60:120] = np.random.default_rng(3).integers(60, 140, (60, 60, 3), dtype=np.uint8)
    result[300:, :] += 20  # a tone shift over a large area is not detail
    fx, fy = views.detail_point(bicubic, result, views.crop_side((600, 400)))
    assert abs(fx * 600 - 90) < 20 and abs(fy * 400 - 70) < 20
    assert views.detail_point(bicubic, bicubic, 100) == (0.5, 0.5)


def test_one_answer_s_files_are_written_side_by_side_losslessly(tmp_path):
    rng = np.random.default_rng(5)
    result, *shown = (rng.integers(0, 255, (40, 60, 3), dtype=np.uint8) for _ in range(3))
    png, files = downloads.download_and_shown(result, "photo_liif", *shown, root=tmp_path)
    assert png.name == "photo_liif.png" and len(files) == 2
    assert png.parent != Path(files[0]).parent  # the download alone in its folder
    for path, image in zip([png, *files], [result, *shown], strict=True):
        assert np.array_equal(np.asarray(Image.open(path)), image)
