"""`coproduce admin create|link` and `coproduce timebank create`: setting up for real from the
command line. Each prints a one-time link (an absolute URL from COPRODUCE_SITE_URL) and exits 0;
bad input is one line on standard error and exit 2 (an ApplicationError, which `coproduce.cli`
prints), having changed nothing. Each first brings the database up to date, as `serve` does.

Nothing is imported from Django at module level: the parser is built before Django is set up.
"""

from __future__ import annotations

import argparse

from coproduce.core.text import text_argument


def add_setup_commands(sub: argparse._SubParsersAction) -> None:
    admin = sub.add_parser(
        "admin",
        help="make a site administrator",
        description="Site administrators run the installation: its time banks and their "
        "coordinators, from /site/. They must use two-step sign-in.",
    )
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    create = admin_sub.add_parser(
        "create",
        help="make a site administrator and print a one-time link to set their password",
        description="Make a site administrator (their username is their email address) and "
        "print a link, working once for 7 days, with which they choose a password and then "
        "set up two-step sign-in.",
    )
    create.add_argument("--email", required=True, type=text_argument, help="their email address")
    create.add_argument("--name", default="", type=text_argument, help="their full name")
    create.set_defaults(func=admin_create)
    link = admin_sub.add_parser(
        "link",
        help="print a new one-time link for a site administrator",
        description="A new link for an existing site administrator (their first one expired, "
        "or they lost their password); their older unused link stops working.",
    )
    link.add_argument("--email", required=True, type=text_argument, help="their email address")
    link.set_defaults(func=admin_link)

    timebank = sub.add_parser(
        "timebank", help="make a time bank", description="Setting up time banks."
    )
    timebank_sub = timebank.add_subparsers(dest="timebank_command", metavar="ACTION", required=True)
    tb_create = timebank_sub.add_parser(
        "create",
        help="make a time bank and invite its first coordinator",
        description="Make a time bank with its community chest, and invite its first "
        "coordinator: the invitation is emailed to them and its one-time link printed here.",
    )
    tb_create.add_argument("--name", required=True, type=text_argument, help="its name")
    tb_create.add_argument(
        "--slug",
        required=True,
        type=text_argument,
        help="its short name in addresses (/join/SLUG/): lower-case letters, digits, hyphens",
    )
    tb_create.add_argument(
        "--coordinator",
        metavar="EMAIL",
        required=True,
        type=text_argument,
        help="the first coordinator's email address",
    )
    tb_create.add_argument(
        "--language", default="", type=text_argument, help="its language (the installation's)"
    )
    tb_create.add_argument(
        "--timezone",
        metavar="ZONE",
        default="",
        type=text_argument,
        help="its time zone, such as Europe/London (the installation's)",
    )
    tb_create.add_argument(
        "--currency",
        metavar="CODE",
        default="",
        type=text_argument,
        help="the money its pools and reports count in: GBP, EUR or USD (GBP)",
    )
    tb_create.set_defaults(func=timebank_create)


def _migrate() -> None:
    """Bring the database up to date first, so these can be the first commands ever run."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", verbosity=0, interactive=False)


def _print_link(url: str, expires: str) -> None:
    from django.utils.translation import gettext as _

    print(
        _(
            "Open this link to choose a password, then set up two-step sign-in. It works once, "
            "until %(expires)s:"
        )
        % {"expires": expires}
    )
    print(f"  {url}")


def admin_create(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from coproduce.community.site_admins import password_link_url, site_admin_create

    _migrate()
    person, link, token = site_admin_create(email=args.email, name=args.name)
    print(
        _("site administrator made: %(name)s, username %(username)s")
        % {"name": person.display_name, "username": person.username}
    )
    _print_link(password_link_url(token), f"{link.expires_at:%Y-%m-%d %H:%M} UTC")
    return 0


def admin_link(args: argparse.Namespace) -> int:
    from django.utils.translation import gettext as _

    from coproduce.community.site_admins import password_link_url, site_admin_link_create

    _migrate()
    person, link, token = site_admin_link_create(email=args.email)
    print(
        _("a new link for %(username)s; any older one stops working")
        % {"username": person.username}
    )
    _print_link(password_link_url(token), f"{link.expires_at:%Y-%m-%d %H:%M} UTC")
    return 0


def timebank_create(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from coproduce.administration.services import timebank_create as create

    _migrate()
    made = create(
        name=args.name,
        slug=args.slug,
        coordinator_email=args.coordinator,
        language=args.language,
        timezone=args.timezone,
        currency=args.currency,
        acting=None,
    )
    bank, invitation = made.timebank, made.invited.invitation
    print(
        _(
            "time bank made: %(name)s (%(slug)s), language %(language)s, time zone %(zone)s, "
            "currency %(currency)s"
        )
        % {
            "name": bank.name,
            "slug": bank.slug,
            "language": bank.language,
            "zone": bank.time_zone,
            "currency": bank.currency,
        }
    )
    print(
        _("people apply at %(url)s")
        % {"url": settings.SITE_URL + reverse("community:join", args=[bank.slug])}
    )
    print(
        _(
            "The first coordinator's invitation is emailed to %(email)s. Its link works once, "
            "until %(expires)s:"
        )
        % {"email": invitation.email, "expires": f"{invitation.expires_at:%Y-%m-%d %H:%M} UTC"}
    )
    print(f"  {made.invited.url}")
    return 0
