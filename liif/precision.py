"""Precision and thread count chosen by measuring this machine, not by reading its flags.

A CPU flag says what the hardware *can* decode, not what is fast: oneDNN reports bfloat16 support on
AVX-512 CPUs without AVX512-BF16 or AMX and emulates it there, 2.1x slower than float32 (issue 38's
Xeon). So ``precision="auto"`` times a small problem shaped like the engine's work in float32 and in
bfloat16, once per machine and torch version, and picks bfloat16 only where it wins by a margin.
The answer is cached in the user cache (``$LIIF_STUDIO_CACHE`` or ``~/.cache/liif-studio``,
``precision.json``); ``LIIF_PRECISION`` (exact or bf16) overrides it without measuring.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import platform
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
import torch.nn.functional as F

from .errors import InputError

ENV_PRECISION = "LIIF_PRECISION"
ENV_CACHE = "LIIF_STUDIO_CACHE"  # the same user cache iqa keeps its weights in (iqa/paths.py)
PROBE_VERSION = 1  # bump when the probe's problem changes, so cached answers from the old one are re-measured


@dataclass(frozen=True)
class ProbeConfig:
    """The measured problem: one tile's worth of the engine's two kinds of work, kept under half a second."""

    # Encoder: EDSR-baseline's 64-channel 3x3 convolutions, channels-last as the engine runs them,
    # on a 48x48 tile (a 480x480 image is 100 such tiles of the same convolutions).
    conv_channels: int = 64
    conv_side: int = 48
    conv_layers: int = 4
    # Decoder: LIIF's hidden layers, 256x256 GEMMs with ReLU on 4096 queries (one engine chunk is 12000).
    gemm_rows: int = 4096
    gemm_width: int = 256
    gemm_layers: int = 3
    repeats: int = 5  # best of 5 alternating runs: a shared or throttled core makes single timings noisy
    # bf16 must be this much faster to be chosen: issue 38 asks the default to be within 10% of the
    # faster precision, so a bf16 win below 10% is not worth its rounding (a few thousandths of a dB).
    bf16_margin: float = 1.10
    # A thread count other than torch's default must beat it by this much (thread changes are global).
    thread_margin: float = 1.10
    # An answer this close to the bf16 margin (either side, as a factor) is used but not cached: on a busy
    # machine one probe read 1.14x where quiet ones read 1.5-2.0x on the same Zen 4, and a cached answer lasts.
    settled_factor: float = 1.15


@dataclass(frozen=True)
class Measurement:
    """Seconds of the probe's encoder and decoder work in one precision and thread count."""

    conv_s: float
    gemm_s: float

    @property
    def total_s(self) -> float:
        return self.conv_s + self.gemm_s


@dataclass(frozen=True)
class MachineChoice:
    """What the probe found on one machine: the precision and threads to use, and the timings behind them."""

    precision: str
    threads: int
    bf16_speedup: float | None  # float32 seconds over bfloat16 seconds (None: bf16 does not run here)
    thread_timings: dict[str, float]  # threads -> probe seconds in float32
    machine: str

    def reason(self) -> str:
        """One clause for a summary line: which precision and why."""
        if self.bf16_speedup is None:
            return "exact: this device has no working bf16"
        verdict = "faster" if self.precision == "bf16" else "not faster by the margin"
        return f"{self.precision}: bf16 measured {self.bf16_speedup:.2f}x exact's speed here ({verdict})"


@dataclass(frozen=True)
class PrecisionChoice:
    """The precision an engine runs in and the sentence that says why."""

    precision: str
    reason: str
    threads: int | None = None  # fewer threads than torch's default, where the probe measured that faster


def cache_path() -> Path:
    """The probe's cache file in the user cache."""
    root = os.environ.get(ENV_CACHE, "").strip()
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "liif-studio"
    return base / "precision.json"


def machine_key(device: torch.device) -> str:
    """What the answer depends on: the processor, its features, the threads, torch, and ISA caps set in the env."""
    if device.type == "cuda":
        cpu = torch.cuda.get_device_name(device)
    else:
        cpu = _cpu_signature()
    caps = ",".join(f"{k}={os.environ[k]}" for k in ("ONEDNN_MAX_CPU_ISA", "DNNL_MAX_CPU_ISA", "ATEN_CPU_CAPABILITY")
                    if k in os.environ)
    text = f"{device.type}|{cpu}|{_available_cores()}|torch {torch.__version__}|{caps}|probe {PROBE_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cpu_signature() -> str:
    # The model name and the flags line: two machines of one name can differ in enabled features (a VM's).
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or platform.machine()
    keep = [ln for ln in lines if ln.startswith(("model name", "flags", "Features", "CPU part"))]
    return "\n".join(dict.fromkeys(keep)) or platform.machine()


