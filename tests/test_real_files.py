"""The files people upload, written here: each gives the right output, or one sentence, in the API, the CLI and
the demo's upload layer (issue 37).

RGBA and LA, 16-bit, 1-bit, palette, CMYK with and without its profile, Adobe RGB and Display P3 with their
profiles, HEIC and AVIF, EXIF-rotated, animated and a 12-megapixel photo. Colours are checked on flat patches
against the colour their profile defines, computed by plain matrix arithmetic (tests/icc.py), as CIEDE2000.
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, features
from skimage.color import deltaE_ciede2000, rgb2lab

import liif
from liif.cli import main
from liif.imageio import NOTES_KEY
from studio import bigphoto
from studio.uploads import UploadError, open_upload

sys.path.insert(0, str(Path(__file__).parent))
import icc  # noqa: E402  (the tests' own ICC writer)

PATCHES = np.array([[200, 60, 40], [40, 150, 90], [60, 90, 200], [230, 200, 160], [120, 120, 120], [20, 40, 30]],
                   np.uint8)  # a skin tone, greens, blues, greys: in the sRGB gamut after conversion
TOLERANCE_DE = 1.0  # CIEDE2000 of about 1 is the just-noticeable difference; 8-bit rounding alone gives ~0.3
AVIF_DE = 2.0  # AVIF at quality 100, 4:4:4 still rounds through 8-bit YUV: 1.2 on the darkest patch here


def _patches(size: tuple[int, int] = (48, 32)) -> np.ndarray:
    """Six flat colour patches side by side, each 8 wide (JPEG's blocks keep a flat block exact)."""
    w, h = size
    img = np.zeros((h, w, 3), np.uint8)
    for i, colour in enumerate(PATCHES):
        img[:, i * 8:(i + 1) * 8] = colour
    return img


def _patch_colours(rgb: np.ndarray) -> np.ndarray:
    """The median colour of each patch's inner 4x4 (away from JPEG's chroma bleeding at the edges)."""
    h = rgb.shape[0]
    return np.array([np.median(rgb[h // 2 - 2:h // 2 + 2, i * 8 + 2:i * 8 + 6].reshape(-1, 3), axis=0)
                     for i in range(len(PATCHES))])


def _delta_e(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return deltaE_ciede2000(rgb2lab(np.asarray(a, float)[None] / 255), rgb2lab(np.asarray(b, float)[None] / 255))[0]


@dataclass
class Case:
    """A written file and what it must give."""

    path: Path
    size: tuple[int, int]  # upright (width, height)
    mode: str  # the API's PIL result mode ("uint16" for a 16-bit array)
    expected_colours: np.ndarray | None = None  # the sRGB colour of each patch, where the file has patches
    note: str | None = None  # a word the loader's notes must hold
    naive_colours: np.ndarray | None = None  # what ignoring the profile gives (the check must tell them apart)
    tolerance: float = TOLERANCE_DE  # the largest CIEDE2000 allowed on a patch
    extra: dict = field(default_factory=dict)


def _write(name: str, folder: Path) -> Case:  # noqa: C901 - one branch per kind of file, each a few lines
    p = folder / name
    patches = _patches()
    if name == "rgba.png":
        alpha = np.full(patches.shape[:2], 255, np.uint8)
        alpha[:, :24] = 0
        Image.fromarray(np.dstack([patches, alpha])).save(p)
        return Case(p, (48, 32), "RGBA")
    if name == "la.png":
        Image.fromarray(np.dstack([patches[..., 1], np.full(patches.shape[:2], 128, np.uint8)]), "LA").save(p)
        return Case(p, (48, 32), "LA")
    if name == "deep16.png":
        import cv2

        cv2.imwrite(str(p), cv2.cvtColor(patches.astype(np.uint16) * 257, cv2.COLOR_RGB2BGR))
        return Case(p, (48, 32), "uint16", expected_colours=PATCHES)
    if name == "deep16-p3.png":  # a 16-bit PNG with its profile (OpenCV writes the pixels, the iCCP chunk is added)
        import zlib

        import cv2

        from liif.imageio import _png_with_chunks

        ok, data = cv2.imencode(".png", cv2.cvtColor(patches.astype(np.uint16) * 257, cv2.COLOR_RGB2BGR))
        iccp = b"Display P3\0\0" + zlib.compress(icc.rgb_profile("Display P3"))
        p.write_bytes(_png_with_chunks(data.tobytes(), [(b"iCCP", iccp)]))
        return Case(p, (48, 32), "RGB", expected_colours=icc.to_srgb8(PATCHES, "Display P3"),
                    note="converted to 8-bit sRGB", naive_colours=PATCHES)
    if name == "bilevel.png":
        Image.fromarray(patches[..., 0] > 100).convert("1").save(p)
        return Case(p, (48, 32), "L")
    if name == "palette.gif":
        Image.fromarray(patches).convert("P", palette=Image.Palette.ADAPTIVE, colors=8).save(p)
        return Case(p, (48, 32), "RGB", expected_colours=PATCHES)
    if name == "cmyk-plain.jpg":
        Image.fromarray(patches).convert("CMYK").save(p, quality=100)
        return Case(p, (48, 32), "RGB", note="without a colour profile")
    if name == "cmyk-profile.tif":
        cmyk = np.zeros((32, 48, 4), np.uint8)
        inks = np.array([[0, 180, 200, 20], [190, 40, 160, 30], [200, 150, 0, 10], [0, 40, 80, 0], [0, 0, 0, 128],
                         [40, 20, 40, 180]], np.uint8)
        for i, ink in enumerate(inks):
            cmyk[:, i * 8:(i + 1) * 8] = ink
        Image.fromarray(cmyk, "CMYK").save(p, icc_profile=icc.cmyk_profile())
        return Case(p, (48, 32), "RGB", expected_colours=icc.cmyk_to_srgb8(inks), note="converted from Test CMYK",
                    naive_colours=np.asarray(Image.fromarray(inks[None], "CMYK").convert("RGB"))[0])
    if name in ("adobe-rgb.jpg", "display-p3.png", "display-p3.heic", "display-p3.avif"):
        space = "Adobe RGB (1998)" if name.startswith("adobe") else "Display P3"
        im = Image.fromarray(patches)
        if name.endswith(".heic"):
            pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif is not installed")
            pillow_heif.register_heif_opener()
        if name.endswith(".avif") and not features.check("avif"):
            pytest.skip("this Pillow was built without AVIF")
        quality = {".jpg": {"quality": 100}, ".avif": {"quality": 100, "subsampling": "4:4:4"},
                   ".heic": {"quality": -1}}.get(p.suffix, {})  # as close to lossless as each writes (-1: lossless)
        im.save(p, icc_profile=icc.rgb_profile(space), **quality)
        return Case(p, (48, 32), "RGB", expected_colours=icc.to_srgb8(PATCHES, space), note=f"from {space}",
                    naive_colours=PATCHES, tolerance=AVIF_DE if name.endswith(".avif") else TOLERANCE_DE)
    if name == "rotated.jpg":
        marked = patches.copy()
        marked[:8, :8] = (255, 255, 255)  # a white corner: top-left as stored
        exif = Image.Exif()
        exif[0x0112] = 6  # shown turned 90 degrees clockwise: the stored top-left is then top-right
        Image.fromarray(marked).save(p, exif=exif, quality=100)
        return Case(p, (32, 48), "RGB", extra={"white_corner": "top-right"})
    if name == "rotated.heic":  # the orientation must be applied once: libheif turns it, the EXIF tag then says 1
        pillow_heif = pytest.importorskip("pillow_heif", reason="pillow-heif is not installed")
        pillow_heif.register_heif_opener()
        marked = patches.copy()
        marked[:8, :8] = (255, 255, 255)
        exif = Image.Exif()
        exif[0x0112] = 6
        Image.fromarray(marked).save(p, exif=exif.tobytes(), quality=-1)
        return Case(p, (32, 48), "RGB", extra={"white_corner": "top-right"})
    if name == "animated.gif":
        first = Image.fromarray(patches)
        first.save(p, save_all=True, append_images=[first.rotate(180)], duration=80, loop=0)
        return Case(p, (48, 32), "RGB", note="first of its 2 frames")
    raise AssertionError(name)


FILES = ["rgba.png", "la.png", "deep16.png", "deep16-p3.png", "bilevel.png", "palette.gif", "cmyk-plain.jpg",
         "cmyk-profile.tif", "adobe-rgb.jpg", "display-p3.png", "display-p3.heic", "display-p3.avif", "rotated.jpg",
         "rotated.heic", "animated.gif"]


@pytest.fixture(scope="module")
def model_path(tiny_model, tmp_path_factory):
    return liif.save_checkpoint(tiny_model, tmp_path_factory.mktemp("model") / "tiny.safetensors")


def _rgb(image: object) -> np.ndarray:
    return liif.imageio.to_rgb8(image)


@pytest.mark.parametrize("name", FILES)
def test_loader_gives_upright_srgb_pixels(name, tmp_path):
    case = _write(name, tmp_path)
    image = liif.load_image(case.path)
    size = (image.shape[1], image.shape[0]) if isinstance(image, np.ndarray) else image.size
    assert size == case.size
    if case.note:
        assert any(case.note in n for n in image.info[NOTES_KEY]), image.info[NOTES_KEY]
    if case.expected_colours is not None:
        got = _patch_colours(_rgb(image))
        assert _delta_e(got, case.expected_colours).max() < case.tolerance, (got, case.expected_colours)
        if case.naive_colours is not None:  # the check can tell a converted file from one whose profile was dropped
            assert _delta_e(case.naive_colours, case.expected_colours).max() > 3 * TOLERANCE_DE
    if "white_corner" in case.extra:
        rgb = _rgb(image)
        assert rgb[:6, -6:].min() > 240 and rgb[:6, :6].min() < 240  # turned upright as the EXIF says


@pytest.mark.parametrize("name", FILES)
def test_api_and_cli_give_the_right_output(name, tmp_path, tiny_model, model_path, capsys):
    case = _write(name, tmp_path)
    want = (case.size[0] * 2, case.size[1] * 2)
    out = liif.upscale(case.path, scale=2, model=tiny_model, precision="exact")
    if case.mode == "uint16":
        assert isinstance(out, np.ndarray) and out.dtype == np.uint16 and out.shape[:2] == want[::-1]
    else:
        assert out.size == want and out.mode == case.mode
    dst = tmp_path / "out" / "result.png"
    code = main(["upscale", str(case.path), "-o", str(dst), "--scale", "2", "--model", str(model_path),
                 "--precision", "exact", "-q"])
    assert code == 0, capsys.readouterr().err
    with Image.open(dst) as saved:
        assert saved.size == want and "srgb" in saved.info  # tagged sRGB (the PNG sRGB chunk)
        assert saved.mode == {"uint16": "RGB", "L": "L", "LA": "LA", "RGBA": "RGBA"}.get(case.mode, "RGB")


@pytest.mark.parametrize("name", FILES)
def test_demo_upload_gives_the_loaders_pixels_and_a_note(name, tmp_path):
    case = _write(name, tmp_path)
    upload = open_upload(case.path, 1.0)
    assert upload.size == case.size
    if case.note:  # what the loader changed is said to the visitor
        assert any(case.note in n for n in upload.notes), upload.notes
    # The demo and the report see what the loader gives (sRGB, upright): one decode, the same pixels.
    assert np.array_equal(_rgb(upload.image), _rgb(liif.load_image(case.path)))


def test_colour_managed_output_matches_a_colour_managed_view_of_the_input(tmp_path):
    """A P3 file enlarged by bicubic and saved shows, in an sRGB viewer, the colours the P3 file shows."""
    case = _write("display-p3.png", tmp_path)
    image = liif.load_image(case.path)
    out = liif.bicubic(image, (96, 64))
    saved = liif.save_image(out, tmp_path / "big.png")
    with Image.open(saved) as back:
        assert "icc_profile" not in back.info and "srgb" in back.info
        got = _patch_colours(np.asarray(back.convert("RGB"))[::2, ::2])
    assert _delta_e(got, case.expected_colours).mean() < TOLERANCE_DE


def _phone_jpeg(path: Path, gps: bool = True) -> None:
    im = Image.fromarray(_patches())
    exif = im.getexif()
    exif[0x010F], exif[0x0110], exif[0x0132] = "Apple", "iPhone 15", "2026:05:04 10:11:12"
    exif.get_ifd(0x8769)[0x9003] = "2026:05:04 10:11:12"
    if gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (48.0, 51.0, 29.0), 3: "E", 4: (2.0, 17.0, 40.0)})
    im.save(path, exif=exif, quality=95)


@pytest.mark.parametrize("keep_gps", [False, True])
def test_metadata_keeps_date_and_camera_and_gps_only_when_asked(keep_gps, tmp_path, model_path):
    src = tmp_path / "phone.jpg"
    _phone_jpeg(src)
    dst = tmp_path / "out.png"
    args = ["upscale", str(src), "-o", str(dst), "--scale", "2", "--model", str(model_path), "--precision", "exact",
            "-q"] + (["--keep-gps"] if keep_gps else [])
    assert main(args) == 0
    with Image.open(dst) as out:
        exif = out.getexif()
        assert (exif.get(0x010F), exif.get(0x0110), exif.get(0x0132)) == ("Apple", "iPhone 15", "2026:05:04 10:11:12")
        assert exif.get_ifd(0x8769).get(0x9003) == "2026:05:04 10:11:12"
        assert bool(exif.get_ifd(0x8825)) == keep_gps


def test_api_result_carries_the_metadata_without_gps(tmp_path, tiny_model):
    src = tmp_path / "phone.jpg"
    _phone_jpeg(src)
    out = liif.upscale(src, scale=2, model=tiny_model, precision="exact")
    saved = liif.save_image(out, tmp_path / "api.png")
    with Image.open(saved) as back:
        assert back.getexif().get(0x0110) == "iPhone 15" and not back.getexif().get_ifd(0x8825)
    # A PIL image opened by the caller (not through the loader) loses its GPS too.
    with Image.open(src) as opened:
        direct = liif.Upscaler(tiny_model).upscale(opened, scale=2)
    assert "exif" in direct.info
    reread = Image.Exif()
    reread.load(direct.info["exif"])
    assert not reread.get_ifd(0x8825) and reread.get(0x010F) == "Apple"


def test_heic_without_pillow_heif_is_one_sentence(tmp_path):
    """Where pillow-heif is missing the loader says which formats it reads (run in a fresh interpreter)."""
    heic = tmp_path / "x.heic"
    heic.write_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 64)  # a HEIC header, no image
    code = ("import sys, liif.imageio as io; sys.modules['pillow_heif'] = None; io._register_heif.cache_clear()\n"
            "try:\n    io.load_image(sys.argv[1])\nexcept io.InputError as e:\n    print(e)")
    out = subprocess.run([sys.executable, "-c", code, str(heic)], capture_output=True, text=True, timeout=120)
    assert "not an image file that can be read" in out.stdout and "HEIC" in out.stdout, out.stdout + out.stderr
    assert "Traceback" not in out.stderr


# ----- a 12-megapixel photo: the limit path, not a whole render ------------------------------------------
@pytest.fixture(scope="module")
def phone_photo(tmp_path_factory) -> Path:
    """A 4032x3024 JPEG (an iPhone's 12 MP), a smooth gradient with a few edges, written in a fraction of a second."""
    path = tmp_path_factory.mktemp("big") / "IMG_0001.jpg"
    x = np.linspace(0, 255, 4032, dtype=np.float32)
    y = np.linspace(0, 255, 3024, dtype=np.float32)[:, None]
    rgb = np.dstack([np.broadcast_to(x, (3024, 4032)), np.broadcast_to(y, (3024, 4032)),
                     ((x[None] // 64 + y // 64) % 2) * 200]).astype(np.uint8)
    Image.fromarray(rgb).save(path, quality=85)
    return path


def test_12mp_photo_upscale_tab_offers_a_region_or_a_copy(phone_photo):
    limits = bigphoto.Limits(upscale_input_mp=1.0, output_mp=4.0)
    with pytest.raises(UploadError, match="4032x3024"):
        open_upload(phone_photo, limits.upscale_input_mp)  # the old single-limit path still says one sentence
    upload = bigphoto.open_photo(phone_photo, limits.zoom_input_mp)
    assert upload.size == (4032, 3024)
    sentence = bigphoto.too_large(upload.size, 4, limits)
    assert sentence and "region" in sentence and "downscaled copy" in sentence
    part = bigphoto.region(upload.image, (0.9, 0.1), 4, limits)
    copy = bigphoto.downscaled(upload.image, 4, limits)
    for fitted in (part, copy):
        w, h = fitted.image.size
        assert w * h * 16 <= limits.output_mp * 1e6 and abs(w / h - 4 / 3) < 0.01 and fitted.sentence
        assert bigphoto.too_large((w, h), 4, limits) is None
    x0, y0, x1, y1 = part.box
    assert x1 == 4032 or x0 > 2000 and y0 < 500  # around the point asked for, moved inside the photo
    assert np.array_equal(np.asarray(part.image), np.asarray(upload.image)[y0:y1, x0:x1])
    assert bigphoto.scale_limit((1000, 1000), 4, limits).startswith("x4 would make 4000x4000")
    assert bigphoto.scale_limit((1000, 1000), 2, limits) is None


def test_12mp_photo_zoom_window_equals_the_whole_photos(phone_photo, tiny_model):
    """Zoom anywhere renders from a crop; at a whole-number magnification the window is the whole photo's."""
    upload = bigphoto.open_photo(phone_photo, bigphoto.ZOOM_INPUT_MP)
    assert bigphoto.open_photo(phone_photo, bigphoto.ZOOM_INPUT_MP) is upload  # decoded once for many clicks
    up = liif.Upscaler(tiny_model)
    small = np.asarray(upload.image)[1000:1200, 2000:2300]  # the engine's whole-image path on a part, to compare
    ours, box = bigphoto.render_window(up, small, (150.0, 100.0), 3, (48, 48))
    whole = up.render_window(small, (150.0, 100.0), 3, (48, 48))
    assert ours.shape == whole.shape == (48, 48, 3)
    assert np.abs(ours.astype(int) - whole.astype(int)).max() <= 1
    big, box = bigphoto.render_window(up, upload.image, (3000.0, 2000.0), 5, (64, 64))
    assert big.size == (64, 64) and box.out_size == (20160, 15120)
    assert max(bigphoto.preview(upload.image).size) == bigphoto.PREVIEW_SIDE
    small, where = bigphoto.shrunk(upload.image, box.input_box)  # Zoom's locator: a small copy, the box scaled
    assert small.size == (512, 384) and where == pytest.approx([v * 512 / 4032 for v in box.input_box])


def test_12mp_cli_over_its_output_limit_is_one_sentence(phone_photo, model_path, tmp_path, capsys):
    code = main(["upscale", str(phone_photo), "-o", str(tmp_path / "o.png"), "--scale", "4", "--model",
                 str(model_path), "--precision", "exact", "--max-megapixels", "64", "-q"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "megapixels" in err and "Traceback" not in err
    assert not (tmp_path / "o.png").exists()


def test_a_pil_image_with_its_profile_is_converted_by_every_entry(tmp_path):
    """An image opened by the caller still carries its profile: the engine's and the quality package's views
    (to_picture, to_rgb8) both apply it, so the report's tone rows see what a colour-managed viewer shows."""
    case = _write("adobe-rgb.jpg", tmp_path)
    with Image.open(case.path) as opened:
        opened.load()
        views = [liif.imageio.to_rgb8(opened), np.rint(liif.imageio.to_picture(opened).rgb * 255).astype(np.uint8)]
    for rgb in views:
        assert _delta_e(_patch_colours(rgb), case.expected_colours).max() < TOLERANCE_DE


def test_cli_summary_says_what_the_loader_changed(tmp_path, model_path, capsys):
    case = _write("display-p3.png", tmp_path)
    assert main(["upscale", str(case.path), "-o", str(tmp_path / "o.png"), "--scale", "2", "--model",
                 str(model_path), "--precision", "exact", "-q"]) == 0
    assert "[colours converted from Display P3 to sRGB]" in capsys.readouterr().out
