#!/usr/bin/env python3
"""Broadcast one 200-byte message to 1,000 connection ids on one local endpoint, three ways, alternating:
  swift  ManagementClient.broadcast (libcurl handle pool, 16 concurrent)
  boto3  a post_to_connection loop (what a Python Lambda does)
  curl   one `curl --aws-sigv4` process with 1,000 URLs on one reused connection
Prints each run, then medians and throughput ratios.

Usage: Benchmarks/broadcast/run.py [--rounds 5] [--count 1000] [--size 200]
(builds nothing: run `swift build -c release --product broadcast-bench` first)
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
KEY, SECRET, TOKEN = "AKIDBENCH", "bench-secret", "bench-token"


def start_endpoint(scratch):
    """Compiles and starts fast-endpoint.c (epoll, keep-alive, 200 for everything)."""
    binary = os.path.join(scratch, "fast-endpoint")
    subprocess.run(["cc", "-O2", "-o", binary, os.path.join(HERE, "fast-endpoint.c")], check=True)
    process = subprocess.Popen([binary], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    port = int(process.stdout.readline())
    return process, f"http://127.0.0.1:{port}/prod"


def run_swift(binary, endpoint, count, size):
    output = subprocess.run([binary, endpoint, str(count), str(size), "16"], check=True,
                            capture_output=True, text=True).stdout
    return float(output.strip())


def run_boto3(client, count, payload):
    ids = [f"conn{i}AbCdEfG=" for i in range(count)]
    start = time.perf_counter()
    for connection_id in ids:
        client.post_to_connection(ConnectionId=connection_id, Data=payload)
    return time.perf_counter() - start


def run_curl(config_path):
    start = time.perf_counter()
    subprocess.run(["curl", "--config", config_path], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def curl_config(endpoint, count, payload_path):
    lines = [
        f'aws-sigv4 = "aws:amz:eu-west-1:execute-api"', f'user = "{KEY}:{SECRET}"',
        f'header = "x-amz-security-token: {TOKEN}"', 'header = "Content-Type: application/octet-stream"',
        f'data-binary = "@{payload_path}"', "silent", "fail",
    ]
    lines += [f'url = "{endpoint}/@connections/conn{i}AbCdEfG%3D"' for i in range(count)]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--size", type=int, default=200)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args()

    binary = os.path.join(ROOT, ".build", "release", "broadcast-bench")
    if not os.path.exists(binary):
        sys.exit("build it first: swift build -c release --product broadcast-bench")
    import boto3

    payload = b"x" * args.size
    with tempfile.TemporaryDirectory() as scratch:
        endpoint_process, endpoint = start_endpoint(scratch)
        boto_client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint, region_name="eu-west-1",
                                   aws_access_key_id=KEY, aws_secret_access_key=SECRET, aws_session_token=TOKEN)
        payload_path = os.path.join(scratch, "payload")
        with open(payload_path, "wb") as file:
            file.write(payload)
        config_path = os.path.join(scratch, "curl.config")
        with open(config_path, "w") as file:
            file.write(curl_config(endpoint, args.count, payload_path))

        results = {"swift": [], "boto3": [], "curl": []}
        for round_number in range(args.rounds):
            order = ["swift", "boto3", "curl"] if round_number % 2 == 0 else ["curl", "boto3", "swift"]
            for name in order:
                if name == "swift":
                    seconds = run_swift(binary, endpoint, args.count, args.size)
                elif name == "boto3":
                    seconds = run_boto3(boto_client, args.count, payload)
                else:
                    seconds = run_curl(config_path)
                results[name].append(seconds)
                print(f"round {round_number + 1} {name:5} {seconds * 1000:8.1f} ms  {args.count / seconds:9.0f} msg/s",
                      flush=True)
        endpoint_process.stdin.close()
        endpoint_process.wait()

    medians = {name: statistics.median(values) for name, values in results.items()}
    # Ratios per round (each pair ran back to back), then their median: robust to the machine's drift.
    versus = {other: statistics.median(o / s for o, s in zip(results[other], results["swift"]))
              for other in ("boto3", "curl")}
    print(f"\nmedians over {args.rounds} rounds, {args.count} messages of {args.size} B:")
    for name, seconds in medians.items():
        print(f"  {name:5} {seconds * 1000:8.1f} ms  {args.count / seconds:9.0f} msg/s")
    print(f"  swift vs boto3: {versus['boto3']:.1f}x throughput (median of paired ratios)")
    print(f"  swift vs curl:  {versus['curl']:.1f}x throughput (median of paired ratios)")
    if args.json:
        with open(args.json, "w") as file:
            json.dump({"count": args.count, "size": args.size, "rounds": args.rounds,
                       "median_ms": {name: round(1000 * seconds, 1) for name, seconds in medians.items()},
                       "swift_vs_boto3": round(versus["boto3"], 2), "swift_vs_curl": round(versus["curl"], 2)},
                      file, indent=2)

if __name__ == "__main__":
    main()
