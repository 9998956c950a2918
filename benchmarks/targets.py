#!/usr/bin/env python
"""Issue 17's targets against one `make bench` run: met, not met, skipped or not comparable.

    .venv/bin/python benchmarks/targets.py benchmarks/out/<run>

`benchmarks/run` leaves in its output directory the figures of each benchmark (`--json`, one
file per benchmark and database: `posting.json`, `pages-sqlite.json`, `load-postgresql.json`,
…), `run.json` (the scale and the machine) and `steps.tsv` (each step: ok, failed or skipped, and
why). This prints one table — each target, the figure measured, the verdict and, for a miss, why,
worked out from the figures — then the side-by-side tables of the pages and of the load, and
writes the same to `targets.md` in that directory. Standard library only; nothing is measured
here.

A verdict is "skipped" when the figures are missing (the step was skipped, failed or never ran:
the table says which), and "not comparable" when they were measured on something smaller than
the target names (`BENCH_SCALE=small`, fewer than 10,000 members or 1,000,000 exchanges, no step
of 50 clients): the figure is printed, no verdict is drawn from it.
"""

from __future__ import annotations

import json
import statistics
import sys
from dataclasses import dataclass
from pathlib import Path

MET, NOT_MET, SKIPPED, NOT_COMPARABLE = "met", "not met", "skipped", "not comparable"

FLOOR_RATIO = 0.7  # transfer_post ÷ the one-round-trip function, PostgreSQL
HORDAK_RATIO = 3.0  # transfer_post ÷ django-hordak
SQLITE_RATIO = 0.3  # transfer_post ÷ bare sqlite3 on minimal tables
FLAT = 1.25  # the last quarter's median at most this many times the first's
PAGE_MS = 30.0
MEMBERS = 10_000
EXCHANGES = 1_000_000
PREFILL = 1_000_000
RATE = 150.0
P95_MS = 200.0
CLIENTS = 50
FUNDER_S = {"postgresql": 1.0, "sqlite": 3.0}
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
PAGES = ("offers", "search", "requests", "profile", "home", "dashboard")

FLOOR = "floor function"
HORDAK = "django-hordak"
BARE_MINIMAL = "bare sqlite3, minimal tables"
BARE_SAME = "bare sqlite3, same tables"


@dataclass
class Row:
    target: str
    where: str
    measured: str
    verdict: str
    why: str = ""


class Run:
    """What one run left in its directory: the figures by name, each step's outcome."""

    def __init__(self, figures: dict[str, dict], steps: dict[str, tuple[str, str]], meta: dict):
        self.figures, self.steps, self.meta = figures, steps, meta

    @classmethod
    def read(cls, directory: Path) -> Run:
        figures = {}
        for path in sorted(directory.glob("*.json")):
            if path.name != "run.json":
                figures[path.stem] = json.loads(path.read_text(encoding="utf-8"))
        steps = {}
        tsv = directory / "steps.tsv"
        if tsv.exists():
            for line in tsv.read_text(encoding="utf-8").splitlines():
                name, _, rest = line.partition("\t")
                status, _, detail = rest.partition("\t")
                steps[name] = (status, detail)
        meta_path = directory / "run.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        return cls(figures, steps, meta)

    @property
    def small(self) -> bool:
        return self.meta.get("scale") == "small"

    def missing(self, name: str) -> str:
        """Why there are no figures called `name`."""
        status, detail = self.steps.get(name, ("", ""))
        if status == "skipped":
            return f"skipped: {detail}"
        if status == "failed":
            return f"{name} failed ({detail})"
        if status == "ok":
            return f"{name} ran but wrote no figures"
        return f"{name} did not run (no {name}.json)"


def _x(value: float) -> str:
    return f"{value:.2f}x"


def _ms(value: float) -> str:
    return f"{value:,.1f} ms" if value < 100 else f"{value:,.0f} ms"


def _small_note(run: Run, *reasons: str) -> str:
    found = [r for r in reasons if r]
    if run.small:
        found.insert(0, "BENCH_SCALE=small")
    return "; ".join(found)


def _cpu(contender: dict) -> float | None:
    client, server = contender.get("cpu_client_ms"), contender.get("cpu_server_ms")
    if client is None:
        return None
    return client + (server or 0.0)


