"""Training LIIF (the paper's recipe), resumable across runs and machines, with a time budget."""
from __future__ import annotations

import copy
import csv
import json
import math
import random
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from tqdm import tqdm

from .checkpoint import build_from_spec, save_checkpoint
from .data import PatchSampler, find_images
from .degrade import RECIPES, named
from .engine import pick_device
from .errors import InputError
from .models import LIIF, LMLIIF
from .zoo import ModelConfig

# The engine's precision names (EngineConfig.precision): "exact" is float32 throughout. Training has no fp16.
TRAIN_PRECISIONS = ("exact", "bf16")
# Configs and training states saved before the names were shared say "fp32"; they still load.
OLD_PRECISION_NAMES = {"fp32": "exact"}


@dataclass
class TrainConfig:
    """Every knob of a run; saved inside each checkpoint so a run can be resumed or reproduced."""

    train_dirs: list[str] = field(default_factory=lambda: ["../shared/datasets/train"])
    val_dir: str | None = "../shared/datasets/eval/Set5"
    val_scale: float = 4.0
    model: dict[str, Any] = field(default_factory=lambda: ModelConfig().asdict())
    patch: int = 48  # LR patch side
    batch_size: int = 16
    scale_min: float = 1.0
    scale_max: float = 4.0
    sample_q: int = 2304  # query pixels per patch
    augment: bool = True
    lr: float = 1e-4
    warmup_steps: int = 0
    total_steps: int = 10000
    schedule: str = "step"  # step (the paper: halve at milestones) | cosine
    # The step where the current cosine cycle began (a warm restart, as in SGDR): 0 for a single cycle.
    cycle_start: int = 0
    milestones: list[float] = field(default_factory=lambda: [0.2, 0.4, 0.6, 0.8])  # fractions of total_steps
    gamma: float = 0.5
    min_lr_ratio: float = 0.01  # cosine floor
    ema_decay: float = 0.0  # 0 disables the weight average (e.g. 0.999 smooths a high learning rate)
    precision: str = "exact"  # exact (float32) | bf16 (autocast; ~2x faster on CPUs with AVX512-BF16)
    grad_clip: float = 0.0
    seed: int = 0
    threads: int | None = None
    device: str = "auto"  # auto (CUDA, then Apple MPS, then CPU) | cpu | cuda | mps
    log_every: int = 50
    val_every: int = 500
    save_every_minutes: float = 5.0
    # A checkpoint (bundled name or path) whose encoder initialises this model's: LM-LIIF from LIIF.
    init_encoder_from: str | None = None
    # Train only the decoder: the encoder's backward pass is most of a step's cost on a CPU.
    freeze_encoder: bool = False
    # Degrade each low-resolution patch with a recipe of liif.degrade.RECIPES ("real": JPEG, noise, blur)
    # so the model learns the inputs people upload; "none" is the paper's clean bicubic recipe.
    degrade: str = "none"
    # The recipe's fields that differ from its defaults (e.g. {"clean_share": 0.4}), kept with the run.
    degrade_args: dict[str, Any] = field(default_factory=dict)
    # The validation input: clean, or a fixed degradation of liif.degrade.named (e.g. jpeg75 for a "real" run).
    val_degrade: str = "clean"

    def __post_init__(self) -> None:
        self.precision = OLD_PRECISION_NAMES.get(self.precision, self.precision)
        if self.precision not in TRAIN_PRECISIONS:
            raise InputError(f"training precision {self.precision!r} is unknown: use exact (float32) or bf16")
        if self.degrade != "none" and self.degrade not in RECIPES:
            raise InputError(f"degradation recipe {self.degrade!r} is unknown: use none or {', '.join(RECIPES)}")
        named(self.val_degrade)  # a clear error now, not at the first validation
        if self.degrade_args:
            if self.degrade == "none":
                raise InputError("degrade_args set a recipe's fields: give the recipe too (degrade: real)")
            self.recipe()  # unknown fields are refused now

    def recipe(self) -> Any:
        """The degradation applied to each low-resolution patch, or None for the paper's clean recipe."""
        if self.degrade == "none":
            return None
        try:
            return RECIPES[self.degrade](**{k: tuple(v) if isinstance(v, list) else v
                                            for k, v in self.degrade_args.items()})
        except TypeError as exc:
            raise InputError(f"degrade_args of the {self.degrade!r} recipe: {exc}") from None

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TrainConfig:
        """Build from a dict, ignoring unknown keys (configs from newer versions)."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})


def lr_at(cfg: TrainConfig, step: int) -> float:
    """Learning rate at ``step`` (0-based): linear warm-up, then step decay or cosine."""
    if cfg.warmup_steps and step < cfg.warmup_steps:
        return cfg.lr * (step + 1) / cfg.warmup_steps
    if cfg.schedule == "cosine":
        begin = max(cfg.warmup_steps, cfg.cycle_start)
        t = min(1.0, max(0, step - begin) / max(1, cfg.total_steps - begin))
        return cfg.lr * (cfg.min_lr_ratio + (1 - cfg.min_lr_ratio) * 0.5 * (1 + math.cos(math.pi * t)))
    passed = sum(step >= m * cfg.total_steps for m in cfg.milestones)
    return cfg.lr * cfg.gamma ** passed


class Trainer:
    """Owns the model, optimiser, weight average, RNG streams and the run folder."""

    def __init__(self, cfg: TrainConfig, run_dir: str | Path) -> None:
        self.cfg, self.run_dir = cfg, Path(run_dir)
        self.run_dir.mkdir(parents=True, exist_ok=True)
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        torch.manual_seed(cfg.seed)
        self.rng = np.random.default_rng(cfg.seed)
        random.seed(cfg.seed)
        self.device = pick_device(cfg.device)
        self.model: LIIF | LMLIIF = build_from_spec(ModelConfig(**cfg.model).to_spec()).train()
        if cfg.init_encoder_from:
            self._init_encoder(cfg.init_encoder_from)
        self.model.to(self.device)
        self.ema: LIIF | None = copy.deepcopy(self.model).eval() if cfg.ema_decay > 0 else None
        if cfg.freeze_encoder:
            self.model.encoder.requires_grad_(False)
        self.opt = torch.optim.Adam([p for _, p in self._trained(cfg.freeze_encoder)], lr=cfg.lr)
        self.step = 0
        self.elapsed = 0.0  # training seconds across all runs
        # The same seconds by device type ("cpu", "cuda"): model cards report GPU time apart.
        self.device_seconds: dict[str, float] = {}
        self.sampler = PatchSampler(find_images(cfg.train_dirs), cfg.patch, cfg.scale_min, cfg.scale_max,
                                    cfg.sample_q, cfg.augment,
                                    degrade=cfg.recipe())

    def _init_encoder(self, source: str) -> None:
        """Copy the encoder weights of another model (same encoder architecture) into this one."""
        from .zoo import create_model

        donor = create_model(source)
        try:
            self.model.encoder.load_state_dict(donor.encoder.state_dict())
        except RuntimeError as exc:
            raise ValueError(f"cannot initialise the encoder from {source}: the encoders differ ({exc})") from exc

    def _trained(self, freeze_encoder: bool) -> list[tuple[str, torch.nn.Parameter]]:
        """The optimised parameters, in the optimiser's order, for a run with or without a frozen encoder."""
        return [(n, p) for n, p in self.model.named_parameters() if not (freeze_encoder and n.startswith("encoder."))]

    def _load_optimizer(self, saved: dict[str, Any], saved_freeze: bool) -> None:
        """Restore Adam; a run resumed with its encoder newly unfrozen keeps the decoder's moments by name."""
        if saved_freeze == self.cfg.freeze_encoder:
            self.opt.load_state_dict(saved)
            return
        # Adam's state is keyed by position: map the saved positions to names, then to this run's positions.
        position = {n: i for i, (n, _) in enumerate(self._trained(self.cfg.freeze_encoder))}
        saved_names = [n for n, _ in self._trained(saved_freeze)]
        state = {position[saved_names[int(i)]]: moments for i, moments in saved["state"].items()
                 if saved_names[int(i)] in position}
        group = {**saved["param_groups"][0], "params": list(range(len(position)))}
        self.opt.load_state_dict({"state": state, "param_groups": [group]})

    @property
    def state_path(self) -> Path:
        """The resumable state of the run."""
        return self.run_dir / "last.pt"

    # ----- state --------------------------------------------------------------------------
    def state(self) -> dict[str, Any]:
        """Everything needed to continue exactly where the run stopped."""
        return {
            "config": asdict(self.cfg),
            "step": self.step,
            "elapsed": self.elapsed,
            "device_seconds": self.device_seconds,
            "model": self.model.state_dict(),
            "ema": self.ema.state_dict() if self.ema is not None else None,
            "optimizer": self.opt.state_dict(),
            "rng": {"numpy": self.rng.bit_generator.state, "torch": torch.get_rng_state(),
                    "python": list(random.getstate()[1]), "python_version": random.getstate()[0]},
        }

    def save(self) -> Path:
        """Write the resumable state atomically (a crash mid-write never loses the previous one)."""
        tmp = self.state_path.with_suffix(".tmp")
        torch.save(self.state(), tmp)
        tmp.replace(self.state_path)
        return self.state_path

    def load(self, source: str | Path | dict[str, Any]) -> None:
        """Continue from a saved state: weights, optimiser, step, time and RNG streams (the config is this trainer's).

        ``source`` is a state file or a state already read (callers that read its config first pass it on).
        A slim state (``slim_state``: no optimiser) resumes with fresh Adam moments; one rebuilt from shipped
        weights (``state_from_weights``) also with fresh random streams.
        """
        st = source if isinstance(source, dict) else torch.load(source, map_location="cpu", weights_only=True)
        self.model.load_state_dict(st["model"])
        if self.ema is not None:
            self.ema.load_state_dict(st["ema"] if st.get("ema") is not None else st["model"])
        if st.get("optimizer") is not None:
            self._load_optimizer(st["optimizer"], bool(st["config"].get("freeze_encoder", False)))
        self.step, self.elapsed = int(st["step"]), float(st.get("elapsed", 0.0))
        # States saved before the split by device say only the total.
        self.device_seconds = dict(st.get("device_seconds") or ({"unrecorded": self.elapsed} if self.elapsed else {}))
        if st.get("rng") is None:  # rebuilt from shipped weights: fresh streams, not a replay of step 0's patches
            torch.manual_seed(self.cfg.seed + self.step)
            self.rng = np.random.default_rng([self.cfg.seed, self.step])
            random.seed(self.cfg.seed + self.step)
            return
        self.rng.bit_generator.state = st["rng"]["numpy"]
        torch.set_rng_state(st["rng"]["torch"])
        random.setstate((st["rng"]["python_version"], tuple(st["rng"]["python"]), None))

    # ----- training -----------------------------------------------------------------------
    def train_step(self) -> float:
        """One optimisation step; returns the L1 loss."""
        cfg = self.cfg
        b = self.sampler.sample(cfg.batch_size, self.rng, self.device)
        for g in self.opt.param_groups:
            g["lr"] = lr_at(cfg, self.step)
        with torch.autocast(self.device.type, dtype=torch.bfloat16, enabled=cfg.precision == "bf16"):
            if cfg.freeze_encoder:
                with torch.no_grad():
                    feat = self.model.gen_feat(b.inp)
                pred = self.model.query_rgb(feat, b.coord, b.cell)
            else:
                pred = self.model(b.inp, b.coord, b.cell)
        loss = F.l1_loss(pred.float(), b.gt)
        self.opt.zero_grad(set_to_none=True)
        loss.backward()
        if cfg.grad_clip:
            torch.nn.utils.clip_grad_norm_(self.model.parameters(), cfg.grad_clip)
        self.opt.step()
        if self.ema is not None:
            # Warm-up (as in timm / TF): a fixed 0.999 would keep ~60% of the random init at step 500.
            decay = min(cfg.ema_decay, (1 + self.step) / (10 + self.step))
            with torch.no_grad():
                for pe, pm in zip(self.ema.parameters(), self.model.parameters(), strict=True):
                    pe.lerp_(pm, 1 - decay)
        self.step += 1
        return float(loss.detach())

    def eval_model(self) -> LIIF | LMLIIF:
        """The weights to evaluate and ship: the average when there is one."""
        return (self.ema if self.ema is not None else self.model).eval()

    def validate(self) -> float | None:
        """Y-PSNR on the validation folder at ``val_scale`` (standard protocol)."""
        if not self.cfg.val_dir or not Path(self.cfg.val_dir).exists():
            return None
        from .evaluate import evaluate_folder

        rows = evaluate_folder(self.eval_model(), self.cfg.val_dir, [self.cfg.val_scale], degrade=self.cfg.val_degrade,
                               device=self.device.type)
        self.model.train()
        return rows[0]["psnr"]

    def run(self, max_time: float | None = None, max_steps: int | None = None, quiet: bool = False) -> dict[str, Any]:
        """Train until ``total_steps``, ``max_steps`` more steps, or ``max_time`` seconds; always save."""
        cfg = self.cfg
        end_step = cfg.total_steps if max_steps is None else min(cfg.total_steps, self.step + max_steps)
        start = time.perf_counter()
        last_save = start
        log_path = self.run_dir / "log.csv"
        new_log = not log_path.exists()
        losses: list[float] = []
        bar = tqdm(total=end_step, initial=self.step, disable=quiet, dynamic_ncols=True, desc="train")
        stop = _StopFlag()
        with stop, log_path.open("a", newline="") as fh:
            writer = csv.writer(fh)
            if new_log:
                writer.writerow(["step", "loss", "lr", "val_psnr", "elapsed_s", "steps_per_s"])
            t_log = time.perf_counter()
            while self.step < end_step:
                t0 = time.perf_counter()
                losses.append(self.train_step())
                spent = time.perf_counter() - t0
                self.elapsed += spent
                kind = self.device.type
                self.device_seconds[kind] = self.device_seconds.get(kind, 0.0) + spent
                bar.update(1)
                bar.set_postfix(loss=f"{losses[-1]:.4f}", lr=f"{lr_at(cfg, self.step):.1e}")
                val = None
                if cfg.val_every and self.step % cfg.val_every == 0:
                    val = self.validate()
                    if val is not None:
                        bar.write(f"step {self.step}: val PSNR {val:.2f} dB")
                if self.step % cfg.log_every == 0 or val is not None:
                    now = time.perf_counter()
                    writer.writerow([self.step, f"{np.mean(losses[-cfg.log_every:]):.5f}",
                                     f"{lr_at(cfg, self.step):.3g}", "" if val is None else f"{val:.3f}",
                                     f"{self.elapsed:.1f}",
                                     f"{cfg.log_every / max(1e-9, now - t_log):.3f}"])
                    fh.flush()
                    t_log = now
                if time.perf_counter() - last_save > cfg.save_every_minutes * 60:
                    self.save()
                    last_save = time.perf_counter()
                if max_time is not None and time.perf_counter() - start > max_time:
                    bar.write(f"time budget reached at step {self.step}: saved, resume with --resume")
                    break
                if stop.requested:
                    bar.write(f"stopped by a signal at step {self.step}: saved, resume with --resume")
                    break
        bar.close()
        self.save()
        return {"step": self.step, "loss": float(np.mean(losses[-50:])) if losses else None}

    def export(self, path: str | Path, card: dict[str, Any] | None = None, half: bool = True) -> Path:
        """Save the evaluation weights in the project's safetensors format (with a model card)."""
        return save_checkpoint(self.eval_model(), path, card=card, half=half, overwrite=True)


