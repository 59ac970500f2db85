"""The function as deployed against the C reference given the same libraries.

`lambda-local package` links a minimal libcurl (HTTP and HTTPS only, OpenSSL in it) into the binary and bundles
glibc and the loader, so the deployed function loads no libcurl at all where a binary linked against Debian's
libcurl loads 30 libraries. For a fair comparison the C reference gets the same libcurl build, twice:
- as a C program is usually deployed: linked against libcurl dynamically, run through the same bundled loader and
  glibc, with the minimal build's `libcurl.so.4` (and the zlib and nghttp2 it loads) beside them;
- linked as ours is: the minimal `libcurl.a` linked in, for a fixed address (`-no-pie`).
The minimal libcurl sets OpenSSL up at the first TLS connection, so both references start without it. A third,
linked in like the second, sets OpenSSL up at start as `curl_global_init` does in a stock libcurl 7.88: the C
runtime as it runs on the libcurl everyone else ships (cold start only).
Ours runs both as Lambda starts it (the zip's `bootstrap`, a compiled launcher of the bundled loader) and through
the loader directly; the launcher is also compared with the same start written as a shell script, under `/bin/sh`
(dash here) and bash (Amazon Linux's `/bin/sh`).
Measures cold start (exec → first `/next`, paired alternating runs), peak RSS and the warm loop.
"""
from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import packaging_bench as pb  # noqa: E402
import runtime_bench as rb  # noqa: E402