def _ratio_row(
    target: str, where: str, section: dict, floor: str, want: float, not_comparable: str
) -> Row:
    """transfer_post as a share of a floor's throughput and of its CPU: met only if both are
    at least `want` (a loaded machine squeezes the throughput ratio towards 1; the CPU ratio
    hardly moves with load)."""
    tp, fl = section["contenders"]["transfer_post"], section["contenders"].get(floor)
    if fl is None:
        return Row(target, where, "no floor measured", SKIPPED, f"no '{floor}' in the figures")
    by_rate = tp["rate"] / fl["rate"]
    tp_cpu, fl_cpu = _cpu(tp), _cpu(fl)
    by_cpu = fl_cpu / tp_cpu if tp_cpu and fl_cpu else None
    measured = f"{_x(by_rate)} by throughput ({tp['rate']:,.0f}/s against {fl['rate']:,.0f}/s)"
    if by_cpu is not None:
        measured += f", {_x(by_cpu)} by CPU ({tp_cpu:.3f} against {fl_cpu:.3f} ms a posting)"
    if not_comparable:
        return Row(target, where, measured, NOT_COMPARABLE, not_comparable)
    if by_rate >= want and (by_cpu is None or by_cpu >= want):
        return Row(target, where, measured, MET)
    why = []
    if by_rate < want:
        why.append(f"{want:.0%} of the floor's rate needs {fl['rate'] * want:,.0f}/s")
    if by_cpu is not None and by_cpu < want:
        budget = fl_cpu / want
        parts = f"client {tp['cpu_client_ms']:.3f} ms"
        if tp.get("cpu_server_ms"):
            parts += (
                f" + server {tp['cpu_server_ms']:.3f} ms against the floor's "
                f"{fl['cpu_client_ms']:.3f} + {fl['cpu_server_ms'] or 0:.3f}"
            )
        why.append(f"by CPU it needs ≤ {budget:.3f} ms a posting, it takes {tp_cpu:.3f} ({parts})")
    return Row(target, where, measured, NOT_MET, "; ".join(why))


def posting_rows(run: Run) -> list[Row]:
    rows: list[Row] = []
    posting = run.figures.get("posting")
    pg = posting.get("postgresql") if posting else None
    target = f"transfer_post ≥ {FLOOR_RATIO}x the one-round-trip function"
    hordak_target = f"transfer_post ≥ {HORDAK_RATIO:g}x django-hordak"
    scans_target = "no sequential scan of the ledger's tables during postings"
    flat_target = f"a posting's cost flat as the ledger grows (last quarter ≤ {FLAT}x the first)"
    if pg is None:
        why = run.missing("posting") if posting is None else _pg_missing(run)
        for name, where in (
            (target, "PostgreSQL, fresh"),
            (target, "PostgreSQL, 1,000,000 transfers"),
            (hordak_target, "PostgreSQL"),
            (scans_target, "PostgreSQL"),
            (flat_target, "PostgreSQL"),
        ):
            rows.append(Row(name, where, "", SKIPPED, why))
    else:
        filled = pg["filled_transfers"]
        rows.append(
            _ratio_row(
                target, "PostgreSQL, fresh", pg["fresh"], FLOOR, FLOOR_RATIO, _small_note(run)
            )
        )
        rows.append(
            _ratio_row(
                target,
                f"PostgreSQL, {filled:,} transfers",
                pg["filled"],
                FLOOR,
                FLOOR_RATIO,
                _small_note(
                    run,
                    f"filled with {filled:,}, the target is at {PREFILL:,}"
                    if filled < PREFILL
                    else "",
                ),
            )
        )
        rows.append(_hordak_row(run, hordak_target, pg["fresh"]))
        rows.append(_scans_row(run, scans_target, pg))
        rows.append(_flat_row(run, flat_target, pg))
    sqlite_target = f"transfer_post ≥ {SQLITE_RATIO}x the bare sqlite3 floor"
    if posting is None:
        rows.append(Row(sqlite_target, "SQLite", "", SKIPPED, run.missing("posting")))
    else:
        row = _ratio_row(
            sqlite_target,
            "SQLite",
            posting["sqlite"],
            BARE_MINIMAL,
            SQLITE_RATIO,
            _small_note(run),
        )
        same = posting["sqlite"]["contenders"].get(BARE_SAME)
        tp_cpu = _cpu(posting["sqlite"]["contenders"]["transfer_post"])
        if row.verdict == NOT_MET and same and tp_cpu and _cpu(same):
            row.why += (
                f"; the same statements bare on the app's own tables take {_cpu(same):.3f} ms "
                f"({_x(_cpu(same) / tp_cpu)} of transfer_post's CPU): the schema's indexes, not "
                "the Python path"
            )
        rows.append(row)
    return rows