class _StopFlag:
    """Turns SIGTERM/SIGINT into a request to stop after the current step (so the state is saved)."""

    def __init__(self) -> None:
        self.requested = False
        self._old: dict[int, Any] = {}

    def __enter__(self) -> _StopFlag:
        import signal
        import threading

        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                self._old[sig] = signal.signal(sig, self._handle)
        return self

    def _handle(self, signum: int, frame: Any) -> None:
        self.requested = True

    def __exit__(self, *exc: Any) -> None:
        import signal

        for sig, handler in self._old.items():
            signal.signal(sig, handler)


def model_card(state: dict[str, Any]) -> dict[str, Any]:
    """The card stored with exported weights: the run's config, its step and its training time (by device)."""
    card = {"config": state["config"], "step": state["step"], "train_seconds": round(state.get("elapsed", 0))}
    if state.get("device_seconds"):
        card["train_seconds_by_device"] = {k: round(v) for k, v in state["device_seconds"].items()}
    return card


def slim_state(state: dict[str, Any]) -> dict[str, Any]:
    """A training state without the optimiser (half the size): it resumes with fresh Adam moments."""
    return {**state, "optimizer": None}


def state_from_weights(name_or_path: str | Path) -> dict[str, Any]:
    """A slim training state rebuilt from shipped weights and their card: it resumes at the card's step.

    The repository keeps weights, not training states (a state with Adam's moments is ~8x the weights, and
    every committed copy stays in every clone), so this is how training continues: the card holds the config,
    step and time; the optimiser and the random streams start fresh.
    """
    from safetensors.torch import load_file

    from .checkpoint import read_card
    from .zoo import resolve_model_path

    path = resolve_model_path(name_or_path)
    if path.suffix != ".safetensors":
        raise InputError(f"{path}: only liif-studio weights (.safetensors) carry the card that training resumes from")
    card = read_card(path)
    if "config" not in card or "step" not in card:
        raise InputError(f"{path}: its card has no training config and step: it was not exported by liif train")
    weights = {k: v.float() for k, v in load_file(str(path)).items()}
    seconds = float(card.get("train_seconds", 0))
    return {"config": card["config"], "step": int(card["step"]), "elapsed": seconds,
            "device_seconds": card.get("train_seconds_by_device") or ({"unrecorded": seconds} if seconds else {}),
            "model": weights, "ema": weights, "optimizer": None, "rng": None}


