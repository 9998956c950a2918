"""A process that posts transfers until it is killed: the victim of the kill -9 rehearsals
(tests/ops/test_kill.py, scripts/faults/kill-postings). Set up a time bank with two members
(`--setup`), then post `--count` transfers between them through `ledger.services.transfer_post`,
printing the number committed after each one, so the killer knows how far it got.
"""

from __future__ import annotations

import argparse
import os
import sys

import django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--slug", default="riverside")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "coproduce.config.settings")
    django.setup()

    from coproduce.community.models import Person, TimeBank
    from coproduce.ledger.accounts import member_account_get_or_open
    from coproduce.ledger.services import transfer_post
    from tests.conftest import _join, _person

    timebank = TimeBank.objects.filter(slug=args.slug).first()
    if timebank is None:
        timebank = TimeBank.objects.create(slug=args.slug, name="Riverside Time Bank")
        _join(timebank, _person("alice", "Alice", "Ahmed"))
        _join(timebank, _person("bob", "Bob", "Brown"))
    alice = Person.objects.get(username="alice")
    bob = Person.objects.get(username="bob")
    accounts = [
        member_account_get_or_open(timebank=timebank, person=alice),
        member_account_get_or_open(timebank=timebank, person=bob),
    ]
    print("ready", flush=True)
    for n in range(args.count):
        payer, payee = accounts[n % 2], accounts[1 - n % 2]
        transfer_post(
            timebank=timebank,
            acting=alice if n % 2 == 0 else bob,
            payer=payer,
            payee=payee,
            minutes=60,
            memo=f"Posting {n + 1}",
        )
        print(n + 1, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
