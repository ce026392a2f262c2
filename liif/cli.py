"""The engine's commands: upscale, train, eval, export, models, batch.

The installed ``liif`` command is ``studio.cli``: this parser plus ``iqa``'s score, prefetch and
metrics, wired where the packages meet, so the engine never imports the quality package.
``python -m liif.cli`` runs the engine's commands alone.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .arguments import add_scale_or_size
from .errors import LiifError


def _json_arg(text: str | None, option: str) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise LiifError(f"{option} takes JSON, e.g. '{{\"clean_share\": 0.4}}' ({exc.msg})") from None


def _collect_inputs(paths: Sequence[str]) -> list[Path]:
    from .imageio import IMAGE_SUFFIXES

    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files += sorted(f for f in p.iterdir() if f.suffix.lower() in IMAGE_SUFFIXES)
        elif p.exists():
            files.append(p)
        else:
            raise LiifError(f"input not found: {p}")
    if not files:
        raise LiifError(f"no images found in {', '.join(paths)}")
    return files


def _output_path(src: Path, out: Path, single: bool) -> Path:
    from .imageio import IMAGE_SUFFIXES

    if single and out.suffix.lower() in IMAGE_SUFFIXES:
        return out
    return out / f"{src.stem}.png"


def cmd_upscale(args: argparse.Namespace) -> int:
    """Upscale files or folders; one summary line per image."""
    from tqdm import tqdm

    from .condition import choose_model, inspect
    from .engine import Upscaler
    from .imageio import NOTES_KEY, load_image, save_image
    from .sizes import fit_size, stretch_note
    from .zoo import DEFAULT_MODEL, create_model, list_models

    files = _collect_inputs(args.inputs)
    out = Path(args.output)
    engines: dict[str, Upscaler] = {}

    def engine(name: str) -> Upscaler:  # one per model, loaded on first use ("auto" may use two)
        if name not in engines:
            engines[name] = Upscaler(create_model(name), device=args.device, tile=args.tile or None,
                                     precision=args.precision, chunk=args.chunk,
                                     max_output_megapixels=args.max_megapixels, threads=args.threads,
                                     ensemble=args.ensemble, cell=args.cell, backproject=args.backproject)
        return engines[name]

    if args.model != "auto":
        engine(args.model)  # a bad --model fails before any image is read
    failures = 0
    for src in files:
        dst = _output_path(src, out, single=len(files) == 1)
        try:
            if dst.resolve() == src.resolve():
                raise LiifError(f"{dst} is the input itself: choose another output")
            if dst.exists() and not args.overwrite:
                raise LiifError(f"{dst} exists: pass --overwrite to replace it, or choose another output")
            image = load_image(src, keep_gps=args.keep_gps)
            w_in, h_in = _dims(image)
            size = None if args.size is None else fit_size(w_in, h_in, *args.size, stretch=args.stretch)
            chosen, why = args.model, ""
            if args.model == "auto":  # from the file's header (JPEG tables) and the pixels decoded above
                chosen, why = choose_model(inspect(src, pixels=image), list_models(), DEFAULT_MODEL)
                why = f" [{chosen}: {why}]"
            up = engine(chosen)
            t0 = time.perf_counter()
            with tqdm(total=1, unit="px", unit_scale=True, leave=False, disable=args.quiet or None,
                      desc=src.name) as bar:
                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                result = up.upscale(image, scale=args.scale, size=size, progress=progress)
            seconds = time.perf_counter() - t0
            save_image(result, dst, overwrite=args.overwrite)
            w_out, h_out = _dims(result)
            stretched = stretch_note((w_in, h_in), (w_out, h_out)) if size is not None else None
            why += f" [{stretched}]" if stretched else ""
            why += "".join(f" [{note}]" for note in getattr(image, "info", {}).get(NOTES_KEY, []))  # the loader's
            print(f"{src}: {w_in}x{h_in} -> {w_out}x{h_out} in {seconds:.2f} s -> {dst}{why} [{up.precision_reason}]")
        except LiifError as exc:
            failures += 1
            print(f"error: {src}: {exc}", file=sys.stderr)
    return 1 if failures else 0


def _dims(image: object) -> tuple[int, int]:
    shape = getattr(image, "shape", None)
    return (shape[1], shape[0]) if shape is not None else image.size  # type: ignore[attr-defined]


def cmd_train(args: argparse.Namespace) -> int:
    """Train (or resume) a LIIF model."""
    from dataclasses import replace

    from .train import TrainConfig, Trainer, load_config_file, model_card, parse_duration, read_state

    run_dir = Path(args.run_dir)
    # A bare --resume continues the run folder's own state.
    resume = None if args.resume is None else args.resume or str(run_dir / "last.pt")
    if resume is None and (run_dir / "last.pt").exists() and not args.restart:
        raise LiifError(f"{run_dir} already holds a run: pass --resume {run_dir / 'last.pt'} to continue it, "
                        "--restart to start over, or another --run-dir")
    step, saved = 0, None
    if resume is not None:
        saved = read_state(resume)
        cfg, step = TrainConfig.from_dict(saved["config"]), int(saved["step"])
    else:
        cfg = load_config_file(args.config) if args.config else TrainConfig()
    overrides = {k: v for k, v in {
        "train_dirs": args.data, "val_dir": args.val, "total_steps": args.steps, "lr": args.lr,
        "batch_size": args.batch_size, "precision": args.precision, "threads": args.threads,
        "val_every": args.val_every, "freeze_encoder": args.freeze_encoder, "device": args.device,
        "cycle_start": step if args.new_cycle else None, "degrade": args.degrade, "val_degrade": args.val_degrade,
        "degrade_args": _json_arg(args.degrade_args, "--degrade-args"),
    }.items() if v is not None}
    cfg = replace(cfg, **overrides)
    if args.new_cycle:
        if resume is None:
            raise LiifError("--new-cycle restarts the schedule of a run being continued: add --resume")
        if cfg.schedule != "cosine":
            raise LiifError(f"--new-cycle restarts a cosine schedule, and this run's is {cfg.schedule!r}")
        if cfg.total_steps <= step:
            raise LiifError(f"--new-cycle needs --steps beyond the current step {step}: the cycle runs from "
                            f"{step} to --steps (e.g. --steps {step + 3000})")
    trainer = Trainer(cfg, run_dir)
    if saved is not None:
        trainer.load(saved)
    max_time = parse_duration(args.max_time) if args.max_time else None
    result = trainer.run(max_time=max_time, max_steps=args.max_steps, quiet=args.quiet)
    print(f"stopped at step {result['step']} (loss {result['loss']}); state: {trainer.state_path}")
    if args.export:
        path = trainer.export(args.export, card=model_card(trainer.state()))
        print(f"exported weights: {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """Export a training state's weights (the weight average when present) as our safetensors."""
    import torch

    from .checkpoint import build_from_spec, save_checkpoint
    from .train import TrainConfig, model_card
    from .zoo import ModelConfig

    state = torch.load(args.state, map_location="cpu", weights_only=True)
    cfg = TrainConfig.from_dict(state["config"])
    weights = state["ema"] if state.get("ema") is not None else state["model"]
    model = build_from_spec(ModelConfig(**cfg.model).to_spec(), weights, str(args.state))
    path = save_checkpoint(model, args.output, card=model_card(state), half=not args.fp32, overwrite=args.overwrite)
    print(f"exported step {state['step']} to {path}")
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    """Benchmark protocol: Y-PSNR/SSIM per dataset and scale, with the bicubic baseline."""
    from .evaluate import evaluate_folder, write_tables
    from .zoo import DEFAULT_MODEL, create_model

    model = None if args.bicubic_only else create_model(args.model)
    rows = []
    for degrade in args.degrade:
        for folder in args.data:
            rows += evaluate_folder(model, folder, args.scales, shave=not args.no_shave, degrade=degrade,
                                    tile=args.tile or None, precision=args.precision, device=args.device,
                                    ensemble=args.ensemble, cell=args.cell, backproject=args.backproject)
    label = "model" if model is None else Path(str(args.model)).stem if args.model else DEFAULT_MODEL
    paths = write_tables(rows, args.out, label)
    print(paths[0].read_text(), end="")
    print(f"written: {', '.join(map(str, paths))}")
    return 0


