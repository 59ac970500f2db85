"""The deployment zip runs where there is no Swift, no libcurl and no glibc: an empty root with a static busybox.

`lambda-local package` builds it; these tests check its layout and size, the minimal libcurl it links in, that its
bundled loader finds and binds every library in lib/, and (as root, which CI is) run its bootstrap in a root that
holds nothing but the unzipped function, a static busybox as /bin/sh and what every Lambda execution environment has
(/proc, /dev/null, /tmp, /etc/hosts), as an unprivileged user, with /var/task read-only and decoy libraries where
the host's would be: against recorded WebSocket events, and over verified HTTPS to a local management API with the
CA file where Amazon Linux keeps it. OpenSSL is set up at the first TLS connection, not at start.
"""
from __future__ import annotations

import errno
import http.server
import json
import os
import platform
import re
import shlex
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.error
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
# CI runs as root and must run these: there (CI=true) a missing root is a failure, not a skip.
requires_root = pytest.mark.skipif(os.geteuid() != 0 and os.environ.get("CI") != "true",
                                   reason="chroot and mounts need root (CI runs as root)")


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
    assert "minimal libcurl (HTTP, HTTPS)" in result.stdout and result.stdout.rstrip().endswith(", linked in"), \
        result.stdout
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
    assert {"bootstrap", "Handlers", f"lib/{LOADER}", "lib/libc.so.6"} <= set(infos)
    for name, info in infos.items():
        mode = info.external_attr >> 16
        assert mode & 0o170000 == 0o100000, f"{name} is not a regular file"
        assert mode & 0o004, f"{name} is not readable by the function's unprivileged user"
    for name in ("bootstrap", "Handlers", f"lib/{LOADER}"):
        assert infos[name].external_attr >> 16 & 0o001, f"{name} must be executable by everyone"


# What Debian's full libcurl brings and an HTTP(S)-only function never loads; libstdc++ and the minimal libcurl
# (with OpenSSL, nghttp2 and zlib) are linked in.
UNNEEDED_LIBRARIES = ["libcurl", "libnghttp2", "libz.", "libgnutls", "librtmp", "libkrb5", "libgssapi", "libldap", "liblber", "libssh2", "libidn2",
                      "libunistring", "libbrotli", "libzstd", "libpsl", "libsasl2", "libp11-kit", "libssl", "libcrypto",
                      "libstdc++"]
ZIP_LIMIT_BYTES = 10_000_000


def test_zip_is_at_most_10_mb_without_libraries_an_https_client_never_loads(function_zip):
    size = function_zip.stat().st_size
    with zipfile.ZipFile(function_zip) as archive:
        libraries = [name for name in archive.namelist() if name.startswith("lib/")]
    unneeded = [name for name in libraries if any(name.startswith(f"lib/{prefix}") for prefix in UNNEEDED_LIBRARIES)]
    assert unneeded == [], f"bundled without need: {unneeded}"
    assert size <= ZIP_LIMIT_BYTES, f"function.zip is {size / 1e6:.2f} MB, over the 10 MB goal; lib/: {libraries}"


CURL_PROTOCOLS_AND_TLS = r"""
#include <curl/curl.h>
#include <stdio.h>
int main(void) {
    curl_version_info_data *info = curl_version_info(CURLVERSION_NOW);
    for (const char *const *protocol = info->protocols; *protocol; protocol++) printf("%s ", *protocol);
    printf("%s %d %s %s\n", info->ssl_version, (info->features & CURL_VERSION_HTTP2) != 0, info->libz_version,
           info->version);
    return 0;
}
"""


def minimal_libcurl_directory() -> Path:
    """The cache entry of the minimal libcurl the package was linked with (the newest)."""
    archives = sorted((ROOT / ".build" / "lambda-libcurl").glob("*/libcurl.a"), key=lambda path: path.stat().st_mtime)
    assert archives, "no minimal libcurl in .build/lambda-libcurl"
    return archives[-1].parent


