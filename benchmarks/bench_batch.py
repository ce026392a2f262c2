"""Throughput of `liif batch` (Ray Data) against `liif upscale` in one process, on one and two nodes.

Every case is the real command in a fresh process, timed from start to exit (Python, torch, Ray and
the model loading included), over the same collection, in one run so that ratios compare like with
like on a shared machine:

* ``upscale -t1`` / ``upscale -t2``: ``liif upscale FOLDER`` in one process with 1 or 2 torch threads;
* ``batch 1w`` / ``batch 2w``: ``liif batch`` on a local Ray runtime with 1 or 2 single-thread actors;
* ``cluster 2w``: ``liif batch --address`` on a two-node local cluster (``ray start --head`` plus a
  second ``ray start --address``, one CPU each, on loopback addresses) started beforehand, as a real
  cluster would be.

Outputs of the batch cases are checked to be the same bytes as ``upscale -t1`` (one thread per actor).

    python benchmarks/bench_batch.py                       # 8 images 128x128 at x3, bundled model
    python benchmarks/bench_batch.py --images 16 --scale 4 --out benchmarks/results-batch.txt
    python benchmarks/bench_batch.py --quick               # 4 images 64x64 at x2, tiny model: a smoke test
"""
from __future__ import annotations

import argparse
import contextlib
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
HEAD_IP, WORKER_IP = "127.0.0.2", "127.0.0.3"  # Ray rewrites 127.0.0.1 to the machine's network address


def make_collection(folder: Path, count: int, side: int) -> None:
    """``count`` RGB crops of the bundled example photos (flipped and shifted), ``side`` pixels square."""
    from PIL import Image, ImageOps

    photos = [Image.open(p).convert("RGB") for p in sorted((REPO / "examples").glob("*.png"))]
    for i in range(count):
        im = photos[i % len(photos)]
        im = im.resize((max(side, im.width), max(side, im.height)), Image.BICUBIC)
        dx, dy = (i * 7) % (im.width - side + 1), (i * 5) % (im.height - side + 1)
        crop = im.crop((dx, dy, dx + side, dy + side))
        if (i // len(photos)) % 2:
            crop = ImageOps.mirror(crop)
        sub = folder / f"set{i % 2}"
        sub.mkdir(parents=True, exist_ok=True)
        crop.save(sub / f"img{i:03d}.png")


def timed(cmd: list[str], env: dict[str, str] | None = None) -> float:
    """Run ``cmd`` to completion; its wall-clock seconds (raises if it fails)."""
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stdout[-2000:]}{proc.stderr[-3000:]}")
    return seconds


def free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def two_node_cluster(env: dict[str, str], logs: Path) -> Iterator[tuple[str, float, dict[str, str]]]:
    """A head and a worker node (1 CPU each) on loopback; yields (address, seconds to start both, the
    environment a driver needs to join it)."""
    # Token authentication on both nodes and the driver (Ray turns it on for `ray start` clusters);
    # Ray's single-machine switch would refuse the second node.
    env = {k: v for k, v in env.items() if k != "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"}
    env.update(RAY_AUTH_MODE="token", RAY_USAGE_STATS_ENABLED="0")
    subprocess.run(["ray", "get-auth-token", "--generate"], env=env, capture_output=True, check=True)
    port = free_port(HEAD_IP)
    address = f"{HEAD_IP}:{port}"
    common = ["--num-cpus=1", "--disable-usage-stats", "--block"]  # --block: the node stops with its process
    t0 = time.perf_counter()
    nodes = [_start_node(["--head", f"--node-ip-address={HEAD_IP}", f"--port={port}", "--include-dashboard=false",
                          *common], env, logs / "head.log")]
    try:
        _wait(lambda: _accepts(HEAD_IP, port), nodes, "the head node")
        nodes.append(_start_node([f"--address={address}", f"--node-ip-address={WORKER_IP}", *common], env,
                                 logs / "worker.log"))
        _wait(lambda: _alive_nodes(address, env) == 2, nodes, "the second node")
        yield address, time.perf_counter() - t0, env
    finally:
        for node in reversed(nodes):  # SIGTERM makes `ray start --block` drain and stop its own processes
            node.send_signal(signal.SIGTERM)
        for node in reversed(nodes):
            try:
                node.wait(90)
            except subprocess.TimeoutExpired:
                os.killpg(node.pid, signal.SIGKILL)


