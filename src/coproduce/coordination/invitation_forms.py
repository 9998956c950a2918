"""The coordinator's invitation form: who they invite (another coordinator, a member they have
already met, or an organisation's first admin), to which organisation, and how the link reaches
them (by email, or a letter to print when the email address is left empty)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.community.models import InvitationKind, Organisation
from coproduce.core.forms import Form

# What a coordinator invites from their own page; an organisation's staff are invited from the
# organisation's page (partners.staff_views), by its admin or by a coordinator.
COORDINATOR_KINDS = [
    (InvitationKind.COORDINATOR, _("Another coordinator of the time bank")),
    (InvitationKind.MEMBER, _("A member you have already met (they start active)")),
    (InvitationKind.ORGANISATION_ADMIN, _("The admin of a partner organisation")),
]


class InvitationForm(Form):
    kind = forms.ChoiceField(
        label=_("Invite them as"),
        choices=COORDINATOR_KINDS,
        initial=InvitationKind.MEMBER,
        widget=forms.RadioSelect,
    )
    organisation = forms.ChoiceField(
        label=_("Organisation (for an organisation's admin)"),
        required=False,
        help_text=_("The partner organisation they will manage."),
    )
    name = forms.CharField(
        label=_("Their name"),
        max_length=150,
        help_text=_("Used to greet them in the email or letter."),
    )
    email = forms.EmailField(
        label=_("Their email address (optional)"),
        required=False,
        help_text=_("Leave it empty to print a letter with the link instead."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    may_refer = forms.BooleanField(
        label=_("An organisation's admin: they may also refer people"),
        required=False,
        help_text=_("Only staff who may refer see the organisation's referrals."),
    )

    def __init__(self, *args: Any, organisations: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._organisations = {str(o.public_id): o for o in organisations}
        field = self.fields["organisation"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose the organisation"))] + [
            (public_id, o.name) for public_id, o in self._organisations.items()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organisation = self._organisations.get(data.get("organisation") or "")
        if data.get("kind") == InvitationKind.ORGANISATION_ADMIN:
            if organisation is None:
                self.add_error("organisation", _("Choose the organisation they will manage."))
        else:
            organisation = None
            data["may_refer"] = False
        data["organisation"] = organisation
        return data
