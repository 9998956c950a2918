"""The data behind the page's charts (chart.js) and network picture (cytoscape), as plain dicts
for `json_script`. The tables on the page carry the same figures for screen readers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from coproduce.core.units import format_hours
from coproduce.insights.selectors import Report
from coproduce.ledger.models import AccountKind

# Cytoscape stays responsive on an old laptop up to about this many points; a larger network
# is drawn as its best-connected part plus everyone at risk, and the page says so.
MAX_DRAWN = 400

# Colour-blind-safe palette (Okabe-Ito, then Tol's muted), cycled when there are more groups.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#332288",
    "#88CCEE",
    "#44AA99",
    "#117733",
    "#999933",
    "#AA4499",
    "#882255",
]


def chart_data(report: Report) -> dict[str, Any]:
    a, r = report.activity, report.reciprocity
    months = [m.strftime("%Y-%m") for m in a.months]
    return {
        "months": months,
        "hours": [
            {
                "label": label,
                "color": PALETTE[i % len(PALETTE)],
                "data": [
                    float(format_hours(a.minutes_by_month_category.get((m, key), 0)))
                    for m in a.months
                ],
            }
            for i, (key, label) in enumerate(a.categories)
        ],
        "members": [
            {
                "label": _("Members active"),
                "color": PALETTE[0],
                "data": [a.active_by_month.get(m, 0) for m in a.months],
            },
            {
                "label": _("New members"),
                "color": PALETTE[1],
                "data": [a.new_members_by_month.get(m, 0) for m in a.months],
            },
        ],
        "give_take": {
            "labels": [_("Both give and receive"), _("Only give"), _("Only receive")],
            "colors": [PALETTE[2], PALETTE[0], PALETTE[1]],
            "data": [r.both, r.only_give, r.only_receive],
        },
    }


def network_picture(report: Report, *, names: bool) -> dict[str, Any]:
    """Nodes (people and organisations) and edges (ties in the period) for cytoscape. Without
    names, nodes carry only their kind, area and category."""
    n = report.network
    degree: dict[int, int] = {}
    for tie in n.ties:
        degree[tie.a] = degree.get(tie.a, 0) + 1
        degree[tie.b] = degree.get(tie.b, 0) + 1
    at_risk = {row.party.account_id for row in n.at_risk}
    # The most connected first; the smaller account number first among equals, so the picture
    # does not depend on the order the database returned the ties in.
    candidates = sorted(degree, key=lambda account: (-degree[account], account))
    drawn = {row.party.account_id for row in n.at_risk[: MAX_DRAWN // 4]}
    for account in candidates:
        if len(drawn) >= MAX_DRAWN:
            break
        drawn.add(account)
    category_labels = dict(report.activity.categories)
    nodes = []
    for account in sorted(drawn):
        party = n.parties[account]
        category = n.main_category.get(account, "")
        node = {
            "id": str(account),
            "kind": "organisation" if party.kind == AccountKind.ORGANISATION else "person",
            "area": party.area or _("No area"),
            "category": category_labels.get(category, _("No exchange in the period")),
            "ties": degree.get(account, 0),
            "at_risk": account in at_risk,
            "connector": account in n.summary.brokers,
        }
        if names:
            node["label"] = party.name
        nodes.append(node)
    edges = [
        {"source": str(t.a), "target": str(t.b), "weight": t.exchanges}
        for t in n.ties
        if t.a in drawn and t.b in drawn
    ]
    return {
        "nodes": nodes,
        "edges": edges,
        "palette": PALETTE,
        "at_risk_suffix": _(" (at risk)"),
        "total_nodes": len(set(degree) | at_risk),
        "drawn_nodes": len(nodes),
    }