def _available_cores() -> int:
    """The cores this process may use: its CPU affinity, lowered by a cgroup CPU quota (a container's --cpus)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return cores


def _timer(fn: Callable[[], object], sync: Callable[[], None]) -> Callable[[], float]:
    """A function that runs ``fn`` once and returns its seconds (``sync`` waits for a GPU to finish)."""
    def once() -> float:
        t0 = time.perf_counter()
        fn()
        sync()
        return time.perf_counter() - t0
    return once


def _problems(cfg: ProbeConfig, device: torch.device, dtype: torch.dtype) -> tuple[Callable, Callable]:
    """The encoder-like and decoder-like work in ``dtype``, as the engine runs them (autocast, fused GEMMs)."""
    from .kernels import fused_linear_relu

    gen = torch.Generator().manual_seed(0)  # never draw from the global generator: callers' seeds stay theirs
    c, s = cfg.conv_channels, cfg.conv_side
    x = torch.randn(1, c, s, s, generator=gen).to(device).contiguous(memory_format=torch.channels_last)
    convs = [(torch.randn(c, c, 3, 3, generator=gen) * 0.05).to(device).contiguous(memory_format=torch.channels_last)
             for _ in range(cfg.conv_layers)]
    def autocast() -> contextlib.AbstractContextManager:
        return torch.autocast(device.type, dtype=dtype) if dtype != torch.float32 else contextlib.nullcontext()

    def encoder() -> torch.Tensor:
        with torch.inference_mode(), autocast():
            h = x
            for w in convs:
                h = F.relu(F.conv2d(h, w, padding=1))
            return h

    n, d = cfg.gemm_rows, cfg.gemm_width
    a = torch.randn(n, d, generator=gen).to(device=device, dtype=dtype)
    ws = [((torch.randn(d, d, generator=gen) * 0.05).to(device=device, dtype=dtype),
           torch.zeros(d).to(device=device, dtype=dtype)) for _ in range(cfg.gemm_layers)]
    fused = fused_linear_relu(dtype) if device.type == "cpu" else None

    def decoder() -> torch.Tensor:
        with torch.inference_mode():
            h = a
            for w, b in ws:
                h = fused(h, w, b) if fused is not None else torch.addmm(b, h, w.t()).relu_()
            return h

    return encoder, decoder


def measure(device: torch.device, dtype: torch.dtype, cfg: ProbeConfig | None = None) -> Measurement:
    """Best-of-``repeats`` seconds of the probe's encoder and decoder work in ``dtype`` on ``device``."""
    cfg = cfg or ProbeConfig()
    sync = (lambda: torch.cuda.synchronize(device)) if device.type == "cuda" else (lambda: None)
    encoder, decoder = _problems(cfg, device, dtype)
    run_e, run_d = _timer(encoder, sync), _timer(decoder, sync)
    run_e(), run_d()  # warm-up: oneDNN builds its kernels on first call
    conv = min(run_e() for _ in range(cfg.repeats))
    gemm = min(run_d() for _ in range(cfg.repeats))
    return Measurement(conv, gemm)


def _bf16_runs(device: torch.device) -> bool:
    if device.type == "cuda":
        return bool(torch.cuda.is_bf16_supported())
    if device.type != "cpu":
        return False  # MPS: bf16 autocast is partial there; exact is the safe choice
    try:
        x = torch.ones(2, 8, 4, 4).to(memory_format=torch.channels_last)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            F.conv2d(x, torch.ones(8, 8, 3, 3), padding=1)
    except RuntimeError:
        return False
    return True


def probe(device: torch.device, cfg: ProbeConfig | None = None) -> MachineChoice:
    """Measure this machine: float32 vs bfloat16, and (on a CPU) torch's thread count vs the cores it may use."""
    cfg = cfg or ProbeConfig()
    default_threads = torch.get_num_threads()
    threads, timings = default_threads, {}
    if device.type == "cpu":
        threads, timings = _pick_threads(device, cfg, default_threads)
    saved = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        speedup = None
        if _bf16_runs(device):
            # Alternate the two so that a slow moment of a shared machine hits both alike.
            fp32 = [measure(device, torch.float32, cfg) for _ in range(2)]
            bf16 = [measure(device, torch.bfloat16, cfg) for _ in range(2)]
            speedup = min(m.total_s for m in fp32) / min(m.total_s for m in bf16)
    finally:
        torch.set_num_threads(saved)
    precision = "bf16" if speedup is not None and speedup >= cfg.bf16_margin else "exact"
    return MachineChoice(precision, threads, speedup, timings, _machine_name(device))