def _pg_missing(run: Run) -> str:
    _status, detail = run.steps.get("posting-postgresql", ("", ""))
    return f"skipped: {detail}" if detail else "PostgreSQL not measured (DATABASE_URL not set)"


def _hordak_row(run: Run, target: str, fresh: dict) -> Row:
    """transfer_post's throughput and its CPU a posting against django-hordak's: met only if
    both are at least HORDAK_RATIO times hordak's (as for a floor, `_ratio_row`)."""
    hordak = fresh["contenders"].get(HORDAK)
    if hordak is None:
        return Row(target, "PostgreSQL", "", SKIPPED, "django-hordak was not run")
    tp = fresh["contenders"]["transfer_post"]
    ratio = tp["rate"] / hordak["rate"]
    tp_cpu, hordak_cpu = _cpu(tp), _cpu(hordak)
    by_cpu = hordak_cpu / tp_cpu if tp_cpu and hordak_cpu else None
    measured = f"{_x(ratio)} ({tp['rate']:,.0f}/s against {hordak['rate']:,.0f}/s)"
    if by_cpu is not None:
        measured += f", {_x(by_cpu)} by CPU ({tp_cpu:.3f} against {hordak_cpu:.3f} ms a posting)"
    if note := _small_note(run):
        return Row(target, "PostgreSQL", measured, NOT_COMPARABLE, note)
    if ratio >= HORDAK_RATIO and (by_cpu is None or by_cpu >= HORDAK_RATIO):
        return Row(target, "PostgreSQL", measured, MET)
    why = []
    if ratio < HORDAK_RATIO:
        why.append(
            f"{HORDAK_RATIO:g}x needs {hordak['rate'] * HORDAK_RATIO:,.0f}/s; both commit once "
            f"a posting, and a commit's wait for the disk is in both (transfer_post's median "
            f"{tp['median_ms']:.2f} ms)"
        )
    if by_cpu is not None and by_cpu < HORDAK_RATIO:
        why.append(
            f"by CPU it needs ≤ {hordak_cpu / HORDAK_RATIO:.3f} ms a posting, it takes {tp_cpu:.3f}"
        )
    return Row(target, "PostgreSQL", measured, NOT_MET, "; ".join(why))


def _scans_row(run: Run, target: str, pg: dict) -> Row:
    found = {
        f"{kind} {table}": count
        for kind in ("fresh", "filled")
        for table, count in (pg[kind].get("seq_scans") or {}).items()
        if count
    }
    measured = (
        "0 in both databases" if not found else ", ".join(f"{k}: {v}" for k, v in found.items())
    )
    if found:  # a scan on a small set is a miss too: the plan does not depend on size
        return Row(
            target,
            "PostgreSQL, fresh and filled",
            measured,
            NOT_MET,
            "postings read whole ledger tables: a plan that depends on the tables' statistics",
        )
    if note := _small_note(run):
        return Row(target, "PostgreSQL, fresh and filled", measured, NOT_COMPARABLE, note)
    return Row(target, "PostgreSQL, fresh and filled", measured, MET)


def _flat_row(run: Run, target: str, pg: dict) -> Row:
    parts, grew = [], []
    for kind in ("fresh", "filled"):
        quarters = pg[kind].get("quarters_ms")
        if not quarters:
            continue
        parts.append(f"{kind} " + " → ".join(f"{q:.2f}" for q in quarters) + " ms")
        if quarters[-1] > FLAT * quarters[0]:
            grew.append(f"{kind}: the last quarter {quarters[-1] / quarters[0]:.2f}x the first")
    measured = "; ".join(parts) or "no quarters"
    if note := _small_note(run):
        return Row(target, "PostgreSQL", measured, NOT_COMPARABLE, note)
    if grew:
        return Row(target, "PostgreSQL", measured, NOT_MET, "; ".join(grew))
    return Row(target, "PostgreSQL", measured, MET)


