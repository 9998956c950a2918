"""A time bank's activity as ValueFlows (https://w3id.org/valueflows/ont/vf#), in JSON-LD, so
co-operative economy tools can read what a time bank does without knowing Coproduce.

- Agents: each member (`vf:Person`) and partner organisation (`vf:Organization`) with a current
  or past part in the bank, identified by an opaque `urn:uuid:` of their public id. People are
  not named (an export leaves the bank: private by default); organisations, which are public
  partners, are.
- Proposals: each open offer and request is a `vf:Proposal` publishing one `vf:Intent` of action
  `deliverService`, with the offerer as provider or the asker as receiver, classified by its
  kind of help.
- Economic events: each confirmed exchange is a `vf:EconomicEvent` of action `deliverService`
  from each giver to each receiver, with its `effortQuantity` in hours and `hasPointInTime`; each
  time-credit transfer is an event of action `transfer` of the time credits it moved, from the
  account it left to the one it reached, `triggeredBy` the service it paid for.
The `@context` is given inline, so the document reads offline.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from coproduce.community.models import Organisation, TimeBank
from coproduce.exchanges.models import (
    Exchange,
    ExchangeStatus,
    ListingStatus,
    Offer,
    Participant,
    Request,
    Side,
)
from coproduce.ledger.models import HOUR, Account, Entry, Transfer

VF = "https://w3id.org/valueflows/ont/vf#"
OM2 = "http://www.ontology-of-units-of-measure.org/resource/om-2/"
CATEGORIES = "https://coproduce.org/ns/category#"

CONTEXT: dict[str, Any] = {
    "vf": VF,
    "om2": OM2,
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "name": "vf:name",
    "note": "vf:note",
    "action": {"@id": "vf:action", "@type": "@vocab"},
    "provider": {"@id": "vf:provider", "@type": "@id"},
    "receiver": {"@id": "vf:receiver", "@type": "@id"},
    "publishes": {"@id": "vf:publishes", "@type": "@id"},
    "triggeredBy": {"@id": "vf:triggeredBy", "@type": "@id"},
    "inScopeOf": {"@id": "vf:inScopeOf", "@type": "@id"},
    "resourceClassifiedAs": {"@id": "vf:resourceClassifiedAs", "@type": "@id"},
    "resourceConformsTo": {"@id": "vf:resourceConformsTo", "@type": "@id"},
    "effortQuantity": "vf:effortQuantity",
    "resourceQuantity": "vf:resourceQuantity",
    "hasPointInTime": {"@id": "vf:hasPointInTime", "@type": "xsd:dateTime"},
    "created": {"@id": "vf:created", "@type": "xsd:dateTime"},
    "hasNumericalValue": {"@id": "om2:hasNumericalValue", "@type": "xsd:decimal"},
    "hasUnit": {"@id": "om2:hasUnit", "@type": "@vocab"},
    "deliverService": "vf:deliverService",
    "transfer": "vf:transfer",
    "hour": "om2:hour",
}


def _urn(public_id: object) -> str:
    return f"urn:uuid:{public_id}"


def _hours(minutes: int) -> dict[str, Any]:
    value = (Decimal(minutes) / 60).quantize(Decimal("0.0001")).normalize()
    return {"@type": "om2:Measure", "hasNumericalValue": str(value), "hasUnit": "hour"}


def _flows(legs: list[tuple[int, int]]) -> list[tuple[int, int, int]]:
    """A transfer's entries as flows (payer, payee, minutes) that add up to them exactly: each
    paying leg is spent on the credited legs in order (a group session: several receivers pay one
    giver)."""
    payers = [[account, -amount] for account, amount in legs if amount < 0]
    payees = [[account, amount] for account, amount in legs if amount > 0]
    flows = []
    i = j = 0
    while i < len(payers) and j < len(payees):
        moved = min(payers[i][1], payees[j][1])
        flows.append((payers[i][0], payees[j][0], moved))
        payers[i][1] -= moved
        payees[j][1] -= moved
        if payers[i][1] == 0:
            i += 1
        if payees[j][1] == 0:
            j += 1
    return flows


def valueflows_export(*, timebank: TimeBank) -> dict[str, Any]:
    """The time bank's agents, open proposals and confirmed activity as one JSON-LD document
    (a bounded number of queries, whatever the bank's size)."""
    bank = _urn(timebank.public_id)
    credits = f"{bank}#time-credit"
    graph: list[dict[str, Any]] = [
        {"@id": bank, "@type": "vf:Organization", "name": timebank.name},
        {
            "@id": credits,
            "@type": "vf:ResourceSpecification",
            "name": "Time credit (one hour of help)",
        },
    ]
    agents: dict[int, str] = {}  # account id -> agent IRI
    people: set[str] = set()
    organisations: dict[str, str] = {}
    for account_id, person_id, organisation_id, kind in Account.objects.filter(
        timebank=timebank, unit=HOUR
    ).values_list("pk", "person__public_id", "organisation__public_id", "kind"):
        if person_id is not None:
            agents[account_id] = _urn(person_id)
            people.add(agents[account_id])
        elif organisation_id is not None:
            agents[account_id] = _urn(organisation_id)
        else:
            agents[account_id] = f"{bank}#{kind}-{account_id}"  # the chest, a clearing account
    for public_id, name in Organisation.objects.filter(timebank=timebank).values_list(
        "public_id", "name"
    ):
        organisations[_urn(public_id)] = name
    graph.extend({"@id": iri, "@type": "vf:Person"} for iri in sorted(people))
    graph.extend(
        {"@id": iri, "@type": "vf:Organization", "name": name}
        for iri, name in sorted(organisations.items())
    )

    for model, side in ((Offer, "provider"), (Request, "receiver")):
        listings = model.objects.filter(timebank=timebank, status=ListingStatus.ACTIVE).values_list(
            "public_id", "title", "category", "created_at", "person__public_id"
        )
        for public_id, title, category, created_at, owner in listings:
            intent = f"{_urn(public_id)}#intent"
            graph.append(
                {
                    "@id": _urn(public_id),
                    "@type": "vf:Proposal",
                    "name": title,
                    "created": created_at.isoformat(),
                    "publishes": intent,
                    "inScopeOf": bank,
                }
            )
            graph.append(
                {
                    "@id": intent,
                    "@type": "vf:Intent",
                    "action": "deliverService",
                    side: _urn(owner) if owner else bank,
                    "resourceClassifiedAs": CATEGORIES + category,
                }
            )

    exchanges = (
        Exchange.objects.filter(timebank=timebank, status=ExchangeStatus.CONFIRMED)
        .only("public_id", "title", "category", "actual_minutes", "done_at", "transfer_id")
        .prefetch_related(
            Prefetch(
                "participants",
                queryset=Participant.objects.only("exchange_id", "side", "account_id"),
            )
        )
        .order_by("done_at", "pk")
    )
    service_of: dict[int, str] = {}  # transfer id -> the service event it paid for
    for exchange in exchanges:
        parts = list(exchange.participants.all())
        givers = [p.account_id for p in parts if p.side == Side.PROVIDER]
        takers = [p.account_id for p in parts if p.side == Side.RECEIVER]
        first = None
        for giver in givers:
            for taker in takers:
                event = f"{_urn(exchange.public_id)}#service-{giver}-{taker}"
                first = first or event
                graph.append(
                    {
                        "@id": event,
                        "@type": "vf:EconomicEvent",
                        "action": "deliverService",
                        "provider": agents[giver],
                        "receiver": agents[taker],
                        "effortQuantity": _hours(exchange.actual_minutes or 0),
                        "hasPointInTime": exchange.done_at.isoformat()
                        if exchange.done_at
                        else None,
                        "resourceClassifiedAs": CATEGORIES + exchange.category,
                        "note": exchange.title,
                        "inScopeOf": bank,
                    }
                )
        if exchange.transfer_id and first:
            service_of[exchange.transfer_id] = first

    legs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for transfer_id, account_id, amount in Entry.objects.filter(
        timebank=timebank, unit=HOUR
    ).values_list("transfer_id", "account_id", "amount"):
        legs[transfer_id].append((account_id, amount))
    for transfer_id, public_id, occurred_at in (
        Transfer.objects.filter(timebank=timebank).order_by("occurred_at", "pk")
    ).values_list("pk", "public_id", "occurred_at"):
        flows = _flows(legs.get(transfer_id, []))
        for n, (payer, payee, minutes) in enumerate(flows):
            credit: dict[str, Any] = {
                "@id": f"{_urn(public_id)}#credit-{n}",
                "@type": "vf:EconomicEvent",
                "action": "transfer",
                "provider": agents[payer],
                "receiver": agents[payee],
                "resourceConformsTo": credits,
                "resourceQuantity": _hours(minutes),
                "hasPointInTime": occurred_at.isoformat(),
                "inScopeOf": bank,
            }
            if transfer_id in service_of:
                credit["triggeredBy"] = service_of[transfer_id]
            graph.append(credit)
    return {"@context": CONTEXT, "@graph": graph}
