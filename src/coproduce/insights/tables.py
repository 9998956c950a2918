"""The report as headline figures and tables, for pages, CSV, JSON and the PDF alike.

Two audiences: a coordinator sees members by name (who only receives, who is at risk of
isolation, who connects groups); a funder sees the same figures with no one named. Tables with
names exist only for the coordinator; asking for one as a funder is a NotFound.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from coproduce.core.errors import NotFound
from coproduce.core.money import format_money
from coproduce.core.units import format_hours
from coproduce.insights.method import method_notes
from coproduce.insights.outcomes import SMALL_GROUP, Measure, Outcomes
from coproduce.insights.selectors import RETENTION_MONTHS, Report

COORDINATOR = "coordinator"
FUNDER = "funder"
AUDIENCES = (COORDINATOR, FUNDER)
OUTCOME_TABLES = ("referrals", "outcomes")


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    value: Any  # the raw number (minutes, counts, ratios, pence), for JSON
    text: str  # how it reads on a page


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    named: bool = False  # names members: coordinators only


def _percent(part: int, whole: int) -> str:
    return f"{round(100 * part / whole)}%" if whole else "-"


def _money(report: Report, minor: int, *, whole: bool = True) -> str:
    """An estimate in the time bank's currency, written the active language's way."""
    return format_money(minor, report.timebank.currency, whole=whole)


def _number(value: float, places: int) -> str:
    """A ratio with the active language's decimal separator (`0.85`, `0,85`)."""
    return number_format(round(value, places), places, use_l10n=True)


def figures(report: Report) -> list[Figure]:
    a, r, n, v = report.activity, report.reciprocity, report.network, report.value
    ratio = r.spend_earn_ratio
    return [
        Figure(
            "help_minutes",
            _("Hours of help exchanged"),
            a.help_minutes,
            format_hours(a.help_minutes),
        ),
        Figure("exchanges", _("Exchanges"), a.exchanges, str(a.exchanges)),
        Figure(
            "active_members",
            _("Members who gave or received"),
            a.active_members,
            str(a.active_members),
        ),
        Figure("new_members", _("New members"), a.new_members, str(a.new_members)),
        Figure(
            "both_give_and_receive",
            _("Active members who both give and receive"),
            r.both,
            f"{r.both} ({_percent(r.both, r.active)})",
        ),
        Figure(
            "spend_earn_ratio",
            _("Hours received for each hour given (members)"),
            None if ratio is None else round(ratio, 3),
            "-" if ratio is None else _number(ratio, 2),
        ),
        Figure(
            "members_reached",
            _("Members reached by the exchange network"),
            n.members_reached,
            str(n.members_reached),
        ),
        Figure("new_ties", _("New ties between people"), n.new_ties, str(n.new_ties)),
        Figure(
            "ties_per_node",
            _("Ties per person or organisation"),
            round(n.summary.ties_per_node, 2),
            _number(n.summary.ties_per_node, 1),
        ),
        Figure("at_risk", _("Members at risk of isolation"), len(n.at_risk), str(len(n.at_risk))),
        Figure(
            "value_pence",
            _("Estimated value of the help (estimate)"),
            v.pence,
            _money(report, v.pence),
        ),
    ]


def _month_label(month: date) -> str:
    return month.strftime("%Y-%m")


def _when(value: datetime | None) -> str:
    return date_format(timezone.localtime(value), "Y-m-d") if value else _("never")


