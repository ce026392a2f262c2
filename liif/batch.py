"""``liif batch``: upscale a whole collection with Ray Data, locally or on a cluster, streaming to disk.

Each Ray actor loads the model once and upscales one image per task, exactly as ``liif upscale`` does
(same loader, engine and PNG writer, so the bits are the same); outputs are written atomically and
never over an existing file, so a re-run skips finished images and a retried task cannot write twice.
Ray is an optional extra (``pip install 'liif-studio[ray]'``): nothing here imports it before a batch
runs. The quality cues come in as a callable (``Scorer``, made by the ``ScorerFactory`` that
``studio.cli`` passes to :func:`add_parser`), so the engine never imports ``iqa``.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, LiifError

# (output image, input image) -> {column: value}; runs inside the workers, so it must be picklable.
Scorer = Callable[[Any, Any], dict[str, float]]

REPORT_COLUMNS = ("path", "output", "status", "error", "in_width", "in_height", "out_width", "out_height",
                  "megapixels", "seconds", "worker")
REPORT_MARK = b"liif-batch-report"  # parquet metadata key: tells our report from a user's file
TMP_TAG = ".liif-tmp-"


@dataclass(frozen=True)
class Job:
    """What every worker does to each image of one run."""

    scale: float | tuple[float, float] | None = None
    size: tuple[int | None, int | None] | None = None  # a box the output fits in (liif.sizes.fit_size)
    stretch: bool = False  # exactly ``size``, even if the shape changes
    keep_gps: bool = False  # keep the GPS position in the outputs' metadata
    model: Any = None  # bundled name, checkpoint path, a loaded model, or None for the default
    precision: str = "auto"  # each worker measures its own machine (liif.precision)
    device: str = "auto"
    tile: int | None = 512
    chunk: int = 12000
    max_megapixels: float = 64.0
    threads: int = 1  # torch threads per worker (= CPUs reserved per worker)
    overwrite: bool = False
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:12])


@dataclass
class Summary:
    """The outcome of a run: one report row per input, and where the report went."""

    rows: list[dict[str, Any]]
    seconds: float
    workers: int
    report: tuple[Path, Path] | None = None

    def count(self, status: str) -> int:
        """How many rows have ``status`` (done, failed or skipped)."""
        return sum(r["status"] == status for r in self.rows)

    @property
    def megapixels(self) -> float:
        """Output megapixels written by this run."""
        return sum(r["megapixels"] or 0.0 for r in self.rows if r["status"] == "done")

    def line(self) -> str:
        """The one-line summary printed at the end."""
        rate = self.megapixels / self.seconds if self.seconds > 0 else 0.0
        where = f"; report: {self.report[1]}" if self.report else ""
        return (f"{self.count('done')} done, {self.count('failed')} failed, {self.count('skipped')} skipped "
                f"of {len(self.rows)} images; {self.megapixels:.2f} MP in {self.seconds:.1f} s "
                f"({rate:.3f} MP/s, {self.workers} worker{'s' * (self.workers != 1)}){where}")


# ----- the collection -------------------------------------------------------------------------
def collect(spec: str | Path, output: str | Path) -> tuple[list[tuple[Path, Path]], Path]:
    """Input files and their relative paths for a folder (recursive), a glob, a list file or one image.

    Returns ``([(source, relative path), ...], base folder)``; files under ``output`` are left out so
    that an output folder inside the input folder is never read back as input.
    """
    from .imageio import IMAGE_SUFFIXES

    text, path, out = str(spec), Path(spec), Path(output).resolve()
    if path.is_dir():
        files = [f for f in sorted(path.rglob("*")) if f.suffix.lower() in IMAGE_SUFFIXES and f.is_file()]
        base = path
    elif glob.has_magic(text):
        files = [Path(f) for f in sorted(glob.glob(text, recursive=True))
                 if Path(f).suffix.lower() in IMAGE_SUFFIXES and Path(f).is_file()]
        base = _common_folder(files)
    elif path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES:
        files, base = [path], path.parent
    elif path.is_file():  # a list file: one path a line, relative to the list's folder; missing ones fail as rows
        lines = [ln.strip() for ln in path.read_text(errors="replace").splitlines()]
        files = [path.parent / ln for ln in lines if ln and not ln.startswith("#")]
        base = _common_folder(files)
    else:
        raise LiifError(f"input not found: {text}: give a folder, a quoted glob such as 'photos/**/*.jpg', "
                        "or a text file listing one image path a line")
    if out == base.resolve():
        raise LiifError(f"the output folder {output} is the input folder: choose another output folder")
    files = [f for f in files if not f.resolve().is_relative_to(out)]
    if not files:
        raise LiifError(f"no images found in {text} (looked for {', '.join(sorted(IMAGE_SUFFIXES))})")
    return [(f, Path(os.path.relpath(f.resolve(), base.resolve()))) for f in files], base


def _common_folder(files: Sequence[Path]) -> Path:
    # The deepest folder that holds every file: outputs mirror the tree below it.
    return Path(os.path.commonpath([str(f.resolve().parent) for f in files])) if files else Path(".")


def plan(items: Iterable[tuple[Path, Path]], output: Path) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """Tasks ``{src, dst}`` for the workers, and failed rows for inputs whose output another input takes."""
    tasks: list[dict[str, str]] = []
    failed: list[dict[str, Any]] = []
    owner: dict[Path, Path] = {}
    for src, rel in items:
        dst = output / rel.with_suffix(".png")
        if dst in owner:  # photo.jpg and photo.png in one folder would both become photo.png
            failed.append(_row(src, dst, status="failed",
                               error=f"{owner[dst]} already maps to {dst}: rename one of them or run them separately"))
            continue
        owner[dst] = src
        tasks.append({"src": str(src), "dst": str(dst)})
    return tasks, failed


def _row(src: Path | str, dst: Path | str, **values: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(REPORT_COLUMNS)
    row.update(path=str(src), output=str(dst), status="done", error="")
    row.update(values)
    return row


# ----- the workers ------------------------------------------------------------------------------
class Worker:
    """A Ray Data actor: loads the model once, then upscales, scores and writes one image per call."""

    def __init__(self, job: Job, scorer: Scorer | None = None) -> None:
        import torch

        from .engine import Upscaler
        from .zoo import create_model

        model = job.model if isinstance(job.model, torch.nn.Module) else create_model(job.model)
        self.job, self.scorer = job, scorer
        self.up = Upscaler(model, device=job.device, tile=job.tile, precision=job.precision, chunk=job.chunk,
                           max_output_megapixels=job.max_megapixels, threads=job.threads)
        self.name = f"{_node_address()}:{os.getpid()}"

    def __call__(self, batch: dict[str, Any]) -> dict[str, list[str]]:
        """Process a batch of ``{src, dst}`` rows; each report row comes back as JSON (one fixed column)."""
        pairs = zip(batch["src"], batch["dst"], strict=True)
        return {"row": [json.dumps(self.process(Path(s), Path(d))) for s, d in pairs]}

    def process(self, src: Path, dst: Path) -> dict[str, Any]:
        """Upscale ``src`` to ``dst`` unless a complete output is there; never raises for one image."""
        from .imageio import load_image

        t0 = time.perf_counter()
        row = _row(src, dst, worker=self.name)
        try:
            if dst.resolve() == src.resolve():
                raise InputError(f"{dst} is the input itself: choose another output folder")
            if dst.exists() and not self.job.overwrite:
                return {**row, **existing_output(src, dst, self.job), "seconds": time.perf_counter() - t0}
            image = load_image(src, keep_gps=self.job.keep_gps)
            result = self.up.upscale(image, scale=self.job.scale, size=_fitted(_dims(image), self.job))
            scores = self.scorer(result, image) if self.scorer else {}
            write_atomic(result, dst, self.job.overwrite, self.job.run_id)
            (w_in, h_in), (w_out, h_out) = _dims(image), _dims(result)
            row.update(in_width=w_in, in_height=h_in, out_width=w_out, out_height=h_out,
                       megapixels=w_out * h_out / 1e6, **scores)
        except Exception as exc:  # one bad image (corrupt, odd, too big, disk full) must not end the whole job
            row.update(status="failed", error=_one_line(exc))
        row["seconds"] = time.perf_counter() - t0
        return row


def existing_output(src: Path, dst: Path, job: Job) -> dict[str, Any]:
    """A skipped row when ``dst`` is a complete output of the size this run makes; else InputError."""
    from PIL import Image

    from .engine import output_size
    from .imageio import register_heif

    register_heif()
    try:
        with Image.open(dst) as im:
            have = im.size
            im.verify()  # every chunk present and intact: a truncated file fails here
    except Exception as exc:
        raise InputError(f"{dst} exists but is not a complete image ({_one_line(exc)}): "
                         "delete it or pass --overwrite") from None
    try:
        with Image.open(src) as im:
            size = im.size
            if im.getexif().get(0x0112, 1) in (5, 6, 7, 8):  # EXIF rotation by 90 degrees swaps the sides
                size = size[::-1]
    except Exception as exc:
        raise InputError(f"{src} could not be read: {_one_line(exc)}") from None
    want = output_size(size, job.scale, _fitted(size, job))
    if have != want:
        raise InputError(f"{dst} exists with size {have[0]}x{have[1]}, not the {want[0]}x{want[1]} this run makes: "
                         "pass --overwrite to replace it, or choose another output folder")
    return {"status": "skipped", "in_width": size[0], "in_height": size[1], "out_width": have[0],
            "out_height": have[1], "megapixels": have[0] * have[1] / 1e6}


def write_atomic(image: Any, dst: Path, overwrite: bool, run_id: str) -> None:
    """Write a PNG to a temporary name beside ``dst``, then link or rename it into place in one step."""
    from .imageio import save_image

    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.stem}{TMP_TAG}{run_id}-{uuid.uuid4().hex[:8]}.png")
    try:
        save_image(image, tmp)
        if overwrite:
            os.replace(tmp, dst)
            return
        try:
            os.link(tmp, dst)  # create-if-absent in one step: two attempts can never both write dst
        except FileExistsError:
            msg = f"{dst} appeared while this image was being made: pass --overwrite to replace it"
            raise InputError(msg) from None
        except OSError:  # a file system without hard links: check, then rename (atomic, not exclusive)
            if dst.exists():
                raise InputError(f"{dst} exists: pass --overwrite to replace it") from None
            os.replace(tmp, dst)
    finally:
        tmp.unlink(missing_ok=True)


def _node_address() -> str:
    # The Ray node's address names the machine on a cluster (several nodes may share a host name).
    try:
        import ray

        return ray.util.get_node_ip_address()
    except Exception:  # outside a Ray worker (a direct call): the host name will do
        return socket.gethostname()


def _fitted(in_size: tuple[int, int], job: Job) -> tuple[int, int] | None:
    """The output size for ``job.size`` (a box, or exact with ``job.stretch``), None when the job gives a scale."""
    from .sizes import fit_size

    return None if job.size is None else fit_size(*in_size, *job.size, stretch=job.stretch)


def _dims(image: Any) -> tuple[int, int]:
    shape = getattr(image, "shape", None)
    return (int(shape[1]), int(shape[0])) if shape is not None else tuple(image.size)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if isinstance(exc, LiifError) else f"{type(exc).__name__}: {text}"


# ----- the driver -------------------------------------------------------------------------------
def run(inputs: str | Path, output: str | Path, job: Job, workers: int | None = None, address: str | None = None,
        cpus_per_worker: int = 1, gpus_per_worker: float = 0.0, retries: int = 3, scorer: Scorer | None = None,
        progress: bool = True, verbose: bool = False) -> Summary:
    """Upscale every image of ``inputs`` into ``output`` with a Ray actor pool; writes the report.

    Uses the Ray runtime already initialised in this process, else joins ``address``, else starts a
    local one on the loopback interface (and stops it at the end).
    """
    out = Path(output)
    items, _ = collect(inputs, out)
    tasks, rows = plan(items, out)
    _check_report_is_ours(out)
    if job.model is None or isinstance(job.model, (str, Path)):  # a loaded model travels as it is
        from .zoo import create_model

        create_model(job.model)  # a bad model name or checkpoint is one clear error here, not N dead actors
    started = time.perf_counter()
    ray, owned = _connect(address, workers, cpus_per_worker, verbose)
    try:
        workers = _pool_size(ray, workers, cpus_per_worker, gpus_per_worker)
        rows += _execute(ray, tasks, job, workers, cpus_per_worker, gpus_per_worker, retries, scorer, progress)
    finally:
        if owned:
            ray.shutdown()
        _remove_temporaries(out, job.run_id)
    rows.sort(key=lambda r: r["path"])
    summary = Summary(rows, time.perf_counter() - started, workers)
    summary.report = write_report(rows, out)
    return summary


def _connect(address: str | None, workers: int | None, cpus: int, verbose: bool) -> tuple[Any, bool]:
    if address is None:
        # A local runtime serves this machine only: Ray's single-machine mode keeps every server on
        # 127.0.0.1 (it must be chosen before Ray is first imported).
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    if not verbose:  # the driver's core worker prints C++ warnings straight to stderr
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")
    try:
        import ray
        import ray.data  # Ray Data is a submodule: ray.data.from_items needs it loaded
    except ImportError:
        raise LiifError("liif batch needs Ray: pip install 'liif-studio[ray]' (or pip install 'ray[data]')") from None
    if ray.is_initialized():
        return ray, False
    quiet = {} if verbose else {"logging_level": "ERROR", "log_to_driver": False}
    if not verbose:  # Ray Data narrates every run at INFO level; the summary line says what matters
        import logging

        logging.getLogger("ray.data").setLevel(logging.ERROR)
    try:
        if address is None:
            need = (workers or 1) * cpus
            ray.init(address="local", num_cpus=max(os.cpu_count() or 1, need), include_dashboard=False, **quiet)
        else:
            ray.init(address=address, **quiet)
    except (ConnectionError, ValueError, RuntimeError) as exc:
        raise LiifError(f"could not join the Ray cluster at {address}: {_one_line(exc)} "
                        "(start one with 'ray start --head', or leave out --address for a local run)") from None
    return ray, True


def _pool_size(ray: Any, workers: int | None, cpus: int, gpus: float) -> int:
    res = ray.cluster_resources()
    fits = int(res.get("CPU", 0) // cpus)
    if gpus:
        fits = min(fits, int(res.get("GPU", 0) // gpus))
    if workers is None:
        workers = max(1, fits)
    if workers < 1 or workers > fits:
        raise LiifError(f"the Ray cluster has {res.get('CPU', 0):g} CPUs and {res.get('GPU', 0):g} GPUs: room for "
                        f"{fits} workers of {cpus} CPU and {gpus:g} GPU, not {workers}: lower --workers")
    return workers


def _execute(ray: Any, tasks: list[dict[str, str]], job: Job, workers: int, cpus: int, gpus: float, retries: int,
             scorer: Scorer | None, progress: bool) -> list[dict[str, Any]]:
    import warnings

    from ray.data import ActorPoolStrategy, DataContext
    from tqdm import tqdm

    if not tasks:
        return []
    ctx = DataContext.get_current()
    saved = ctx.max_errored_blocks, ctx.enable_progress_bars
    # One image per block: a block a worker died on too often is dropped (its row says so) instead
    # of failing the whole run; Ray's own bars would fight with ours.
    ctx.max_errored_blocks, ctx.enable_progress_bars = -1, False
    try:
        ds = ray.data.from_items(tasks, override_num_blocks=len(tasks))
        with warnings.catch_warnings():
            # Ray 2.60 deprecates actor options given as keywords but names no replacement for the
            # restart limits; its default (restart forever) would loop on an image that kills workers.
            warnings.simplefilter("ignore", DeprecationWarning)
            ds = ds.map_batches(Worker, fn_constructor_args=(job, scorer), batch_size=1,
                                compute=ActorPoolStrategy(size=workers), num_cpus=cpus, num_gpus=gpus or None,
                                max_restarts=retries, max_task_retries=retries)
        rows: list[dict[str, Any]] = []
        with tqdm(total=len(tasks), unit="img", disable=not progress or None, desc="batch") as bar:
            for record in ds.iter_rows():
                rows.append(json.loads(record["row"]))
                bar.update(1)
                bar.set_postfix(failed=sum(r["status"] == "failed" for r in rows), refresh=False)
    finally:
        ctx.max_errored_blocks, ctx.enable_progress_bars = saved
    seen = {r["path"] for r in rows}
    lost = f"its worker died {retries + 1} times on this image (Ray retried it {retries} times): see Ray's logs"
    return rows + [_row(t["src"], t["dst"], status="failed", error=lost) for t in tasks if t["src"] not in seen]


def _remove_temporaries(out: Path, run_id: str) -> None:
    # A worker killed while writing leaves its temporary file; only this run's are removed.
    for tmp in out.rglob(f".*{TMP_TAG}{run_id}-*.png") if out.is_dir() else ():
        tmp.unlink(missing_ok=True)


# ----- the report -------------------------------------------------------------------------------
def _check_report_is_ours(out: Path) -> None:
    import pyarrow.parquet as pq

    parquet, csv = out / "report.parquet", out / "report.csv"
    ours = True
    if parquet.exists():
        try:
            ours = REPORT_MARK in (pq.read_schema(parquet).metadata or {})
        except Exception:  # not a parquet file at all: certainly not ours
            ours = False
    if ours and csv.exists():
        with open(csv, "rb") as fh:
            ours = fh.readline().startswith(b'"path","output","status"')
    if not ours:
        raise LiifError(f"{out} holds a report.parquet or report.csv that liif batch did not write: "
                        "choose another output folder")


def write_report(rows: list[dict[str, Any]], out: Path) -> tuple[Path, Path]:
    """Write ``report.parquet`` and ``report.csv`` (one row per input) atomically into ``out``."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    extra = sorted({k for r in rows for k in r} - set(REPORT_COLUMNS))
    columns = [*REPORT_COLUMNS, *extra]
    schema = {"in_width": pa.int64(), "in_height": pa.int64(), "out_width": pa.int64(), "out_height": pa.int64(),
              "megapixels": pa.float64(), "seconds": pa.float64(), **{k: pa.float64() for k in extra}}
    table = pa.table({c: pa.array([r.get(c) for r in rows], type=schema.get(c, pa.string())) for c in columns})
    table = table.replace_schema_metadata({REPORT_MARK: b"1"})
    out.mkdir(parents=True, exist_ok=True)
    paths = out / "report.parquet", out / "report.csv"
    for path, write in zip(paths, (pq.write_table, pacsv.write_csv), strict=True):
        tmp = path.with_name(f".{path.name}{TMP_TAG}{uuid.uuid4().hex[:8]}")
        write(table, str(tmp))
        os.replace(tmp, path)
    return paths