def cmd_models(args: argparse.Namespace) -> int:
    """List bundled models and registered architectures."""
    from .models.registry import list_architectures
    from .zoo import DEFAULT_MODEL, create_model, list_models

    bundled = list_models()
    for name in bundled:
        print(f"{name:24s} {create_model(name).family}{'  (default)' if name == DEFAULT_MODEL else ''}")
    if not bundled:
        print("no bundled model installed")
    print(f"architectures: {', '.join(list_architectures())}")
    return 0


def build_parser(extra_commands: Callable[[Any], None] | None = None,
                 scorer_factory: Callable[[Sequence[str]], Any] | None = None) -> argparse.ArgumentParser:
    """The engine's argparse tree; ``extra_commands(subparsers)`` adds more, ``scorer_factory`` backs batch --score."""
    parser = argparse.ArgumentParser(prog="liif", description="Arbitrary-scale super-resolution with LIIF.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("upscale", help="upscale images or folders of images")
    p.add_argument("inputs", nargs="+", help="image files or folders")
    p.add_argument("-o", "--output", required=True, help="output file (one input) or folder")
    add_scale_or_size(p)
    p.add_argument("--model", default="auto",
                   help="bundled model name or checkpoint path (official .pth or ours); auto (default): the model "
                        "for compressed or noisy inputs where liif.inspect finds JPEG artefacts (quality below 95) or "
                        "noise, and for bilevel and palette images; the clean-trained default otherwise (the "
                        "summary line says which and why)")
    p.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda", "mps"])
    p.add_argument("--precision", default="auto", choices=["auto", "exact", "bf16", "fp16"],
                   help="auto (default): bf16 where it was measured faster on this machine (the answer is cached; "
                        "LIIF_PRECISION overrides it), exact (float32, the official numbers) elsewhere")
    p.add_argument("--tile", type=int, default=512, help="LR tile side for the encoder (0 = no tiling)")
    p.add_argument("--chunk", type=int, default=12000, help="queries decoded at once (cache-sized blocks are fastest)")
    p.add_argument("--max-megapixels", type=float, default=64.0, help="refuse outputs above this size")
    p.add_argument("--threads", type=int, default=None, help="CPU threads")
    p.add_argument("--ensemble", type=int, default=1, choices=[1, 2, 4, 8],
                   help="geometric self-ensemble: average 2, 4 or 8 flipped/transposed renders (costs as many renders)")
    p.add_argument("--backproject", type=int, default=0, metavar="N",
                   help="iterative back-projection passes: correct the output so that, shrunk back, it matches "
                        "the input (0 = off; 3 is plenty)")
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    p.add_argument("--keep-gps", action="store_true",
                   help="keep the GPS position in the output's metadata (capture date and camera are always kept)")
    p.add_argument("--cell", default="model", choices=["model", "true", "enlarge"],
                   help="cell beyond x4: the model's convention, the true pixel size, or enlarged by scale/4")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_upscale)

    p = sub.add_parser("train", help="train or resume a LIIF model")
    p.add_argument("--config", help="JSON file with TrainConfig fields")
    p.add_argument("--run-dir", default="runs/liif", help="folder for the state, log.csv and exports")
    p.add_argument("--resume", nargs="?", const="", default=None,
                   help="continue from a state file (default: RUN_DIR/last.pt), or from shipped weights by name or "
                        ".safetensors path: their card's config and step, fresh optimiser moments")
    p.add_argument("--restart", action="store_true", help="start over even if the run folder holds a state")
    p.add_argument("--max-time", help="stop cleanly after this long (90s, 45m, 2h)")
    p.add_argument("--max-steps", type=int, help="stop after this many more steps")
    p.add_argument("--data", nargs="+", help="training image folders")
    p.add_argument("--val", help="validation folder (Set5)")
    p.add_argument("--steps", type=int, help="total steps of the schedule")
    p.add_argument("--lr", type=float)
    p.add_argument("--batch-size", type=int)
    p.add_argument("--precision", choices=["exact", "bf16", "fp32"],
                   help="exact (float32) or bf16 autocast, as for upscale; fp32 is the old name of exact")
    p.add_argument("--threads", type=int)
    p.add_argument("--val-every", type=int)
    p.add_argument("--freeze-encoder", action=argparse.BooleanOptionalAction, default=None,
                   help="train the decoder only (--no-freeze-encoder fine-tunes the whole model, e.g. on resume)")
    p.add_argument("--new-cycle", action="store_true",
                   help="on resume, restart the cosine schedule here: the rate starts at --lr and decays to --steps")
    p.add_argument("--device", choices=["auto", "cpu", "cuda", "mps"], help="where to train (default: auto)")
    p.add_argument("--degrade", choices=["none", "real"],
                   help="degrade each low-resolution patch: real = JPEG (q30-95, sometimes twice), Gaussian or "
                        "Poisson noise, mild blur, chroma subsampling; none = clean bicubic (the paper)")
    p.add_argument("--degrade-args", metavar="JSON",
                   help='the recipe\'s fields that differ from its defaults, e.g. \'{"clean_share": 0.4}\'')
    p.add_argument("--val-degrade", metavar="INPUT", help="validate on this input: clean (default), jpegQ, noiseS")
    p.add_argument("--export", help="write the weights as .safetensors when stopping")
    p.add_argument("-q", "--quiet", action="store_true")
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("export", help="export a training state (last.pt) as a .safetensors model")
    p.add_argument("state")
    p.add_argument("output")
    p.add_argument("--fp32", action="store_true", help="keep float32 weights (default: float16)")
    p.add_argument("--overwrite", action="store_true")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("eval", help="benchmark protocol: Y-PSNR/SSIM vs bicubic")
    p.add_argument("--model", default=None, help="bundled model name or checkpoint path")
    p.add_argument("--data", nargs="+", default=["../shared/datasets/eval/Set5", "../shared/datasets/eval/Set14"])
    p.add_argument("--scales", nargs="+", type=float, default=[2, 3, 4, 6, 8, 12])
    p.add_argument("--degrade", nargs="+", default=["clean"], metavar="INPUT",
                   help="degrade every low-resolution input first: clean, jpegQ (e.g. jpeg75), noiseS (e.g. noise5); "
                        "model and bicubic enlarge the same degraded input")
    p.add_argument("--out", default="runs/eval", help="folder for results.md/csv/json")
    p.add_argument("--no-shave", action="store_true", help="keep the border (default: shave ceil(scale) px)")
    p.add_argument("--bicubic-only", action="store_true")
    p.add_argument("--tile", type=int, default=512)
    p.add_argument("--precision", default="exact", choices=["exact", "bf16", "fp16"])
    p.add_argument("--device", default="cpu", choices=["auto", "cpu", "cuda", "mps"])
    p.add_argument("--ensemble", type=int, default=1, choices=[1, 2, 4, 8], help="geometric self-ensemble size")
    p.add_argument("--cell", default="model", choices=["model", "true", "enlarge"],
                   help="cell beyond x4: the model's convention, the true pixel size, or enlarged by scale/4")
    p.add_argument("--backproject", type=int, default=0, metavar="N",
                   help="iterative back-projection passes: correct the output so that, shrunk back, it matches "
                        "the input (0 = off; 3 is plenty)")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("models", help="list bundled models")
    p.set_defaults(func=cmd_models)

    from .batch import add_parser as add_batch_parser  # `liif batch`: Ray is imported only when it runs
    add_batch_parser(sub, scorer_factory)

    if extra_commands is not None:
        extra_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None, parser: argparse.ArgumentParser | None = None) -> int:
    """Run one command of ``parser`` (default: the engine's) with one-line errors and exit statuses."""
    parser = parser or build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.func(args) or 0)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's exit
        return status
    except LiifError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader went away (``liif eval ... | head``): stop quietly, as Unix tools do
        # Python flushes stdout again at exit; pointing it at /dev/null keeps that from raising too.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
