#!/usr/bin/env bash
# Installs what building and testing LambdaSockets needs, when it is missing:
# libcurl's headers (the runtime's HTTP client), zip/unzip, strip and a static busybox (packaging and its
# empty-root test), what `lambda-local package` builds its minimal libcurl with (Debian's curl source through
# apt, a C toolchain, OpenSSL/zlib/nghttp2 development files), valgrind (the performance gate counts
# instructions with it), strace (what a packaged function opens as it starts), and the Python packages the
# tests use as independent peers.
set -euo pipefail

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        echo "error: '$*' needs root; install the packages listed in scripts/ensure-deps.sh by hand" >&2
        exit 1
    fi
}

missing_debs=()
pkg-config --exists libcurl 2>/dev/null || missing_debs+=(libcurl4-openssl-dev pkg-config)
command -v zip >/dev/null || missing_debs+=(zip)
command -v unzip >/dev/null || missing_debs+=(unzip)
# The curl command line: the broadcast benchmark's reference and the tests' shell runtime.
command -v curl >/dev/null || missing_debs+=(curl)
[ -x /bin/busybox ] || missing_debs+=(busybox-static)
command -v strip >/dev/null || missing_debs+=(binutils)
# The packaging test's HTTPS check makes a test CA and server certificate.
command -v openssl >/dev/null || missing_debs+=(openssl)
# The minimal libcurl `lambda-local package` bundles.
command -v dpkg-query >/dev/null && for deb in dpkg-dev make gcc patch libssl-dev zlib1g-dev libnghttp2-dev; do
    dpkg-query -W -f='${Status}' "$deb" 2>/dev/null | grep -q "ok installed" || missing_debs+=("$deb")
done
command -v valgrind >/dev/null || missing_debs+=(valgrind)
# The packaging test checks which files a packaged function opens as it starts.
command -v strace >/dev/null || missing_debs+=(strace)
if [ ${#missing_debs[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null; then
        echo "installing ${missing_debs[*]}" >&2
        as_root apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing_debs[@]}" >/dev/null
    else
        echo "error: please install ${missing_debs[*]} (libcurl development files)" >&2
        exit 1
    fi
fi

if [ "${LAMBDASOCKETS_SKIP_PYTHON:-0}" != 1 ]; then
    python3 - <<'PY' 2>/dev/null || python3 -m pip install -q --disable-pip-version-check websockets botocore boto3 pytest "moto[server]" >&2
import websockets, botocore, boto3, pytest, moto, flask
PY
fi