def pages_rows(run: Run) -> list[Row]:
    rows = []
    for db, label in DATABASES.items():
        for name, size in (
            (f"pages-{db}", f"{MEMBERS:,} members"),
            (f"pages-1m-{db}", f"{EXCHANGES:,} exchanges"),
        ):
            target = f"every page under {PAGE_MS:g} ms of server time"
            where = f"{label}, {size}"
            pages = run.figures.get(name)
            if pages is None:
                rows.append(Row(target, where, "", SKIPPED, run.missing(name)))
                continue
            measured_pages = pages["pages"]
            slowest = max(measured_pages, key=lambda p: measured_pages[p]["median_ms"])
            measured = (
                f"slowest: {slowest} {_ms(measured_pages[slowest]['median_ms'])} "
                f"({pages['members']:,} members, {pages.get('exchanges', 0):,} exchanges)"
            )
            small = ""
            if name.startswith("pages-1m") and pages.get("exchanges", 0) < EXCHANGES:
                small = f"{pages.get('exchanges', 0):,} exchanges, the target is at {EXCHANGES:,}"
            elif not name.startswith("pages-1m") and pages["members"] < MEMBERS:
                small = f"{pages['members']:,} members, the target is at {MEMBERS:,}"
            if note := _small_note(run, small):
                rows.append(Row(target, where, measured, NOT_COMPARABLE, note))
                continue
            over = [
                (key, page) for key, page in measured_pages.items() if page["median_ms"] >= PAGE_MS
            ]
            if not over:
                rows.append(Row(target, where, measured, MET))
                continue
            why = ", ".join(
                f"{key} {_ms(page['median_ms'])} (this process's CPU {_ms(page['cpu_ms'])}, "
                f"{page['queries']} queries)"
                for key, page in sorted(over, key=lambda kp: -kp[1]["median_ms"])
            )
            if db == "postgresql":
                why += "; the clock less the CPU is the database's share and the waits"
            rows.append(Row(target, where, measured, NOT_MET, f"over {PAGE_MS:g} ms: {why}"))
    return rows


def _load_steps(load: dict) -> tuple[dict | None, dict | None]:
    """The step of 50 clients with think time, and the fastest step (the stress step)."""
    think = [s for s in load["steps"] if s["think_s"] > 0 and s["clients"] >= CLIENTS]
    fastest = max(load["steps"], key=lambda s: s["requests_per_s"], default=None)
    return (min(think, key=lambda s: s["clients"]) if think else None), fastest


def load_rows(run: Run) -> list[Row]:
    rows = []
    for db, label in DATABASES.items():
        name = f"load-{db}"
        load = run.figures.get(name)
        targets = (
            f"≥ {RATE:g} requests/s on the mix",
            f"p95 under {P95_MS:g} ms at {CLIENTS} clients",
            "0 errors under load",
        )
        if load is None:
            rows += [Row(t, label, "", SKIPPED, run.missing(name)) for t in targets]
            continue
        at_50, fastest = _load_steps(load)
        note = _small_note(run)
        rows.append(_rate_row(targets[0], label, load, fastest, note))
        if at_50 is None:
            clients = ", ".join(str(s["clients"]) for s in load["steps"] if s["think_s"] > 0)
            rows.append(
                Row(
                    targets[1],
                    label,
                    f"steps of {clients or 'no'} clients with think time",
                    NOT_COMPARABLE,
                    _small_note(run, f"no step of {CLIENTS} clients"),
                )
            )
        else:
            measured = f"p95 {_ms(at_50['p95_ms'])} at {at_50['clients']} clients (think time)"
            if note:
                rows.append(Row(targets[1], label, measured, NOT_COMPARABLE, note))
            elif at_50["p95_ms"] < P95_MS:
                rows.append(Row(targets[1], label, measured, MET))
            else:
                slow = sorted(at_50["pages_median_ms"].items(), key=lambda kv: -kv[1])[:3]
                rows.append(
                    Row(
                        targets[1],
                        label,
                        measured,
                        NOT_MET,
                        "slowest medians: " + ", ".join(f"{p} {_ms(ms)}" for p, ms in slow),
                    )
                )
        errors = sum(s["errors"] for s in load["steps"])
        kinds: dict[str, int] = {}
        for s in load["steps"]:
            for kind, count in s["error_kinds"].items():
                kinds[kind] = kinds.get(kind, 0) + count
        requests = sum(s["requests"] for s in load["steps"])
        measured = f"{errors} errors in {requests + errors:,} requests"
        if errors:
            rows.append(
                Row(
                    targets[2],
                    label,
                    measured,
                    NOT_MET,
                    ", ".join(f"{k}: {v}" for k, v in kinds.items()),
                )
            )
        elif note:
            rows.append(Row(targets[2], label, measured, NOT_COMPARABLE, note))
        else:
            rows.append(Row(targets[2], label, measured, MET))
    return rows


