"""Image modes, bit depths, alpha, EXIF orientation, unreadable files, no overwrites."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import liif


def test_grayscale_stays_grayscale(tiny_model, photo):
    gray = Image.fromarray(photo).convert("L")
    out = liif.Upscaler(tiny_model).upscale(gray, scale=2)
    assert out.mode == "L" and out.size == (192, 160)


def test_rgba_keeps_alpha(tiny_model, photo):
    alpha = np.zeros(photo.shape[:2], np.uint8)
    alpha[:, 48:] = 255
    out = liif.Upscaler(tiny_model).upscale(Image.fromarray(np.dstack([photo, alpha])), scale=2)
    assert out.mode == "RGBA"
    a = np.asarray(out)[..., 3]
    assert a[:, :90].max() < 10 and a[:, 102:].min() > 245


def test_16bit_png_round_trip(tiny_model, photo, tmp_path):
    import cv2

    img16 = photo.astype(np.uint16) * 257
    path = tmp_path / "deep.png"
    cv2.imwrite(str(path), cv2.cvtColor(img16, cv2.COLOR_RGB2BGR))
    loaded = liif.load_image(path)
    assert isinstance(loaded, np.ndarray) and loaded.dtype == np.uint16
    out = liif.Upscaler(tiny_model).upscale(loaded, scale=2)
    assert out.dtype == np.uint16 and out.shape == (160, 192, 3)
    saved = liif.save_image(out, tmp_path / "out.png")
    back = cv2.imread(str(saved), cv2.IMREAD_UNCHANGED)
    assert back.dtype == np.uint16 and np.array_equal(cv2.cvtColor(back, cv2.COLOR_BGR2RGB), out)


def test_16bit_grayscale_pil(tiny_model):
    arr = (np.arange(40 * 30, dtype=np.uint16).reshape(30, 40) * 50)
    out = liif.Upscaler(tiny_model).upscale(Image.fromarray(arr), scale=2)
    assert out.mode.startswith("I") and out.size == (80, 60)
    assert np.asarray(out).max() > 255  # the depth was kept, not cut to 8 bits


def test_exif_orientation_applied(photo, tmp_path):
    im = Image.fromarray(photo)  # 96 wide, 80 high
    exif = im.getexif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    path = tmp_path / "rot.jpg"
    im.save(path, exif=exif)
    assert liif.load_image(path).size == (80, 96)


def test_unreadable_file_has_clear_error(tmp_path):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    with pytest.raises(liif.InputError, match="not an image file"):
        liif.load_image(bad)
    with pytest.raises(liif.InputError, match="not found"):
        liif.load_image(tmp_path / "missing.png")


def test_nan_array_refused(tiny_model):
    arr = np.full((10, 10, 3), np.nan, np.float32)
    with pytest.raises(liif.InputError, match="NaN"):
        liif.Upscaler(tiny_model).upscale(arr, scale=2)


def test_float_array_in_float_array_out(tiny_model):
    arr = np.random.default_rng(0).random((12, 14, 3)).astype(np.float32)
    out = liif.Upscaler(tiny_model).upscale(arr, scale=2)
    assert out.dtype == np.float32 and out.shape == (24, 28, 3)


def test_save_never_overwrites_unless_asked(photo, tmp_path):
    path = tmp_path / "a.png"
    liif.save_image(photo, path)
    before = path.read_bytes()
    with pytest.raises(liif.InputError, match="exists"):
        liif.save_image(photo[::-1], path)
    assert path.read_bytes() == before
    liif.save_image(photo[::-1], path, overwrite=True)
    assert path.read_bytes() != before


def test_png_is_lossless(photo, tmp_path):
    path = liif.save_image(photo, tmp_path / "x.png")
    assert np.array_equal(np.asarray(Image.open(path)), photo)


def test_luma_bt601_is_pils_grey_and_not_matlab_y():
    from liif.imageio import luma_bt601
    from liif.metrics import rgb_to_y

    rgb = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    pil_grey = np.asarray(Image.fromarray(rgb).convert("L")).astype(float)
    assert np.abs(luma_bt601(rgb) - pil_grey).max() <= 0.5 + 1e-6  # PIL rounds to 8 bits
    assert luma_bt601(rgb.astype(np.float32) / 255).dtype == np.float32
    assert np.abs(rgb_to_y(rgb) - luma_bt601(rgb)).max() > 10  # studio-range Y is another quantity


def test_to_rgb8_maps_every_array_form_to_8_bit_rgb():
    from liif.imageio import to_rgb8

    grey16 = np.full((3, 4), 257 * 200, np.uint16)
    assert to_rgb8(grey16).shape == (3, 4, 3) and (to_rgb8(grey16) == 200).all()
    assert (to_rgb8(np.full((3, 4, 4), 0.25, np.float32)) == 64).all()  # alpha dropped
    assert (to_rgb8(Image.new("I;16", (4, 3), 65535)) == 255).all()
    with pytest.raises(liif.InputError, match="output: .*divide 0-255 values by 255"):
        to_rgb8(np.full((3, 4, 3), 255.0), "output")
    with pytest.raises(liif.InputError, match="NaN"):
        to_rgb8(np.full((3, 4, 3), np.nan, np.float32))


def test_pil_bicubic_is_pillows_kernel_for_8_bit_and_float(photo):
    from liif.resize import pil_bicubic

    rgb = np.ascontiguousarray(photo[:12, :10])
    expected = np.asarray(Image.fromarray(rgb).resize((25, 30), Image.Resampling.BICUBIC))
    assert np.array_equal(pil_bicubic(rgb, (25, 30)), expected)
    as_float = pil_bicubic(rgb.astype(np.float32) / 255, (25, 30))
    assert as_float.dtype == np.float32 and as_float.shape == (30, 25, 3)
    # The same kernel without 8-bit rounding; Pillow's 8-bit path also clips between its two passes,
    # which moves a few pixels beside strong edges by several levels.
    diff = np.abs(np.clip(as_float * 255, 0, 255) - expected)
    assert np.median(diff) <= 0.5 and diff.max() < 16
    assert pil_bicubic(rgb, (10, 12)) is not rgb and np.array_equal(pil_bicubic(rgb, (10, 12)), rgb)


def test_load_rgb_array_reads_16_bit_grey_as_its_values(tmp_path):
    """Pillow's convert("RGB") clips 16-bit grey to white; the one conversion scales it."""
    from liif.imageio import load_rgb_array

    path = tmp_path / "grey16.png"
    Image.fromarray(np.full((4, 5), 257 * 100, np.uint16)).save(path)
    arr = load_rgb_array(path)
    assert arr.shape == (4, 5, 3) and arr.dtype == np.uint8 and (arr == 100).all()


def test_to_rgb8_of_8bit_colour_is_the_pixels_themselves():
    """The fast path (no float round trip) gives what the round trip gives."""
    from liif.imageio import to_picture, to_rgb8

    rng = np.random.default_rng(0)
    for array in (rng.integers(0, 256, (5, 7, 3), dtype=np.uint8), rng.integers(0, 256, (5, 7, 4), dtype=np.uint8)):
        slow = np.rint(to_picture(array).rgb * 255).astype(np.uint8)
        for image in (array, Image.fromarray(array)):
            fast = to_rgb8(image)
            assert fast.shape == (5, 7, 3) and fast.flags.c_contiguous and np.array_equal(fast, slow)