def test_the_binary_links_the_minimal_libcurl_in_for_a_fixed_address(unzipped):
    binary = unzipped / "Handlers"
    dynamic = subprocess.run(["readelf", "-d", str(binary)], capture_output=True, text=True, check=True).stdout
    needed = re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", dynamic)
    # glibc's libraries and the unwinder only: libcurl, OpenSSL, nghttp2, zlib and libstdc++ are in the binary.
    assert set(needed) <= {"libc.so.6", "libm.so.6", "libgcc_s.so.1", LOADER}, needed
    header = subprocess.run(["readelf", "-h", str(binary)], capture_output=True, text=True, check=True).stdout
    assert re.search(r"Type:\s+EXEC", header), header  # not PIE: no relative relocations for the loader
    relocations = subprocess.run(["readelf", "-r", "-W", str(binary)], capture_output=True, text=True, check=True).stdout
    assert "R_X86_64_RELATIVE" not in relocations and ".relr.dyn" not in relocations


def test_the_linked_libcurl_speaks_http_and_https_only_with_openssl(tmp_path, unzipped):
    # The archive the binary was linked with, linked into a probe that reports what it was built with.
    library = minimal_libcurl_directory()
    source = tmp_path / "probe.c"
    source.write_text(CURL_PROTOCOLS_AND_TLS)
    cflags = subprocess.run(["pkg-config", "--cflags", "libcurl"], capture_output=True, text=True, check=True).stdout.split()
    archives = [str(library / name) for name in ("libcurl.a", "libnghttp2.a", "libssl.a", "libcrypto.a", "libz.a")]
    subprocess.run(["cc", "-o", str(tmp_path / "probe"), *cflags, str(source), *archives], check=True, timeout=120)
    result = subprocess.run([str(tmp_path / "probe")], capture_output=True, text=True, check=True, timeout=60)
    *protocols, tls, http2, zlib_version, version = result.stdout.split()
    assert protocols == ["http", "https"], result.stdout
    assert tls.startswith("OpenSSL/3."), result.stdout
    assert http2 == "1" and zlib_version, result.stdout
    # The binary carries the same OpenSSL and zlib (their version banners are in it) and no shared libcurl.
    binary = (unzipped / "Handlers").read_bytes()
    assert f"OpenSSL {tls.split('/')[1]} ".encode() in binary, tls
    assert f" inflate {zlib_version} ".encode() in binary, zlib_version
    assert version.startswith("7.") and b"libcurl.so" not in binary


def test_bootstrap_is_a_static_launcher_of_the_bundled_loader(function_zip, unzipped):
    # No shell starts first: the bootstrap is a small static executable that execs lib/<loader> at once.
    with zipfile.ZipFile(function_zip) as archive:
        launcher = archive.read("bootstrap")
    assert launcher.startswith(b"\x7fELF") and len(launcher) < 16_384
    assert b"/lib/" + LOADER.encode() in launcher and b"/Handlers" in launcher and b"/bin/sh" not in launcher
    headers = subprocess.run(["readelf", "-lW", str(unzipped / "bootstrap")], capture_output=True, text=True,
                             check=True).stdout
    assert "INTERP" not in headers and "DYNAMIC" not in headers, headers


def test_bundled_loader_finds_every_library_in_lib(unzipped):
    lib = unzipped / "lib"
    listing = subprocess.run([str(lib / LOADER), "--library-path", str(lib), "--list", str(unzipped / "Handlers")],
                             capture_output=True, text=True, check=True).stdout
    resolved = [line.split("=>")[1].split("(")[0].strip() for line in listing.splitlines() if "=>" in line]
    names = {Path(path).name for path in resolved}
    assert {"libc.so.6", LOADER} <= names and "libcurl.so.4" not in names, listing
    outside = [path for path in resolved if not path.startswith(f"{lib}/") and not path.endswith(LOADER)]
    assert outside == [], f"libraries from outside the bundle: {outside}"