def _rate_row(target: str, where: str, load: dict, fastest: dict | None, note: str) -> Row:
    if fastest is None:
        return Row(target, where, "no steps", SKIPPED, "load.py measured no step")
    think = "no think time" if not fastest["think_s"] else f"think {fastest['think_s']:g} s"
    measured = f"{fastest['requests_per_s']:,.1f}/s at {fastest['clients']} clients, {think}"
    if note:
        return Row(target, where, measured, NOT_COMPARABLE, note)
    if fastest["requests_per_s"] >= RATE:
        return Row(target, where, measured, MET)
    cores = load.get("cores") or 2
    server = fastest.get("server_cpu_ms_per_request")
    if server is None:
        return Row(
            target, where, measured, NOT_MET, "the server's CPU was not measured (no --server-pid)"
        )
    budget = cores * 1000 / RATE
    own = fastest.get("load_generator_cpu_ms_per_request") or 0.0
    busy = fastest.get("server_cores_busy") or 0.0
    why = (
        f"{server:.1f} ms of server CPU a request; {RATE:g} requests/s on {cores} cores needs "
        f"≤ {budget:.1f} ms ({budget - own:.1f} ms with the load generator's {own:.1f} ms on the "
        "same cores)"
    )
    if busy < 0.75 * cores:
        why += (
            f"; but only {busy:.2f} of {cores} cores were busy: the server also waited "
            "(database, locks, the network), not only computed"
        )
    else:
        why += f"; {busy:.2f} of {cores} cores busy"
    return Row(target, where, measured, NOT_MET, why)


def funder_rows(run: Run) -> list[Row]:
    rows = []
    for db in ("postgresql", "sqlite"):
        limit, label = FUNDER_S[db], DATABASES[db]
        target = f"the funder's report at {EXCHANGES:,} exchanges under {limit:g} s"
        name = f"insights-{db}"
        insights = run.figures.get(name)
        funder = (insights or {}).get("reports", {}).get("funder")
        if funder is None:
            reason = run.missing(name) if insights is None else "the funder's report was not timed"
            rows.append(Row(target, label, "", SKIPPED, reason))
            continue
        runs = len(funder["runs_s"])
        measured = (
            f"median {funder['median_s']:.2f} s of {runs} (best {funder['best_s']:.2f} s; "
            f"{insights['exchanges']:,} exchanges)"
        )
        small = ""
        if insights["exchanges"] < EXCHANGES:
            small = f"{insights['exchanges']:,} exchanges, the target is at {EXCHANGES:,}"
        if note := _small_note(run, small):
            rows.append(Row(target, label, measured, NOT_COMPARABLE, note))
        elif funder["median_s"] < limit:
            rows.append(Row(target, label, measured, MET))
        else:
            sql = statistics.median(funder["in_queries_s"])
            cpu = statistics.median(funder["process_cpu_s"])
            what = "the queries" if sql >= funder["median_s"] / 2 else "the Python"
            how = "CPU (its queries included, in-process)" if db == "sqlite" else "Python CPU"
            rows.append(
                Row(
                    target,
                    label,
                    measured,
                    NOT_MET,
                    f"{sql:.2f} s in queries, {cpu:.2f} s of the process's {how}: "
                    f"{what} are most of it; {limit:g} s needs {funder['median_s'] - limit:.2f} s "
                    "less",
                )
            )
    return rows


