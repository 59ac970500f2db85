"""The deployment zip runs where there is no Swift, no libcurl and no glibc: an empty root with a static busybox.

`lambda-local package` builds it; these tests check its layout, that its bundled loader finds every library in
lib/, and (as root, which CI is) run its bootstrap in a root that holds nothing but the unzipped function, a
static busybox as /bin/sh and what every Lambda execution environment has (/proc, /dev/null, /tmp, /etc/hosts),
as an unprivileged user, with /var/task read-only and decoy libraries where the host's would be.
"""
from __future__ import annotations

import http.server
import json
import os
import platform
import shlex
import shutil
import ssl
import subprocess
import tempfile
import threading
import urllib.request
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import ROOT, products_dir

EVENTS = ROOT / "Tests" / "e2e" / "events"
LOADER = {"x86_64": "ld-linux-x86-64.so.2", "aarch64": "ld-linux-aarch64.so.1"}.get(platform.machine(), "ld-linux-x86-64.so.2")
NOBODY = "65534:65534"
# What Lambda sets for provided.al2023 functions; LD_LIBRARY_PATH points at directories the loader must not use.
LAMBDA_ENVIRONMENT = {
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "_HANDLER": "bootstrap",
    "LD_LIBRARY_PATH": "/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib",
    "PATH": "/usr/local/bin:/usr/bin/:/bin:/opt/bin",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
}
DECOY_DIRECTORIES = ["lib64", "usr/lib64", "lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "opt/lib"]
requires_root = pytest.mark.skipif(os.geteuid() != 0, reason="chroot and mounts need root (CI runs as root)")


@pytest.fixture(scope="module")
def function_zip() -> Path:
    lambda_local = products_dir() / "lambda-local"
    result = subprocess.run([str(lambda_local), "package", "--product", "Handlers"], cwd=ROOT,
                            capture_output=True, text=True, timeout=3600)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    zip_path = Path(lines[0])
    assert zip_path.exists()
    assert lines[1].startswith("zip "), lines
    return zip_path


@pytest.fixture(scope="module")
def unzipped(function_zip: Path):
    directory = Path(tempfile.mkdtemp(prefix="function-"))
    subprocess.run(["unzip", "-q", str(function_zip), "-d", str(directory)], check=True)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def test_zip_layout(function_zip):
    with zipfile.ZipFile(function_zip) as archive:
        infos = {info.filename: info for info in archive.infolist()}
    assert {"bootstrap", "Handlers", f"lib/{LOADER}", "lib/libc.so.6", "lib/libcurl.so.4"} <= set(infos)
    for name, info in infos.items():
        mode = info.external_attr >> 16
        assert mode & 0o170000 == 0o100000, f"{name} is not a regular file"
        assert mode & 0o004, f"{name} is not readable by the function's unprivileged user"
    for name in ("bootstrap", "Handlers", f"lib/{LOADER}"):
        assert infos[name].external_attr >> 16 & 0o001, f"{name} must be executable by everyone"


def test_bootstrap_is_the_repository_template(function_zip):
    with zipfile.ZipFile(function_zip) as archive:
        written = archive.read("bootstrap").decode()
    # The repository's bootstrap is the x86_64 one; on arm64 only the loader's name differs.
    assert written == (ROOT / "bootstrap").read_text().replace("ld-linux-x86-64.so.2", LOADER)


def test_bundled_loader_finds_every_library_in_lib(unzipped):
    lib = unzipped / "lib"
    listing = subprocess.run([str(lib / LOADER), "--library-path", str(lib), "--list", str(unzipped / "Handlers")],
                             capture_output=True, text=True, check=True).stdout
    resolved = [line.split("=>")[1].split("(")[0].strip() for line in listing.splitlines() if "=>" in line]
    assert len(resolved) > 10 and any(path.endswith("/libcurl.so.4") for path in resolved), listing
    outside = [path for path in resolved if not path.startswith(f"{lib}/") and not path.endswith(LOADER)]
    assert outside == [], f"libraries from outside the bundle: {outside}"


class EmptyRoot:
    """A directory that holds only what every Lambda environment has, plus the unzipped function in /var/task."""

    def __init__(self, function_zip: Path):
        self.path = Path(tempfile.mkdtemp(prefix="lambda-root-"))
        self.mounts: list[Path] = []
        root = self.path
        root.chmod(0o755)  # mkdtemp's 0700 would lock the unprivileged user out of its own root
        (root / "bin").mkdir()
        shutil.copy("/bin/busybox", root / "bin" / "busybox")
        (root / "bin" / "sh").symlink_to("busybox")
        (root / "tmp").mkdir(mode=0o1777)
        (root / "tmp").chmod(0o1777)
        (root / "dev").mkdir()
        subprocess.run(["mknod", "-m", "666", str(root / "dev" / "null"), "c", "1", "3"], check=True)
        subprocess.run(["mknod", "-m", "444", str(root / "dev" / "urandom"), "c", "1", "9"], check=True)
        (root / "etc").mkdir()
        (root / "etc" / "hosts").write_text("127.0.0.1 localhost management.lambda.test\n")
        (root / "etc" / "nsswitch.conf").write_text("hosts: files dns\n")
        task = root / "var" / "task"
        task.mkdir(parents=True)
        subprocess.run(["unzip", "-q", str(function_zip), "-d", str(task)], check=True)
        # Broken files named like every bundled library where the host's libraries live: loading any of them
        # instead of lib/'s copy fails the start.
        for directory in DECOY_DIRECTORIES:
            (root / directory).mkdir(parents=True, exist_ok=True)
            for library in (task / "lib").iterdir():
                (root / directory / library.name).write_bytes(b"decoy: not the bundled library\n")
        self.mount(["-t", "proc", "proc"], root / "proc")
        # Lambda's /var/task is read-only.
        self.mount(["--bind", str(task)], task)
        subprocess.run(["mount", "-o", "remount,bind,ro", str(task)], check=True)

    def mount(self, arguments: list[str], target: Path) -> None:
        target.mkdir(exist_ok=True)
        subprocess.run(["mount", *arguments, str(target)], check=True)
        self.mounts.append(target)

    def command(self, *arguments: str, environment: dict[str, str] | None = None) -> list[str]:
        """`arguments` run inside the root as an unprivileged user, with only `environment` set."""
        variables = [f"{key}={value}" for key, value in (environment or {}).items()]
        return ["env", "-i", *variables, shutil.which("chroot") or "/usr/sbin/chroot", f"--userspec={NOBODY}",
                str(self.path), *arguments]

    def remove(self) -> None:
        for target in reversed(self.mounts):
            subprocess.run(["umount", str(target)], check=False)
        if not any(os.path.ismount(target) for target in self.mounts):
            shutil.rmtree(self.path, ignore_errors=True)


@pytest.fixture
def empty_root(function_zip):
    root = EmptyRoot(function_zip)
    yield root
    root.remove()


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


@requires_root
def test_bootstrap_runs_in_an_empty_root(empty_root):
    # What Lambda does: run /var/task/bootstrap inside the function's root, as an unprivileged user, with
    # its environment; the Runtime API address comes from lambda-local serve.
    wrapper = empty_root.path.parent / (empty_root.path.name + "-start.sh")
    command = empty_root.command("/var/task/bootstrap", environment=LAMBDA_ENVIRONMENT)
    assert command[:2] == ["env", "-i"]
    # env -i clears everything; the Runtime API address lambda-local serve gives the wrapper goes back in.
    wrapper.write_text('#!/bin/sh\nexec env -i AWS_LAMBDA_RUNTIME_API="$AWS_LAMBDA_RUNTIME_API" '
                       + shlex.join(command[2:]) + "\n")
    wrapper.chmod(0o755)
    plain_port, packaged_port = free_port(), free_port()
    plain = serve(str(products_dir() / "Handlers"), [], plain_port)
    packaged = serve(str(wrapper), [], packaged_port)
    try:
        events = sorted(EVENTS.glob("*.json"))
        assert events, "recorded events missing"
        for event_file in events:
            event = event_file.read_bytes()
            expected = invoke(plain_port, event)
            actual = invoke(packaged_port, event)
            # Key order in JSON objects is not fixed from one process to the next: compare values.
            assert json.loads(actual[0]) == json.loads(expected[0]), f"{event_file.name}: {actual!r} != {expected!r}"
            assert actual[1] == expected[1], f"{event_file.name}: function error {actual[1]!r} != {expected[1]!r}"
    finally:
        for process in (plain, packaged):
            process.terminate()
            process.wait(timeout=20)
        stderr = packaged.stderr.read()
        wrapper.unlink(missing_ok=True)
    assert "error while loading shared libraries" not in stderr
    assert "decoy" not in stderr


def make_certificates(directory: Path, host: str) -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for `host` signed by it: (ca.crt, server.crt, server.key)."""
    def openssl(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=LambdaSockets test CA",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", "server.key", "-out", "server.csr", "-subj", f"/CN={host}")
    (directory / "server.ext").write_text(f"subjectAltName=DNS:{host}\n")
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", "server.crt", "-days", "2", "-extfile", "server.ext")
    return directory / "ca.crt", directory / "server.crt", directory / "server.key"


@contextmanager
def https_server(certificate: Path, key: Path, body: bytes):
    """An HTTPS server on 127.0.0.1 (ephemeral port) answering every GET with `body`."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


@requires_root
def test_bundled_tls_stack_trusts_the_amazon_linux_ca_file(empty_root, tmp_path):
    """libcurl, OpenSSL and glibc from lib/ verify a server against a CA file at Amazon Linux's path.

    The probe is the curl command-line tool run through the bundled loader, so it uses exactly the bundled
    libcurl and OpenSSL. Debian's libcurl has Debian's CA paths compiled in; they do not exist on Amazon Linux
    (nor in this root), so an HTTPS client must name the CA file itself, as HandlerKit's CA discovery does.
    """
    curl = shutil.which("curl")
    if curl is None or shutil.which("openssl") is None:
        pytest.skip("needs the curl and openssl command-line tools")
    needed = subprocess.run(["ldd", curl], capture_output=True, text=True, check=True).stdout
    bundled = {path.name for path in (empty_root.path / "var/task/lib").iterdir()}
    missing = [line.split()[0] for line in needed.splitlines()
               if "=>" in line and line.split()[0] not in bundled]
    if missing:
        pytest.skip(f"the curl tool needs libraries the bundle does not hold: {missing}")

    host = "management.lambda.test"
    ca, certificate, key = make_certificates(tmp_path, host)
    ca_directory = empty_root.path / "etc/pki/tls/certs"
    ca_directory.mkdir(parents=True)
    shutil.copy(ca, ca_directory / "ca-bundle.crt")
    (empty_root.path / "opt/probe").mkdir(parents=True)
    shutil.copy(curl, empty_root.path / "opt/probe/curl")

    def probe(port: int, *options: str) -> subprocess.CompletedProcess:
        command = empty_root.command(f"/var/task/lib/{LOADER}", "--library-path", "/var/task/lib", "/opt/probe/curl",
                                     "--silent", "--show-error", "--max-time", "30", *options,
                                     f"https://{host}:{port}/", environment=LAMBDA_ENVIRONMENT)
        return subprocess.run(command, capture_output=True, text=True, timeout=60)

    with https_server(certificate, key, b"verified") as port:
        trusted = probe(port, "--cacert", "/etc/pki/tls/certs/ca-bundle.crt")
        assert (trusted.returncode, trusted.stdout) == (0, "verified"), trusted.stderr
        compiled_in = probe(port)
    # CURLE_SSL_CACERT_BADFILE (77): the compiled-in /etc/ssl/certs/ca-certificates.crt is not there;
    # CURLE_PEER_FAILED_VERIFICATION (60) from a libcurl that falls back to an empty default store.
    assert compiled_in.returncode in (77, 60), (compiled_in.returncode, compiled_in.stderr)


def lambda_local_package(*arguments: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([str(products_dir() / "lambda-local"), "package", *arguments], cwd=cwd,
                          capture_output=True, text=True, timeout=3600)


def test_a_package_with_several_executables_needs_product():
    result = lambda_local_package()
    assert result.returncode != 0
    assert "several executable products" in result.stderr and "Handlers" in result.stderr, result.stderr


def test_an_unknown_product_is_a_clear_error():
    result = lambda_local_package("--product", "NoSuchProduct", "--skip-build")
    assert result.returncode != 0
    assert "NoSuchProduct" in result.stderr, result.stderr


@pytest.fixture(scope="module")
def other_package_zip(tmp_path_factory) -> Path:
    """Another package's only executable product, packaged without naming it: packaging is not for ours alone."""
    package = tmp_path_factory.mktemp("greeter")
    (package / "Package.swift").write_text(
        '// swift-tools-version:6.0\nimport PackageDescription\n\n'
        'let package = Package(name: "Greeter", targets: [.executableTarget(name: "greeter")])\n')
    (package / "Sources" / "greeter").mkdir(parents=True)
    (package / "Sources" / "greeter" / "main.swift").write_text(
        'print("greetings, \\(CommandLine.arguments.dropFirst().joined(separator: " "))")\n')
    result = lambda_local_package(cwd=package)
    assert result.returncode == 0, result.stderr[-3000:]
    zip_path = Path(result.stdout.splitlines()[0])
    assert zip_path == package / ".build" / "lambda" / "greeter" / "function.zip"
    return zip_path


def test_another_packages_only_product_is_packaged_and_runs(other_package_zip, tmp_path):
    subprocess.run(["unzip", "-q", str(other_package_zip), "-d", str(tmp_path)], check=True)
    assert (tmp_path / "greeter").exists() and not (tmp_path / "lib" / "libcurl.so.4").exists()
    result = subprocess.run([str(tmp_path / "bootstrap"), "from", "the bootstrap"], capture_output=True, text=True,
                            env={"LAMBDA_TASK_ROOT": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert (result.returncode, result.stdout) == (0, "greetings, from the bootstrap\n"), result.stderr


@requires_root
def test_another_packages_product_runs_in_an_empty_root(other_package_zip):
    root = EmptyRoot(other_package_zip)
    try:
        result = subprocess.run(root.command("/var/task/bootstrap", "in", "an", "empty", "root",
                                             environment=LAMBDA_ENVIRONMENT),
                                capture_output=True, text=True, timeout=60)
    finally:
        root.remove()
    assert (result.returncode, result.stdout) == (0, "greetings, in an empty root\n"), result.stderr