# ----- quality cues -----------------------------------------------------------------------------
# metric keys (none: the default cues) -> a picklable Scorer; raises LiifError when a key cannot run here.
ScorerFactory = Callable[[Sequence[str]], Scorer]


# ----- the command ------------------------------------------------------------------------------
def add_parser(sub: Any, scorer_factory: ScorerFactory | None = None) -> argparse.ArgumentParser:
    """Register ``liif batch`` on the ``liif`` command's subparsers; ``scorer_factory`` enables ``--score``."""
    from .arguments import add_scale_or_size

    p = sub.add_parser("batch", help="upscale a whole collection on a Ray cluster (local by default)",
                       description="Upscale every image of a folder (recursive), a glob or a list file into an "
                                   "output folder mirroring the input tree, with Ray actors that load the model once.")
    p.add_argument("input", help="a folder, a quoted glob ('photos/**/*.jpg') or a text file with one path a line")
    p.add_argument("-o", "--output", required=True, help="output folder (same relative paths, .png), plus report.*")
    add_scale_or_size(p)
    p.add_argument("--model", default=None, help="bundled model name or checkpoint path (every node must see it)")
    p.add_argument("--precision", default="auto", choices=["auto", "exact", "bf16", "fp16"],
                   help="auto (default): each worker runs bf16 where it measured bf16 faster on its machine")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    p.add_argument("--score", action="store_true", help="add quality cues per image to the report (the classical ones)")
    p.add_argument("--metrics", nargs="+", metavar="KEY", help="these cues instead ('liif metrics' lists them)")
    p.add_argument("--workers", type=int, default=None, help="actors (default: as many as the CPUs allow)")
    p.add_argument("--cpus-per-worker", type=int, default=1, help="CPUs (torch threads) per actor")
    p.add_argument("--gpus-per-worker", type=float, default=0.0, help="GPUs per actor (e.g. 1, or 0.5 to share)")
    p.add_argument("--address", default=None, help="join this Ray cluster (host:port, or 'auto'); default: a local one")
    p.add_argument("--retries", type=int, default=3, help="times a task is retried when its worker dies")
    p.add_argument("--tile", type=int, default=512, help="LR tile side for the encoder (0 = no tiling)")
    p.add_argument("--chunk", type=int, default=12000, help="queries decoded at once")
    p.add_argument("--max-megapixels", type=float, default=64.0, help="refuse outputs above this size")
    p.add_argument("--overwrite", action="store_true", help="replace existing outputs (default: skip complete ones)")
    p.add_argument("--keep-gps", action="store_true", help="keep the GPS position in the outputs' metadata")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument("-v", "--verbose", action="store_true", help="show Ray's own log messages")
    p.set_defaults(func=main, scorer_factory=scorer_factory)
    return p


