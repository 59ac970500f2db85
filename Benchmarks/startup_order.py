"""Regenerates the start-up symbol order `lambda-local package` links functions with.

The functions a Lambda function runs from exec to its first invocation (the Swift runtime's initialisers,
libdispatch, libcurl's set-up, the runtime loop, the first `/next` and response) are spread over a 13 MB text
segment, and each 64 KB of it they touch costs a page fault at every cold start; the variables they touch
(once tokens, metadata caches, libdispatch's and libcurl's globals) are spread over 130 pages of `.bss` and
`.data`, where each page costs one or two faults (a read maps the zero page, the first write copies it).
Listing them in the linker's `--symbol-ordering-file` places them together. This script packages the no-op
router function and runs it against the benchmark mock twice: under callgrind, for every function of the binary
that ran up to the second connection (start-up, then the first invocation), in the order callgrind lists them;
and under valgrind's lackey, for every variable of the binary's `.data`, `.bss` and `.data.rel.ro` it read or
wrote in that one-invocation run, in the order of first access. Both go to
`Sources/lambda-local/Packaging/StartupOrder.swift`, functions first.

Names that a given function does not define are ignored by the linker, so the list serves every function
package; rerun this when the runtime's start-up path changes:

    python3 Benchmarks/startup_order.py
"""
from __future__ import annotations

import bisect
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import packaging_bench as pb  # noqa: E402
import runtime_bench as rb  # noqa: E402

PRODUCT = "bench-router-noop"
OUTPUT = rb.ROOT / "Sources" / "lambda-local" / "Packaging" / "StartupOrder.swift"


def executed_functions(dumps: list[Path], object_name: str) -> list[str]:
    """The functions of `object_name` in callgrind's dumps, first appearance first."""
    names: list[str] = []
    seen: set[str] = set()
    for dump in dumps:
        objects: dict[str, str] = {}
        functions: dict[str, str] = {}
        current_object = None
        for line in dump.read_text().splitlines():
            if match := re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line):
                kind, number, name = match.groups()
                if name:
                    objects[number] = name
                if kind == "ob":
                    current_object = objects[number]
            elif match := re.match(r"^(c?fn)=\((\d+)\)(?: (.*))?$", line):
                kind, number, name = match.groups()
                if name:
                    functions[number] = name
                name = functions[number]
                if (kind == "fn" and current_object and current_object.endswith(object_name)
                        and not name.startswith("0x") and name not in seen):
                    seen.add(name)
                    names.append(name)
    return names


DATA_SECTIONS = (".data", ".bss", ".data.rel.ro", ".tdata", ".tbss")


def accessed_variables(trace: Path, binary: Path) -> list[str]:
    """The variables of `binary`'s writable data sections that lackey's `--trace-mem` output `trace` shows read or
    written, first access first."""
    ranges = []
    for line in subprocess.run(["readelf", "-SW", str(binary)], capture_output=True, text=True, check=True).stdout.splitlines():
        if match := re.match(r"\s*\[\s*\d+\]\s+(\S+)\s+\S+\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)", line):
            name, address, size = match.group(1), int(match.group(2), 16), int(match.group(3), 16)
            if name in DATA_SECTIONS and address:
                ranges.append((address, address + size))
    variables = []  # (address, size, name), by address
    for line in subprocess.run(["nm", "-n", "-S", "--defined-only", str(binary)], capture_output=True, text=True,
                               check=True).stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[2] in "bBdDvV" and not parts[3].startswith(".L"):
            variables.append((int(parts[0], 16), max(int(parts[1], 16), 1), parts[3]))
    starts = [variable[0] for variable in variables]
    names: list[str] = []
    seen: set[str] = set()
    with trace.open() as lines:
        for line in lines:
            # " L addr,size", " S addr,size", " M addr,size" (instruction fetches start with "I").
            if not line.startswith(" "):
                continue
            address = int(line[3:].split(",", 1)[0], 16)
            if not any(low <= address < high for low, high in ranges):
                continue
            index = bisect.bisect_right(starts, address) - 1
            if index < 0:
                continue
            start, size, name = variables[index]
            if address < start + size and name not in seen:
                seen.add(name)
                names.append(name)
    return names


def profile(zip_path: Path, functions_only: bool = False) -> tuple[list[str], list[str]]:
    """The functions the packaged `PRODUCT` in `zip_path` runs from exec to its second connection, first run
    first, and (unless `functions_only`) the variables it reads or writes in that run that are not functions."""
    binary = rb.ROOT / ".build" / "lambda-build" / "x86_64-unknown-linux-gnu" / "release" / PRODUCT
    with tempfile.TemporaryDirectory() as directory:
        work = Path(directory)
        # valgrind reads the symbol table, not the DWARF 5 debug information.
        symbols = work / f"{PRODUCT}-symbols"
        subprocess.run(["strip", "--strip-debug", "-o", str(symbols), str(binary)], check=True)
        unpacked = work / "unpacked"
        subprocess.run(["unzip", "-q", str(zip_path), "-d", str(unpacked)], check=True)
        lib = unpacked / "lib"
        (lib / "ld-linux-x86-64.so.2").chmod(0o755)
        prefix = work / "callgrind"
        command = [str(rb.TOOLS / "bench-mock"), "19917", str(rb.EVENT_1KB), "0", "1", "--", "valgrind",
                   "--tool=callgrind", "--demangle=no", "--dump-before=connect", f"--callgrind-out-file={prefix}",
                   str(lib / "ld-linux-x86-64.so.2"), "--library-path", str(lib), str(symbols)]
        result = subprocess.run(command, capture_output=True, text=True,
                                env={**os.environ, "AWS_LAMBDA_LOG_LEVEL": "ERROR"})
        if '"errors": 0' not in result.stdout:
            raise RuntimeError(f"the profiled run failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        dumps = [Path(f"{prefix}.1"), Path(f"{prefix}.2")]
        names = executed_functions(dumps, symbols.name)
        if len(names) < 200:
            raise RuntimeError(f"only {len(names)} functions found in the profile")
        if functions_only:
            return names, []
        trace = work / "lackey.txt"
        command = [str(rb.TOOLS / "bench-mock"), "19918", str(rb.EVENT_1KB), "0", "1", "--", "valgrind",
                   "--tool=lackey", "--trace-mem=yes", f"--log-file={trace}",
                   str(lib / "ld-linux-x86-64.so.2"), "--library-path", str(lib), str(symbols)]
        result = subprocess.run(command, capture_output=True, text=True,
                                env={**os.environ, "AWS_LAMBDA_LOG_LEVEL": "ERROR"})
        if '"errors": 0' not in result.stdout:
            raise RuntimeError(f"the traced run failed:\n{result.stdout}\n{result.stderr[-3000:]}")
        listed = set(names)
        variables = [name for name in accessed_variables(trace, symbols) if name not in listed]
        if len(variables) < 100:
            raise RuntimeError(f"only {len(variables)} variables found in the trace")
        return names, variables


def committed_symbols() -> set[str]:
    """The names `OUTPUT` lists now."""
    text = OUTPUT.read_text()
    body = text.split('#"""\n', 1)[1].split('\n"""#', 1)[0]
    return set(body.splitlines())


def unlisted_functions(zip_path: Path) -> list[str]:
    """The start-up functions of the packaged `PRODUCT` that the committed list does not name: placed wherever
    their object puts them, each may cost a page fault of its own at every cold start."""
    names, _ = profile(zip_path, functions_only=True)
    listed = committed_symbols()
    return [name for name in names if name not in listed]


def main() -> None:
    rb.build_tools()
    zip_path = pb.package(PRODUCT)
    names, variables = profile(zip_path)
    functions = len(names)
    names += variables
    body = "\n".join(names)
    OUTPUT.write_text(
        "// Generated by `python3 Benchmarks/startup_order.py`: do not edit.\n"
        "\n"
        "/// The functions a packaged function runs from exec to its first invocation, then the variables it reads\n"
        "/// and writes, as the linker's `--symbol-ordering-file` takes them: placed together at the start of their\n"
        "/// sections, they share the pages a cold start faults in. Names a binary does not define are ignored.\n"
        "enum StartupOrder {\n"
        f"    /// {len(names)} symbol names ({functions} functions, then {len(variables)} variables), one a line.\n"
        '    static let symbols = #"""\n'
        f"{body}\n"
        '"""#\n'
        "}\n")
    print(f"{OUTPUT.relative_to(rb.ROOT)}: {functions} functions, {len(variables)} variables")


if __name__ == "__main__":
    main()
