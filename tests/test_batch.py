"""liif batch: a collection through Ray Data actors, bit-identical to `liif upscale`, nothing lost or written twice.

One local Ray runtime (2 CPUs, loopback only, no dashboard) serves the whole module; a tiny random model
and small images keep each run to a few seconds of work (most of a run is Ray starting its actors).
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys

# Ray's single-machine mode keeps every Ray server on 127.0.0.1; it is read when Ray is first imported.
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

from pathlib import Path

import numpy as np
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
import ray
from PIL import Image

import liif
from liif.batch import Job, collect, existing_output, plan, run, write_atomic
from liif.errors import InputError, LiifError
from studio.cli import main  # the installed `liif`: the engine's batch with iqa's scorer wired in

POISON_SIZE = (13, 11)  # an input of this size kills its worker every time (see test_killed_worker)


@pytest.fixture(scope="module")
def ray_runtime():
    """One local Ray runtime for the module; liif batch uses it rather than starting its own."""
    ray.init(address="local", num_cpus=2, include_dashboard=False, logging_level="ERROR", log_to_driver=False)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def model_path(tiny_model, tmp_path_factory):
    return liif.save_checkpoint(tiny_model, tmp_path_factory.mktemp("model") / "tiny.safetensors")


@pytest.fixture(scope="module")
def collection(photo, tmp_path_factory) -> Path:
    """A tree: RGB PNG, grayscale PNG, RGBA PNG, a JPEG two folders down, a corrupt PNG and a text file."""
    root = tmp_path_factory.mktemp("collection") / "in"
    (root / "sub" / "deeper").mkdir(parents=True)
    Image.fromarray(photo[:40, :48]).save(root / "a.png")
    Image.fromarray(photo[:30, :20]).convert("L").save(root / "sub" / "b.png")
    rgba = np.dstack([photo[:24, :32], np.full((24, 32), 200, np.uint8)])
    Image.fromarray(rgba).save(root / "sub" / "c.png")
    Image.fromarray(photo[:36, :28]).save(root / "sub" / "deeper" / "d.jpg", quality=90)
    (root / "sub" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n this is not an image")
    (root / "notes.txt").write_text("not an image, not an input")
    return root


GOOD = ["a.png", "sub/b.png", "sub/c.png", "sub/deeper/d.jpg"]


@pytest.fixture(scope="module")
def references(collection, model_path, tmp_path_factory) -> dict[str, bytes]:
    """What `liif upscale` writes for each good image (same model, scale, one thread)."""
    out = tmp_path_factory.mktemp("reference")
    refs = {}
    for rel in GOOD:
        dst = out / Path(rel).with_suffix(".png").name
        assert main(["upscale", str(collection / rel), "-o", str(dst), "--scale", "2", "--model", str(model_path),
                     "-q"]) == 0
        refs[rel] = dst.read_bytes()
    return refs


def _out(rel: str) -> Path:
    return Path(rel).with_suffix(".png")


def _report(out: Path, base: Path) -> dict[str, dict]:
    """The report's rows by input path relative to ``base``."""
    rows = pq.read_table(out / "report.parquet").to_pylist()
    return {Path(r["path"]).relative_to(base).as_posix(): r for r in rows}


# ----- without Ray --------------------------------------------------------------------------------
def test_collect_folder_glob_and_list(collection, tmp_path):
    items, base = collect(collection, tmp_path / "out")
    assert base == collection
    assert sorted(str(rel) for _, rel in items) == sorted(GOOD + ["sub/broken.png"])

    items, base = collect(f"{collection}/**/*.png", tmp_path / "out")
    assert base == collection and {str(r) for _, r in items} == {"a.png", "sub/b.png", "sub/c.png", "sub/broken.png"}

    listing = tmp_path / "list.txt"
    listing.write_text(f"# two images and a missing one\n{collection}/sub/b.png\n\n{collection}/sub/deeper/d.jpg\n"
                       f"{collection}/sub/gone.png\n")
    items, base = collect(listing, tmp_path / "out")
    assert base == collection / "sub"
    assert [str(r) for _, r in items] == ["b.png", "deeper/d.jpg", "gone.png"]  # the missing one fails as a row


def test_collect_leaves_out_an_output_folder_inside_the_input(tmp_path):
    (tmp_path / "in" / "big").mkdir(parents=True)
    for name in ("in/x.png", "in/big/x.png"):  # the second is an output of an earlier run
        Image.new("L", (4, 4)).save(tmp_path / name)
    items, _ = collect(tmp_path / "in", tmp_path / "in" / "big")
    assert [str(rel) for _, rel in items] == ["x.png"]
    with pytest.raises(LiifError, match="is the input folder"):
        collect(tmp_path / "in", tmp_path / "in")
    with pytest.raises(LiifError, match="input not found"):
        collect(tmp_path / "nothing-here", tmp_path / "out")


