"""First-view time of the home page's "requests you could help with" box, member by member.

    COPRODUCE_DATA_DIR=/tmp/suggest-demo .venv/bin/python benchmarks/bench_suggestions.py \
        --sample 60 --json new.json
    PYTHONPATH=/tmp/old/src COPRODUCE_DATA_DIR=... .venv/bin/python \
        benchmarks/bench_suggestions.py --sample 60 --json old.json
    .venv/bin/python benchmarks/bench_suggestions.py --compare old.json new.json

The box ranks `requests_for_person(person, limit=10, timebank=…)` when its cache is cold (each
member's first view of home, `matching.for_you`). This times that call for a sample of the
members with an active match profile (every k-th by id, the same members for any code) and the
`--also` members (alice and bob), `--repeat` times each, and prints the median and worst over
members of each one's median CPU time of this process, and of their first run's (on SQLite
that is the database's work too; on PostgreSQL the server's share is not in it, so the wall
time is printed beside it). `--sample 0` takes every such member.

`--json FILE` writes each member's suggestions (request, score, reasons) and times, so that a
run of other code on the same data (by PYTHONPATH) can be compared with `--compare A B`, which
needs no database: it counts the members whose boxes are identical and shows a few that are not.
`--explain A B` (run on the data, with the code whose word rule is whole terms) says for each
member whether any request they may be shown matches one of their words as a piece of another
word but not as a term (matching.text), or the other way round: only those boxes may differ.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")

LIMIT = 10  # what the box ranks: its 5 (`templatetags.matching.HOME_LIMIT`) + `for_you.SPARE`


def _sample(timebank_slug: str, size: int) -> list[int]:
    from coproduce.matching.models import MatchProfile

    ids = list(
        MatchProfile.objects.filter(timebank__slug=timebank_slug, active=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
    )
    if size <= 0 or size >= len(ids):
        return ids
    step = len(ids) / size
    return [ids[int(i * step)] for i in range(size)]


def _run(args: argparse.Namespace) -> int:
    import django

    django.setup()
    from coproduce.community.models import Person, TimeBank
    from coproduce.matching.suggestions import requests_for_person

    timebank = TimeBank.objects.get(slug=args.timebank)
    chosen = _sample(args.timebank, args.sample)
    named = Person.objects.filter(username__in=args.also.split(",") if args.also else [])
    people = Person.objects.in_bulk([*chosen, *named.values_list("pk", flat=True)])
    results: dict[str, dict] = {}
    cpu_medians, wall_medians, cpu_firsts = [], [], []
    for person_id in sorted(people):
        person = people[person_id]
        cpus, walls = [], []
        found = []
        for _ in range(args.repeat):
            wall, cpu = time.perf_counter(), time.process_time()
            found = requests_for_person(person, limit=LIMIT, timebank=timebank)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        cpu_firsts.append(cpus[0])
        cpu_medians.append(statistics.median(cpus))
        wall_medians.append(statistics.median(walls))
        results[person.username] = {
            "cpu": cpu_medians[-1],
            "first_cpu": cpus[0],
            "wall": wall_medians[-1],
            "box": [
                [str(s.request.public_id), s.score, [[r.signal, r.text] for r in s.reasons]]
                for s in found
            ],
        }
    print(
        f"{len(people)} members, {args.repeat} runs each: "
        f"CPU median {1000 * statistics.median(cpu_medians):.1f} ms, "
        f"worst {1000 * max(cpu_medians):.1f} ms; "
        f"first run's CPU median {1000 * statistics.median(cpu_firsts):.1f} ms, "
        f"worst {1000 * max(cpu_firsts):.1f} ms; "
        f"wall median {1000 * statistics.median(wall_medians):.1f} ms, "
        f"worst {1000 * max(wall_medians):.1f} ms"
    )
    if args.json:
        with open(args.json, "w") as out:
            json.dump(results, out)
    return 0


def _compare(a_path: str, b_path: str) -> int:
    with open(a_path) as a_file, open(b_path) as b_file:
        a, b = json.load(a_file), json.load(b_file)
    same = [name for name in a if name in b and a[name]["box"] == b[name]["box"]]
    differ = [name for name in a if name in b and a[name]["box"] != b[name]["box"]]
    print(f"{len(same)} of {len(a)} members' boxes identical, {len(differ)} differ")
    for name in differ[:5]:
        print(f"  {name}:")
        print(f"    {a_path}: {[(x[0][:8], x[1]) for x in a[name]['box']]}")
        print(f"    {b_path}: {[(x[0][:8], x[1]) for x in b[name]['box']]}")
    if differ:
        with open(b_path + ".differ", "w") as out:
            json.dump(differ, out)
    return 0


def _explain(a_path: str, b_path: str, timebank_slug: str) -> int:
    """Which members have a request before them that the two word rules tell apart."""
    import django

    django.setup()
    from django.db.models import Q
    from django.utils import timezone

    from coproduce.community.models import Person, TimeBank
    from coproduce.matching.models import MatchProfile, MatchTerm
    from coproduce.matching.suggestions import answerable_requests
    from coproduce.matching.text import forms_of, terms_of

    with open(a_path) as a_file, open(b_path) as b_file:
        a, b = json.load(a_file), json.load(b_file)
    timebank = TimeBank.objects.get(slug=timebank_slug)
    now = timezone.now()
    told_apart, same_told_apart, same_not, differ_not = 0, 0, 0, []
    for name in a:
        person = Person.objects.get(username=name)
        profile = MatchProfile.objects.get(person=person, timebank=timebank)
        weights = dict(
            MatchTerm.objects.filter(profile=profile)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
            .values_list("term", "weight")
        )
        words = sorted(
            (t for t in weights if not t.startswith("c:")), key=lambda t: (-weights[t], t)
        )
        words = words[:8]
        apart = False
        rows = answerable_requests(person, timebank, now).values_list(
            "title", "tags", "description"
        )
        for title, tags, description in rows:
            terms = terms_of(title, tags, description)
            fields = [(title or "").lower(), (tags or "").lower(), (description or "").lower()]
            for word in words:
                inside = any(form in field for form in forms_of(word) for field in fields)
                if inside != (word in terms):
                    apart = True
                    break
            if apart:
                break
        identical = a[name]["box"] == b[name]["box"]
        if apart:
            told_apart += 1
            same_told_apart += identical
        elif identical:
            same_not += 1
        else:
            differ_not.append(name)
    print(
        f"{told_apart} members have a request the rules tell apart "
        f"({same_told_apart} of them keep the same box); of the {len(a) - told_apart} "
        f"who have none, {same_not} boxes are identical and {len(differ_not)} differ"
        + (f": {differ_not[:10]}" if differ_not else "")
    )
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timebank", default="riverside", help="the time bank's slug")
    parser.add_argument("--sample", type=int, default=60, help="members (0: all with a profile)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per member")
    parser.add_argument("--also", default="alice,bob", help="members measured besides the sample")
    parser.add_argument("--json", metavar="FILE", help="write each member's box and times")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"), help="compare two --json runs")
    parser.add_argument("--explain", nargs=2, metavar=("A", "B"), help="why two runs differ")
    args = parser.parse_args()
    if args.compare:
        return _compare(*args.compare)
    if args.explain:
        return _explain(*args.explain, args.timebank)
    return _run(args)


if __name__ == "__main__":
    sys.exit(main())
