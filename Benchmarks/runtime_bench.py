"""Runtime benchmarks: warm loop, cold start and instructions per invocation, against references in one run.

Every comparison alternates the runs (A B A B ...) and reports the median of the paired ratios, because the
same binary varies by tens of percent from run to run on a small shared machine.
"""
from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".build" / "bench-tools"
EVENT_1KB = ROOT / "Benchmarks" / "events" / "message-1kb.json"
# Counts heap allocations of the process it is preloaded into (see Benchmarks/alloc-counter).
ALLOC_COUNTER = TOOLS / "alloc-counter.so"


@dataclass
class Function:
    """A runnable function under test: a command line and the directory it runs in."""

    name: str
    command: list[str]
    cwd: Path = ROOT


def build_tools() -> None:
    """Compiles the C reference runtime, the benchmark Runtime API mock and the allocation counter."""
    TOOLS.mkdir(parents=True, exist_ok=True)
    curl = subprocess.run(["pkg-config", "--cflags", "--libs", "libcurl"], capture_output=True, text=True, check=True)
    sources = ROOT / "Benchmarks" / "c-reference"
    subprocess.run(["cc", "-O2", "-o", str(TOOLS / "reference-runtime"), str(sources / "reference-runtime.c"),
                    *curl.stdout.split()], check=True)
    subprocess.run(["cc", "-O2", "-o", str(TOOLS / "bench-mock"), str(sources / "bench-mock.c")], check=True)
    subprocess.run(["cc", "-O2", "-Wall", "-shared", "-fPIC", "-o", str(ALLOC_COUNTER),
                    str(ROOT / "Benchmarks" / "alloc-counter" / "alloc-counter.c")], check=True)


def build_swift_product(product: str) -> Path:
    """Builds `product` in release with the Swift runtime linked statically (as it is deployed)."""
    subprocess.run(["swift", "build", "-c", "release", "--static-swift-stdlib", "--product", product],
                   cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    binary = ROOT / ".build" / "release" / product
    stripped = TOOLS / f"{product}.stripped"
    # valgrind cannot read the DWARF the Swift toolchain writes; a stripped copy runs the same code.
    subprocess.run(["strip", "-o", str(stripped), str(binary)], check=True)
    return stripped


def reference_function() -> Function:
    return Function("C reference (libcurl)", [str(TOOLS / "reference-runtime")])


def awslambdaric_function() -> Function | None:
    """The official Python runtime interface client with a no-op handler, when it is installed."""
    try:
        import awslambdaric  # noqa: F401
    except ImportError:
        return None
    directory = Path(tempfile.mkdtemp(prefix="ric-"))
    (directory / "noop.py").write_text("def handler(event, context):\n    return {'statusCode': 200}\n")
    return Function("awslambdaric (Python)", [sys.executable, "-m", "awslambdaric", "noop.handler"], directory)


# Environment for counting runs: Swift seeds its hash functions per process unless told not to, and dictionary
# probes would then vary the counts slightly from run to run.
COUNTING_ENV = {**os.environ, "SWIFT_DETERMINISTIC_HASHING": "1"}


def callgrind_instructions(command: list[str]) -> int:
    """The user-space instructions callgrind counts for one run of `command` (with COUNTING_ENV)."""
    result = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
                            capture_output=True, text=True, timeout=900, env=COUNTING_ENV)
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split("Collected :")[1].strip())
    raise RuntimeError(f"callgrind printed no total for {command[0]}:\n{result.stderr[-2000:]}")


_port = 19300


def run_mock(function: Function, warmup: int, count: int, wrapper: list[str] | None = None) -> dict:
    """One run of `function` against the benchmark mock; returns the mock's JSON line (plus valgrind's total)."""
    global _port
    _port += 1
    command = [str(TOOLS / "bench-mock"), str(_port), str(EVENT_1KB), str(warmup), str(count), "--",
               *(wrapper or []), *function.command]
    result = subprocess.run(command, cwd=function.cwd, capture_output=True, text=True, timeout=900,
                            env={**os.environ, "AWS_LAMBDA_LOG_LEVEL": "ERROR"})
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"{function.name}: no result\n{result.stdout}\n{result.stderr[-2000:]}")
    outcome = json.loads(lines[-1])
    if "error" in outcome:
        raise RuntimeError(f"{function.name}: {outcome['error']}\n{result.stderr[-2000:]}")
    for line in result.stderr.splitlines():
        if "Collected :" in line:
            outcome["instructions"] = int(line.split("Collected :")[1].strip())
    return outcome


def paired(a: Function, b: Function, rounds: int, measure) -> tuple[list[float], list[float]]:
    """Runs `measure` on a and b alternately; returns both series."""
    series_a, series_b = [], []
    for _ in range(rounds):
        series_a.append(measure(a))
        series_b.append(measure(b))
    return series_a, series_b


