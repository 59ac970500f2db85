#!/usr/bin/env python3
"""Performance regression gate: counts, not wall time.

Measures, on release builds linked as deployed (static Swift runtime):
- decode → route → encode of a 1 KB MESSAGE event (bench-decode-route), as the gateway routes it and as
  `$default` (the router then selects the route from the body): instructions (callgrind) and heap
  allocations per operation;
- the warm invocation loop against the benchmark Runtime API mock of a no-op function (bench-noop) and of a
  WebSocketRouter whose routes do nothing (bench-router-noop): instructions and heap allocations per invocation;
- SigV4 signing of one PostToConnection request (bench-sigv4): instructions and allocations per signature;
- the start of the no-op router as `lambda-local package` builds it, through its bundled loader: instructions
  from exec to its first `connect`, and the page faults of a process that starts and serves one invocation
  beyond those of the C reference linked the same way (the loader's, glibc's and the kernel's share cancels):
  what the start-up symbol order, `Benchmarks/startup_order.py`, saves (a lost or broken order shows; one a
  little behind the code is within what the count moves with the machine's load);
- that order's fit: the functions that start runs which the committed list does not name (callgrind, exact),
  so that a start-up path changed without regenerating the list fails here rather than costing faults unseen;

and fails when one exceeds its limit in Benchmarks/thresholds.json. Instruction and allocation counts do not
depend on the machine's load, so the limits can be tight (20% over the measured instructions, 15% over the
allocations and the page faults).

    python3 Benchmarks/perf_gate.py                       # build, measure, compare (exit 1 on a regression)
    python3 Benchmarks/perf_gate.py --thresholds FILE     # compare against another file
    python3 Benchmarks/perf_gate.py --update              # rewrite the thresholds from this run (review the diff)
"""
from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import decode_route_bench as drb  # noqa: E402
import deployed_bench as db  # noqa: E402
import startup_order as so  # noqa: E402
import runtime_bench as rb  # noqa: E402
import sigv4_bench as sb  # noqa: E402

THRESHOLDS = rb.ROOT / "Benchmarks" / "thresholds.json"
HEADROOM = 0.15
# Instruction counts include glibc's string and memory routines, whose variant depends on the CPU: more room.
INSTRUCTION_HEADROOM = 0.20


def measure() -> dict[str, float]:
    """Every gated count, by metric name."""
    rb.build_tools()
    decode_route = drb.build()
    noop = rb.Function("bench-noop", [str(rb.build_swift_product("bench-noop"))])
    router = rb.Function("bench-router-noop", [str(rb.build_swift_product("bench-router-noop"))])
    allocations = drb.timed(decode_route, iterations=2_000, rounds=1)
    sigv4 = sb.build()
    zip_path, directory = db.unpack("bench-router-noop")
    loader = db.bundled_loader(directory / "lib")
    packaged = rb.Function("bench-router-noop, packaged", [*loader, str(directory / "bench-router-noop")])
    reference = rb.Function("C reference, minimal libcurl.a linked in",
                            [*loader, str(db.static_reference(db.minimal_libcurl()))])
    unlisted = so.unlisted_functions(zip_path)
    if unlisted:
        print("start-up functions StartupOrder.swift does not list:\n  " + "\n  ".join(unlisted))
    return {
        "decode_route.instructions": drb.instructions_per_operation(decode_route),
        "decode_route.allocations": allocations["full"]["allocations"],
        "decode_route_body_routed.instructions": drb.instructions_per_operation(decode_route, body_routed=True),
        "decode_route_body_routed.allocations": allocations["full_body_routed"]["allocations"],
        "warm_loop.instructions": rb.instructions_per_invocation(noop),
        "warm_loop.allocations": rb.allocations_per_invocation(noop),
        "warm_loop_router.instructions": rb.instructions_per_invocation(router),
        "warm_loop_router.allocations": rb.allocations_per_invocation(router),
        "sigv4.instructions": sb.instructions_per_signature(sigv4),
        "sigv4.allocations": sb.ours_us(sigv4, iterations=2_000)[1],
        "cold_start_packaged.instructions": rb.start_up_instructions(packaged),
        "cold_start_packaged.page_faults_beyond_reference":
            rb.start_up_page_faults(packaged) - rb.start_up_page_faults(reference),
        "startup_order.unlisted_functions": len(unlisted),
    }


# What to do when a metric fails for a reason other than slower code.
HINTS = {
    "startup_order.unlisted_functions": "the start-up path changed: regenerate the order with "
                                        "`python3 Benchmarks/startup_order.py` and commit StartupOrder.swift",
}


def headroom(name: str) -> float:
    return INSTRUCTION_HEADROOM if name.endswith("instructions") else HEADROOM


def limit_for(name: str, measured: float) -> float:
    """The limit for a fresh measurement: the metric's headroom over it, and at least one more for small counts
    (two for the unlisted start-up functions, a count that starts at zero)."""
    if name == "startup_order.unlisted_functions":
        return math.floor(measured) + 2
    return max(math.floor(measured * (1 + headroom(name))), math.floor(measured) + 1)


def toolchain() -> str:
    swift = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()
    valgrind = subprocess.run(["valgrind", "--version"], capture_output=True, text=True).stdout.strip()
    return f"{swift[0] if swift else 'swift ?'}; {valgrind}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--thresholds", type=Path, default=THRESHOLDS)
    parser.add_argument("--update", action="store_true", help="rewrite the thresholds file from this run")
    args = parser.parse_args()

    started = time.monotonic()
    measured = measure()
    if args.update:
        document = {
            "about": "Limits of Benchmarks/perf_gate.py (instructions and heap allocations per operation; a packaged "
                     "function's start-up instructions, and its page faults beyond the C reference's), instruction limits "
                     f"{INSTRUCTION_HEADROOM:.0%} over the measured counts (room for another CPU's string and memory "
                     f"routines), allocation and page-fault limits {HEADROOM:.0%} over. "
                     "Regenerate with --update after an intended change.",
            "toolchain": toolchain(),
            "metrics": {name: {"measured": round(value, 1), "limit": limit_for(name, value)}
                        for name, value in measured.items()},
        }
        args.thresholds.write_text(json.dumps(document, indent=2) + "\n")
        print(f"wrote {args.thresholds}")
        return 0

    metrics = json.loads(args.thresholds.read_text())["metrics"]
    failures = []
    print(f"{'metric':52s} {'measured':>12s} {'limit':>12s}")
    for name, value in measured.items():
        if name not in metrics:
            failures.append(f"{name}: no limit in {args.thresholds}")
            continue
        limit = metrics[name]["limit"]
        verdict = "ok" if value <= limit else "REGRESSION"
        print(f"{name:52s} {value:12,.1f} {limit:12,.0f}  {verdict}")
        if value > limit:
            failures.append(f"{name}: {value:,.1f} > {limit:,}" + (f" ({HINTS[name]})" if name in HINTS else ""))
        elif value < metrics[name]["measured"] / (1 + headroom(name)):
            print(f"  note: {name} improved well below its recorded {metrics[name]['measured']:,}; "
                  "consider --update to tighten the limit")
    print(f"perf gate: {time.monotonic() - started:.0f} s")
    if failures:
        print("perf gate FAILED:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    print("perf gate passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
