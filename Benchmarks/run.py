#!/usr/bin/env python3
"""LambdaSockets benchmarks, with references measured in the same run.

    python3 Benchmarks/run.py            # full run (about 20 minutes)
    python3 Benchmarks/run.py --quick    # fewer rounds

Prints a table and writes bench-results/results.json.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import decode_route_bench as drb  # noqa: E402
import deployed_bench as deb  # noqa: E402
import runtime_bench as rb  # noqa: E402
import sigv4_bench as sb  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    rounds = 3 if args.quick else 7
    invocations = 5000 if args.quick else 20000

    rb.build_tools()
    ours = rb.Function("LambdaSockets (Swift)", [str(rb.build_swift_product("bench-noop"))])
    router = rb.Function("LambdaSockets WebSocketRouter", [str(rb.build_swift_product("bench-router-noop"))])
    reference = rb.reference_function()

    results: dict = {"machine": f"{platform.machine()}, {subprocess.getoutput('nproc')} cores"}
    print("warm loop ...", flush=True)
    results["warm_loop"] = rb.warm_loop(ours, reference, rounds, invocations)
    results["warm_loop_router"] = rb.warm_loop(router, reference, rounds, invocations)
    print("cold start ...", flush=True)
    results["cold_start"] = rb.cold_start(ours, reference, max(20, rounds * 3))
    results["cold_start_router"] = rb.cold_start(router, reference, max(20, rounds * 3))
    print("instructions ...", flush=True)
    ours_ir = rb.instructions_per_invocation(ours)
    router_ir = rb.instructions_per_invocation(router)
    reference_ir = rb.instructions_per_invocation(reference)
    results["instructions"] = {"ours": ours_ir, "router": router_ir, "reference": reference_ir,
                               "ratio": ours_ir / reference_ir, "router_ratio": router_ir / reference_ir}
    results["peak_rss_kb"] = {"ours": rb.peak_rss_kb(ours), "router": rb.peak_rss_kb(router),
                              "reference": rb.peak_rss_kb(reference)}
    results["allocations_per_invocation"] = {"ours": rb.allocations_per_invocation(ours),
                                             "router": rb.allocations_per_invocation(router),
                                             "reference": rb.allocations_per_invocation(reference)}
    print("as deployed ...", flush=True)
    results["deployed"] = deb.measure("bench-router-noop", rounds=max(20, rounds * 3), invocations=invocations)
    print("decode + route + encode ...", flush=True)
    results["decode_route"] = drb.measure(drb.build(), rounds=rounds, iterations=20000 if args.quick else 100000)
    results["decode_route"]["goal"] = {"us": 20, "allocations": 20}
    print("SigV4 signing ...", flush=True)
    results["sigv4"] = sb.measure(sb.build(), rounds=rounds)
    print("awslambdaric ...", flush=True)
    results["awslambdaric"] = rb.awslambdaric_comparison(ours, rounds=3, count=min(invocations, 5000))

    out = rb.ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    print("broadcast ...", flush=True)
    subprocess.run(["swift", "build", "-c", "release", "--product", "broadcast-bench"], cwd=rb.ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, str(HERE / "broadcast" / "run.py"), "--rounds", str(rounds),
                    "--json", str(out / "broadcast.json")], check=True, stdout=subprocess.DEVNULL)
    results["broadcast"] = json.loads((out / "broadcast.json").read_text())
    print("gateway load ...", flush=True)
    # The machine's noise moves one 10-second run by a third: three runs, the median one by messages/s.
    load_runs = []
    for index in range(1 if args.quick else 3):
        path = out / f"gateway-load-{index}.json"
        subprocess.run([sys.executable, str(HERE / "gateway-load" / "load.py"), "--json", str(path)],
                       check=True, stdout=subprocess.DEVNULL)
        load_runs.append(json.loads(path.read_text()))
    load_runs.sort(key=lambda run: run["messages_per_s"])
    results["gateway_load"] = load_runs[len(load_runs) // 2]
    results["gateway_load"]["runs_messages_per_s"] = [run["messages_per_s"] for run in load_runs]
    subprocess.run([sys.executable, str(HERE / "gateway-load" / "load.py"), "--mode", "echo",
                    "--json", str(out / "gateway-load-echo.json")], check=True, stdout=subprocess.DEVNULL)
    results["gateway_load_echo"] = json.loads((out / "gateway-load-echo.json").read_text())
    (out / "results.json").write_text(json.dumps(results, indent=2))

    loop, cold, ir, rss, ric, dr = (results["warm_loop"], results["cold_start"], results["instructions"],
                                    results["peak_rss_kb"], results["awslambdaric"], results["decode_route"])
    loop_router, cold_router = results["warm_loop_router"], results["cold_start_router"]
    allocs = results["allocations_per_invocation"]
    rows = [
        ("warm loop, µs/invocation (1 KB event)", f"{loop['ours_us']:.1f}", f"{loop['reference_us']:.1f}", f"{loop['ratio']:.2f}×"),
        ("  with WebSocketRouter", f"{loop_router['ours_us']:.1f}", f"{loop_router['reference_us']:.1f}",
         f"{loop_router['ratio']:.2f}×"),
        ("instructions/invocation (callgrind)", f"{ir['ours']:,.0f}", f"{ir['reference']:,.0f}", f"{ir['ratio']:.2f}×"),
        ("  with WebSocketRouter", f"{ir['router']:,.0f}", f"{ir['reference']:,.0f}", f"{ir['router_ratio']:.2f}×"),
        ("cold start, exec → first /next (ms)", f"{cold['ours_ms']:.1f}", f"{cold['reference_ms']:.1f}", f"{cold['ratio']:.2f}×"),
        ("  with WebSocketRouter", f"{cold_router['ours_ms']:.1f}", f"{cold_router['reference_ms']:.1f}",
         f"{cold_router['ratio']:.2f}×"),
        ("peak RSS (MB)", f"{rss['ours'] / 1024:.1f}", f"{rss['reference'] / 1024:.1f}", ""),
        ("  with WebSocketRouter", f"{rss['router'] / 1024:.1f}", f"{rss['reference'] / 1024:.1f}", ""),
        ("heap allocations/invocation", f"{allocs['ours']:.0f}", f"{allocs['reference']:.0f}",
         f"{allocs['ours'] / allocs['reference']:.2f}×"),
        ("  with WebSocketRouter", f"{allocs['router']:.0f}", f"{allocs['reference']:.0f}",
         f"{allocs['router'] / allocs['reference']:.2f}×"),
        ("decode + route + encode, µs (1 KB event)", f"{dr['us']:.2f}", "goal ≤ 20", ""),
        ("  allocations / instructions", f"{dr['allocations']:.0f} / {dr['instructions']:,.0f}", "goal ≤ 20", ""),
        ("  routed by body ($default), µs", f"{dr['body_routed_us']:.2f}", "", ""),
        ("  allocations / instructions", f"{dr['body_routed_allocations']:.0f} / {dr['body_routed_instructions']:,.0f}",
         "", ""),
    ]
    print()
    print(f"| {'measure':40s} | {'LambdaSockets':>13s} | {'C reference':>11s} | ratio |")
    print(f"|{'-' * 42}|{'-' * 15}|{'-' * 13}|-------|")
    for name, a, b, r in rows:
        print(f"| {name:40s} | {a:>13s} | {b:>11s} | {r:>5s} |")
    sig = results["sigv4"]
    print(f"\nSigV4 signing of one PostToConnection request: {sig['ours_us']:.1f} µs, {sig['allocations']:.0f} allocations, "
          f"{sig['instructions']:,.0f} instructions; botocore's SigV4Auth {sig['botocore_us']:.1f} µs "
          f"({sig['speedup']:.1f}× ours)")
    deployed = results["deployed"]
    print(f"\nas deployed (lambda-local package: minimal libcurl linked in, no PIE; the C reference through the same "
          f"bundled loader and glibc, on the minimal libcurl.so.4, or with the minimal libcurl.a linked in), "
          f"WebSocketRouter function:")
    static, stock = deployed["cold_start_vs_static_reference"], deployed["cold_start_vs_stock_tls_reference"]
    print(f"  cold start {deployed['cold_start']['ours_ms']:.1f} ms vs {deployed['cold_start']['reference_ms']:.1f} ms "
          f"({deployed['cold_start']['ratio']:.2f}×), vs the linked-in reference {static['ours_ms']:.1f} ms vs "
          f"{static['reference_ms']:.1f} ms ({static['ratio']:.2f}×), vs the linked-in reference setting OpenSSL up at "
          f"start as a stock libcurl does {stock['ours_ms']:.1f} ms vs {stock['reference_ms']:.1f} ms "
          f"({stock['ratio']:.2f}×)")
    boot, sh, bash = (deployed[key] for key in ("cold_start_bootstrap", "cold_start_bootstrap_vs_sh_script",
                                                  "cold_start_bootstrap_vs_bash_script"))
    print(f"  through the zip's bootstrap (the launcher) {boot['ours_ms']:.1f} ms vs the dynamic reference "
          f"{boot['reference_ms']:.1f} ms ({boot['ratio']:.2f}×); the same start as a shell script: /bin/sh "
          f"{sh['reference_ms']:.1f} ms ({sh['ratio']:.2f}×), bash {bash['reference_ms']:.1f} ms ({bash['ratio']:.2f}×)")
    print(f"  warm loop {deployed['warm_loop']['ours_us']:.1f} µs vs {deployed['warm_loop']['reference_us']:.1f} µs "
          f"({deployed['warm_loop']['ratio']:.2f}×); peak RSS {deployed['peak_rss_kb']['ours'] / 1024:.1f} MB vs "
          f"{deployed['peak_rss_kb']['reference'] / 1024:.1f} MB; zip {deployed['zip_bytes'] / 1e6:.1f} MB "
          f"({deployed['unzipped_bytes'] / 1e6:.1f} MB unzipped)")
    cast, load = results["broadcast"], results["gateway_load"]
    print(f"\nbroadcast of {cast['size']} B to {cast['count']:,} connections: {cast['median_ms']['swift']:.0f} ms "
          f"({cast['swift_vs_boto3']:.1f}× boto3's post_to_connection loop, {cast['swift_vs_curl']:.1f}× curl --aws-sigv4)")
    print(f"local gateway, {load['clients']} clients for {load['duration_s']:.0f} s, {load['instances']} function processes: "
          f"{load['messages_per_s']:,.0f} messages/s, "
          f"p50 {load['p50_ms']:.0f} ms, p99 {load['p99_ms']:.0f} ms, {load['lost']} lost; CPU µs/message "
          + ", ".join(f"{name} {value:.0f}" for name, value in load["cpu_us_per_message"].items()))
    print(f"  (median of runs at {', '.join(f'{value:,.0f}' for value in load['runs_messages_per_s'])} messages/s)")
    echo = results["gateway_load_echo"]
    print(f"  route responses only (echo): {echo['messages_per_s']:,.0f} messages/s, p50 {echo['p50_ms']:.0f} ms, "
          f"p99 {echo['p99_ms']:.0f} ms, {echo['lost']} lost; CPU µs/message "
          + ", ".join(f"{name} {value:.0f}" for name, value in echo["cpu_us_per_message"].items()))
    if ric:
        print(f"\nawslambdaric: {ric['awslambdaric_us']:.1f} µs/invocation ({ric['loop_speedup']:.2f}× slower than ours), "
              f"cold start {ric['awslambdaric_cold_ms']:.0f} ms ({ric['cold_start_speedup']:.1f}× slower)")
    if not ric:
        print("\nawslambdaric: not installed (pip install awslambdaric), skipped")
    print(f"\nmock CPU share during the warm loop: {loop['mock_cpu_share']:.0%} of one core (not the bottleneck)")


if __name__ == "__main__":
    main()