def _pick_threads(device: torch.device, cfg: ProbeConfig, default: int) -> tuple[int, dict[str, float]]:
    """Fewer threads than torch's default only where the default oversubscribes the cores and fewer measure faster.

    torch counts the host's cores; a container or a CPU quota may give this process fewer, and OpenMP
    threads then spin against each other. A thread count is never raised above what the caller set.
    """
    available = _available_cores()
    if default <= available:
        return default, {}
    saved = torch.get_num_threads()
    timings = {}
    try:
        for n in (default, available):
            torch.set_num_threads(n)
            timings[str(n)] = measure(device, torch.float32, cfg).total_s
    finally:
        torch.set_num_threads(saved)
    faster = timings[str(default)] >= timings[str(available)] * cfg.thread_margin
    return (available if faster else default), timings


def cpu_class() -> str:
    """This CPU's class as the docs name it (AVX2-only; AVX-512 without bf16; with AVX512-BF16; with AMX)."""
    flags = set()
    for line in _cpu_signature().splitlines():
        if line.startswith("flags"):
            flags = set(line.split(":", 1)[1].split())
    if "amx_bf16" in flags:
        isa = "AVX-512 with AMX (native bf16)"
    elif "avx512_bf16" in flags:
        isa = "AVX-512 with AVX512-BF16, no AMX"
    elif "avx512f" in flags:
        isa = "AVX-512 without bf16"
    elif "avx2" in flags:
        isa = "AVX2 only"
    else:
        isa = platform.machine()
    cap = os.environ.get("ONEDNN_MAX_CPU_ISA") or os.environ.get("DNNL_MAX_CPU_ISA")
    # A cap makes oneDNN behave as the smaller class: the benchmarks use it to reach classes this machine is not.
    capped = f", oneDNN capped at {cap}" if cap and cap.upper() != "ALL" else ""
    return f"{_machine_name(torch.device('cpu'))}, {_available_cores()} cores, {isa}{capped}"


def _machine_name(device: torch.device) -> str:
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    for line in _cpu_signature().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


# This process's answers by machine key: an answer too close to call is not cached on disk, and must still not be
# measured again (nor change) at every engine or demo click of the same process.
_THIS_PROCESS: dict[str, MachineChoice] = {}


def machine_choice(device: torch.device, refresh: bool = False) -> MachineChoice:
    """This machine's measured choice: from the cache when it holds one for this machine, else probed and saved."""
    path, key = cache_path(), machine_key(device)
    if not refresh and key in _THIS_PROCESS:
        return _THIS_PROCESS[key]
    cached = _read_cache(path)
    if not refresh and key in cached:
        with contextlib.suppress(TypeError, KeyError):
            return _THIS_PROCESS.setdefault(key, MachineChoice(**cached[key]))
    cfg = ProbeConfig()
    found = _THIS_PROCESS[key] = probe(device, cfg)
    if not settled(found, cfg):
        return found  # too close to call: measured again by the next process, perhaps on a quieter machine
    cached[key] = asdict(found)
    with contextlib.suppress(OSError):  # a read-only home still gets the answer, measured again next process
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(cached, indent=1, sort_keys=True))
        tmp.replace(path)  # atomic: two processes probing at once never leave half a file
    return found


def settled(found: MachineChoice, cfg: ProbeConfig | None = None) -> bool:
    """Whether the probe's answer is clear enough to cache: bf16 absent, or its speed-up far from the margin."""
    cfg = cfg or ProbeConfig()
    if found.bf16_speedup is None:
        return True
    ratio = found.bf16_speedup / cfg.bf16_margin
    return ratio >= cfg.settled_factor or ratio <= 1 / cfg.settled_factor


def _read_cache(path: Path) -> dict[str, dict]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def resolve(precision: str, device: torch.device) -> PrecisionChoice:
    """The precision to run for a requested one: ``auto`` becomes ``LIIF_PRECISION`` or the measured choice."""
    if precision != "auto":
        return PrecisionChoice(precision, f"{precision}: asked for")
    forced = os.environ.get(ENV_PRECISION, "").strip().lower()
    if forced and forced != "auto":
        if forced not in ("exact", "bf16", "fp16"):
            raise InputError(f"{ENV_PRECISION}={forced!r} is not a precision: set it to exact, bf16 or auto")
        return PrecisionChoice(forced, f"{forced}: set by {ENV_PRECISION}")
    if device.type not in ("cpu", "cuda"):
        return PrecisionChoice("exact", f"exact: {device.type} is not measured (bf16 gains nothing known there)")
    found = machine_choice(device)
    # Only ever fewer threads than this process runs now (see _pick_threads).
    fewer = device.type == "cpu" and found.threads < torch.get_num_threads()
    return PrecisionChoice(found.precision, found.reason(), found.threads if fewer else None)
