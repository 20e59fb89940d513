"""``manage.py seed_demo``: build the demo trusts and print their logins."""

from __future__ import annotations

import json
import time
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from grove.core.models import Role
from grove.pupils import demo


class Command(BaseCommand):
    help = (
        "Build a fictitious trust (Riverside Learning Trust, five schools, about 2,000 pupils) and "
        "a second small one, the same every time, with demo logins that share one password. "
        "Does nothing if the demo is already there, unless --reset."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo trusts, their data and the demo users, then build afresh.",
        )
        parser.add_argument(
            "--print-logins",
            action="store_true",
            help="Print only the demo logins (building the demo first if it is not there).",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="With --print-logins: print the logins as a JSON list and nothing else.",
        )
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="Seed even though GROVE_ENV is production (the demo logins' password is public).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if getattr(settings, "PRODUCTION", False) and not options["allow_production"]:
            raise CommandError(
                "This is a production site, and every demo login has a published password. "
                "Add --allow-production if this site is meant to be a public demo."
            )
        began = time.monotonic()
        result = demo.demo_seed(reset=options["reset"])
        seconds = time.monotonic() - began
        logins = demo.demo_logins()
        if options["json"]:
            self.stdout.write(json.dumps([login.as_json() for login in logins], indent=2))
            return
        if not options["print_logins"]:
            if result.created:
                self.stdout.write(self.style.SUCCESS(f"Built the demo in {seconds:.1f} seconds:"))
            else:
                self.stdout.write(
                    "The demo is already seeded; nothing changed. (--reset rebuilds it.)"
                )
            for counts in result.counts:
                schools = "1 school" if counts.schools == 1 else f"{counts.schools} schools"
                self.stdout.write(
                    f"  {counts.trust}: {schools}, {counts.pupils:,} pupils, "
                    f"{counts.staff} staff, {counts.groups} teaching groups"
                )
            self.stdout.write("")
        self._write_logins(logins)

    def _write_logins(self, logins: list[demo.DemoLogin]) -> None:
        rows = [("Email", "Role", "School")]
        for login in logins:
            where = ", ".join(login.schools) or f"All schools of {login.trust}"
            rows.append((login.email, ", ".join(Role(r).label for r in login.roles), where))
        email_width = max(len(row[0]) for row in rows)
        role_width = max(len(row[1]) for row in rows)
        self.stdout.write(f"Demo logins, all with the password {demo.DEMO_PASSWORD}")
        for email, roles, where in rows:
            self.stdout.write(f"  {email:<{email_width}}  {roles:<{role_width}}  {where}")