def tables(report: Report, audience: str) -> list[Table]:
    a, r, n = report.activity, report.reciprocity, report.network
    monthly = Table(
        "monthly",
        _("Month by month"),
        [
            _("Month"),
            *[label for _key, label in a.categories],
            _("Hours in all"),
            _("Exchanges"),
            _("Members active"),
            _("New members"),
        ],
        [
            [
                _month_label(m),
                *[
                    format_hours(a.minutes_by_month_category.get((m, key), 0))
                    for key, _label in a.categories
                ],
                format_hours(
                    sum(
                        a.minutes_by_month_category.get((m, key), 0) for key, _label in a.categories
                    )
                ),
                a.exchanges_by_month.get(m, 0),
                a.active_by_month.get(m, 0),
                a.new_members_by_month.get(m, 0),
            ]
            for m in a.months
        ],
    )
    retention = Table(
        "retention",
        _("Retention"),
        [
            _("Months after joining"),
            _("Members who joined that long ago"),
            _("Still active"),
            _("Share"),
        ],
        [
            [months, *a.retention[months], _percent(a.retention[months][1], a.retention[months][0])]
            for months in RETENTION_MONTHS
        ],
    )
    reciprocity = Table(
        "reciprocity",
        _("Give and take among members"),
        [_("Members who…"), _("Number"), _("Share of active members")],
        [
            [_("both give and receive"), r.both, _percent(r.both, r.active)],
            [_("only give"), r.only_give, _percent(r.only_give, r.active)],
            [_("only receive"), r.only_receive, _percent(r.only_receive, r.active)],
        ],
    )
    flow_headers = [
        _("Hours of help given"),
        _("Hours of help received"),
        _("Other hours in (gifts, grants)"),
        _("Other hours out"),
    ]

    def flow_cells(flow) -> list[str]:
        return [
            format_hours(flow.earned),
            format_hours(flow.spent),
            format_hours(flow.other_in),
            format_hours(flow.other_out),
        ]

    totals = Table(
        "accounts",
        _("Hours in and out by kind of account"),
        [_("Accounts"), *flow_headers],
        [
            [label, *flow_cells(_sum_flows(flows))]
            for label, flows in [
                (_("Members"), r.members),
                (_("Organisations"), r.organisations),
                (_("Community chest"), r.chest),
                (_("Other accounts"), r.other),
            ]
        ],
    )
    organisations = Table(
        "organisations",
        _("Organisations' give and take"),
        [_("Organisation"), *flow_headers],
        [[f.party.name, *flow_cells(f)] for f in r.organisations],
    )
    s = n.summary
    network = Table(
        "network",
        _("The exchange network"),
        [_("Measure"), _("Value")],
        [
            [_("People and organisations who exchanged"), s.nodes],
            [_("Members reached"), n.members_reached],
            [_("Ties (pairs who exchanged)"), s.ties],
            [_("New ties in the period"), n.new_ties],
            [_("Ties per person or organisation"), _number(s.ties_per_node, 2)],
            [_("Density (share of possible ties)"), _number(s.density, 4)],
            [_("Separate groups"), s.components],
            [_("People in the largest group"), s.largest_component],
            [_("People who connect otherwise separate groups"), len(s.brokers)],
            [_("Members at risk of isolation"), len(n.at_risk)],
        ],
    )
    value = Table(
        "value",
        _("Estimated value (an estimate, not money paid)"),
        [_("Hours of help"), _("Value of an hour"), _("Estimated value")],
        [
            [
                format_hours(report.value.hours_minutes),
                _money(
                    report,
                    report.value.hourly_value_pence,
                    whole=report.value.hourly_value_pence % 100 == 0,
                ),
                _money(report, report.value.pence),
            ]
        ],
    )
    result = [monthly, retention, reciprocity, totals, organisations, network]
    outcomes = outcomes_shown(report, audience)
    if outcomes is not None:
        result += _outcome_tables(outcomes)
    result.append(value)
    if audience == COORDINATOR:
        result += _named_tables(report, flow_headers, flow_cells)
    return result


def outcomes_shown(report: Report, audience: str) -> Outcomes | None:
    """The referral outcomes as this audience may see them: a funder never sees a wellbeing
    figure that stands on fewer than SMALL_GROUP people."""
    if report.outcomes is None:
        return None
    return report.outcomes if audience == COORDINATOR else report.outcomes.for_funders()


def _measure_cells(measure: Measure, text: Callable[[float], str]) -> list[Any]:
    """The value and the number of people behind it, or why they are not shown."""
    if measure.suppressed:
        return [
            _("not shown (fewer than %(n)d people)") % {"n": SMALL_GROUP},
            _("fewer than %(n)d") % {"n": SMALL_GROUP},
        ]
    return ["-" if measure.value is None else text(measure.value), measure.n or 0]


