"""What the tagging benchmark prints: every run, the best round of each against the bare loop
with the issue's targets, the inference arithmetic against the CPU's peak, and how closely
OpenVINO's `fast` precision agrees with `exact`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

BASELINE = "bare Essentia loop"
# Throughput targets against the bare loop (issue 13).
TARGETS = {"app: openvino exact": 2.5, "app: openvino fast": 5.0}


@dataclass(frozen=True)
class Measurement:
    preset: str
    label: str
    tracks: int
    wall: float
    cpu: float  # CPU-seconds of the measured process (tree)
    busy: float  # the whole machine's average busy cores meanwhile
    note: str = ""
    round: int = 1

    @property
    def per_minute(self) -> float:
        return self.tracks * 60 / self.wall

    @property
    def own_cores(self) -> float:
        return self.cpu / self.wall

    @property
    def others(self) -> float:
        return max(0.0, self.busy - self.own_cores)


def print_rounds(rows: list[Measurement]) -> None:
    print()
    print(
        f"{'preset':<10}{'run':<44}{'wall s':>7}{'tracks/min':>11}{'CPU s/track':>12}"
        f"{'own cores':>10}{'others':>8}  notes"
    )
    for row in rows:
        print(
            f"{row.preset:<10}{row.label:<44}{row.wall:>7.1f}{row.per_minute:>11.2f}"
            f"{row.cpu / row.tracks:>12.2f}{row.own_cores:>10.2f}{row.others:>8.2f}  {row.note}"
        )


def best_rows(rows: list[Measurement]) -> dict[tuple[str, str], Measurement]:
    """The best round of each run: the one least disturbed by other load."""
    best: dict[tuple[str, str], Measurement] = {}
    for row in rows:
        key = (row.preset, row.label)
        if key not in best or row.per_minute > best[key].per_minute:
            best[key] = row
    return best


def print_summary(rows: list[Measurement], cores: int) -> None:
    best = best_rows(rows)
    print()
    print(f"Best of {max(r.round for r in rows)} round(s); {cores} cores on this machine:")
    print(f"{'preset':<10}{'run':<44}{'tracks/min':>11}{'CPU s/track':>12}{'own cores':>10}"
          f"{'x bare loop':>12}{'x (CPU s)':>10}")  # fmt: skip
    for (preset, label), row in best.items():
        base = next(r for (p, name), r in best.items() if p == preset and name.startswith(BASELINE))
        ratio = row.per_minute / base.per_minute
        # CPU-seconds per track hold under other load, where wall-clock ratios do not.
        cpu_ratio = (base.cpu / base.tracks) / (row.cpu / row.tracks)
        target = next((t for name, t in TARGETS.items() if label.startswith(name)), None)
        verdict = ""
        if target is not None:
            verdict = f"  target {target:.1f}x: {'met' if ratio >= target else 'MISSED'}"
        print(
            f"{preset:<10}{label:<44}{row.per_minute:>11.2f}{row.cpu / row.tracks:>12.2f}"
            f"{row.own_cores:>10.2f}{ratio:>12.2f}{cpu_ratio:>10.2f}{verdict}"
        )
    print(
        "own cores: CPU-seconds of the measured process tree / wall time; others: the rest of"
        " the machine's busy cores meanwhile (load from other programs skews that round);"
        " x (CPU s): the bare loop's CPU-seconds per track over the run's, which other load"
        " does not skew."
    )


def print_arithmetic(
    flops: dict[str, float],
    patches: dict[str, int],
    inference: dict[str, float],
    best: dict[tuple[str, str], Measurement],
    peak: Any,
) -> None:
    """GFLOP per track, inference GFLOP/s of each engine (one track, every core) and of each
    app run (whole pipeline), against the f32 peak."""
    per_track = sum(flops[name] * patches.get(name, 0) for name in flops)
    print()
    print("Inference arithmetic (convolutions and matrix products, 2 FLOP per multiply-add):")
    for name, value in flops.items():
        print(
            f"  {name:<24} {value / 1e9:6.3f} GFLOP/patch x {patches.get(name, 0):4d} patches "
            f"= {value * patches.get(name, 0) / 1e9:7.1f} GFLOP/track"
        )
    print(f"  CPU f32 peak {peak.gflops:.0f} GFLOP/s = {peak.derivation}")
    for engine, seconds in inference.items():
        rate = per_track / seconds / 1e9
        print(
            f"  inference only, {engine:<15} {seconds:6.2f} s/track  {rate:6.1f} GFLOP/s "
            f"({100 * rate / peak.gflops:4.1f} % of peak)"
        )
    for (preset, label), row in best.items():
        if preset != "reference":
            continue
        rate = per_track * row.tracks / row.wall / 1e9
        print(
            f"  whole pipeline, {label:<44} {rate:6.1f} GFLOP/s "
            f"({100 * rate / peak.gflops:4.1f} % of peak)"
        )


def print_agreement(exact: dict[str, Any], fast: dict[str, Any]) -> None:
    """Share of identical mood tiers and the largest score difference, fast against exact."""
    differences = [abs(fast["scores"][key] - value) for key, value in exact["scores"].items()]
    tiers = [key for key in exact["tiers"] if key in fast["tiers"]]
    same = sum(exact["tiers"][key] == fast["tiers"][key] for key in tiers)
    print()
    print("OpenVINO fast against exact, same tracks:")
    print(f"  scores compared {len(differences)}, max difference {max(differences):.5f}")
    if tiers:
        share = 100 * same / len(tiers)
        print(f"  mood tiers identical {same} of {len(tiers)} ({share:.1f} %; target 99 %)")
    else:
        print("  no mood tiers to compare")
