"""Many clients at once through the local gateway and the chat app: every message arrives, none is lost or
delivered to the wrong socket. The load check itself (Benchmarks/gateway-load/load.py), run small: this is
a correctness test (no timing is asserted), not a benchmark."""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "Benchmarks" / "gateway-load"))
import load  # noqa: E402


def test_concurrent_clients_lose_no_message(start_gateway):
    gateway = start_gateway("--instances", "2", function="Handlers")
    result = asyncio.run(load.run_load(gateway.url, clients=40, duration=3, mode="sendMessage",
                                       answer_timeout=60, gateway_pid=None))
    assert result["client_errors"] == []
    assert result["messages"] > 40  # every client got at least one round trip
    assert result["lost"] == 0, result


def test_echo_routes_answer_each_client_its_own_message(start_gateway):
    gateway = start_gateway("--instances", "2")
    result = asyncio.run(load.run_load(gateway.url, clients=40, duration=3, mode="echo",
                                       answer_timeout=60, gateway_pid=None))
    assert result["client_errors"] == []
    assert result["messages"] > 40
    assert result["lost"] == 0, result
