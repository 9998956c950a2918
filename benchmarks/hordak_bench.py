"""django-hordak posting the same transfers, for bench_posting.py: run with the Python of
benchmarks/.venv-hordak (which `benchmarks/run` creates), never the project's own.

    benchmarks/.venv-hordak/bin/python benchmarks/hordak_bench.py URL COUNT [--setup]

--setup migrates the database at URL (a throwaway one) and opens 1,000 asset accounts; without
it, COUNT transfers of 30 minutes between random accounts are posted, each `Account.transfer_to`
in its own `atomic()` block (hordak's own method is not atomic), and a JSON list of the
nanoseconds each took is printed.
"""

from __future__ import annotations

import json
import random
import sys
import time
from urllib.parse import urlparse

ACCOUNTS = 1_000


def configure(url: str) -> None:
    from django.conf import settings

    parsed = urlparse(url)
    settings.configure(
        INSTALLED_APPS=[
            "django.contrib.contenttypes",
            "django.contrib.auth",
            "mptt",
            "djmoney",
            "hordak",
        ],
        DATABASES={
            "default": {
                "ENGINE": "django.db.backends.postgresql",
                "NAME": parsed.path.lstrip("/"),
                "USER": parsed.username or "",
                "PASSWORD": parsed.password or "",
                "HOST": parsed.hostname or "",
                "PORT": str(parsed.port or ""),
            }
        },
        USE_TZ=True,
        DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
        CURRENCIES=["EUR"],
        DEFAULT_CURRENCY="EUR",
        HORDAK_DECIMAL_PLACES=2,
        HORDAK_MAX_DIGITS=13,
    )
    import django

    django.setup()


def main() -> int:
    url, count = sys.argv[1], int(sys.argv[2])
    configure(url)
    from django.core.management import call_command
    from django.db import transaction
    from djmoney.money import Money
    from hordak.models import Account

    if "--setup" in sys.argv:
        call_command("migrate", verbosity=0, interactive=False)
        for i in range(ACCOUNTS):
            Account.objects.create(name=f"Member {i}", type=Account.TYPES.asset, currencies=["EUR"])
        return 0
    accounts = list(Account.objects.order_by("pk"))
    rng = random.Random(count)
    amount = Money(30, "EUR")
    durations = []
    for _ in range(count):
        payer, payee = rng.sample(accounts, 2)
        t0 = time.perf_counter_ns()
        with transaction.atomic():
            payer.transfer_to(payee, amount, description="Benchmark exchange")
        durations.append(time.perf_counter_ns() - t0)
    print(json.dumps(durations))
    return 0


if __name__ == "__main__":
    sys.exit(main())
