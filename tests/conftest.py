"""Shared test set-up: fast password hashing, plain static storage, the PostgreSQL marker, and on
PostgreSQL the application's own role: each test that uses the database runs as a role with
exactly the grants of `coproduce.core.db_grants` (as production's app role does), unless it is
marked `owner` (tests that tamper with the tables on purpose, or run migrations)."""

from __future__ import annotations

import os

import pytest
from django.db import connection

# A real SMTP server on loopback, for the tests that read what arrives (`smtp_server`).
pytest_plugins = ["tests.smtp_server"]

ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
# The role the PostgreSQL suite runs as; created (NOLOGIN) once per run, granted afresh each run.
APP_ROLE = "coproduce_test_app"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """`postgres` tests skip on SQLite. `sqlite_only` is the converse, for a test the PostgreSQL
    run would only repeat: it uses no database, or only a SQLite file of its own, or (with its
    `reason`) checks what does not depend on the database, such as a page's layout. It skips on
    PostgreSQL with that reason (docs/DESIGN.md, "CI")."""
    no_postgres = pytest.mark.skip(
        reason="needs PostgreSQL: set DATABASE_URL=postgres://… to run it"
    )
    for item in items:
        sqlite_only = item.get_closest_marker("sqlite_only")
        if sqlite_only is not None and "postgres" in item.keywords:
            raise pytest.UsageError(f"{item.nodeid} is marked both postgres and sqlite_only")
        if ON_POSTGRES and sqlite_only is not None:
            why = sqlite_only.kwargs.get("reason", "uses no database")
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {why} (sqlite_only)"))
        elif not ON_POSTGRES and "postgres" in item.keywords:
            item.add_marker(no_postgres)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):
    """On PostgreSQL in CI, a skipped `postgres` test is a failure: the run exists to prove them."""
    outcome = yield
    report = outcome.get_result()
    if (
        ON_POSTGRES
        and os.environ.get("CI")
        and report.skipped
        and not hasattr(report, "wasxfail")
        and "postgres" in item.keywords
    ):
        report.outcome = "failed"
        report.longrepr = f"a PostgreSQL test was skipped on PostgreSQL: {report.longrepr}"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """On PostgreSQL, give the test database's application role exactly the documented grants."""
    if not ON_POSTGRES:
        return
    from coproduce.core.db_grants import grants_sql

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        if cursor.fetchone() is None:
            cursor.execute(f"CREATE ROLE {APP_ROLE} NOLOGIN")
        cursor.execute(grants_sql(APP_ROLE, tables=connection.introspection.table_names()))


@pytest.fixture(autouse=True)
def _as_the_app_role(request: pytest.FixtureRequest) -> None:
    """Run a database test's transaction as the application's role (PostgreSQL only). Tests on
    `transactional_db` stay the owner: the flush between them truncates tables."""
    if not ON_POSTGRES or request.node.get_closest_marker("owner"):
        return
    marker = request.node.get_closest_marker("django_db")
    transactional = {"transactional_db", "live_server"} & set(request.fixturenames) or (
        marker is not None and marker.kwargs.get("transaction")
    )
    if transactional or ("db" not in request.fixturenames and marker is None):
        return
    request.getfixturevalue("db")
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")


@pytest.fixture(autouse=True)
def _english_shell(monkeypatch):
    """The command line speaks the shell's language (cli.environment_language); the tests read
    its English, whatever the developer's shell says. Each test also starts and ends in English:
    a page or API call in Welsh leaves its language active in the thread, as a web worker's next
    request would replace it."""
    from django.utils import translation

    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    translation.activate("en-gb")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_and_plain(settings) -> None:
    # Argon2 is deliberately slow; tests hash many passwords. Static files are not collected in
    # tests, so the manifest storage would fail to find them.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Emails that production delivers in a thread after the commit (core.mail, background=True)
    # are delivered in the commit's callback, where the test's own transaction can see them.
    settings.COPRODUCE_MAIL_IN_BACKGROUND = False
    # Each test starts with an empty cache: ids of an earlier test's rows may be reused.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(scope="session", autouse=True)
