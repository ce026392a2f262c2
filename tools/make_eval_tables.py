"""Print LM-LIIF's evaluation tables from the runs' `liif eval` results, or write them into its model card.

    python tools/make_eval_tables.py                       # LM-LIIF against the bundled LIIF and bicubic
    python tools/make_eval_tables.py --since a3ec517       # plus a column: change since that commit's weights
    python tools/make_eval_tables.py --since a3ec517 --since-label "step 8404" --write   # into the card

Reads runs/<run>/eval*/results.json (written by `liif eval --out ...`), so the tables are the
measurements, copied by no hand; `--since` reads the same files as committed at an older revision.
`--write` also rewrites the card's prose quotes of the model's lead over the other one, "(+0.13 to +0.37 dB)",
and of what its fine-tuning gained, "the fine-tuning gained 0.20 to 0.55 dB", against the results
kept from the fine-tuning's start (runs/<run>/eval-step6163, the frozen-encoder stage's last weights).
It writes only the documents that own these figures (DOCS); every other page links to them, and no
source file quotes them, so no script ever rewrites code.
"""
from __future__ import annotations

import argparse
import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
Key = tuple[str, float]
MODES = {"8x self-ensemble": "eval-ens8", "back-projection": "eval-bp3",  # label -> results folder
         "self-ensemble + back-projection": "eval-ens8-bp3"}
# The documents that own LM-LIIF's figures: --write puts the tables, the lead and the fine-tuning's gain here only.
DOCS = ("liif/weights/edsr-baseline-lmliif.md",)
FINE_TUNING_FROM = "eval-step6163"  # the LM-LIIF results kept from its fine-tuning's start
# A quoted range: "(+0.13 to +0.37 dB)" after the other model's name, or "(0.13 to 0.37 dB above LIIF)".
_RANGE = re.compile(r"\((?P<sign>\+?)-?\d+\.\d\d to \+?-?\d+\.\d\d dB(?P<after> above [\w-]+)?\)")
_NAME_BEFORE = 80  # characters before a bare "(lo to hi dB)" in which the other model must be named
# "the fine-tuning gained lo to hi dB", its words possibly wrapped across lines.
_FINE_TUNING_GAIN = re.compile(
    r"(?P<head>[Tt]he\s+fine-tuning\s+gained\s+)-?\d+\.\d\d(?P<to>\s+to\s+)-?\d+\.\d\d(?P<dB>\s+dB)")


