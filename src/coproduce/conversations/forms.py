"""The forms of conversations: writing a message, reporting one."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from coproduce.conversations.models import MESSAGE_MAX_LENGTH
from coproduce.conversations.services import REPORT_MAX_LENGTH
from coproduce.core.forms import AccessibleForm


class MessageForm(AccessibleForm):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Plain text. Web addresses become links. Don't share bank details."),
    )


class ReportForm(AccessibleForm):
    reason = forms.CharField(
        label=_("What is wrong with this message?"),
        max_length=REPORT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only the coordinators read this."),
    )