def _matching_refreshes_at_once():
    """The matching index is refreshed when a change's transaction commits (matching.receivers),
    but a test runs inside a transaction that never commits, so its on_commit callbacks never
    run. For the whole session (worlds built once per module included) each change refreshes at
    once, as it would in autocommit, so a test reads the index as a page would after the change.
    Tests marked `on_commit` (tests/matching/test_receivers.py) keep the deferral and test it."""
    from coproduce.matching import receivers

    deferred = receivers._pending
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(receivers, "_pending", lambda: None)
        yield deferred


@pytest.fixture(autouse=True)
def _matching_on_commit(request: pytest.FixtureRequest, monkeypatch, _matching_refreshes_at_once):
    if request.node.get_closest_marker("on_commit") is not None:
        from coproduce.matching import receivers

        monkeypatch.setattr(receivers, "_pending", _matching_refreshes_at_once)


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"


# The people of our stories. Riverside is the time bank most tests use; Hillside is another
# community whose coordinator, harry, must never see Riverside's private pages.
def _person(username: str, first: str, last: str):
    from coproduce.community.models import Person

    return Person.objects.create_user(
        username=username, first_name=first, last_name=last, password="pw-" + username
    )


def _join(timebank, person, role: str = "member", status: str = "active", area: str = ""):
    from coproduce.community.models import Membership
    from coproduce.ledger.accounts import member_account_get_or_open

    Membership.objects.create(timebank=timebank, person=person, role=role, status=status, area=area)
    member_account_get_or_open(timebank=timebank, person=person)
    return person


@pytest.fixture
def riverside(db):
    from coproduce.community.models import TimeBank

    return TimeBank.objects.create(slug="riverside", name="Riverside Time Bank")


@pytest.fixture
def hillside(db):
    from coproduce.community.models import TimeBank

    return TimeBank.objects.create(slug="hillside", name="Hillside Time Bank")


@pytest.fixture
def carol(riverside):
    """Riverside's coordinator."""
    return _join(riverside, _person("carol", "Carol", "Jones"), role="coordinator")


@pytest.fixture
def alice(riverside):
    return _join(riverside, _person("alice", "Alice", "Ahmed"), area="Northbank")


@pytest.fixture
def bob(riverside):
    """Alice's neighbour."""
    return _join(riverside, _person("bob", "Bob", "Brown"), area="Northbank")


@pytest.fixture
def dr_patel(riverside):
    """A GP at Riverside Surgery, a partner organisation."""
    from coproduce.community.models import Organisation, OrganisationStaff
    from coproduce.ledger.accounts import organisation_account_get_or_open

    person = _join(riverside, _person("dr_patel", "Priya", "Patel"), role="professional")
    surgery = Organisation.objects.create(
        timebank=riverside, slug="riverside-surgery", name="Riverside Surgery", kind="gp_practice"
    )
    organisation_account_get_or_open(organisation=surgery)
    OrganisationStaff.objects.create(
        timebank=riverside, organisation=surgery, person=person, role="professional"
    )
    return person


@pytest.fixture
def harry(hillside):
    """Hillside's coordinator: another community's coordinator, a stranger to Riverside."""
    return _join(hillside, _person("harry", "Harry", "Hill"), role="coordinator")


@pytest.fixture
def login(client):
    """`login(alice)` signs a person in on the test client and returns it."""

    def sign_in(person):
        client.force_login(person)
        return client

    return sign_in


@pytest.fixture
def rosa(db):
    """The site administrator (issue 12): runs the installation, belongs to no time bank."""
    from coproduce.community.models import Person

    return Person.objects.create_user(
        username="rosa@example.org",
        email="rosa@example.org",
        first_name="Rosa",
        last_name="Root",
        password="pw-rosa",
        is_staff=True,
        is_superuser=True,
    )


@pytest.fixture
def as_rosa(client, rosa):
    """The test client signed in as rosa with her second step given, as after a real sign-in
    (site administrators must use two-step sign-in)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.permissions.world import _two_step

    client.force_login(rosa)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = _two_step(rosa).persistent_id
    session.save()
    return client