def test_bundled_libraries_provide_every_symbol_the_binary_needs(unzipped):
    # What `ldd -r` does: relocate everything at once and report what nothing in lib/ defines (a symbol the
    # bundled glibc lacked would stop the function at its first call to it).
    lib = unzipped / "lib"
    result = subprocess.run([str(lib / LOADER), "--library-path", str(lib), str(unzipped / "Handlers")],
                            env={"LD_TRACE_LOADED_OBJECTS": "1", "LD_BIND_NOW": "1", "LD_WARN": "yes"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "libc.so.6 => " in result.stdout and "libcurl" not in result.stdout, result.stdout
    problems = [line for line in (result.stdout + result.stderr).splitlines()
                if "undefined symbol" in line or "not found" in line or "version `" in line]
    assert problems == [], problems


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


def serve(function: str, env: list[str] | None = None) -> tuple[subprocess.Popen, int]:
    """`lambda-local serve` running `function`, on an ephemeral port: (process, port)."""
    lambda_local = products_dir() / "lambda-local"
    process = subprocess.Popen([str(lambda_local), "serve", "--function", function, "--port", "0", *(env or [])],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = process.stdout.readline()  # "Invoke: curl … http://127.0.0.1:<port>/…" once listening
    match = re.search(r"127\.0\.0\.1:(\d+)/", line)
    if not match:
        process.kill()
        raise AssertionError(f"lambda-local serve did not start: {line!r} {process.stderr.read()}")
    return process, int(match.group(1))


def stop(process: subprocess.Popen) -> str:
    """Stops a `serve` process and returns what it (and its function) wrote on standard error."""
    process.terminate()
    process.wait(timeout=20)
    return process.stderr.read()


def invoke(port: int, event: bytes, timeout: float = 60) -> tuple[bytes, str | None]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/2015-03-31/functions/function/invocations",
                                     data=event, method="POST")
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.read(), response.headers.get("X-Amz-Function-Error")


@contextmanager
def packaged_function(root: EmptyRoot, environment: dict[str, str]):
    """The root's /var/task/bootstrap served by `lambda-local serve`, run as Lambda runs it: inside the root, as an
    unprivileged user, with only `environment` (and the Runtime API address serve gives it) set. Yields the port."""
    wrapper = root.path.parent / (root.path.name + "-start.sh")
    command = root.command("/var/task/bootstrap", environment=environment)
    assert command[:2] == ["env", "-i"]
    # env -i clears everything; the Runtime API address lambda-local serve gives the wrapper goes back in.
    wrapper.write_text('#!/bin/sh\nexec env -i AWS_LAMBDA_RUNTIME_API="$AWS_LAMBDA_RUNTIME_API" '
                       + shlex.join(command[2:]) + "\n")
    wrapper.chmod(0o755)
    process, port = serve(str(wrapper))
    stderr = ""
    try:
        yield port
    finally:
        stderr = stop(process)
        wrapper.unlink(missing_ok=True)
        assert "error while loading shared libraries" not in stderr, stderr
        assert "decoy" not in stderr, stderr


@requires_root
def test_bootstrap_runs_in_an_empty_root(empty_root):
    # What Lambda does: run /var/task/bootstrap inside the function's root, as an unprivileged user, with its
    # environment; answers must be the unpackaged binary's.
    assert os.geteuid() == 0, "the empty-root test needs root (CI runs as root)"
    plain, plain_port = serve(str(products_dir() / "Handlers"))
    try:
        with packaged_function(empty_root, LAMBDA_ENVIRONMENT) as packaged_port:
            events = sorted(EVENTS.glob("*.json"))
            assert [e.name for e in events] == ["connect.json", "disconnect.json", "message-whoami.json"]
            answers = {}
            for event_file in events:
                event = event_file.read_bytes()
                expected = invoke(plain_port, event)
                actual = invoke(packaged_port, event)
                # Key order in JSON objects is not fixed from one process to the next: compare values.
                assert json.loads(actual[0]) == json.loads(expected[0]), f"{event_file.name}: {actual!r} != {expected!r}"
                assert actual[1] == expected[1], f"{event_file.name}: function error {actual[1]!r} != {expected[1]!r}"
                assert actual[1] is None, f"{event_file.name}: the packaged function failed: {actual[0]!r}"
                answers[event_file.name] = json.loads(actual[0])
            # And the answers are the chat's, not two equal failures.
            assert answers["connect.json"]["statusCode"] == 200
            assert answers["disconnect.json"]["statusCode"] == 200
            whoami = answers["message-whoami.json"]
            assert whoami["statusCode"] == 200
            connection_id = json.loads((EVENTS / "message-whoami.json").read_text())["requestContext"]["connectionId"]
            assert json.loads(whoami["body"])["connectionId"] == connection_id
    finally:
        stop(plain)


MANAGEMENT_HOST = "management.lambda.test"  # /etc/hosts in the empty root maps it to 127.0.0.1


def make_certificates(directory: Path, host: str, name: str = "") -> tuple[Path, Path, Path]:
    """A test CA and a server certificate for `host` signed by it: (ca.crt, server.crt, server.key)."""
    def openssl(*arguments: str) -> None:
        subprocess.run(["openssl", *arguments], cwd=directory, check=True, capture_output=True)

    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}ca.key", "-out", f"{name}ca.crt", "-days", "2", "-subj", f"/CN=LambdaSockets test CA {name}",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", f"{name}server.key", "-out", f"{name}server.csr", "-subj", f"/CN={host}")
    (directory / "server.ext").write_text(f"subjectAltName=DNS:{host}\n")
    openssl("x509", "-req", "-in", f"{name}server.csr", "-CA", f"{name}ca.crt", "-CAkey", f"{name}ca.key",
            "-CAcreateserial", "-out", f"{name}server.crt", "-days", "2", "-extfile", "server.ext")
    return directory / f"{name}ca.crt", directory / f"{name}server.crt", directory / f"{name}server.key"


