#!/usr/bin/env python
"""A closed-loop load generator: simulated members and a coordinator using a running Coproduce.

    COPRODUCE_DATA_DIR=/tmp/pages-demo .venv/bin/coproduce demo --members 10000 --months 12
    COPRODUCE_DATA_DIR=/tmp/pages-demo .venv/bin/coproduce serve --port 8100 &
    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:8100 [--steps 1,10,50]
        [--seconds 20] [--think 1.0] [--password PASSWORD]

Each simulated person is one asyncio task with its own connection and session: it signs in
through the real sign-in form (CSRF and all) as one of the demo's people (alice, bob and other
members; carol the coordinator takes one client in ten), then loops: pick a page from the mix,
request it, read the whole answer, wait a think time (exponential, mean `--think` seconds; 0 for
a stress step), and again. "Closed loop": a client sends its next request only after the last
one answered, so a slow server sees fewer requests, as with real people.

The mix (weights): browse offers 25, search 15, browse requests 10, a public profile 15, home 20,
the coordinator dashboard 5 (carol only), /healthz 10 (the framework's floor, timed beside the
pages). Each step runs `--seconds` with N clients after a short warm-up; it prints requests/s,
p50/p95/p99 over all requests, errors (any status other than 200, or a broken connection), and
each page's median. Only the standard library is used.

`--server-pid PID` (repeatable; gunicorn's master, PostgreSQL's postmaster) also reads the CPU
time those processes and all their children spent during each measured step, from /proc, and
prints it per request beside the load generator's own: on a machine where the load generator
shares the server's cores, "server CPU per request" says what the server itself costs, and so
what the same server would carry on cores of its own (cores x 1,000 / ms per request).

`--json FILE` also writes every step's figures as JSON (for `benchmarks/targets.py`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

DEMO_PASSWORD = "coproduce-demo"  # noqa: S105 - the demo's published password
MEMBERS = ("alice", "bob")
MIX: list[tuple[str, str, int]] = [
    ("offers", "/offers/", 25),
    ("search", "/offers/?q=garden", 15),
    ("requests", "/requests/?category=transport", 10),
    ("profile", "{profile}", 15),
    ("home", "/", 20),
    ("dashboard", "/coordinator/", 5),
    ("healthz", "/healthz", 10),
]


@dataclass
class Results:
    times: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    server_cpu: float | None = None
    own_cpu: float = 0.0

    def add(self, page: str, ms: float) -> None:
        self.times.setdefault(page, []).append(ms)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1


class Http:
    """One HTTP/1.1 connection with cookies, kept alive as a browser keeps it: reconnects when
    the server closes (gunicorn's sync workers answer `Connection: close`), and when a kept
    connection turns out to have been closed by the server while idle (a keep-alive timeout)
    before any answer came, sends the request again once on a new one, as browsers do."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        if self.writer is None:
            await self._connect()
            return await self._send(method, path, body, headers)
        try:
            return await self._send(method, path, body, headers)
        except _ClosedWhileIdle:
            await self.close()
            await self._connect()
            return await self._send(method, path, body, headers)

    async def _send(
        self, method: str, path: str, body: bytes, headers: dict[str, str] | None
    ) -> tuple[int, dict[str, str], bytes]:
        assert self.reader is not None and self.writer is not None
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Accept-Encoding: identity",
            "Connection: keep-alive",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        for name, value in (headers or {}).items():
            lines.append(f"{name}: {value}")
        if body:
            lines.append(f"Content-Length: {len(body)}")
        try:
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await self.writer.drain()
            status_line = await self.reader.readline()
        except (ConnectionResetError, BrokenPipeError) as problem:
            raise _ClosedWhileIdle from problem
        if not status_line:
            raise _ClosedWhileIdle("closed before answering")
        status = int(status_line.split()[1])
        answer: dict[str, str] = {}
        while (line := await self.reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "set-cookie":
                cookie = value.split(";", 1)[0]
                key, _, val = cookie.partition("=")
                self.cookies[key] = val
            answer[name] = value
        if answer.get("transfer-encoding") == "chunked":
            chunks = []
            while size := int((await self.reader.readline()).strip() or b"0", 16):
                chunks.append(await self.reader.readexactly(size))
                await self.reader.readline()
            await self.reader.readline()
            data = b"".join(chunks)
        else:
            data = await self.reader.readexactly(int(answer.get("content-length", "0")))
        if answer.get("connection", "").lower() == "close":
            await self.close()
        return status, answer, data


class _ClosedWhileIdle(ConnectionError):
    """The server closed the connection before answering (on a kept one: its keep-alive timeout)."""


async def sign_in(http: Http, username: str, password: str) -> None:
    status, _headers, page = await http.request("GET", "/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise RuntimeError(f"the sign-in page answered {status}")
    form = urlencode(
        {"csrfmiddlewaretoken": token.group(1).decode(), "username": username, "password": password}
    ).encode()
    status, _headers, _ = await http.request(
        "POST",
        "/login/",
        form,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{http.host}:{http.port}/login/",
        },
    )
    if status != 302:
        raise RuntimeError(f"{username} could not sign in ({status}); is --password right?")


async def find_profile(http: Http) -> str:
    """A member's public profile, found as a person would: an offer, then who offers it."""
    _status, _headers, page = await http.request("GET", "/offers/")
    offers = re.findall(rb'href="(/offers/[0-9a-f-]{36}/)"', page)
    for offer in offers:
        _status, _headers, page = await http.request("GET", offer.decode())
        if found := re.findall(rb'href="(/people/[0-9a-f-]{36}/)"', page):
            return found[0].decode()
    raise RuntimeError("no offer on /offers/ names its member: is this the demo community?")


@dataclass
class Person:
    http: Http
    rng: random.Random
    names: list[str]
    paths: dict[str, str]
    weights: list[int]


async def prepare(number: int, url: tuple[str, int], args: argparse.Namespace) -> Person:
    """Signs one simulated person in and finds a profile to visit: before the clock starts."""
    is_coordinator = number % 10 == 0
    http = Http(*url)
    await sign_in(
        http, "carol" if is_coordinator else MEMBERS[number % len(MEMBERS)], args.password
    )
    profile = await find_profile(http)
    mix = [m for m in MIX if (is_coordinator or m[0] != "dashboard") and m[0] in args.only]
    return Person(
        http=http,
        rng=random.Random(args.seed * 1000 + number),
        names=[name for name, _path, _weight in mix],
        paths={name: path.replace("{profile}", profile) for name, path, _weight in mix},
        weights=[weight for _name, _path, weight in mix],
    )


async def client(
    person: Person, think: float, until: float, measure_from: float, results: Results
) -> None:
    http = person.http
    while time.perf_counter() < until:
        page = person.rng.choices(person.names, person.weights)[0]
        start = time.perf_counter()
        try:
            status, _headers, _body = await http.request("GET", person.paths[page])
        except (ConnectionError, asyncio.IncompleteReadError, OSError) as problem:
            await http.close()
            if start >= measure_from:
                results.error(type(problem).__name__)
            continue
        took = (time.perf_counter() - start) * 1000
        if start >= measure_from:
            if status == 200:
                results.add(page, took)
            else:
                results.error(f"HTTP {status} on {page}")
        if think:
            await asyncio.sleep(person.rng.expovariate(1 / think))
    await http.close()


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as stat:
                    parent = int(stat.read().rpartition(")")[2].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            tree.setdefault(parent, []).append(int(entry))
    return tree


def _cpu_of(pid: int) -> float:
    """Seconds of CPU of one process and of its children already reaped (utime, stime, cutime,
    cstime); 0 when it has gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / CLOCK_TICKS


def server_cpu(roots: list[int]) -> float:
    """CPU seconds of the given processes and every live descendant. A child that ended and was
    reaped is in its parent's cutime/cstime, a live one is counted itself: nothing twice."""
    if not roots:
        return 0.0
    tree, total, seen = _children(), 0.0, set()
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid in seen:
            continue
        seen.add(pid)
        total += _cpu_of(pid)
        stack += tree.get(pid, [])
    return total


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(share * len(ordered)) - 1)]


async def step(args: argparse.Namespace, clients: int, think: float) -> Results:
    parts = urlsplit(args.url)
    address = (parts.hostname or "127.0.0.1", parts.port or 80)
    people = []
    for batch in range(0, clients, 10):  # sign in ten at a time, not all at once
        people += await asyncio.gather(
            *(prepare(n, address, args) for n in range(batch, min(clients, batch + 10)))
        )
    results = Results()
    measure_from = time.perf_counter() + args.warmup
    until = measure_from + args.seconds
    cpu = asyncio.create_task(measure_cpu(args.server_pid, measure_from, until, results))
    await asyncio.gather(*(client(p, think, until, measure_from, results) for p in people))
    await cpu
    return results


async def measure_cpu(roots: list[int], start: float, until: float, results: Results) -> None:
    """The server's and this process's CPU seconds over the measured window."""
    await asyncio.sleep(max(0.0, start - time.perf_counter()))
    server, own = server_cpu(roots), time.process_time()
    await asyncio.sleep(max(0.0, until - time.perf_counter()))
    results.server_cpu = server_cpu(roots) - server if roots else None
    results.own_cpu = time.process_time() - own


def report(clients: int, think: float, seconds: float, results: Results) -> None:
    every = [ms for times in results.times.values() for ms in times]
    label = f"{clients} clients, think {think:g}s"
    if not every:
        print(f"{label}: no answers ({results.errors} errors {results.error_kinds})")
        return
    print(
        f"{label}: {len(every) / seconds:.1f} requests/s, p50 {percentile(every, 0.5):.0f} ms, "
        f"p95 {percentile(every, 0.95):.0f} ms, p99 {percentile(every, 0.99):.0f} ms, "
        f"{results.errors} errors{' ' + str(results.error_kinds) if results.errors else ''}"
    )
    print(
        "   "
        + ", ".join(
            f"{page} {statistics.median(times):.0f} ms"
            for page, times in sorted(results.times.items())
        )
    )
    answered = len(every) + results.errors
    cpu = f"   load generator CPU {results.own_cpu * 1000 / answered:.1f} ms per request"
    if results.server_cpu is not None:
        per_request = results.server_cpu * 1000 / answered
        cpu = (
            f"   server CPU {per_request:.1f} ms per request "
            f"({results.server_cpu / seconds:.2f} cores busy);" + cpu[2:]
        )
    print(cpu)


def figures(clients: int, think: float, seconds: float, results: Results) -> dict:
    """One step's figures, as `report` prints them, for --json."""
    every = [ms for times in results.times.values() for ms in times]
    answered = len(every) + results.errors
    return {
        "clients": clients,
        "think_s": think,
        "seconds": seconds,
        "requests": len(every),
        "requests_per_s": len(every) / seconds,
        "p50_ms": percentile(every, 0.5) if every else None,
        "p95_ms": percentile(every, 0.95) if every else None,
        "p99_ms": percentile(every, 0.99) if every else None,
        "errors": results.errors,
        "error_kinds": results.error_kinds,
        "pages_median_ms": {
            page: statistics.median(times) for page, times in sorted(results.times.items())
        },
        "server_cpu_ms_per_request": (
            results.server_cpu * 1000 / answered
            if results.server_cpu is not None and answered
            else None
        ),
        "server_cores_busy": (
            results.server_cpu / seconds if results.server_cpu is not None else None
        ),
        "load_generator_cpu_ms_per_request": (
            results.own_cpu * 1000 / answered if answered else None
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--steps", default="1,10,50", help="clients per step, e.g. 1,10,50")
    parser.add_argument("--seconds", type=float, default=20.0, help="measured seconds per step")
    parser.add_argument("--warmup", type=float, default=3.0, help="unmeasured seconds per step")
    parser.add_argument("--think", type=float, default=1.0, help="mean think time (s) of the mix")
    parser.add_argument(
        "--stress", type=int, default=50, help="clients of the no-think step (0: none)"
    )
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--only", default="", help="play only these pages of the mix, e.g. healthz or offers,home"
    )
    parser.add_argument(
        "--server-pid",
        type=int,
        action="append",
        default=[],
        help="a server process whose CPU (with its children's) to report per request; repeatable",
    )
    parser.add_argument("--json", metavar="FILE", help="also write each step's figures to FILE")
    args = parser.parse_args()
    try:
        steps = [int(n) for n in args.steps.split(",") if n.strip()]
    except ValueError:
        print("--steps: give numbers of clients separated by commas, e.g. 1,10,50", file=sys.stderr)
        return 2
    names = [name for name, _path, _weight in MIX]
    args.only = [n.strip() for n in args.only.split(",") if n.strip()] if args.only else names
    if unknown := [name for name in args.only if name not in names]:
        print(f"--only: no page {unknown[0]!r}; the pages are {', '.join(names)}", file=sys.stderr)
        return 2
    if args.only == ["dashboard"]:
        print("--only dashboard: only coordinators see it; add another page", file=sys.stderr)
        return 2
    if missing := [pid for pid in args.server_pid if not os.path.exists(f"/proc/{pid}/stat")]:
        print(f"--server-pid: no process {missing[0]} on this machine", file=sys.stderr)
        return 2
    plan = [(n, args.think) for n in steps] + ([(args.stress, 0.0)] if args.stress else [])
    measured = {
        "benchmark": "load",
        "url": args.url,
        "cores": os.cpu_count(),
        "server_pids": len(args.server_pid),
        "load_before": list(os.getloadavg()),
        "steps": [],
    }
    for clients, think in plan:
        try:
            results = asyncio.run(step(args, clients, think))
        except (RuntimeError, OSError) as problem:
            print(f"load: {problem}", file=sys.stderr)
            return 1
        report(clients, think, args.seconds, results)
        measured["steps"].append(figures(clients, think, args.seconds, results))
    if args.json:
        measured["load_after"] = list(os.getloadavg())
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(measured, out, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
