"""One consumer process of tests/stress/test_subscriptions.py: claims, processes and acks until told to stop.

``python -m tests.stress.consumer RECORD NAME URL [URL...] --subscription S [--subscription T] ...``

It takes turns among its subscriptions, claiming from its first URL and from the next one when a
server does not answer (a restart), and writes what it does to RECORD, one JSON line each, flushed at
once, so that a SIGKILL leaves a true record: each lease it got (with the server's start and end),
each event it processed (and when), each ack and nack it sent (and when, before sending). Events
of the company ``--poison`` of a subscription named in ``--refuse`` are always handed back (retry):
the server parks them after ``max_deliveries``. ``--hold-after N``: after N leases, it stops
before acking, holding its lease until it is killed. It stops when the file ``RECORD.stop`` exists.
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import httpx


def _seconds(moment: str) -> float:
    return datetime.fromisoformat(moment.replace("Z", "+00:00")).timestamp()


class Consumer:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.urls: list[str] = args.urls
        self.record: IO[str] = Path(args.record).open("a", buffering=1)  # noqa: SIM115 (kept open for the run)
        self.stop = Path(args.record + ".stop")
        self.leases = 0
        self.http = httpx.Client(timeout=httpx.Timeout(10, read=args.wait + 10))

    def write(self, **entry: Any) -> None:
        self.record.write(json.dumps(entry) + "\n")

    def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """The answer of the first server that gives one, trying each in turn until one does (or the stop)."""
        for url in itertools.cycle(self.urls):
            try:
                answer = self.http.request(method, url + path, **kwargs)
            except httpx.HTTPError:
                time.sleep(0.2)
            else:
                if answer.status_code < 500:
                    assert answer.status_code == 200, f"{method} {path}: {answer.status_code} {answer.text}"
                    body: dict[str, Any] = answer.json()
                    return body
                time.sleep(0.2)  # 503 while a server stops: ask the next one
            if self.stop.exists():
                raise SystemExit(0)
        raise AssertionError("unreachable")

    def run(self) -> None:
        args = self.args
        for subscription in itertools.cycle(args.subscription):
            if self.stop.exists():
                return
            lease = self.call(
                "POST",
                f"/subscriptions/{subscription}/claim",
                params={"max": args.max, "wait": args.wait, "consumer": args.name},
            )
            if not lease["events"]:
                continue
            self.leases += 1
            expires = _seconds(lease["expires_at"])
            events = [(e["position"], e["event"]["id"], _company(e["event"])) for e in lease["events"]]
            self.write(
                kind="lease",
                subscription=subscription,
                lease=lease["lease_id"],
                consumer=args.name,
                start=expires - args.lease_seconds,
                expires=expires,
                positions=[p for p, _, _ in events],
            )
            done, refused = [], []
            for position, event_id, company in events:
                if subscription in args.refuse and company == args.poison:
                    refused.append((position, event_id))
                    continue
                self.write(
                    kind="processed",
                    subscription=subscription,
                    lease=lease["lease_id"],
                    position=position,
                    at=time.time(),
                )
                done.append((position, event_id))
            if args.hold_after and self.leases >= args.hold_after:
                self.write(kind="holding", subscription=subscription, lease=lease["lease_id"])
                while True:
                    time.sleep(1)  # until SIGKILL
            if refused:
                sent = time.time()
                body = {"lease_id": lease["lease_id"], "events": [i for _, i in refused], "action": "retry"}
                result = self.call("POST", f"/subscriptions/{subscription}/nack", json=body)
                self.write(
                    kind="nack",
                    subscription=subscription,
                    lease=lease["lease_id"],
                    sent=sent,
                    positions=[p for p, _ in refused],
                    result=result,
                )
            if done:
                sent = time.time()
                body = {"lease_id": lease["lease_id"], "events": [i for _, i in done]}
                result = self.call("POST", f"/subscriptions/{subscription}/ack", json=body)
                ids = {i: p for p, i in done}
                self.write(
                    kind="ack",
                    subscription=subscription,
                    lease=lease["lease_id"],
                    sent=sent,
                    positions=[p for p, _ in done],
                    not_held=[ids[i] for i in result["not_held"]],
                )


def _company(event: dict[str, Any]) -> str | None:
    company = event.get("company_id")
    return company if isinstance(company, str) else None


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("record")
    parser.add_argument("name")
    parser.add_argument("urls", nargs="+")
    parser.add_argument("--subscription", action="append", required=True)
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--poison", default="poison")
    parser.add_argument("--max", type=int, default=25)
    parser.add_argument("--wait", type=float, default=1.0)
    parser.add_argument("--lease-seconds", type=int, required=True)
    parser.add_argument("--hold-after", type=int, default=0)
    Consumer(parser.parse_args()).run()


if __name__ == "__main__":
    main()
