"""Run the SIASN stand-in for a demo or a benchmark: `python -m tests.siasn_standin --port 8890`.

Credentials it accepts (demo only): consumer key `demo-consumer-key` / secret `demo-consumer-secret`, SSO
user `demo-siasn-user` / `demo-siasn-password`. Point the registry at it with
REGISTRY_SIASN_BASE_URL=http://127.0.0.1:PORT/apisiasn/1.0, REGISTRY_SIASN_TOKEN_URL=http://127.0.0.1:PORT/oauth2/token
and REGISTRY_SIASN_SSO_TOKEN_URL=http://127.0.0.1:PORT/auth/realms/public-siasn/protocol/openid-connect/token."""

from __future__ import annotations

import argparse
import sys

import uvicorn

from services.registry.demo import DEFAULT_PEOPLE_PER_AGENCY, DEFAULT_SEED
from tests.siasn_standin.app import Standin
from tests.siasn_standin.data import StandinData

DEMO_CONSUMERS = {"demo-consumer-key": "demo-consumer-secret"}
DEMO_USERS = {"demo-siasn-user": "demo-siasn-password"}


def main(argv: list[str] | None = None) -> int:
    """Build the data from the demo generator and serve it until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.siasn_standin", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8890)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--people", type=int, default=DEFAULT_PEOPLE_PER_AGENCY, help="people per demo agency")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added to every data call")
    args = parser.parse_args(argv)
    data = StandinData.from_demo(args.seed, args.people)
    standin = Standin(data, consumers=DEMO_CONSUMERS, users=DEMO_USERS, latency=args.latency_ms / 1000)
    print(f"SIASN stand-in: {len(data.people)} people, instansi ids {data.agencies}", file=sys.stderr, flush=True)
    uvicorn.run(standin.app(), host=args.host, port=args.port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
