"""The load bench's tools (tests/perf is not collected): the summary of locust's stats, and the locustfile's users
driving every operation of the mix to the right place for both targets (against stub servers, a few seconds)."""

from __future__ import annotations

import json
import pathlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.perf.bench_load import combined, run_locust, summarize

HEADER = ('"Type","Name","Request Count","Failure Count","Median Response Time","Average Response Time",'
          '"Min Response Time","Max Response Time","Average Content Size","Requests/s","Failures/s","50%","66%",'
          '"75%","80%","90%","95%","98%","99%","99.9%","99.99%","100%"')  # fmt: skip
STATS = f"""{HEADER}
"GET","mobile: own employee",400,4,12,15.5,3,250,812.0,40.0,0.4,12,14,15,17,25,38,60,90,240,250,250
"GET","admin: successors",50,0,480,500.1,300,900,2100.0,5.0,0.0,480,500,520,540,600,700,850,900,900,900,900
"POST","admin: start review",0,0,0,0.0,0,0,0.0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A
,"Aggregated",450,4,14,69.3,3,900,960.0,45.0,0.4,14,16,18,20,30,95,500,700,900,900,900
"""
OPERATIONS = {
    "mobile: own employee",
    "mobile: own talent",
    "system: employees page",
    "admin: employee",
    "admin: talent",
    "admin: successors",
    "admin: reviews list",
    "admin: start review",
}


def test_summary_reads_locusts_percentiles_and_failures(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "run_stats.csv"
    path.write_text(STATS, encoding="utf-8")
    ops = summarize(path)
    mobile, total, review = ops["mobile: own employee"], ops["total"], ops["admin: start review"]
    assert (mobile.requests, mobile.failures, mobile.rps) == (400, 4, 40.0)
    assert (mobile.p50_ms, mobile.p95_ms, mobile.p99_ms) == (12.0, 38.0, 90.0)
    assert mobile.error_rate == pytest.approx(0.01)
    assert (total.requests, total.p95_ms, total.error_rate) == (450, 95.0, pytest.approx(4 / 450))
    assert (review.requests, review.p95_ms, review.error_rate) == (0, 0.0, 0.0)  # no requests: N/A, no division


def test_rounds_combine_by_sum_of_requests_and_median_of_rates(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "run_stats.csv"
    path.write_text(STATS, encoding="utf-8")
    faster = tmp_path / "faster_stats.csv"
    faster.write_text(STATS.replace(",40.0,0.4,12,14,15,17,25,38,", ",60.0,0.4,12,14,15,17,25,20,"), encoding="utf-8")
    rounds = [{"operations": summarize(path)}, {"operations": summarize(faster)}]
    mobile = combined(rounds)["mobile: own employee"]
    assert (mobile.requests, mobile.failures, mobile.rps, mobile.p95_ms) == (800, 8, 50.0, 29.0)


class Stub(BaseHTTPRequestHandler):
    """Answers every call as the services would in shape: pages with a cursor, 202 for a review."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else a delayed ACK holds each answer 40 ms
    seen: list[tuple[int, str, str, str]]

    def answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.seen.append((self.server.server_address[1], "GET", self.path, self.headers["Authorization"]))
        if self.path.endswith("/employees?limit=100"):
            self.answer(200, {"items": [], "next_cursor": "c2"})
        else:
            self.answer(200, {"items": [], "next_cursor": None})

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        body = self.rfile.read(length).decode()
        self.seen.append((self.server.server_address[1], "POST", self.path, body))
        self.answer(202, {"id": "r1", "status": "queued"})

    def log_message(self, *args: object) -> None:
        pass


class StubServer(ThreadingHTTPServer):
    request_queue_size = 128  # locust opens every user's connection at once; 5 would drop SYNs (1 s retries)
    daemon_threads = True


@pytest.fixture
def stubs() -> Iterator[tuple[dict[str, str], list[tuple[int, str, str, str]]]]:
    seen: list[tuple[int, str, str, str]] = []
    handler = type("Handler", (Stub,), {"seen": seen})
    servers = {name: StubServer(("127.0.0.1", 0), handler) for name in ("gateway", "registry", "scoring")}
    for server in servers.values():
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {name: f"http://127.0.0.1:{s.server_address[1]}" for name, s in servers.items()}, seen
    for server in servers.values():
        server.shutdown()
        server.server_close()


def plan(target: str, urls: dict[str, str]) -> dict[str, object]:
    services = ("gateway",) if target == "gateway" else ("registry", "scoring")
    return {
        "target": target,
        "urls": urls,
        "tokens": {kind: {s: f"{kind}-{s}" for s in services} for kind in ("mobile", "system", "admin")},
        "nips": ["199001012020121001"],
        "employee_nip": "198609262015051001",
        "positions": ["p1"],
        "agencies": ["a1"],
        "period": 2025,
        "review_interval_seconds": 0,
    }


@pytest.mark.parametrize("target", ["gateway", "direct"])
def test_the_locustfile_drives_every_operation_to_its_service(
    target: str, stubs: tuple[dict[str, str], list[tuple[int, str, str, str]]], tmp_path: pathlib.Path
) -> None:
    urls, seen = stubs
    ops = run_locust(plan(target, urls), users=10, seconds=3, folder=tmp_path, name=target)["operations"]
    assert set(ops) == OPERATIONS | {"total"}
    assert all(op.requests > 0 and op.failures == 0 for op in ops.values()), ops
    port = {int(url.rsplit(":", 1)[1]): name for name, url in urls.items()}
    where = {(port[p], method, path.split("?")[0].replace("/api/v1/", "/v1/")) for p, method, path, _ in seen}
    registry, scoring = ("gateway", "gateway") if target == "gateway" else ("registry", "scoring")
    assert where >= {
        (registry, "GET", "/v1/employees/198609262015051001"),
        (scoring, "GET", "/v1/employees/198609262015051001/talent"),
        (registry, "GET", "/v1/employees"),
        (registry, "GET", "/v1/employees/199001012020121001"),
        (scoring, "GET", "/v1/employees/199001012020121001/talent"),
        (scoring, "GET", "/v1/positions/p1/successors"),
        (scoring, "GET", "/v1/talent-reviews"),
        (scoring, "POST", "/v1/talent-reviews"),
    }
    assert all(path.startswith("/api/v1/") == (target == "gateway") for _, _, path, _ in seen)
    assert any("cursor=c2" in path for _, _, path, _ in seen)  # the system client follows next_cursor
    tokens = {auth for _, method, _, auth in seen if method == "GET"}
    expected = {"gateway"} if target == "gateway" else {"registry", "scoring"}
    assert {t.rsplit("-", 1)[1] for t in tokens} == expected  # each service gets its own token
    assert {json.loads(body)["agency_id"] for _, method, _, body in seen if method == "POST"} == {"a1"}
