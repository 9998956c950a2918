"""Edna's referral page shows how to reach her: each showing, to carol the coordinator or to
dr_patel who referred her, leaves one audit row; sam from the council, who may not see it,
leaves none."""

from __future__ import annotations

from coproduce.core.models import AuditEvent


def contact_rows(referral) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action="referral.contact_viewed", target=f"referral:{referral.public_id}"
        )
    )


def test_each_showing_of_ednas_contact_details_is_audited(login, riverside, edna, carol, dr_patel):
    for viewer in (carol, dr_patel):
        page = login(viewer).get(f"/partners/referrals/{edna.public_id}/")
        assert page.status_code == 200
    rows = contact_rows(edna)
    assert [(row.actor, row.timebank_id) for row in rows] == [
        (carol, riverside.pk),
        (dr_patel, riverside.pk),
    ]


def test_someone_refused_the_page_leaves_no_row(login, edna, sam):
    assert login(sam).get(f"/partners/referrals/{edna.public_id}/").status_code == 404
    assert contact_rows(edna) == []