def _start_node(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    with open(log, "w") as fh:  # the node keeps its own copy of the file handle
        return subprocess.Popen(["ray", "start", *args], env=env, stdout=fh, stderr=subprocess.STDOUT,
                                start_new_session=True)


def _accepts(host: str, port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex((host, port)) == 0


def _alive_nodes(address: str, env: dict[str, str]) -> int:
    code = (f"import ray; ray.init(address={address!r}, logging_level='ERROR', log_to_driver=False); "
            "print(sum(n['Alive'] for n in ray.nodes()))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=False)
    return int(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 and proc.stdout.strip() else 0


def _wait(ready, nodes: list[subprocess.Popen], what: str, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while not ready():
        if any(n.poll() is not None for n in nodes):
            raise SystemExit(f"{what} did not start: see the logs")
        if time.monotonic() > end:
            raise SystemExit(f"{what} did not start within {timeout:.0f} s")
        time.sleep(1)


def same_bytes(a: Path, b: Path) -> bool:
    """Whether two output trees hold the same PNG files with the same bytes."""
    files = sorted(p.relative_to(a) for p in a.rglob("*.png"))
    return files == sorted(p.relative_to(b) for p in b.rglob("*.png")) and all(
        (a / f).read_bytes() == (b / f).read_bytes() for f in files)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=8)
    ap.add_argument("--side", type=int, default=128, help="input side in pixels")
    ap.add_argument("--scale", default="3")
    ap.add_argument("--model", default=None, help="bundled name or checkpoint (default: the bundled model)")
    ap.add_argument("--quick", action="store_true", help="4 images 64x64 at x2 with a tiny random model")
    ap.add_argument("--skip-cluster", action="store_true", help="leave out the two-node case")
    ap.add_argument("--out", help="also write the table to this file")
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-batch-"))
    load_before = os.getloadavg()[0]
    try:
        if args.quick:
            import torch

            import liif

            args.images, args.side, args.scale = 4, 64, "2"
            torch.manual_seed(0)
            tiny = liif.create_model(liif.ModelConfig.tiny())
            args.model = str(liif.save_checkpoint(tiny, work / "tiny.safetensors"))
        src = work / "in"
        make_collection(src, args.images, args.side)
        model = ["--model", args.model] if args.model else []
        env = dict(os.environ, OMP_NUM_THREADS="1", RAY_USAGE_STATS_ENABLED="0")
        liif_cmd = [sys.executable, "-m", "liif.cli"]
        cases: list[tuple[str, float, Path]] = []

        def case(name: str, cmd: list[str], out: Path, run_env: dict[str, str] | None = None) -> None:
            seconds = timed(cmd, run_env or env)
            cases.append((name, seconds, out))
            print(f"{name}: {seconds:.1f} s", flush=True)

        for threads in (1, 2):
            out = work / f"upscale-t{threads}"
            case(f"upscale -t{threads}", [*liif_cmd, "upscale", str(src / "set0"), str(src / "set1"), "-o", str(out),
                                          "--scale", args.scale, "--threads", str(threads), "-q", *model],
                 out, dict(env, OMP_NUM_THREADS=str(threads)))
        for workers in (1, 2):
            out = work / f"batch-{workers}w"
            case(f"batch {workers}w", [*liif_cmd, "batch", str(src), "-o", str(out), "--scale", args.scale,
                                       "--workers", str(workers), "-q", *model], out)
        cluster_start = None
        if not args.skip_cluster:
            with two_node_cluster(env, work) as (address, cluster_start, cenv):
                out = work / "cluster-2w"
                case("cluster 2w", [*liif_cmd, "batch", str(src), "-o", str(out), "--scale", args.scale,
                                    "--workers", "2", "--address", address, "-q", *model], out, cenv)

        from PIL import Image

        reference = work / "upscale-t1"
        mp = sum(Image.open(p).width * Image.open(p).height for p in reference.rglob("*.png")) / 1e6
        base = cases[0][1]
        lines = [
            f"# liif batch benchmark, {time.strftime('%Y-%m-%d %H:%M')}",
            (f"# {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs visible, "
             f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after; "
             f"{args.images} images {args.side}x{args.side} at x{args.scale} ({mp:.2f} output MP), "
             f"model {args.model or 'bundled default'}"),
            ("| case | wall s | output MP/s | speed vs upscale -t1 | image s per worker | start-up and overhead s "
             "| same bytes as upscale -t1 |"),
            "|---|---|---|---|---|---|---|",
        ]
        for name, seconds, out in cases:
            # Batch cases write into subfolders (set0/, set1/); upscale -t2 into one folder: compare by name.
            same = same_bytes(_flat(out, work / f"flat-{name.replace(' ', '_')}"), _flat(reference, work / "flat-ref"))
            busy = _busy_per_worker(out, name)
            split = f"{busy:.1f} | {seconds - busy:.1f}" if busy is not None else "- | -"
            lines.append(f"| {name} | {seconds:.1f} | {mp / seconds:.3f} | {base / seconds:.2f}x | {split} | "
                         f"{'yes' if same else 'NO'} |")
        if cluster_start is not None:
            lines.append(f"# two-node cluster start (not in the figures above): {cluster_start:.1f} s")
        table = "\n".join(lines)
        print(table)
        if args.out:
            Path(args.out).write_text(table + "\n")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _busy_per_worker(out: Path, name: str) -> float | None:
    """Seconds the workers spent on images (read, upscale, write; from the report), per worker."""
    report = out / "report.csv"
    if not report.exists():
        return None
    import csv

    with open(report, newline="") as fh:
        total = sum(float(r["seconds"]) for r in csv.DictReader(fh))
    return total / int(name.split()[-1].rstrip("w"))


def _flat(tree: Path, dst: Path) -> Path:
    """The PNGs of ``tree`` side by side in ``dst`` (names are unique across the collection)."""
    if not dst.exists():
        dst.mkdir()
        for p in tree.rglob("*.png"):
            shutil.copy(p, dst / p.name)
    return dst


if __name__ == "__main__":
    main()