def unpack(product: str) -> tuple[Path, Path]:
    """Packages `product` and unzips it under .build/bench-tools; returns (zip, directory)."""
    zip_path = pb.package(product)
    directory = rb.TOOLS / f"deployed-{product}"
    shutil.rmtree(directory, ignore_errors=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(directory)
    for name in ["bootstrap", product, "lib/ld-linux-x86-64.so.2"]:
        (directory / name).chmod(0o755)  # zipfile does not restore modes
    return zip_path, directory


def bundled_loader(lib: Path) -> list[str]:
    """The command prefix that runs a program through the loader in `lib` with `lib`'s libraries, as the zip's
    `bootstrap` does."""
    return [str(lib / "ld-linux-x86-64.so.2"), "--library-path", str(lib)]


def minimal_libcurl() -> Path:
    """The cache directory of the minimal libcurl `lambda-local package` built (the newest one)."""
    candidates = sorted((rb.ROOT / ".build" / "lambda-libcurl").glob("*/libcurl.a"), key=lambda path: path.stat().st_mtime)
    if not candidates:
        raise RuntimeError("no minimal libcurl in .build/lambda-libcurl: run lambda-local package first")
    return candidates[-1].parent


def reference_libraries(directory: Path, libcurl: Path) -> Path:
    """The zip's lib/ plus the minimal shared libcurl and the libraries it loads, for the dynamic C reference."""
    target = rb.TOOLS / "deployed-reference-lib"
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(directory / "lib", target)
    shutil.copy(libcurl / "libcurl.so.4", target / "libcurl.so.4")
    listing = subprocess.run(["ldd", str(libcurl / "libcurl.so.4")], capture_output=True, text=True, check=True).stdout
    for line in listing.splitlines():
        parts = line.split()
        if len(parts) >= 3 and parts[1] == "=>" and not (target / parts[0]).exists():
            shutil.copy(Path(parts[2]).resolve(), target / parts[0])
    return target


def static_reference(libcurl: Path, stock_tls_setup: bool = False) -> Path:
    """The C reference linked as the deployed function is: the minimal libcurl.a in, no PIE; with
    `stock_tls_setup`, OpenSSL set up at start as a stock libcurl does."""
    output = rb.TOOLS / ("reference-runtime-static-stock-tls" if stock_tls_setup else "reference-runtime-static")
    defines = ["-DSTOCK_LIBCURL_TLS_SETUP"] if stock_tls_setup else []
    cflags = subprocess.run(["pkg-config", "--cflags", "libcurl"], capture_output=True, text=True, check=True).stdout.split()
    archives = [str(libcurl / name) for name in ("libcurl.a", "libnghttp2.a", "libssl.a", "libcrypto.a", "libz.a")]
    subprocess.run(["cc", "-O2", "-no-pie", "-ffunction-sections", "-fdata-sections", "-Wl,--gc-sections", *cflags, *defines,
                    "-o", str(output), str(rb.ROOT / "Benchmarks" / "c-reference" / "reference-runtime.c"), *archives],
                   check=True)
    return output


def shell_bootstrap(directory: Path, product: str) -> Path:
    """The start the launcher makes, written as the shell script a bootstrap usually is."""
    script = directory / "bootstrap.sh"
    script.write_text('#!/bin/sh\ncase "$0" in */*) here="${0%/*}" ;; *) here=. ;; esac\n'
                      'root="${LAMBDA_TASK_ROOT:-$here}"\n'
                      f'exec "$root/lib/ld-linux-x86-64.so.2" --library-path "$root/lib" "$root/{product}" "$@"\n')
    script.chmod(0o755)
    return script


def measure(product: str, rounds: int, invocations: int) -> dict:
    zip_path, directory = unpack(product)
    libcurl = minimal_libcurl()
    loader = bundled_loader(directory / "lib")
    reference_lib = reference_libraries(directory, libcurl)
    reference_loader = bundled_loader(reference_lib)
    bootstrap = rb.Function(f"{product} bootstrap", [str(directory / "bootstrap")])
    direct = rb.Function(f"{product} via bundled loader", [*loader, str(directory / product)])
    reference = rb.Function("C reference, minimal libcurl.so.4, bundled loader",
                            [*reference_loader, str(rb.TOOLS / "reference-runtime")])
    linked_in = rb.Function("C reference, minimal libcurl.a linked in, no PIE",
                            [*loader, str(static_reference(libcurl))])
    stock_tls = rb.Function("C reference, minimal libcurl.a linked in, OpenSSL set up at start as stock libcurl does",
                            [*loader, str(static_reference(libcurl, stock_tls_setup=True))])

    cold = rb.cold_start(direct, reference, rounds)
    cold_static = rb.cold_start(direct, linked_in, rounds)
    cold_stock_tls = rb.cold_start(direct, stock_tls, rounds)
    cold_bootstrap = rb.cold_start(bootstrap, reference, rounds)
    script = shell_bootstrap(directory, product)
    cold_vs_sh = rb.cold_start(bootstrap, rb.Function("the same start as a /bin/sh script", ["/bin/sh", str(script)]),
                               rounds)
    cold_vs_bash = rb.cold_start(bootstrap, rb.Function("the same start as a bash script", ["/bin/bash", str(script)]),
                                 rounds)
    loop = rb.warm_loop(direct, reference, max(3, rounds // 4), invocations)
    rss = {"ours": statistics.median(rb.peak_rss_kb(direct) for _ in range(3)),
           "reference": statistics.median(rb.peak_rss_kb(reference) for _ in range(3)),
           "reference_static": statistics.median(rb.peak_rss_kb(linked_in) for _ in range(3))}
    return {
        "product": product,
        "zip_bytes": zip_path.stat().st_size,
        "unzipped_bytes": pb.sizes(zip_path)["unzipped_bytes"],
        "cold_start": cold,
        "cold_start_vs_static_reference": cold_static,
        "cold_start_vs_stock_tls_reference": cold_stock_tls,
        "cold_start_bootstrap": cold_bootstrap,
        "cold_start_bootstrap_vs_sh_script": cold_vs_sh,
        "cold_start_bootstrap_vs_bash_script": cold_vs_bash,
        "warm_loop": loop,
        "peak_rss_kb": rss,
    }


if __name__ == "__main__":
    import json
    rb.build_tools()
    print(json.dumps(measure(sys.argv[1] if len(sys.argv) > 1 else "bench-router-noop", rounds=21,
                             invocations=20000), indent=2))