def test_plan_fails_inputs_that_map_to_the_same_output(tmp_path):
    tasks, failed = plan([(tmp_path / "x.jpg", Path("x.jpg")), (tmp_path / "x.png", Path("x.png"))], tmp_path / "o")
    assert [t["dst"] for t in tasks] == [str(tmp_path / "o" / "x.png")]
    assert len(failed) == 1 and failed[0]["status"] == "failed" and "already maps to" in failed[0]["error"]


def test_existing_output_is_complete_only_when_whole_and_the_right_size(collection, tmp_path):
    job = Job(scale=2)
    good = tmp_path / "a.png"
    Image.new("RGB", (96, 80)).save(good)
    assert existing_output(collection / "a.png", good, job)["status"] == "skipped"
    with pytest.raises(InputError, match="not the 192x160"):
        existing_output(collection / "a.png", good, Job(scale=4))
    cut = tmp_path / "cut.png"
    cut.write_bytes(good.read_bytes()[:-30])  # a write that stopped half-way
    with pytest.raises(InputError, match="not a complete image"):
        existing_output(collection / "a.png", cut, job)


def test_write_atomic_never_replaces_a_file_unless_asked(tmp_path):
    dst = tmp_path / "deep" / "x.png"
    write_atomic(Image.new("L", (4, 4), 10), dst, overwrite=False, run_id="r")
    with pytest.raises(InputError, match="appeared while"):
        write_atomic(Image.new("L", (4, 4), 99), dst, overwrite=False, run_id="r")
    assert np.asarray(Image.open(dst)).max() == 10
    write_atomic(Image.new("L", (4, 4), 99), dst, overwrite=True, run_id="r")
    assert np.asarray(Image.open(dst)).max() == 99
    assert sorted(p.name for p in dst.parent.iterdir()) == ["x.png"]  # no temporary left


