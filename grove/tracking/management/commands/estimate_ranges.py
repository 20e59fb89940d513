"""``manage.py estimate_ranges``: estimate current pupils' outcomes as ranges from a history."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from grove.tracking import estimates


class Command(BaseCommand):
    help = (
        "Estimate each current pupil's outcome as a range (and, for a graded outcome, the chance "
        "of each value) from how earlier pupils with similar starting points did. Reads "
        "--history (id,prior,outcome) and --current (id,prior); writes --out."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--history",
            required=True,
            type=Path,
            help="CSV of earlier cohorts with columns id, prior, outcome (numbers).",
        )
        parser.add_argument(
            "--current",
            required=True,
            type=Path,
            help="CSV of the pupils to estimate for, with columns id, prior; ids unique.",
        )
        parser.add_argument(
            "--out",
            required=True,
            type=Path,
            help="CSV to write: id, one column per quantile (q10, q50, q90) and, for a graded "
            "outcome, p_<value> with the chance of each value.",
        )
        parser.add_argument(
            "--quantiles",
            default=",".join(str(level) for level in estimates.DEFAULT_QUANTILES),
            help="Comma-separated levels strictly between 0 and 1 (default: 0.1,0.5,0.9).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            levels = estimates.parse_quantiles(options["quantiles"])
        except ValueError as error:
            raise CommandError(f"--quantiles: {error}") from None
        try:
            history = estimates.read_history(options["history"])
            current = estimates.read_current(options["current"])
        except estimates.EstimateInputError as error:
            raise CommandError(str(error)) from None
        model = estimates.fit(history.prior, history.outcome)
        result = estimates.estimate(model, current.prior, levels)
        out: Path = options["out"]
        try:
            estimates.write_estimates(out, current.ids, result)
        except OSError as error:
            raise CommandError(f"{out}: cannot be written ({error.strerror})") from None
        kind = "graded outcome" if model.is_graded else "outcome"
        self.stdout.write(
            f"Wrote estimates for {len(current.ids)} pupils to {out}, learnt from "
            f"{model.size} earlier pupils ({kind}; {model.neighbours} with the nearest "
            "starting points make each estimate)."
        )