def median_ratio(series_a: list[float], series_b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(series_a, series_b))


def warm_loop(ours: Function, reference: Function, rounds: int, count: int) -> dict:
    def measure(function: Function) -> float:
        return run_mock(function, warmup=500, count=count)["per_invocation_us"]

    probe = run_mock(reference, warmup=500, count=count)
    ours_us, reference_us = paired(ours, reference, rounds, measure)
    return {
        "ours_us": statistics.median(ours_us),
        "reference_us": statistics.median(reference_us),
        "ratio": median_ratio(ours_us, reference_us),
        "ours_invocations_per_s": 1e6 / statistics.median(ours_us),
        "mock_cpu_share": probe["mock_cpu_share"],
        "invocations_per_run": count,
        "rounds": rounds,
    }


def cold_start(ours: Function, reference: Function, rounds: int) -> dict:
    def measure(function: Function) -> float:
        return run_mock(function, warmup=0, count=1)["cold_start_ms"]

    ours_ms, reference_ms = paired(ours, reference, rounds, measure)
    return {
        "ours_ms": statistics.median(ours_ms),
        "reference_ms": statistics.median(reference_ms),
        "ratio": median_ratio(ours_ms, reference_ms),
        "rounds": rounds,
    }


def instructions_per_invocation(function: Function, low: int = 1000, high: int = 3000) -> float:
    """User-space instructions per warm invocation: the difference of two callgrind runs, so start-up cancels."""
    wrapper = ["env", "SWIFT_DETERMINISTIC_HASHING=1", "valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    first = run_mock(function, warmup=0, count=low, wrapper=wrapper)["instructions"]
    second = run_mock(function, warmup=0, count=high, wrapper=wrapper)["instructions"]
    return (second - first) / (high - low)


def start_up_instructions(function: Function) -> int:
    """User-space instructions from exec to the function's first `connect` (to the Runtime API): callgrind's dump
    of everything before it."""
    with tempfile.TemporaryDirectory() as directory:
        prefix = Path(directory) / "callgrind"
        wrapper = ["env", "SWIFT_DETERMINISTIC_HASHING=1", "valgrind", "--tool=callgrind", "--dump-before=connect",
                   f"--callgrind-out-file={prefix}"]
        run_mock(function, warmup=0, count=1, wrapper=wrapper)
        first_dump = Path(f"{prefix}.1")
        for line in first_dump.read_text().splitlines():
            if line.startswith(("summary:", "totals:")):
                return int(line.split(":", 1)[1].split()[0])
    raise RuntimeError(f"{function.name}: callgrind's first dump has no total")


def start_up_page_faults(function: Function, runs: int = 3) -> int:
    """Page faults (minor: pages mapped from the page cache or zeroed) of a process that starts and serves one
    invocation, the median of `runs`: nearly all of them the start's, and steady from run to run."""
    return int(statistics.median(run_mock(function, warmup=0, count=1)["minor_faults"] for _ in range(runs)))


def allocations_per_invocation(function: Function, low: int = 1000, high: int = 3000) -> float:
    """Heap allocations per warm invocation, counted in the function's process by the preloaded counter: the
    difference of two runs, so start-up cancels."""
    def count(invocations: int) -> int:
        with tempfile.TemporaryDirectory() as directory:
            report = Path(directory) / "allocations"
            wrapper = ["env", f"LD_PRELOAD={ALLOC_COUNTER}", f"LAMBDASOCKETS_ALLOCATION_REPORT={report}",
                       "SWIFT_DETERMINISTIC_HASHING=1"]
            run_mock(function, warmup=0, count=invocations, wrapper=wrapper)
            deadline = time.monotonic() + 10  # the function writes the report as it exits, after the mock's line
            while not (report.exists() and report.read_text().endswith("\n")) and time.monotonic() < deadline:
                time.sleep(0.05)
            return int(report.read_text())

    return (count(high) - count(low)) / (high - low)


def peak_rss_kb(function: Function, count: int = 5000) -> int:
    return run_mock(function, warmup=0, count=count)["max_rss_kb"]


def awslambdaric_comparison(ours: Function, rounds: int, count: int) -> dict | None:
    ric = awslambdaric_function()
    if ric is None:
        return None
    loop_ours, loop_ric = paired(ours, ric, rounds,
                                 lambda f: run_mock(f, warmup=200, count=count)["per_invocation_us"])
    cold_ours, cold_ric = paired(ours, ric, rounds, lambda f: run_mock(f, warmup=0, count=1)["cold_start_ms"])
    shutil.rmtree(ric.cwd, ignore_errors=True)
    return {
        "awslambdaric_us": statistics.median(loop_ric),
        "loop_speedup": median_ratio(loop_ric, loop_ours),
        "awslambdaric_cold_ms": statistics.median(cold_ric),
        "cold_start_speedup": median_ratio(cold_ric, cold_ours),
    }