def test_bad_arguments_are_one_line_errors_before_ray_starts(collection, tmp_path, capsys):
    assert main(["batch", str(tmp_path / "missing"), "-o", str(tmp_path / "o"), "--scale", "2"]) == 2
    assert main(["batch", str(collection), "-o", str(tmp_path / "o"), "--scale", "2", "--cpus-per-worker", "0"]) == 2
    assert main(["batch", str(collection), "-o", str(tmp_path / "o"), "--scale", "2", "--model", "nope.pth"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 3 and all(line.startswith("error: ") for line in err)
    assert "input not found" in err[0]
    assert "--cpus-per-worker must be at least 1" in err[1]
    assert "checkpoint not found" in err[2]


# ----- through Ray ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def first_run(ray_runtime, collection, model_path, tmp_path_factory):
    """`liif batch` over the collection with 2 workers: (exit code, stdout, stderr, output)."""
    out = tmp_path_factory.mktemp("first") / "out"
    args = ["batch", str(collection), "-o", str(out), "--scale", "2", "--model", str(model_path), "--workers", "2",
            "-q"]
    stdout, stderr = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        code = main(args)
    return code, stdout.getvalue(), stderr.getvalue(), out


def test_batch_is_bit_identical_with_a_report(first_run, collection, references):
    code, stdout, stderr, out = first_run
    assert code == 1  # one corrupt image
    assert "4 done, 1 failed, 0 skipped of 5 images" in stdout
    assert "error: " in stderr and "broken.png" in stderr and "Traceback" not in stderr
    for rel in GOOD:
        assert (out / _out(rel)).read_bytes() == references[rel], rel  # the same bytes as `liif upscale`
    assert not (out / "notes.png").exists() and not list(out.rglob(".*"))  # no temporaries, no strays

    rows = _report(out, collection)
    assert sorted(rows) == sorted(GOOD + ["sub/broken.png"])
    bad = rows["sub/broken.png"]
    assert bad["status"] == "failed" and "not an image file" in bad["error"] and bad["out_width"] is None
    a = rows["a.png"]
    assert a["status"] == "done" and a["error"] == ""
    assert (a["in_width"], a["in_height"], a["out_width"], a["out_height"]) == (48, 40, 96, 80)
    assert a["megapixels"] == pytest.approx(96 * 80 / 1e6) and a["seconds"] > 0
    assert a["worker"].startswith("127.0.0.1:")  # the local runtime stays on loopback
    assert a["output"] == str(out / "a.png")
    assert not any(k.startswith("score_") for k in a)  # no cues unless asked
    csv = pacsv.read_csv(out / "report.csv").to_pylist()
    assert [r["path"] for r in csv] == sorted(r["path"] for r in rows.values())
    assert {r["status"] for r in csv} == {"done", "failed"}


def test_rerun_skips_complete_outputs_and_never_overwrites(first_run, collection, model_path, references, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(first_run[3], out)  # what the first run left (outputs and report), to run again over
    stamps = {rel: (out / _out(rel)).stat().st_mtime_ns for rel in GOOD}
    cut = (out / "a.png").read_bytes()[:-40]
    (out / "a.png").write_bytes(cut)  # as if something else had left a half-written file

    again = run(collection, out, Job(scale=2, model=str(model_path)), workers=2, progress=False)
    rows = _report(out, collection)
    assert again.count("skipped") == 3 and again.count("done") == 0
    assert rows["sub/c.png"]["status"] == "skipped" and rows["sub/c.png"]["out_width"] == 64
    assert rows["a.png"]["status"] == "failed" and "not a complete image" in rows["a.png"]["error"]
    assert (out / "a.png").read_bytes() == cut  # a file it did not finish is reported, not replaced
    assert all((out / _out(rel)).stat().st_mtime_ns == stamps[rel] for rel in GOOD[1:])

    fixed = run(collection, out, Job(scale=2, model=str(model_path), overwrite=True), workers=2, progress=False)
    assert fixed.count("done") == 4
    assert all((out / _out(rel)).read_bytes() == references[rel] for rel in GOOD)


def test_killed_worker_is_retried_and_each_output_written_once(ray_runtime, collection, model_path, references,
                                                                     tmp_path):
    """The scorer runs inside the actor: it kills its process (os._exit) once, and on every poison image;
    otherwise it scores the output's mean, which lands in the report as a column."""
    marker = tmp_path / "killed-pid"
    poison = collection.parent / "poison"
    poison.mkdir(exist_ok=True)
    Image.new("RGB", POISON_SIZE, (10, 20, 30)).save(poison / "p.png")
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join([*(str(collection / rel) for rel in GOOD), str(poison / "p.png")]))

    def kill_once(output, image):
        if image.size == POISON_SIZE:
            os._exit(3)
        try:  # the first image to get here takes the marker and dies before its output is written
            fd = os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return {"score_mean": float(np.asarray(output).mean())}
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
        os._exit(1)

    out = tmp_path / "out"
    summary = run(listing, out, Job(scale=2, model=str(model_path)), workers=2, retries=1, scorer=kill_once,
                  progress=False)
    assert marker.exists()  # a worker was killed ...
    killed = marker.read_text()
    rows = {Path(r["path"]).name: r for r in summary.rows}
    assert len(summary.rows) == 5  # ... and still one row per input
    assert all(rows[Path(rel).name]["status"] == "done" for rel in GOOD)  # ... every image was retried and done
    assert all(not r["worker"] or not r["worker"].endswith(f":{killed}") for r in summary.rows)
    assert rows["p.png"]["status"] == "failed" and "died 2 times" in rows["p.png"]["error"]
    report = {Path(r["path"]).name: r for r in pq.read_table(out / "report.parquet").to_pylist()}
    assert report["a.png"]["score_mean"] == pytest.approx(np.asarray(Image.open(out / "in" / "a.png")).mean())
    assert report["p.png"]["score_mean"] is None
    # Written once each, in the tree mirrored below the folder the list's files share, with the right bytes.
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.png"))
    assert written == sorted(["in/a.png", "in/sub/b.png", "in/sub/c.png", "in/sub/deeper/d.png"])
    assert all((out / "in" / _out(rel)).read_bytes() == references[rel] for rel in GOOD)
    assert not list(out.rglob(".*"))


def test_address_joins_a_running_cluster(ray_runtime, collection, model_path, references, tmp_path):
    """`liif batch --address` in another process joins a running Ray cluster (this module's) as a second driver.

    The two-node cluster (`ray start --head` + `ray start --address`) is exercised by benchmarks/bench_batch.py:
    starting and stopping two nodes takes over a minute on a busy 2-core machine.
    """
    listing = tmp_path / "list.txt"
    listing.write_text("\n".join(str(collection / rel) for rel in GOOD[:2]))
    out = tmp_path / "out"
    address = ray.get_runtime_context().gcs_address
    env = dict(os.environ, OMP_NUM_THREADS="1", RAY_AUTH_MODE="token")  # Ray 2.59+ local runtimes use a token
    proc = subprocess.run([sys.executable, "-m", "liif.cli", "batch", str(listing), "-o", str(out), "--scale", "2",
                           "--model", str(model_path), "--workers", "1", "--address", address, "-q"],
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "2 done, 0 failed, 0 skipped of 2 images" in proc.stdout and "1 worker)" in proc.stdout
    assert all((out / _out(rel)).read_bytes() == references[rel] for rel in GOOD[:2])
    assert ray.is_initialized()  # the joining driver left the cluster running
