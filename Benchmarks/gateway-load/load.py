"""Load check of the local gateway: many WebSocket clients in a closed loop against `lambda-local gateway`.

Each client opens one connection, asks the function for its connection id (`whoAmI`), then for the whole
run sends `{"action": "sendMessage", "connectionId": <itself>, "message": "load <n>"}`, waits until that text
arrives back on its socket, and sends the next one (one message in flight per client). The reference chat
application (`Handlers`) delivers it with a SigV4-signed `@connections` POST through its management client,
so every message crosses the gateway, the Runtime API mock, the function and the management API. Other
frames (the route's `{"type": "sent"}` reply, channel notices) are skipped. Reports messages per second,
round-trip percentiles and lost messages (sent but never delivered), and the CPU time per message of the
client, the gateway and the function processes. Not a test: numbers depend on the machine.

The clients run in `bench-gateway-client` (SwiftNIO, one thread: about 70 µs of CPU a message) by default, so
that the load generator leaves the machine's cores to what it measures; `--client python` runs them in this
process with the `websockets` package instead (about 200-280 µs a message on the same machine).

    python3 Benchmarks/gateway-load/load.py                  # 200 clients, 10 s, 4 function processes, release
    python3 Benchmarks/gateway-load/load.py --mode echo      # the route response only (test function's echo)
    python3 Benchmarks/gateway-load/load.py --client python  # the clients in Python (websockets)
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parents[2]


def build(configuration: str, function: str) -> Path:
    """Builds lambda-local, the function and the load client; returns the products directory."""
    for product in ("lambda-local", function, "bench-gateway-client"):
        subprocess.run(["swift", "build", "-c", configuration, "--product", product], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    path = subprocess.run(["swift", "build", "-c", configuration, "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True)
    return Path(path.stdout.strip())


@dataclass
class ClientStats:
    sent: int = 0
    received: int = 0
    unexpected: int = 0
    skipped: int = 0
    round_trips: list[float] = field(default_factory=list)


def connection_id(frame: str) -> str | None:
    """The id in a `whoAmI` reply (`{"type": "whoAmI", "connectionId": …}`, or the bare id), else None."""
    try:
        reply = json.loads(frame)
    except ValueError:
        return frame
    return reply.get("connectionId") if isinstance(reply, dict) and reply.get("type") == "whoAmI" else None


async def answer(ws, expected: str, stats: ClientStats, deadline: float) -> bool:
    """Waits for the frame `expected`, skipping others; False when it does not come before `deadline`."""
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return False
        try:
            frame = await asyncio.wait_for(ws.recv(), remaining)
        except asyncio.TimeoutError:
            return False
        if frame == expected:
            return True
        stats.skipped += 1


async def client(url: str, mode: str, opened: list[int], start: asyncio.Event, stop_at: list[float],
                 stats: ClientStats, answer_timeout: float) -> None:
    async with websockets.connect(url, max_queue=None, ping_interval=None, compression=None,
                                  open_timeout=60) as ws:
        me = None
        if mode == "sendMessage":
            await ws.send(json.dumps({"action": "whoAmI"}))
            while me is None:
                me = connection_id(await ws.recv())
        opened[0] += 1
        await start.wait()
        sequence = 0
        while time.monotonic() < stop_at[0]:
            sequence += 1
            text = f"load {sequence}"
            if mode == "sendMessage":
                message = json.dumps({"action": "sendMessage", "connectionId": me, "message": text})
            else:
                message = json.dumps({"action": "echo", "message": text})
            began = time.perf_counter()
            await ws.send(message)
            stats.sent += 1
            if not await answer(ws, text, stats, began + answer_timeout):
                continue  # lost: counted as sent but never delivered
            stats.round_trips.append(time.perf_counter() - began)
            stats.received += 1


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """Live child processes of `pid` (the gateway's function processes)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, ValueError):
                pass
    return found


def cpu_snapshot(gateway_pid: int | None) -> dict[str, float]:
    """CPU seconds so far of this client, the gateway, and its function processes together."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    snapshot = {"client": usage.ru_utime + usage.ru_stime}
    if gateway_pid is not None:
        snapshot["gateway"] = cpu_seconds(gateway_pid)
        snapshot["functions"] = sum(cpu_seconds(child) for child in children(gateway_pid))
    return snapshot


async def run_load(url: str, clients: int, duration: float, mode: str, answer_timeout: float,
                   gateway_pid: int | None) -> dict:
    start = asyncio.Event()
    stop_at = [0.0]
    all_stats = [ClientStats() for _ in range(clients)]
    opened = [0]
    tasks = [asyncio.create_task(client(url, mode, opened, start, stop_at, s, answer_timeout)) for s in all_stats]
    # Every connection opens (each runs $connect) before the clock starts.
    while opened[0] + sum(1 for t in tasks if t.done()) < clients:
        await asyncio.sleep(0.05)
    began = time.monotonic()
    cpu_before = cpu_snapshot(gateway_pid)
    stop_at[0] = began + duration
    start.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    elapsed = time.monotonic() - began
    cpu_after = cpu_snapshot(gateway_pid)
    errors = [r for r in results if isinstance(r, BaseException)]
    sent = sum(s.sent for s in all_stats)
    received = sum(s.received for s in all_stats)
    trips = sorted(t for s in all_stats for t in s.round_trips)
    return {
        "clients": clients,
        "duration_s": round(elapsed, 2),
        "messages": received,
        "messages_per_s": round(received / elapsed, 1),
        "p50_ms": round(1000 * trips[len(trips) // 2], 2) if trips else None,
        "p99_ms": round(1000 * trips[min(len(trips) - 1, int(len(trips) * 0.99))], 2) if trips else None,
        "max_ms": round(1000 * trips[-1], 2) if trips else None,
        "sent": sent,
        "lost": sent - received,
        "other_frames": sum(s.skipped for s in all_stats),
        "client_errors": [repr(e) for e in errors[:5]],
        # CPU time per delivered message, by process: where the machine's cores went.
        "cpu_us_per_message": {name: round(1e6 * (cpu_after[name] - cpu_before[name]) / max(received, 1), 1)
                               for name in cpu_after},
    }


def run_compiled_load(client: Path, url: str, clients: int, duration: float, mode: str, answer_timeout: float,
                      gateway_pid: int | None) -> dict:
    """The same closed loop in bench-gateway-client; CPU times are read once its connections are open and
    again when it has finished."""
    process = subprocess.Popen([str(client), "--url", url, "--clients", str(clients), "--duration", str(duration),
                                "--mode", mode, "--answer-timeout", str(answer_timeout), "--wait"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    ready = process.stdout.readline()
    if not ready.startswith("ready"):
        process.kill()
        raise RuntimeError(f"bench-gateway-client did not get ready: {ready!r}")

    def snapshot() -> dict[str, float]:
        values = cpu_snapshot(gateway_pid)
        values["client"] = cpu_seconds(process.pid)
        return values

    before = snapshot()
    process.stdin.write("go\n")
    process.stdin.flush()
    line = process.stdout.readline()
    after = snapshot()
    process.wait(timeout=60)
    result = json.loads(line)
    received = max(result["messages"], 1)
    result["cpu_us_per_message"] = {name: round(1e6 * (after[name] - before[name]) / received, 1) for name in after}
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--instances", type=int, default=4,
                        help="function processes polling the Runtime API (4: more messages/s than 3 in paired runs on "
                             "2 cores; 6, 8 and 12 were no better)")
    parser.add_argument("--mode", choices=["sendMessage", "echo"], default="sendMessage")
    parser.add_argument("--function", help="function product (default: Handlers for sendMessage, "
                        "GatewayTestFunction for echo)")
    parser.add_argument("--configuration", choices=["release", "debug"], default="release")
    parser.add_argument("--answer-timeout", type=float, default=10, help="seconds before an answer counts as lost")
    parser.add_argument("--json", help="also write the result to this file")
    parser.add_argument("--url", help="an already running gateway (skips starting one)")
    parser.add_argument("--gateway-pid", type=int, help="with --url: that gateway's process, for its CPU times")
    parser.add_argument("--client", choices=["swift", "python"], default="swift",
                        help="where the clients run: bench-gateway-client (default) or this Python process")
    args = parser.parse_args()

    gateway = None
    url = args.url
    function = args.function or ("Handlers" if args.mode == "sendMessage" else "GatewayTestFunction")
    bin_dir = build(args.configuration, function)
    if url is None:
        log = tempfile.NamedTemporaryFile(prefix="gateway-load-", suffix=".log", delete=False)
        gateway = subprocess.Popen(
            [str(bin_dir / "lambda-local"), "gateway", "--function", str(bin_dir / function),
             "--port", "0", "--runtime-api-port", "0", "--instances", str(args.instances)],
            stdout=subprocess.PIPE, stderr=log, text=True)
        line = gateway.stdout.readline()
        match = re.search(r"ws://\S+", line)
        if not match:
            gateway.kill()
            print(f"gateway did not start: {line!r}; see {log.name}", file=sys.stderr)
            return 1
        url = match.group(0)
    try:
        gateway_pid = gateway.pid if gateway is not None else args.gateway_pid
        if args.client == "swift":
            result = run_compiled_load(bin_dir / "bench-gateway-client", url, args.clients, args.duration, args.mode,
                                       args.answer_timeout, gateway_pid)
        else:
            result = asyncio.run(run_load(url, args.clients, args.duration, args.mode, args.answer_timeout,
                                          gateway_pid))
    finally:
        if gateway is not None:
            gateway.send_signal(signal.SIGINT)
            gateway.wait(timeout=30)
    result.update({"client": args.client, "mode": args.mode, "instances": args.instances, "configuration": args.configuration,
                   "cpus": os.cpu_count()})
    print(json.dumps(result, indent=2))
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
