"""django-hordak posting the same transfers, for bench_posting.py: run with the Python of
benchmarks/.venv-hordak (which `benchmarks/run` creates), never the project's own.

    benchmarks/.venv-hordak/bin/python benchmarks/hordak_bench.py URL COUNT [--setup]

--setup migrates the database at URL (a throwaway one) and opens 1,000 asset accounts; without
it, COUNT transfers of 30 minutes between random accounts are posted, each `Account.transfer_to`
in its own `atomic()` block (hordak's own method is not atomic), and JSON is printed: the
nanoseconds each took (`durations`) and the CPU per posting in ms of this process and of its
PostgreSQL backend (`cpu`, read from /proc as bench_posting.py reads the other contenders').
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
    from bench_posting import server_cpu
    from django.db import connection

    accounts = list(Account.objects.order_by("pk"))
    rng = random.Random(count)
    amount = Money(30, "EUR")
    durations = []
    connection.ensure_connection()
    server = server_cpu(connection.connection)
    s0, c0 = server(), time.thread_time_ns()
    for _ in range(count):
        payer, payee = rng.sample(accounts, 2)
        t0 = time.perf_counter_ns()
        with transaction.atomic():
            payer.transfer_to(payee, amount, description="Benchmark exchange")
        durations.append(time.perf_counter_ns() - t0)
    client_ms = (time.thread_time_ns() - c0) / 1e6 / max(count, 1)
    server_ms = (server() - s0) * 1e3 / max(count, 1)
    print(json.dumps({"durations": durations, "cpu": [client_ms, server_ms]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