@contextmanager
def https_management_api(certificate: Path, key: Path):
    """An HTTPS @connections endpoint on 127.0.0.1 (ephemeral port) that accepts every post with 200 and records
    (method, path, body, Authorization) of each request it got through TLS. Yields (port, requests)."""
    requests: list[tuple[str, str, bytes, str]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            requests.append(("POST", self.path, body, self.headers.get("Authorization", "")))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificate, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], requests
    finally:
        server.shutdown()
        server.server_close()


def send_message_event(target: str, message: str) -> bytes:
    """The recorded whoAmI message event, turned into a chat `sendMessage` to `target`."""
    event = json.loads((EVENTS / "message-whoami.json").read_text())
    event["requestContext"]["routeKey"] = "sendMessage"
    event["body"] = json.dumps({"action": "sendMessage", "connectionId": target, "message": message})
    return json.dumps(event).encode()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    directory = tmp_path_factory.mktemp("certificates")
    trusted = make_certificates(directory, MANAGEMENT_HOST)
    other_ca = make_certificates(directory, MANAGEMENT_HOST, name="other-")[0]
    return trusted, other_ca


AMAZON_LINUX_CA_FILE = "etc/pki/tls/certs/ca-bundle.crt"
DEBIAN_CA_FILE = "etc/ssl/certs/ca-certificates.crt"


