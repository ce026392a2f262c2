"""studio.uploads: files decoded by liif's loader; every unusable file is one plain sentence."""
from __future__ import annotations

import io
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from studio.uploads import UploadError, open_upload, size_message


def _photo(w: int = 24, h: int = 16) -> Image.Image:
    rng = np.random.default_rng(0)
    return Image.fromarray(rng.integers(0, 255, (h, w, 3), dtype=np.uint8))


def _refused(path, limit: float = 1.0) -> str:
    with pytest.raises(UploadError) as info:
        open_upload(path, limit)
    message = str(info.value)
    assert str(path.parent) not in message  # the server's storage path is never shown
    assert "\n" not in message and "Traceback" not in message and "Error" not in message
    return message


def test_no_file_says_upload_first():
    with pytest.raises(UploadError, match="Upload an image first"):
        open_upload(None, 1.0)


def test_not_an_image(tmp_path):
    path = tmp_path / "notes.png"
    path.write_text("hello")
    assert _refused(path).startswith("notes.png is not an image this demo can read")


def test_truncated_png(tmp_path):
    buf = io.BytesIO()
    _photo(64, 64).save(buf, "PNG")
    path = tmp_path / "cut.png"
    path.write_bytes(buf.getvalue()[: len(buf.getvalue()) // 2])
    assert "damaged or cut short" in _refused(path)


def test_bomb_is_refused_from_its_header(tmp_path):
    path = tmp_path / "bomb.png"
    Image.new("1", (20000, 10000)).save(path)
    assert "too large to open safely" in _refused(path)


def test_size_limit_names_the_size_and_what_to_do(tmp_path):
    path = tmp_path / "big.png"
    Image.new("RGB", (1200, 1000)).save(path)
    message = _refused(path, limit=1.0)
    assert message == size_message(1200, 1000, 1.0) and "1200x1000" in message and "Crop or downscale" in message


def test_unusual_files_decode_with_notes(tmp_path):
    cmyk = tmp_path / "c.jpg"
    _photo().convert("CMYK").save(cmyk)
    up = open_upload(cmyk, 1.0)
    assert up.size == (24, 16) and any("CMYK" in n for n in up.notes)

    gif = tmp_path / "a.gif"
    _photo().save(gif, save_all=True, append_images=[_photo().rotate(180)], duration=50)
    assert any("2 frames" in n for n in open_upload(gif, 1.0).notes)

    rotated = tmp_path / "r.jpg"
    exif = Image.Exif()
    exif[0x0112] = 8
    _photo().save(rotated, exif=exif)
    up = open_upload(rotated, 1.0)
    assert up.size == (16, 24) and any("EXIF" in n for n in up.notes)

    deep = tmp_path / "d.png"
    Image.fromarray(np.full((8, 8), 40000, np.uint16)).save(deep)
    up = open_upload(deep, 1.0)
    assert np.asarray(up.image).max() == 40000 and any("16-bit" in n for n in up.notes)

    palette = tmp_path / "p.png"
    _photo().convert("P").save(palette)
    assert open_upload(palette, 1.0).notes == []


def test_cli_upscale_of_a_bomb_is_one_line_not_a_traceback(tmp_path):
    bomb = tmp_path / "bomb.png"
    Image.new("1", (20000, 10000)).save(bomb)
    run = subprocess.run([sys.executable, "-c", "import sys; from liif.cli import main; sys.exit(main())",
                          "upscale", str(bomb), "-o", str(tmp_path / "out.png"), "--scale", "2"],
                         check=False, capture_output=True, text=True, timeout=300)
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "decompression bombs" in run.stderr and "downscale or crop it first" in run.stderr