def main(args: argparse.Namespace) -> int:
    """Run ``liif batch``; exit status 1 when some images failed."""
    if args.cpus_per_worker < 1 or args.retries < 0 or args.gpus_per_worker < 0:
        raise LiifError("--cpus-per-worker must be at least 1, --retries and --gpus-per-worker at least 0")
    scorer = None
    if args.score or args.metrics:
        factory = getattr(args, "scorer_factory", None)
        if factory is None:  # the engine's own parser (python -m liif.cli) has no quality package wired in
            raise LiifError("--score and --metrics need the quality cues: run the installed `liif` command "
                            "(liif-studio with its quality package), not the engine's `python -m liif.cli`")
        scorer = factory(args.metrics or [])
    job = Job(scale=args.scale, size=args.size, stretch=args.stretch, keep_gps=args.keep_gps,
              model=args.model, precision=args.precision, device=args.device,
              tile=args.tile or None, chunk=args.chunk, max_megapixels=args.max_megapixels,
              threads=args.cpus_per_worker, overwrite=args.overwrite)
    summary = run(args.input, args.output, job, workers=args.workers, address=args.address,
                  cpus_per_worker=args.cpus_per_worker, gpus_per_worker=args.gpus_per_worker, retries=args.retries,
                  scorer=scorer, progress=not args.quiet, verbose=args.verbose)
    failed = [r for r in summary.rows if r["status"] == "failed"]
    for r in failed[:20]:
        print(f"error: {r['path']}: {r['error']}", file=sys.stderr)
    if len(failed) > 20:
        print(f"... and {len(failed) - 20} more failures in {summary.report[1] if summary.report else 'the report'}",
              file=sys.stderr)
    print(summary.line())
    return 1 if failed else 0