def load(run: str, kind: str = "eval", rev: str | None = None) -> dict[Key, dict]:
    """Rows of runs/<run>/<kind>/results.json keyed by (dataset, scale), now or at git revision ``rev``."""
    rel = f"runs/{run}/{kind}/results.json"
    if rev is None:
        text = (ROOT / rel).read_text()
    else:
        text = subprocess.run(["git", "show", f"{rev}:{rel}"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout
    return {(r["dataset"], float(r["scale"])): r for r in json.loads(text)}


def scale_name(s: float) -> str:
    """x4 for 4.0, x2.5 for 2.5."""
    return f"x{s:g}"


def main_table(model: dict[Key, dict], other: dict[Key, dict], since: dict[Key, dict] | None,
               names: tuple[str, str], since_label: str, other_short: str | None = None) -> list[str]:
    """One row per (dataset, scale): the model, the other model, bicubic and the differences."""
    head = ["dataset", "scale", f"{names[0]} PSNR / SSIM", f"{names[1]} PSNR / SSIM", "bicubic PSNR / SSIM",
            f"{names[0]} - {other_short or names[1]} (dB)", f"{names[0]} - bicubic (dB)"]
    if since is not None:
        head.append(f"change since {since_label} (dB)")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, r in model.items():
        o = other[key]
        cells = [key[0], scale_name(key[1]), f"**{r['psnr']:.2f}** / {r['ssim']:.4f}",
                 f"{o['psnr']:.2f} / {o['ssim']:.4f}", f"{r['bicubic_psnr']:.2f} / {r['bicubic_ssim']:.4f}",
                 f"{r['psnr'] - o['psnr']:+.2f}", f"{r['psnr'] - r['bicubic_psnr']:+.2f}"]
        if since is not None:
            cells.append(f"{r['psnr'] - since[key]['psnr']:+.2f}")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def mode_table(rows: dict[str, tuple[dict[Key, dict], dict[Key, dict]]]) -> list[str]:
    """Per label, one row per dataset: Y-PSNR of a quality mode and (its gain over one plain pass)."""
    scales = sorted({s for mode, _ in rows.values() for _, s in mode})
    lines = ["| model | dataset | " + " | ".join(scale_name(s) for s in scales) + " |",
             "|---|---|" + "---|" * len(scales)]
    for label, (mode, plain) in rows.items():
        for dataset in dict.fromkeys(d for d, _ in mode):
            keys = [(dataset, s) for s in scales]
            cells = [f"{mode[key]['psnr']:.2f} ({mode[key]['psnr'] - plain[key]['psnr']:+.2f})" if key in mode else "-"
                     for key in keys]
            lines.append(f"| {label} | {dataset} | " + " | ".join(cells) + " |")
    return lines


def build_tables(run: str, name: str, against: str, against_name: str, since_rev: str | None = None,
                 since_label: str | None = None, against_short: str | None = None) -> tuple[list[str], list[str]]:
    """The main table and the quality-mode table (empty when no mode was evaluated) of a run."""
    plain = load(run)
    since = load(run, rev=since_rev) if since_rev else None
    main = main_table(plain, load(against), since, (name, against_name), since_label or since_rev or "",
                      against_short)
    present = {f"{name}, {label}": (load(run, kind), plain) for label, kind in MODES.items()
               if (ROOT / "runs" / run / kind / "results.json").exists()}
    return main, mode_table(present) if present else []


def lead(model: dict[Key, dict], other: dict[Key, dict]) -> tuple[float, float]:
    """The smallest and largest PSNR lead of ``model`` over ``other`` across the model's rows."""
    leads = [r["psnr"] - other[key]["psnr"] for key, r in model.items()]
    return min(leads), max(leads)


def _quotes_lead(text: str, m: re.Match, other: str) -> bool:
    """Whether the range ``m`` is a lead over ``other``: it says so, or its sentence names ``other`` before it."""
    if m["after"]:
        return m["after"] == f" above {other}"
    sentence = re.split(r"[.;]\s", text[max(0, m.start() - _NAME_BEFORE):m.start()])[-1]
    return re.search(rf"(?<![\w-]){re.escape(other)}\b", sentence) is not None


def put_lead(text: str, other: str, low: float, high: float) -> tuple[str, int]:
    """``text`` with every quoted range of the lead over ``other`` set to ``low``-``high``, and how many."""
    quotes = [m for m in _RANGE.finditer(text) if _quotes_lead(text, m, other)]
    for m in reversed(quotes):  # from the end, so earlier matches keep their offsets
        form = "+.2f" if m["sign"] else ".2f"
        text = f"{text[:m.start()]}({low:{form}} to {high:{form}} dB{m['after'] or ''}){text[m.end():]}"
    return text, len(quotes)


def put_gain(text: str, low: float, high: float) -> tuple[str, int]:
    """``text`` with every "the fine-tuning gained lo to hi dB" set to ``low``-``high``, and how many."""
    return _FINE_TUNING_GAIN.subn(lambda m: f"{m['head']}{low:.2f}{m['to']}{high:.2f}{m['dB']}", text)


def _blocks(lines: list[str]) -> list[tuple[int, int]]:
    """[start, end) of every run of Markdown table lines."""
    spans, start = [], None
    for i, line in enumerate([*lines, ""]):
        if line.startswith("|") and start is None:
            start = i
        elif not line.startswith("|") and start is not None:
            spans.append((start, i))
            start = None
    return spans


def put_tables(text: str, name: str, main: list[str], modes: list[str]) -> str:
    """``text`` with its one main table (header '| dataset | scale | NAME') and its one table of NAME's
    quality modes (rows '| NAME, ...') replaced by the given ones."""
    lines = text.split("\n")
    found = {}
    for start, end in _blocks(lines):
        if lines[start].startswith(f"| dataset | scale | {name} "):
            found.setdefault("main", []).append((start, end))
        elif any(line.startswith(f"| {name}, ") for line in lines[start:end]):
            found.setdefault("modes", []).append((start, end))
    wanted = {"main": main, "modes": modes} if modes else {"main": main}
    for kind in wanted:
        if len(found.get(kind, [])) != 1:
            raise ValueError(f"expected one {kind} table of {name}, found {len(found.get(kind, []))}")
    # Replace from the bottom up so earlier spans keep their line numbers.
    for kind, (start, end) in sorted(((k, found[k][0]) for k in wanted), key=lambda kv: -kv[1][0]):
        lines[start:end] = wanted[kind]
    return "\n".join(lines)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--run", default="edsr-baseline-lmliif", help="the model's run folder under runs/")
    p.add_argument("--name", default="LM-LIIF")
    p.add_argument("--against", default="edsr-baseline-liif", help="the run it is compared with")
    p.add_argument("--against-name", default="bundled LIIF")
    p.add_argument("--against-short", default="LIIF", help="its name in the difference column")
    p.add_argument("--since", help="git revision whose committed results give a 'change since' column")
    p.add_argument("--since-label", help="that column's wording (default: the revision)")
    p.add_argument("--fine-tuning-from", default=FINE_TUNING_FROM,
                   help="the run's results folder measured when its fine-tuning began")
    p.add_argument("--write", action="store_true", help="replace the tables and quotes in the model card (DOCS)")
    args = p.parse_args()

    table, modes = build_tables(args.run, args.name, args.against, args.against_name, args.since, args.since_label,
                                args.against_short)
    if args.write:
        plain = load(args.run)
        low, high = lead(plain, load(args.against))
        tuned = (ROOT / "runs" / args.run / args.fine_tuning_from / "results.json").exists()
        gain = lead(plain, load(args.run, args.fine_tuning_from)) if tuned else None
        for doc in DOCS:  # each file read and written once, whatever it quotes
            path = ROOT / doc
            text = put_tables(path.read_text(), args.name, table, modes)
            print(f"tables written into {doc}")
            text, count = put_lead(text, args.against_short, low, high)
            print(f"lead over {args.against_short} ({low:+.2f} to {high:+.2f} dB) quoted {count}x in {doc}")
            if gain:
                text, count = put_gain(text, *gain)
                print(f"fine-tuning gain ({gain[0]:.2f} to {gain[1]:.2f} dB) quoted {count}x in {doc}")
            path.write_text(text)
        return
    print("\n".join(table))
    if modes:
        print()
        print("\n".join(modes))


if __name__ == "__main__":
    main()
