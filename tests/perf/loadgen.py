"""A small closed-loop HTTP/1.1 load generator (keep-alive, uvloop), run as its own process by the benches.

Usage: python -m tests.perf.loadgen --host H --port P --paths FILE --seconds S --connections C [--header K:V]
Prints one JSON line: requests, non-2xx answers, seconds, requests per second, p50/p99 latency in ms.
It writes raw request bytes and reads Content-Length bodies, so on one core it outruns the servers it measures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time

import uvloop


async def connection_loop(
    host: str, port: int, requests: list[bytes], deadline: float, latencies: list[float], errors: list[int], offset: int
) -> None:
    """One keep-alive connection sending requests one after another until the deadline."""
    reader, writer = await asyncio.open_connection(host, port)
    index = offset
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            writer.write(requests[index % len(requests)])
            index += 1
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head[9:12])
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - started)
            if not 200 <= status < 300:
                errors.append(status)
    finally:
        writer.close()


async def run(
    host: str, port: int, paths: list[str], headers: list[str], seconds: float, connections: int
) -> dict[str, float]:
    """Drive `connections` concurrent connections for `seconds`; answers the figures."""
    extra = "".join(f"{h}\r\n" for h in headers)
    requests = [f"GET {p} HTTP/1.1\r\nHost: {host}\r\n{extra}\r\n".encode() for p in paths]
    latencies: list[float] = []
    errors: list[int] = []
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(
        *(connection_loop(host, port, requests, deadline, latencies, errors, i * 7919) for i in range(connections))
    )
    elapsed = time.perf_counter() - started
    latencies.sort()

    def percentile(q: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000, 3) if latencies else 0.0

    return {
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(elapsed, 3),
        "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99),
        "first_error": errors[0] if errors else 0,
    }


def main() -> int:
    """Command-line entry."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--paths", required=True, help="file with one request path per line")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--header", action="append", default=[])
    args = parser.parse_args()
    with open(args.paths, encoding="utf-8") as f:
        paths = [line.strip() for line in f if line.strip()]
    result = uvloop.run(run(args.host, args.port, paths, args.header, args.seconds, args.connections))
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