def _outcome_tables(outcomes: Outcomes) -> list[Table]:
    stages = Table(
        "referrals",
        _("Referrals received in the period, by the stage they have reached"),
        [_("Stage"), _("Referrals")],
        [[label, n] for label, n in outcomes.stages] + [[_("All referrals"), outcomes.referrals]],
    )
    measures = Table(
        "outcomes",
        _("Time to first exchange and wellbeing"),
        [_("Measure"), _("Value"), _("People behind it")],
        [
            [
                _("Median days from referral to first exchange"),
                *_measure_cells(
                    outcomes.median_days_to_first_exchange,
                    lambda d: _number(d, 0 if float(round(d, 1)).is_integer() else 1),
                ),
            ],
            [
                _("Wellbeing at the start (mean SWEMWBS metric score)"),
                *_measure_cells(outcomes.wellbeing_start, lambda s: _number(s, 2)),
            ],
            [
                _("Wellbeing at review (mean SWEMWBS metric score)"),
                *_measure_cells(outcomes.wellbeing_review, lambda s: _number(s, 2)),
            ],
            [
                _("Change in wellbeing from start to review, on the same people"),
                *_measure_cells(outcomes.wellbeing_change, lambda s: f"{s:+.2f}"),
            ],
        ],
    )
    return [stages, measures]


def _sum_flows(flows):
    from coproduce.insights.selectors import Flow, Party

    total = Flow(party=Party(account_id=0, kind=""))
    for f in flows:
        total.earned += f.earned
        total.spent += f.spent
        total.other_in += f.other_in
        total.other_out += f.other_out
    return total


def _named_tables(report: Report, flow_headers, flow_cells) -> list[Table]:
    r, n = report.reciprocity, report.network
    members = Table(
        "members",
        _("Each member's give and take"),
        [_("Member"), _("Area"), *flow_headers],
        [[f.party.name, f.party.area, *flow_cells(f)] for f in r.members],
        named=True,
    )
    at_risk = Table(
        "at_risk",
        _("Members at risk of isolation"),
        [_("Member"), _("Area"), _("Last exchange"), _("Partners"), _("Why")],
        [
            [
                row.party.name,
                row.party.area,
                _when(row.last_exchange),
                row.partners,
                "; ".join(str(reason) for reason in row.reasons),
            ]
            for row in n.at_risk
        ],
        named=True,
    )
    degree: dict[int, int] = {}
    for tie in n.ties:
        degree[tie.a] = degree.get(tie.a, 0) + 1
        degree[tie.b] = degree.get(tie.b, 0) + 1
    brokers = sorted(n.summary.brokers, key=lambda account: -degree.get(account, 0))
    connectors = Table(
        "connectors",
        _("People who connect otherwise separate groups"),
        [_("Name"), _("Area"), _("Ties")],
        [[n.parties[b].name, n.parties[b].area, degree.get(b, 0)] for b in brokers],
        named=True,
    )
    return [members, at_risk, connectors]


def table_get(report: Report, audience: str, key: str) -> Table:
    for table in tables(report, audience):
        if table.key == key:
            return table
    raise NotFound(_("There is no such table."))


def table_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return out.getvalue()


def report_csv(report: Report, audience: str) -> str:
    """Every table, one after another: a title row, the table, then a blank row."""
    out = io.StringIO()
    writer = csv.writer(out)
    for table in tables(report, audience):
        writer.writerow([table.title])
        writer.writerow(table.headers)
        writer.writerows(table.rows)
        writer.writerow([])
    return out.getvalue()


def report_dict(report: Report, audience: str) -> dict[str, Any]:
    outcomes = outcomes_shown(report, audience)
    return {
        "timebank": report.timebank.slug,
        "period": {"from": report.period.start.isoformat(), "to": report.period.end.isoformat()},
        "generated_at": report.generated_at.isoformat(),
        "audience": audience,
        "figures": {f.key: f.value for f in figures(report)},
        "retention": {
            str(months): {"members": cohort, "still_active": still}
            for months, (cohort, still) in report.activity.retention.items()
        },
        "totals_minutes": report.reciprocity.totals(),
        "outcomes": None if outcomes is None else outcomes.as_dict(),
        "value": {
            "hours_minutes": report.value.hours_minutes,
            "hourly_value_pence": report.value.hourly_value_pence,
            "estimate_pence": report.value.pence,
            "is_estimate": True,
        },
        "tables": {
            t.key: {"title": t.title, "columns": t.headers, "rows": t.rows}
            for t in tables(report, audience)
        },
        "method": {key: str(text) for key, _title, text in method_notes(report)},
    }


def report_json(report: Report, audience: str) -> str:
    return json.dumps(report_dict(report, audience), indent=2, ensure_ascii=False)
