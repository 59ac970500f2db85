"""Decode → route → encode of a 1 KB MESSAGE event through a WebSocketRouter (bench-decode-route, in-process):
CPU µs, heap allocations and user-space instructions per operation.

Allocations are counted by Benchmarks/alloc-counter (a preloaded malloc interposer); instructions with
callgrind, as the difference of two runs of different lengths so that start-up cancels. Both counts are taken
with deterministic hashing, so they do not move from run to run.
"""
from __future__ import annotations

import json
import statistics
import subprocess
from pathlib import Path

import runtime_bench as rb

EVENT_1KB = rb.EVENT_1KB


def build() -> Path:
    """Builds bench-decode-route in release, statically linked and stripped, as runtime_bench builds functions
    (call runtime_bench.build_tools() first: it compiles the allocation counter)."""
    return rb.build_swift_product("bench-decode-route")


def timed(binary: Path, iterations: int = 50_000, rounds: int = 3) -> dict:
    """Median CPU µs and allocations per operation of every phase, over `rounds` runs."""
    runs = []
    for _ in range(rounds):
        result = subprocess.run(
            [str(binary), "--event", str(EVENT_1KB), "--iterations", str(iterations), "--json"],
            capture_output=True, text=True, check=True, timeout=900,
            env={**rb.COUNTING_ENV, "LD_PRELOAD": str(rb.ALLOC_COUNTER)})
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    phases = [key for key, value in runs[0].items() if isinstance(value, dict)]
    return {
        phase: {
            "cpu_us": statistics.median(run[phase]["cpu_us"] for run in runs),
            "allocations": statistics.median(run[phase]["allocations"] for run in runs),
        }
        for phase in phases
    }


def instructions_per_operation(binary: Path, body_routed: bool = False, low: int = 200, high: int = 1200) -> float:
    """User-space instructions per decode → route → encode, from two callgrind runs."""
    def collected(count: int) -> int:
        command = [str(binary), "--event", str(EVENT_1KB), "--run", str(count)]
        return rb.callgrind_instructions(command + (["--body-routed"] if body_routed else []))

    return (collected(high) - collected(low)) / (high - low)


def measure(binary: Path, rounds: int = 3, iterations: int = 50_000) -> dict:
    """Everything the benchmark table reports: time and allocations per phase, instructions of the two paths."""
    phases = timed(binary, iterations, rounds)
    return {
        "us": phases["full"]["cpu_us"],
        "allocations": phases["full"]["allocations"],
        "instructions": instructions_per_operation(binary),
        "body_routed_us": phases["full_body_routed"]["cpu_us"],
        "body_routed_allocations": phases["full_body_routed"]["allocations"],
        "body_routed_instructions": instructions_per_operation(binary, body_routed=True),
        "phases": phases,
        "event_bytes": EVENT_1KB.stat().st_size,
        "rounds": rounds,
        "iterations_per_round": iterations,
    }
