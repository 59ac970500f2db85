"""The function as deployed against the C reference given the same libraries.

`lambda-local package` bundles a minimal libcurl, glibc and the loader, so the deployed function loads far fewer
libraries than a binary linked against Debian's libcurl (29 more). For a fair comparison the C reference runs
through the same bundled loader and libraries (`lib/ld-linux-x86-64.so.2 --library-path lib reference-runtime`),
and ours runs both as Lambda starts it (the zip's `bootstrap`, through `/bin/sh`) and through the loader directly.
Measures cold start (exec → first `/next`, paired alternating runs), peak RSS and the warm loop.
"""
from __future__ import annotations

import shutil
import statistics
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


def measure(product: str, rounds: int, invocations: int) -> dict:
    zip_path, directory = unpack(product)
    loader = [str(directory / "lib" / "ld-linux-x86-64.so.2"), "--library-path", str(directory / "lib")]
    bootstrap = rb.Function(f"{product} bootstrap", [str(directory / "bootstrap")])
    direct = rb.Function(f"{product} via bundled loader", [*loader, str(directory / product)])
    reference = rb.Function("C reference via bundled loader", [*loader, str(rb.TOOLS / "reference-runtime")])

    cold = rb.cold_start(direct, reference, rounds)
    cold_bootstrap = rb.cold_start(bootstrap, reference, rounds)
    loop = rb.warm_loop(direct, reference, max(3, rounds // 4), invocations)
    rss = {"ours": statistics.median(rb.peak_rss_kb(direct) for _ in range(3)),
           "reference": statistics.median(rb.peak_rss_kb(reference) for _ in range(3))}
    return {
        "product": product,
        "zip_bytes": zip_path.stat().st_size,
        "unzipped_bytes": pb.sizes(zip_path)["unzipped_bytes"],
        "cold_start": cold,
        "cold_start_bootstrap": cold_bootstrap,
        "warm_loop": loop,
        "peak_rss_kb": rss,
    }


if __name__ == "__main__":
    import json
    rb.build_tools()
    print(json.dumps(measure(sys.argv[1] if len(sys.argv) > 1 else "bench-router-noop", rounds=21,
                             invocations=20000), indent=2))
