"""Middleware that sends people to set up MFA when their trust makes it compulsory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from grove.core.access import viewer_for
from grove.core.queries import has_totp

# Pages a person can still reach before their authenticator is set up: allauth names its pages
# account_* (sign in and out, password) and mfa_* (setting up the authenticator), and Grove's
# page that explains the rule is mfa_required.
_EXEMPT_URL_NAME_PREFIXES = ("account_", "mfa_")


class RequireMfaMiddleware:
    """Until they add a TOTP authenticator, people MFA is compulsory for see only mfa_required.

    Runs in process_view, once the URL is resolved: unknown URLs still give a 404, and the
    exemptions are by URL name rather than by path. The Viewer it loads is the one the view and
    the shell reuse, so the check costs one query only for people whose trust requires MFA.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponse],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponse | None:
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        url_name = (match.url_name if match else None) or ""
        if url_name.startswith(_EXEMPT_URL_NAME_PREFIXES):
            return None
        if not viewer_for(request).must_use_mfa():
            return None
        if has_totp(request.user.pk):
            return None
        if getattr(request, "htmx", False):
            # A plain redirect would swap the whole page into the fragment being updated.
            return HttpResponseClientRedirect(reverse("mfa_required"))
        return redirect("mfa_required")
