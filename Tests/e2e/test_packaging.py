"""The deployment zip runs where there is no Swift, no libcurl and no glibc: an empty root with a static busybox."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, products_dir

EVENTS = ROOT / "Tests" / "e2e" / "events"


@pytest.fixture(scope="module")
def function_zip() -> Path:
    lambda_local = products_dir() / "lambda-local"
    result = subprocess.run([str(lambda_local), "package", "--product", "Handlers"], cwd=ROOT,
                            capture_output=True, text=True, timeout=1800)
    assert result.returncode == 0, result.stderr[-3000:]
    zip_path = Path(result.stdout.splitlines()[0])
    assert zip_path.exists()
    return zip_path


def test_zip_layout(function_zip):
    with zipfile.ZipFile(function_zip) as archive:
        names = set(archive.namelist())
        bootstrap = archive.getinfo("bootstrap")
        assert (bootstrap.external_attr >> 16) & 0o111, "bootstrap must be executable"
    assert {"bootstrap", "Handlers", "lib/ld-linux-x86-64.so.2", "lib/libc.so.6", "lib/libcurl.so.4"} <= names


def make_empty_root(function_zip: Path) -> Path:
    """/bin/sh (static busybox), /tmp, /dev/null, /proc and the unzipped function in /var/task: nothing else.

    /proc is there because every Lambda execution environment has it, and the Swift runtime needs it: without
    it, start-up sometimes traps.
    """
    root = Path(tempfile.mkdtemp(prefix="lambda-root-"))
    (root / "bin").mkdir()
    shutil.copy("/bin/busybox", root / "bin" / "busybox")
    (root / "bin" / "sh").symlink_to("busybox")
    (root / "tmp").mkdir()
    (root / "dev").mkdir()
    subprocess.run(["mknod", "-m", "666", str(root / "dev" / "null"), "c", "1", "3"], check=True)
    (root / "proc").mkdir()
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)
    task = root / "var" / "task"
    task.mkdir(parents=True)
    subprocess.run(["unzip", "-q", str(function_zip), "-d", str(task)], check=True)
    return root


def free_port() -> int:
    import socket
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(function: str, env: list[str], port: int) -> subprocess.Popen:
    lambda_local = products_dir() / "lambda-local"
    process = subprocess.Popen([str(lambda_local), "serve", "--function", function, "--port", str(port), *env],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    process.stdout.readline()  # "Invoke: curl …" once listening
    return process


def invoke(port: int, event: bytes) -> tuple[bytes, str | None]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations",
                                     data=event, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        return response.read(), response.headers.get("X-Amz-Function-Error")


@pytest.mark.skipif(os.geteuid() != 0, reason="chroot needs root (CI runs as root)")
def test_bootstrap_runs_in_an_empty_root(function_zip):
    root = make_empty_root(function_zip)
    wrapper = root.parent / (root.name + "-start.sh")
    # What Lambda does: run /var/task/bootstrap with LAMBDA_TASK_ROOT set, inside the function's root.
    chroot = shutil.which("chroot") or "/usr/sbin/chroot"
    wrapper.write_text(f"#!/bin/sh\nexec {chroot} {root} /var/task/bootstrap\n")
    wrapper.chmod(0o755)
    plain_port, packaged_port = free_port(), free_port()
    plain = serve(str(products_dir() / "Handlers"), [], plain_port)
    packaged = serve(str(wrapper), ["--env", "LAMBDA_TASK_ROOT=/var/task"], packaged_port)
    try:
        events = sorted(EVENTS.glob("*.json"))
        assert events, "recorded events missing"
        for event_file in events:
            event = event_file.read_bytes()
            expected = invoke(plain_port, event)
            actual = invoke(packaged_port, event)
            assert actual == expected, f"{event_file.name}: packaged {actual!r} != plain {expected!r}"
            json.loads(actual[0])
    finally:
        for process in (plain, packaged):
            process.terminate()
            process.wait(timeout=20)
        stderr = packaged.stderr.read()
        subprocess.run(["umount", str(root / "proc")], check=False)
        shutil.rmtree(root, ignore_errors=True)
        wrapper.unlink(missing_ok=True)
    assert "error while loading shared libraries" not in stderr