def judge(run: Run) -> list[Row]:
    return posting_rows(run) + pages_rows(run) + load_rows(run) + funder_rows(run)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def targets_table(rows: list[Row]) -> list[str]:
    lines = ["| target | where | measured | verdict | why |", "|---|---|---|---|---|"]
    for r in rows:
        verdict = f"**{r.verdict}**" if r.verdict in (MET, NOT_MET) else r.verdict
        lines.append(
            f"| {_cell(r.target)} | {r.where} | {_cell(r.measured)} | {verdict} | {_cell(r.why)} |"
        )
    return lines


def pages_table(run: Run) -> list[str]:
    columns = [
        (name, title)
        for name, title in (
            ("pages-sqlite", "SQLite, demo"),
            ("pages-postgresql", "PostgreSQL, demo"),
            ("pages-1m-sqlite", "SQLite, bench_insights' set"),
            ("pages-1m-postgresql", "PostgreSQL, bench_insights' set"),
        )
        if name in run.figures
    ]
    if not columns:
        return []
    lines = [
        "Pages (`bench_pages.py`): median / this process's CPU, ms (queries)",
        "",
        "| page | " + " | ".join(title for _n, title in columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    for page in PAGES:
        cells = []
        for name, _title in columns:
            p = run.figures[name]["pages"].get(page)
            cells.append(f"{p['median_ms']:.1f} / {p['cpu_ms']:.1f} ({p['queries']})" if p else "-")
        lines.append(f"| {page} | " + " | ".join(cells) + " |")
    sizes = [
        f"{title}: {run.figures[n]['members']:,} members, {run.figures[n].get('exchanges', 0):,} "
        "exchanges"
        for n, title in columns
    ]
    return [*lines, "", "; ".join(sizes) + ".", ""]


def load_table(run: Run, db: str) -> list[str]:
    load = run.figures.get(f"load-{db}")
    if load is None:
        return []
    pages = ("dashboard", "home", "offers", "search", "profile", "requests", "healthz")
    lines = [
        f"Under load on {DATABASES[db]} (`load.py`): page columns are each page's median, ms",
        "",
        "| clients | requests/s | p50 | p95 | p99 | errors | server CPU / request | "
        + " | ".join(pages)
        + " |",
        "|---|" + "---:|" * (6 + len(pages)),
    ]
    for s in load["steps"]:
        think = f", think {s['think_s']:g} s" if s["think_s"] else ", no think time"
        server = s.get("server_cpu_ms_per_request")
        cpu = f"{server:.1f} ms ({s['server_cores_busy']:.2f} cores)" if server is not None else "-"
        medians = s["pages_median_ms"]
        cells = [f"{medians[p]:.0f}" if p in medians else "-" for p in pages]
        lines.append(
            f"| {s['clients']}{think} | {s['requests_per_s']:.1f} | {_num(s['p50_ms'])} | "
            f"{_num(s['p95_ms'])} | {_num(s['p99_ms'])} | {s['errors']} | {cpu} | "
            + " | ".join(cells)
            + " |"
        )
    return [*lines, ""]


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def render(run: Run) -> str:
    meta = run.meta
    head = (
        f"Issue 17's targets, `make bench` of {meta.get('started', '?')} "
        f"(scale {meta.get('scale', '?')}; {meta.get('cores', '?')} cores; load average "
        f"{meta.get('load_before', '?')} before, {meta.get('load_after', '?')} after)"
    )
    lines = [head, ""]
    if run.small:
        lines += [
            "**BENCH_SCALE=small: a check of the harness, not a measurement. No verdict is drawn "
            "against the targets.**",
            "",
        ]
    lines += targets_table(judge(run))
    skipped = [
        f"{name}: {detail}" for name, (status, detail) in run.steps.items() if status == "skipped"
    ]
    failed = [
        f"{name}: {detail}" for name, (status, detail) in run.steps.items() if status == "failed"
    ]
    if skipped:
        lines += ["", "Skipped: " + "; ".join(skipped) + "."]
    if failed:
        lines += ["", "**Failed**: " + "; ".join(failed) + "."]
    lines.append("")
    lines += pages_table(run)
    for db in DATABASES:
        lines += load_table(run, db)
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or not Path(args[0]).is_dir():
        print(
            "usage: targets.py DIRECTORY (the output directory of benchmarks/run)", file=sys.stderr
        )
        return 2
    directory = Path(args[0])
    text = render(Run.read(directory))
    (directory / "targets.md").write_text(text, encoding="utf-8")
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
