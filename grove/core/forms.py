"""Input validation for the core's pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from grove.core.models import SCHOOL_ONLY_ROLES, Role


def show_action_errors(form: forms.Form, error: ValidationError) -> None:
    """Put an action's refusal on the form, each message on the field it names (or the form)."""
    for field, problems in error.message_dict.items():
        form.add_error(field if field in form.fields else None, problems)


class AuditSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
    action = forms.ChoiceField(label="Action", required=False)
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: object, actions: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["action"].choices = [("", "Any action")] + [(a, a) for a in actions]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, dt.date) and isinstance(until, dt.date) and since > until:
            self.add_error("until", "The end date is before the start date.")
        return data


class TrustSettingsForm(forms.Form):
    mfa_required = forms.BooleanField(
        label="Make MFA compulsory for everyone who sees pupil data",
        required=False,
        help_text="They will be asked to set up an authenticator app the next time they sign in.",
    )
    collection_cap = forms.IntegerField(
        label="Collection points a year",
        required=False,
        min_value=1,
        max_value=50,
        help_text="The trust's cap on data collections per school per year. Going past it needs "
        "a recorded reason, which everyone who sees the calendar sees.",
    )


class SchoolSwitchForm(forms.Form):
    school = forms.IntegerField()


class StaffForm(forms.Form):
    email = forms.EmailField(
        label="Email", help_text="They sign in with it; a link to choose a password goes there."
    )
    given_name = forms.CharField(label="First name", max_length=100)
    family_name = forms.CharField(label="Last name", max_length=100)
    roles = forms.MultipleChoiceField(
        label="Roles in this school",
        choices=[(role.value, role.label) for role in Role if role in SCHOOL_ONLY_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    job_title = forms.CharField(label="Job title", max_length=120, required=False)
