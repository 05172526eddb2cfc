"""Print docs/error-codes.md: every app's refusal codes (``machikoba.core.error_codes``)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand

import machikoba
from machikoba.core.error_codes import markdown


class Command(BaseCommand):
    help = "Print the table of error codes (redirect to docs/error-codes.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(markdown(Path(machikoba.__file__).parent), ending="")
