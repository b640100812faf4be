from typing import Any

from django.core.management.base import BaseCommand

from canhgiac.web.core.i18n import PO_FILE, compile_po


class Command(BaseCommand):
    help = "Compile locale/en/LC_MESSAGES/django.po into its .mo (no GNU gettext needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        compile_po(PO_FILE, PO_FILE.with_suffix(".mo"))
        self.stdout.write(f"compiled {PO_FILE.with_suffix('.mo')}")
