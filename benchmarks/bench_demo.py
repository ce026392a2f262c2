"""What a visitor waits for on the Upscale tab, against what the work itself takes (issue 29).

A 480x480 photo (Set14 baboon, else scikit-image's astronaut) enlarged x4 to 1920x1920 with the demo's
default model and precision, measured four ways:

* **render**: ``liif.Upscaler.upscale`` in this process (the demo's cached upscaler, same model and precision);
* **report**: ``iqa.assess`` on that output against the input, as the Upscale tab calls it;
* **first click**: the first ``/upscale`` call after ``python app.py`` starts (a fresh server on a free port),
  client-side wall time to the picture (the endpoint's first yield), to the report (its second) and to the
  final answer (with the report's pictures);
* **later clicks**: the same, median of ``--clicks`` calls.

Not a test: it prints a table with the ratios to the render alone and writes it to
``benchmarks/results-demo-<date>.txt``. Run it on a quiet machine; the server gets ``--threads`` threads,
as does the in-process render.

    python benchmarks/bench_demo.py [--clicks 3] [--threads 2]
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BABOON = ROOT.parent / "shared" / "datasets" / "eval" / "Set14" / "baboon.png"
SIDE, SCALE = 480, 4.0


def photo(folder: Path) -> tuple[Path, str]:
    """A 480x480 photo in ``folder`` and where it came from."""
    import numpy as np
    from PIL import Image

    if BABOON.exists():
        source, pixels = "Set14 baboon", np.asarray(Image.open(BABOON).convert("RGB"))
    else:
        from skimage import data

        source, pixels = "scikit-image astronaut", data.astronaut()
    path = folder / "photo480.png"
    Image.fromarray(pixels[:SIDE, :SIDE]).save(path)
    return path, f"{source}, top-left {SIDE}x{SIDE}"


def load_average() -> str:
    """The 1, 5 and 15-minute load averages (what else the machine was doing), or 'n/a'."""
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def free_port() -> int:
    """A free TCP port on localhost."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def engine_alone(path: Path, precision: str, runs: int) -> tuple[float, float, float]:
    """(first render with loading, median render, median report) in this process."""
    import iqa
    import liif
    from studio import models, settings, views

    image = liif.load_image(path)
    started = time.perf_counter()
    up = models.get_upscaler(settings.DEFAULT_MODEL, precision, settings.from_env().max_output_mp)
    result = up.upscale(image, scale=SCALE)
    first = time.perf_counter() - started
    renders, reports = [], []
    for _ in range(runs):
        started = time.perf_counter()
        result = up.upscale(image, scale=SCALE)
        renders.append(time.perf_counter() - started)
    shown, lowres = views.to_display(result), views.to_display(image)
    iqa.assess(shown, lowres)  # the report's own first call loads its cue models: not what a later click pays
    for _ in range(runs):
        started = time.perf_counter()
        iqa.assess(shown, lowres)
        reports.append(time.perf_counter() - started)
    return first, statistics.median(renders), statistics.median(reports)


def click(client, path: Path, choice: str, precision: str) -> tuple[float, float, float]:
    """One Upscale click through gradio_client: seconds to the picture, to the report and to the final answer."""
    from gradio_client import handle_file

    started = time.perf_counter()
    job = client.submit(handle_file(str(path)), "Scale factor", SCALE, SIDE * SCALE, SIDE * SCALE, choice, "",
                        precision, True, 0.5, 0.5, False, api_name="/upscale")
    seen: list[float] = []  # when each answer (yield) arrived
    while not job.done():
        while len(seen) < len(job.outputs()):
            seen.append(time.perf_counter() - started)
        time.sleep(0.01)
    job.result()
    final = time.perf_counter() - started
    seen += [final] * (3 - len(seen))  # answers that came with the last poll
    return seen[0], seen[1], final


def serve(port: int, threads: int, log: Path) -> subprocess.Popen:
    """``python app.py`` on ``port``; returns once it answers."""
    env = {**os.environ, "GRADIO_SERVER_PORT": str(port), "GRADIO_SERVER_NAME": "127.0.0.1",
           "GRADIO_ANALYTICS_ENABLED": "False", "OMP_NUM_THREADS": str(threads)}
    server = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log.open("w"),
                              stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the app exited (code {server.returncode}); its log: {log}")
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2)
            return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"the app did not answer within 300 s; its log: {log}")


def main() -> None:
    """Measure, print the table, write it to benchmarks/results-demo-<date>.txt."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clicks", type=int, default=3, help="later clicks to take the median of")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="torch threads, here and served")
    args = parser.parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)
    import torch
    from gradio_client import Client

    from studio import settings

    torch.set_num_threads(args.threads)
    load_before = load_average()
    precision = settings.precision_choices()[0]
    choice = f"{settings.DEFAULT_MODEL} (bundled)"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        path, source = photo(work)
        load, render, report = engine_alone(path, precision, args.clicks)
        port = free_port()
        started = time.perf_counter()
        server = serve(port, args.threads, work / "app.log")
        try:
            client = Client(f"http://127.0.0.1:{port}/", verbose=False)
            ready = time.perf_counter() - started
            first = click(client, path, choice, precision)
            later = [click(client, path, choice, precision) for _ in range(args.clicks)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    median = [statistics.median(times[i] for times in later) for i in range(3)]
    stages = ("the picture (1st yield)", "the report (2nd yield)", "the final answer, with the pictures")
    rows = [("render alone (engine, in-process, warm)", render),
            ("report alone (iqa.assess, warm)", report),
            ("render + report", render + report)]
    rows += [(f"first click: {stage}", seconds) for stage, seconds in zip(stages, first, strict=True)]
    rows += [(f"later clicks: {stage}, median of {args.clicks}", seconds)
             for stage, seconds in zip(stages, median, strict=True)]
    lines = [f"bench_demo {dt.datetime.now():%Y-%m-%d %H:%M}: {source} x{SCALE:g} -> "
             f"{SIDE * SCALE:.0f}x{SIDE * SCALE:.0f}, {choice}, {precision}",
             f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, {args.threads} "
             f"torch threads, torch {torch.__version__}; load average before: {load_before}",
             f"model load + first render in-process: {load:.2f} s; server start to first answer: {ready:.1f} s",
             "", f"{'what':<66}{'seconds':>9}{'x render':>10}"]
    lines += [f"{name:<66}{seconds:>9.2f}{seconds / render:>10.2f}" for name, seconds in rows]
    text = "\n".join(lines) + "\n"
    print(text)
    out = ROOT / "benchmarks" / f"results-demo-{dt.date.today():%Y-%m-%d}.txt"
    out.write_text(text)
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
