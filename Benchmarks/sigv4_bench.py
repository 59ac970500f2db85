"""SigV4 signing of one PostToConnection request: HandlerKit's SigV4Signer (bench-sigv4) against botocore's
SigV4Auth signing the same request, in the same run (CPU µs per signature, alternating rounds), plus
instructions (callgrind) and heap allocations per signature of ours."""
from __future__ import annotations

import datetime
import json
import statistics
import subprocess
import time
from pathlib import Path

import runtime_bench as rb


def build() -> Path:
    return rb.build_swift_product("bench-sigv4")


def ours_us(binary: Path, iterations: int) -> tuple[float, float | None]:
    result = subprocess.run([str(binary), "--iterations", str(iterations)], capture_output=True, text=True,
                            check=True, timeout=600, env={**rb.COUNTING_ENV, "LD_PRELOAD": str(rb.ALLOC_COUNTER)})
    line = json.loads(result.stdout.strip().splitlines()[-1])
    return line["cpu_us"], line["allocations"]


def botocore_us(iterations: int) -> float:
    """botocore's SigV4Auth on the same request, as boto3's post_to_connection signs it."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    credentials = Credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    url = "https://abcdef1234.execute-api.us-east-1.amazonaws.com/dev/%40connections/L0SM9cOFvHcCIhw%3D"
    body = b"a" * 200
    signer = SigV4Auth(credentials, "execute-api", "us-east-1")

    def sign() -> None:
        request = AWSRequest(method="POST", url=url, data=body, headers={"Content-Type": "application/octet-stream"})
        request.context["timestamp"] = "20261125T073912Z"
        signer.add_auth(request)

    for _ in range(200):
        sign()
    start = time.process_time()
    for _ in range(iterations):
        sign()
    return (time.process_time() - start) / iterations * 1e6


def instructions_per_signature(binary: Path, low: int = 1000, high: int = 5000) -> float:
    def collected(count: int) -> int:
        return rb.callgrind_instructions([str(binary), "--run", str(count)])

    return (collected(high) - collected(low)) / (high - low)


def measure(binary: Path, rounds: int = 5, iterations: int = 20_000) -> dict:
    ours, theirs, allocations = [], [], None
    for _ in range(rounds):
        us, allocations = ours_us(binary, iterations)
        ours.append(us)
        theirs.append(botocore_us(max(1000, iterations // 10)))
    return {
        "ours_us": statistics.median(ours),
        "botocore_us": statistics.median(theirs),
        "speedup": statistics.median(b / a for a, b in zip(ours, theirs)),
        "allocations": allocations,
        "instructions": instructions_per_signature(binary),
        "rounds": rounds,
    }


if __name__ == "__main__":
    rb.build_tools()
    print(json.dumps(measure(build()), indent=2))
