"""How allauth fits Grove: staff accounts are made by the school, never by signing up."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


# mypy does not follow allauth (see pyproject.toml), so the base class is Any to it.
class GroveAccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "email_password_mismatch": "The email address or the password is not right.",
        # Refused even with the right password, so say why and what to do instead.
        "too_many_login_attempts": (
            "Too many failed attempts to sign in. To keep the account safe, Grove has paused "
            "signing in for a few minutes. Wait and try again, or reset your password."
        ),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come with a role in a school; an open sign-up page would only collect strangers.
        return False

    def format_email_subject(self, subject: str) -> str:
        # allauth would prefix the host name ("[grove.example.org] "); people know us as Grove.
        return f"Grove: {subject}"