@requires_root
@pytest.mark.parametrize("ca_file, ca, delivered", [
    (AMAZON_LINUX_CA_FILE, "trusted", True),   # where provided.al2 and provided.al2023 keep it
    (DEBIAN_CA_FILE, "trusted", True),         # found by HandlerKit's CA discovery, not compiled into libcurl
    (AMAZON_LINUX_CA_FILE, "other", False),    # a CA that did not sign the server's certificate: verification fails
    (None, None, False),                       # no CA file at all
], ids=["amazon-linux-path", "debian-path", "untrusted-ca", "no-ca-file"])
def test_packaged_function_posts_over_verified_https(function_zip, certificates, ca_file, ca, delivered):
    """The chat's sendMessage, in the empty root, posts through HandlerKit's management client (CurlHTTPTransport
    on the linked-in libcurl and OpenSSL) to an HTTPS endpoint whose certificate only the test CA vouches for."""
    (trusted_ca, certificate, key), other_ca = certificates
    root = EmptyRoot(function_zip)
    try:
        if ca_file:
            (root.path / ca_file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(trusted_ca if ca == "trusted" else other_ca, root.path / ca_file)
        with https_management_api(certificate, key) as (api_port, requests):
            environment = {**LAMBDA_ENVIRONMENT, "AWS_ACCESS_KEY_ID": "AKIDPACKAGINGTEST",
                           "AWS_SECRET_ACCESS_KEY": "packaging-test-secret", "AWS_REGION": "us-east-1",
                           "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": f"https://{MANAGEMENT_HOST}:{api_port}/dev"}
            with packaged_function(root, environment) as port:
                body, function_error = invoke(port, send_message_event("TARGET=", "over verified TLS"))
    finally:
        root.remove()
    assert function_error is None, body
    reply = json.loads(json.loads(body)["body"])
    if delivered:
        assert reply["type"] == "sent", reply
        assert [(method, path, data) for method, path, data, _ in requests] == \
            [("POST", "/dev/@connections/TARGET%3D", b"over verified TLS")]
        assert requests[0][3].startswith("AWS4-HMAC-SHA256 Credential=AKIDPACKAGINGTEST/"), requests[0][3]
    else:
        assert reply.get("error") == "deliveryFailed", reply
        assert "cert" in reply["message"].lower(), reply  # curl's verification or CA file error
        assert requests == [], "the server answered a client that could not verify it"


def has_reader(fifo: Path) -> bool:
    """Whether a process holds `fifo` open for reading (or waits in open() for a writer): a non-blocking open for
    writing succeeds only then."""
    writer = open_writer_if_read(fifo)
    if writer is None:
        return False
    os.close(writer)
    return True


def open_writer_if_read(fifo: Path) -> int | None:
    """A descriptor writing to `fifo` when a process holds it open for reading (or waits in open() for a
    writer), else None."""
    try:
        return os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as error:
        if error.errno == errno.ENXIO:
            return None
        raise


def test_openssl_is_set_up_at_the_first_tls_connection_not_at_start(unzipped, tmp_path):
    """The minimal libcurl sets OpenSSL up (configuration file, error strings, cipher tables) at the first TLS
    connection rather than in curl_global_init. OpenSSL's configuration file here is a FIFO: reading it blocks
    until the test writes, so a start-up that read it would never poll /next. Start-up and a plain invocation
    leave it unread; the first post to an HTTPS @connections endpoint opens it, and is delivered once it is
    written."""
    ca, certificate, key = make_certificates(tmp_path, "localhost")
    configuration = tmp_path / "openssl.cnf"
    os.mkfifo(configuration)
    with https_management_api(certificate, key) as (api_port, requests):
        environment = {"OPENSSL_CONF": str(configuration), "SSL_CERT_FILE": str(ca), "AWS_REGION": "us-east-1",
                       "AWS_ACCESS_KEY_ID": "AKIDPACKAGINGTEST", "AWS_SECRET_ACCESS_KEY": "packaging-test-secret",
                       "AWS_ENDPOINT_URL_APIGATEWAYMANAGEMENTAPI": f"https://localhost:{api_port}/dev"}
        process, port = serve(str(unzipped / "bootstrap"), [f"--env={key}={value}" for key, value in environment.items()])
        try:
            try:
                body, function_error = invoke(port, (EVENTS / "message-whoami.json").read_bytes(), timeout=20)
            except (TimeoutError, urllib.error.URLError) as error:
                pytest.fail(f"no answer ({error}): the function's start-up waits on OpenSSL's configuration file, "
                            "so OpenSSL was set up before any TLS connection")
            assert function_error is None and json.loads(body)["statusCode"] == 200, body
            assert not has_reader(configuration), "OpenSSL was set up before any TLS connection"

            result: dict = {}
            post = threading.Thread(target=lambda: result.update(
                answer=invoke(port, send_message_event("TARGET=", "after a lazy TLS set-up"), timeout=30)))
            post.start()
            # The probe that finds OpenSSL reading is the writer too: a probe opened and closed would hand the
            # reader an end of file, and a second check could then find nobody reading.
            writer = None
            deadline = time.monotonic() + 20
            while writer is None and time.monotonic() < deadline:
                writer = open_writer_if_read(configuration)
                if writer is None:
                    time.sleep(0.01)
            assert writer is not None, "the first TLS connection did not set OpenSSL up"
            os.write(writer, b"# OpenSSL's defaults\n")
            os.close(writer)
            post.join(timeout=30)
        finally:
            stderr = stop(process)
    body, function_error = result["answer"]
    assert function_error is None, (body, stderr[-2000:])
    reply = json.loads(json.loads(body)["body"])
    assert reply["type"] == "sent", (reply, stderr[-2000:])
    assert [(path, data) for _, path, data, _ in requests] == [("/dev/@connections/TARGET%3D", b"after a lazy TLS set-up")]


@pytest.fixture(scope="module")
def faulty_unzipped(tmp_path_factory) -> Path:
    """The runtime's fault-injection function, packaged: its events name what it does (FaultyFunction/main.swift)."""
    result = lambda_local_package("--product", "FaultyFunction")
    assert result.returncode == 0, result.stderr[-3000:]
    directory = tmp_path_factory.mktemp("faulty")
    subprocess.run(["unzip", "-q", result.stdout.splitlines()[0], "-d", str(directory)], check=True)
    return directory


def test_packaged_function_takes_its_arguments_from_glibc_not_proc_maps(faulty_unzipped, tmp_path):
    """Linked statically, the standard library's `CommandLine.arguments` comes from the argument vector glibc
    hands the program's constructors (CProcessArguments) instead of a start-up scan of /proc/self/maps: the
    function sees exactly the arguments its bootstrap was given, and nothing in the process opens that file."""
    assert shutil.which("strace"), "strace is missing (scripts/ensure-deps.sh installs it)"
    trace = tmp_path / "openat.log"
    arguments = ["first", "with space", "", "ünïcödé"]
    wrapper = tmp_path / "start.sh"
    wrapper.write_text("#!/bin/sh\nexec strace -f -qq -e trace=openat -o " + shlex.quote(str(trace)) + " "
                       + shlex.join([str(faulty_unzipped / "bootstrap"), *arguments]) + "\n")
    wrapper.chmod(0o755)
    process, port = serve(str(wrapper), [f"--env=LAMBDA_TASK_ROOT={faulty_unzipped}"])
    try:
        body, function_error = invoke(port, json.dumps({"op": "arguments"}).encode(), timeout=60)
    finally:
        stderr = stop(process)
    assert function_error is None, (body, stderr[-2000:])
    received = json.loads(body)["arguments"]
    assert received[1:] == arguments and received[0].endswith("/FaultyFunction"), received
    opened = trace.read_text()
    assert "/FaultyFunction" in opened, opened[-2000:]  # the trace did follow the bootstrap's exec
    assert "/proc/self/maps" not in opened, [line for line in opened.splitlines() if "maps" in line]


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


def single_executable_package(directory: Path, name: str, main: str) -> Path:
    """A package in `directory` whose only product is the executable `name` with `main` as its main.swift."""
    (directory / "Package.swift").write_text(
        '// swift-tools-version:6.0\nimport PackageDescription\n\n'
        f'let package = Package(name: "{name.capitalize()}", targets: [.executableTarget(name: "{name}")])\n')
    (directory / "Sources" / name).mkdir(parents=True)
    (directory / "Sources" / name / "main.swift").write_text(main)
    return directory


@pytest.fixture(scope="module")
def other_package_zip(tmp_path_factory) -> Path:
    """Another package's only executable product, packaged without naming it: packaging is not for ours alone."""
    package = single_executable_package(
        tmp_path_factory.mktemp("greeter"), "greeter",
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


def test_the_shared_minimal_libcurl_and_a_position_independent_binary_on_request(tmp_path):
    zip_path = tmp_path / "shared.zip"
    result = lambda_local_package("--product", "Handlers", "--libcurl", "minimal-shared", "--pie",
                                  "--output", str(zip_path))
    assert result.returncode == 0, result.stderr[-3000:]
    assert "position-independent" in result.stdout and "bundled, OpenSSL linked into it" in result.stdout, result.stdout
    directory = tmp_path / "unzipped"
    subprocess.run(["unzip", "-q", str(zip_path), "-d", str(directory)], check=True)
    header = subprocess.run(["readelf", "-h", str(directory / "Handlers")], capture_output=True, text=True,
                            check=True).stdout
    assert re.search(r"Type:\s+DYN", header), header
    lib = directory / "lib"
    listing = subprocess.run([str(lib / LOADER), "--library-path", str(lib), "--list", str(directory / "Handlers")],
                             capture_output=True, text=True, check=True).stdout
    assert f"libcurl.so.4 => {lib}/libcurl.so.4" in listing and f"libnghttp2.so.14 => {lib}/" in listing, listing
    # The bundled library is the minimal build: OpenSSL in it, no other TLS library or protocol library beside it.
    needed = subprocess.run(["readelf", "-d", str(lib / "libcurl.so.4")], capture_output=True, text=True,
                            check=True).stdout
    assert sorted(re.findall(r"\(NEEDED\)\s+Shared library: \[(.+?)\]", needed)) == \
        ["libc.so.6", "libnghttp2.so.14", "libz.so.1"], needed


def test_a_binary_linking_libcurl_through_foundation_gets_the_minimal_libcurl_bundled(tmp_path_factory):
    """URLSession (FoundationNetworking) links libcurl itself, past the pkg-config module the packager redirects:
    the shared build of the same minimal libcurl goes into lib/ instead."""
    package = single_executable_package(
        tmp_path_factory.mktemp("fetcher"), "fetcher",
        'import Foundation\n#if canImport(FoundationNetworking)\nimport FoundationNetworking\n#endif\n'
        'print(URLSession.shared.configuration.timeoutIntervalForRequest > 0 ? "session ready" : "no session")\n')
    result = lambda_local_package(cwd=package)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "bundled, OpenSSL linked into it (the binary links libcurl other than through pkg-config)" in result.stdout, \
        result.stdout
    unzipped = package / "unzipped"
    subprocess.run(["unzip", "-q", result.stdout.splitlines()[0], "-d", str(unzipped)], check=True)
    needed = subprocess.run(["readelf", "-d", str(unzipped / "lib" / "libcurl.so.4")], capture_output=True, text=True,
                            check=True).stdout
    assert "[libssl.so" not in needed and "Library soname: [libcurl.so.4]" in needed, needed
    run = subprocess.run([str(unzipped / "bootstrap")], capture_output=True, text=True, timeout=60,
                         env={"LAMBDA_TASK_ROOT": str(unzipped), "PATH": "/usr/bin:/bin"})
    assert (run.returncode, run.stdout) == (0, "session ready\n"), run.stderr
