"""How allauth fits Grove: staff accounts are made by the school, never by signing up."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest


class GroveAccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts come with a role in a school; an open sign-up page would only collect strangers.
        return False
