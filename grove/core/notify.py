"""Emails Grove sends on its own account: the welcome that lets new staff set a password."""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.core.mail import send_mail
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from grove.core.models import School, User


def send_welcome(request: HttpRequest, *, user: User, school: School, by: User) -> None:
    """A link to set a first password: allauth's password-reset link, so it expires as that
    does and is used once."""
    path = reverse(
        "account_reset_password_from_key",
        kwargs={
            "uidb36": user_pk_to_url_str(user),
            "key": default_token_generator.make_token(user),
        },
    )
    context = {
        "user": user,
        "school": school,
        "by": by,
        "link": request.build_absolute_uri(path),
    }
    send_mail(
        subject=render_to_string("core/email/welcome_subject.txt", context).strip(),
        message=render_to_string("core/email/welcome_message.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )
