"""`make bench`: run every `tests/perf/bench_*.py` (or those named) and print their figures.

Each bench module has a `main()` that measures its subject against a baseline measured in the same run and
prints the figures as ratios (this machine is noisy: absolute numbers alone mean little).
Usage: python -m tests.perf [name ...]   e.g. python -m tests.perf engine registry
"""

from __future__ import annotations

import importlib
import pathlib
import sys
import time
import traceback


def bench_names() -> list[str]:
    """Every bench module in this folder, by short name (bench_engine.py -> engine)."""
    return sorted(p.stem.removeprefix("bench_") for p in pathlib.Path(__file__).parent.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    """Run the selected benches one after another; exit 1 if any failed."""
    names = argv or bench_names()
    unknown = sorted(set(names) - set(bench_names()))
    if unknown:
        print(f"unknown bench(es): {', '.join(unknown)}; available: {', '.join(bench_names())}")
        return 2
    failed = []
    for name in names:
        print(f"\n=== bench {name} ===", flush=True)
        started = time.perf_counter()
        try:
            importlib.import_module(f"tests.perf.bench_{name}").main()
        except Exception:
            traceback.print_exc()
            failed.append(name)
        print(f"--- {name}: {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
