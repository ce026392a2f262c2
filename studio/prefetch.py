"""Background download of the quality models' weights (``iqa.prefetch``), with a status for the page.

The demo starts it at launch (by default on a Hugging Face Space, or as ``LIIF_PREFETCH`` says); nothing
waits for it. Scores whose weights arrive show up in the next report, because ``iqa`` looks for the files
each time it assesses. A failed download leaves the reason and the demo fully usable.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

import iqa

log = logging.getLogger("liif_studio.prefetch")

# Substrings of the errors urllib, requests and huggingface_hub raise when no server can be reached.
_NETWORK_HINTS = ("urlerror", "connection", "name or service", "resolve", "network", "timed out", "timeout",
                  "internet", "offline", "max retries", "temporary failure", "ssl")


def plain_reason(message: str) -> str:
    """A download error as a short plain phrase (the network case named as such)."""
    lower = message.lower()
    if any(hint in lower for hint in _NETWORK_HINTS):
        return "the download servers could not be reached (no network connection)"
    first = message.strip().splitlines()[0] if message.strip() else "unknown error"
    return "download failed: " + (first if len(first) <= 120 else first[:117] + "...")


def keys_for(spec: str) -> list[str]:
    """Metric keys for a spec: "all" (every metric that needs weights), "none", or "key1,key2"."""
    spec = spec.strip().lower()
    if spec in ("", "none", "0", "off", "false", "no"):
        return []
    if spec == "all":
        keys = [k for k, m in iqa.METRICS.items() if m.needs_weights]
    else:
        keys = [k.strip() for k in spec.split(",") if k.strip()]
        for key in keys:
            iqa.catalog.get(key)  # raises ValueError naming the known keys
    # CLIP families share one model: fetch it first (the mission's cues), once.
    clip = [k for k in keys if iqa.METRICS[k].kind == "clip"]
    return clip[:1] + [k for k in keys if k not in clip]


@dataclass
class Prefetch:
    """The state of one background download run: pending, running, done and failed keys."""

    keys: list[str]
    done: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    running: str | None = None
    finished: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def run(self) -> None:
        """Fetch every key in turn (the thread's body); errors are recorded, never raised."""
        for key in self.keys:
            with self._lock:
                self.running = key
            try:
                results = iqa.prefetch([key])
            except Exception as error:  # noqa: BLE001 (a failure of one download must not end the others)
                results = [(key, False, f"{type(error).__name__}: {error}")]
            for _, ok, message in results:
                log.info("prefetch %s: %s (%s)", key, "ok" if ok else "failed", message)
                with self._lock:
                    if ok:
                        self.done.append(key)
                    else:
                        self.failed[key] = plain_reason(message)
        with self._lock:
            self.running, self.finished = None, True

    def _names(self, keys: list[str]) -> str:
        names = ["CLIP cues" if iqa.METRICS[k].kind == "clip" else iqa.METRICS[k].name for k in keys]
        return ", ".join(dict.fromkeys(names))

    def summary(self) -> str:
        """One line for the page: what is ready, what is still downloading, what failed and why."""
        with self._lock:
            done, failed, running, finished = list(self.done), dict(self.failed), self.running, self.finished
        waiting = [k for k in self.keys if k not in done and k not in failed]
        parts = []
        if waiting and not finished:
            parts.append(f"Downloading in the background: {self._names(waiting)}"
                         + (f" (now {self._names([running])})" if running else "")
                         + "; the scores appear in reports once ready")
        if done:
            parts.append(f"Ready: {self._names(done)}")
        if failed:
            reasons = sorted(set(failed.values()))
            parts.append(f"Not available: {self._names(list(failed))}, because {'; '.join(reasons)}; "
                         "the demo works without them")
        return "Quality models. " + ". ".join(parts) + "." if parts else ""

    def report_note(self) -> str:
        """The sentence that follows a report's list of missing scores."""
        with self._lock:
            finished, failed = self.finished, bool(self.failed)
        if not finished:
            return "Their weights are downloading in the background; they appear in the next report once ready."
        if failed:
            return "Their download failed on this server (see the line at the top of the page)."
        return ""


def start(spec: str) -> Prefetch | None:
    """Start downloading in a daemon thread; None when the spec asks for nothing."""
    keys = keys_for(spec)
    if not keys:
        return None
    state = Prefetch(keys)
    threading.Thread(target=state.run, name="iqa-prefetch", daemon=True).start()
    return state


def report_note(state: Prefetch | None) -> str:
    """What a report says about missing weights when no download runs (or the state's note when one does)."""
    if state is not None:
        return state.report_note()
    return ("Whoever runs this server can download them once with `liif prefetch` (on a Hugging Face Space "
            "this happens automatically).")