def read_state(source: str | Path) -> dict[str, Any]:
    """A training state to resume: a state file (last.pt), or shipped weights by name or path (fresh moments)."""
    path = Path(source)
    if path.suffix in (".pt", ".pth") or (path.exists() and path.suffix != ".safetensors"):
        if not path.exists():
            raise InputError(f"nothing to resume: {path} does not exist")
        return torch.load(path, map_location="cpu", weights_only=True)
    return state_from_weights(source)


def parse_duration(text: str) -> float:
    """'90s', '45m', '2h', '1h30m' or plain seconds -> seconds."""
    text = text.strip().lower()
    try:
        return float(text)
    except ValueError:
        pass
    total, num = 0.0, ""
    for ch in text:
        if ch.isdigit() or ch == ".":
            num += ch
        elif ch in "hms" and num:
            total += float(num) * {"h": 3600, "m": 60, "s": 1}[ch]
            num = ""
        else:
            raise ValueError(f"cannot read the duration {text!r}: use e.g. 90s, 45m, 2h or 1h30m")
    if num:
        raise ValueError(f"cannot read the duration {text!r}: a number lacks its unit")
    return total


def load_config_file(path: str | Path) -> TrainConfig:
    """A TrainConfig from a JSON file."""
    return TrainConfig.from_dict(json.loads(Path(path).read_text()))
