"""How allauth fits Grove: staff accounts are made by the school, never by signing up."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


# mypy does not follow allauth (see pyproject.toml), so the base class is Any to it.
class GroveAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come with a role in a school; an open sign-up page would only collect strangers.
        return False

    def format_email_subject(self, subject: str) -> str:
        # allauth would prefix the host name ("[grove.example.org] "); people know us as Grove.
        return f"Grove: {subject}"
