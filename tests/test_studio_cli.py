"""The installed `liif` command (studio.cli): the engine's commands plus iqa's, wired where they meet."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from liif import cli as engine_cli
from studio.cli import build_parser, main

EXIF_ORIENTATION = 0x0112


def commands(parser) -> set[str]:
    return set(parser._subparsers._group_actions[0].choices)  # argparse keeps its subcommands here


def test_the_full_command_adds_the_quality_commands_to_the_engine():
    engine = commands(engine_cli.build_parser())
    assert {"upscale", "train", "eval", "export", "models", "batch"} <= engine
    assert not engine & {"score", "prefetch", "metrics", "space"}
    assert commands(build_parser()) == engine | {"score", "prefetch", "metrics", "space"}


def test_building_the_command_imports_no_quality_or_demo_library():
    """`liif --help` and every command's start-up import no heavy library, torch included (each imports its own)."""
    code = ("import sys; from studio.cli import build_parser; build_parser()\n"
            "heavy = {'pyiqa', 'open_clip', 'scipy', 'skimage', 'cv2', 'numba', 'gradio', 'pandas', 'matplotlib',\n"
            "         'ray', 'torchvision', 'iqa.catalog', 'iqa.assess', 'torch', 'liif.engine'}\n"
            "print(sorted(heavy & set(sys.modules)), 'liif.cli' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("] ")
    assert out == ["[", "True\n"]  # nothing heavy loaded, and the probe did see the command's own import


def test_score_runs_without_torch_where_no_learned_row_runs(photo, tmp_path):
    """`liif score`'s default rows, with no learned weights on disk, never import torch (issue 38: starts at once)."""
    big, small = tmp_path / "out.png", tmp_path / "in.png"
    Image.fromarray(photo).resize((192, 128), Image.Resampling.BICUBIC).save(big)
    Image.open(big).resize((48, 32), Image.Resampling.BICUBIC).save(small)
    code = ("import sys; from studio.cli import main\n"
            f"code = main(['score', {str(big)!r}, '--input', {str(small)!r}, '--format', 'json'])\n"
            "print('TORCH', 'torch' in sys.modules, code)")
    env = {**os.environ, "LIIF_STUDIO_CACHE": str(tmp_path / "empty-cache"), "TORCH_HOME": str(tmp_path / "th")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    report = json.loads(out[: out.rindex("TORCH")])
    assert any(row["available"] for row in report["rows"])  # the classical rows ran
    assert out.rstrip().endswith("TORCH False 0")


def test_the_console_script_runs_the_full_command():
    script = shutil.which("liif")
    if script is None:
        pytest.fail("the `liif` console script is not installed: run `pip install -e .`")
    out = subprocess.run([script, "--help"], capture_output=True, text=True, check=False)
    assert out.returncode == 0
    assert all(name in out.stdout for name in ("upscale", "train", "eval", "batch", "score", "metrics"))


def test_score_applies_exif_orientation_like_upscale(photo, tmp_path, capsys):
    """A rotated photo (pixels stored sideways, EXIF says turn them) is scored upright, as `liif upscale` reads it."""
    low = photo[:30, :20]  # 20 wide, 30 high
    Image.fromarray(low).save(tmp_path / "low.png")
    upright = np.asarray(Image.fromarray(low).resize((40, 60), Image.Resampling.BICUBIC))
    stored = Image.fromarray(np.ascontiguousarray(np.rot90(upright, 1)))  # 60 wide, 40 high on disk
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6  # "rotate 90 clockwise to display"
    stored.save(tmp_path / "out.jpg", exif=exif, quality=98)
    assert main(["score", str(tmp_path / "out.jpg"), "--input", str(tmp_path / "low.png"),
                 "--metrics", "consistency_psnr", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["meta"]["output_size"] == "40x60"
    assert report["rows"][0]["value"] > 30  # sideways, the shrunk-back output would not match the input


def test_score_errors_are_one_line(tmp_path, capsys):
    Image.new("RGB", (8, 8)).save(tmp_path / "low.png")
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not an image")
    assert main(["score", str(tmp_path / "broken.png"), "--input", str(tmp_path / "low.png")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not an image file that can be read" in err[0]


def test_batch_scoring_needs_the_full_command(tmp_path, capsys):
    """The engine's own parser has no quality package: --score is refused with what to run instead."""
    (tmp_path / "in").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "in" / "a.png")
    args = ["batch", str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--scale", "2", "--score"]
    assert engine_cli.main(args) == 2
    assert "run the installed `liif` command" in capsys.readouterr().err
    assert main(["batch", str(tmp_path / "in"), "-o", str(tmp_path / "o"), "--scale", "2", "--metrics", "nope"]) == 2
    assert "unknown metric 'nope'" in capsys.readouterr().err


def test_python_m_studio_cli_is_the_same_command():
    out = subprocess.run([sys.executable, "-m", "studio.cli", "metrics"], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and "laplacian_var" in out.stdout


def _run_console(code: str) -> subprocess.CompletedProcess:
    """The console script's entry (studio.cli.run) in a fresh interpreter, after ``code``."""
    return subprocess.run([sys.executable, "-c", code + "\nfrom studio.cli import run\nrun()"],
                          capture_output=True, text=True, check=False)


def test_the_fast_exit_delivers_the_whole_output_and_the_log():
    """`liif models` ends without teardown: its piped (so buffered) output and a pending log record still arrive."""
    done = _run_console("import logging, logging.handlers, sys\n"  # a handler that holds records until closed
                        "held = logging.handlers.MemoryHandler(100, target=logging.StreamHandler(sys.stderr))\n"
                        "logging.getLogger('t').addHandler(held); logging.getLogger('t').warning('log delivered')\n"
                        "sys.argv = ['liif', 'models']")
    assert done.returncode == 0
    assert done.stdout.rstrip().splitlines()[-1].startswith("architectures:")
    assert "log delivered" in done.stderr


def test_run_skips_teardown_only_for_commands_whose_work_is_their_output(monkeypatch, capsys):
    import studio.cli as cli

    exits = []
    monkeypatch.setattr(cli.os, "_exit", lambda code: exits.append(code) or (_ for _ in ()).throw(SystemExit(code)))
    for argv, fast in ((["models"], True), (["metrics"], True), (["--help"], False), (["models", "--bad"], False)):
        exits.clear()
        monkeypatch.setattr(sys, "argv", ["liif", *argv])
        with pytest.raises(SystemExit) as ended:
            cli.run()
        assert exits == ([ended.value.code] if fast else []), argv
    capsys.readouterr()
