#!/usr/bin/env python3
"""The deployment package: its sizes, and cold start of the packaged function against the plain binary.

    python3 Benchmarks/packaging_bench.py [--rounds 21] [--zip .build/lambda/Handlers/function.zip]

Without --zip it runs `lambda-local package --product Handlers` first. Cold start is exec → first
`GET /runtime/invocation/next`, timed by the benchmark Runtime API mock (Benchmarks/c-reference/bench-mock.c):
- plain: the plain release binary (`swift build -c release --static-swift-stdlib`, stripped), started directly
  with the build machine's loader, glibc, libstdc++ and Debian's libcurl with its 29 libraries;
- packaged: the zip's `bootstrap` (the launcher → bundled loader → bundled glibc and minimal libcurl);
- packaged in an empty root (as root only): `chroot` into a root holding only the unzipped function and a
  static busybox, as the packaging test does.
Runs alternate (plain, packaged, plain, …); medians of each series and of the paired ratios are reported.
Writes bench-results/packaging.json.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import runtime_bench as rb  # noqa: E402


def package(product: str = "Handlers") -> Path:
    """Runs `lambda-local package --product <product>`; returns the zip's path."""
    subprocess.run(["swift", "build", "--product", "lambda-local"], cwd=rb.ROOT, check=True, stdout=subprocess.DEVNULL)
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=rb.ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
    result = subprocess.run([f"{bin_path}/lambda-local", "package", "--product", product], cwd=rb.ROOT,
                            capture_output=True, text=True, check=True)
    print(result.stdout.strip())
    return Path(result.stdout.splitlines()[0])


def sizes(zip_path: Path) -> dict:
    with zipfile.ZipFile(zip_path) as archive:
        infos = archive.infolist()
    largest = sorted(infos, key=lambda info: info.compress_size, reverse=True)
    return {
        "zip_bytes": zip_path.stat().st_size,
        "unzipped_bytes": sum(info.file_size for info in infos),
        "files": len(infos),
        "largest_compressed": {info.filename: {"compressed": info.compress_size, "size": info.file_size}
                               for info in largest[:12]},
    }


def empty_root(zip_path: Path) -> Path:
    root = Path(tempfile.mkdtemp(prefix="bench-root-"))
    (root / "bin").mkdir()
    shutil.copy("/bin/busybox", root / "bin" / "busybox")
    (root / "bin" / "sh").symlink_to("busybox")
    (root / "dev").mkdir()
    subprocess.run(["mknod", "-m", "666", str(root / "dev" / "null"), "c", "1", "3"], check=True)
    (root / "proc").mkdir()
    subprocess.run(["mount", "-t", "proc", "proc", str(root / "proc")], check=True)
    (root / "var" / "task").mkdir(parents=True)
    subprocess.run(["unzip", "-q", str(zip_path), "-d", str(root / "var" / "task")], check=True)
    return root


def series(functions: list[rb.Function], rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {function.name: [] for function in functions}
    for _ in range(rounds):
        for function in functions:
            results[function.name].append(rb.run_mock(function, warmup=0, count=1)["cold_start_ms"])
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--zip", type=Path)
    args = parser.parse_args()

    rb.build_tools()
    zip_path = args.zip.resolve() if args.zip else package()
    unzipped = Path(tempfile.mkdtemp(prefix="bench-function-"))
    subprocess.run(["unzip", "-q", str(zip_path), "-d", str(unzipped)], check=True)

    plain = rb.Function("plain release binary", [str(rb.build_swift_product("Handlers"))])
    packaged = rb.Function("packaged (bootstrap)", [str(unzipped / "bootstrap")])
    functions = [plain, packaged]
    root = None
    if os.geteuid() == 0 and Path("/bin/busybox").exists():
        root = empty_root(zip_path)
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        functions.append(rb.Function("packaged, empty root (chroot)",
                                     ["env", "LAMBDA_TASK_ROOT=/var/task", chroot, str(root), "/var/task/bootstrap"]))
    try:
        measured = series(functions, args.rounds)
    finally:
        if root is not None:
            subprocess.run(["umount", str(root / "proc")], check=False)
            shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(unzipped, ignore_errors=True)

    base = measured[plain.name]
    results = {
        "sizes": sizes(zip_path),
        "rounds": args.rounds,
        "cold_start_ms": {name: statistics.median(values) for name, values in measured.items()},
        "ratio_to_plain": {name: rb.median_ratio(values, base) for name, values in measured.items()},
    }
    out = rb.ROOT / "bench-results"
    out.mkdir(exist_ok=True)
    (out / "packaging.json").write_text(json.dumps(results, indent=2))

    size = results["sizes"]
    print(f"\nzip {size['zip_bytes'] / 1e6:.1f} MB, unzipped {size['unzipped_bytes'] / 1e6:.1f} MB ({size['files']} files)")
    for name, info in size["largest_compressed"].items():
        print(f"  {name:32s} {info['compressed'] / 1e6:5.2f} MB compressed ({info['size'] / 1e6:5.2f} MB)")
    print(f"\ncold start, exec → first /next, median of {args.rounds} alternating runs:")
    for name, value in results["cold_start_ms"].items():
        print(f"  {name:32s} {value:6.1f} ms  ({results['ratio_to_plain'][name]:.2f}× plain)")


if __name__ == "__main__":
    main()
