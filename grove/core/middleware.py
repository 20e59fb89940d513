"""Middleware that sends people to set up MFA when their trust makes it compulsory."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from grove.core.access import viewer_for

# Pages a person can still reach before their authenticator is set up.
_EXEMPT_PREFIXES = ("/accounts/", "/static/", "/mfa-required/")


class RequireMfaMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated and not request.path.startswith(_EXEMPT_PREFIXES):
            viewer = viewer_for(request)
            compulsory = any(trust.mfa_required for trust in viewer.trusts.values())
            if (
                compulsory
                and viewer.sees_pupil_data()
                and not Authenticator.objects.filter(
                    user=request.user, type=Authenticator.Type.TOTP
                ).exists()
            ):
                return redirect("mfa_required")
        return self.get_response(request)
