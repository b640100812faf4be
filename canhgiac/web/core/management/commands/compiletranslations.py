from typing import Any

from django.core.management.base import BaseCommand

from canhgiac.web.core.i18n import PO_FILE, compile_catalogue


class Command(BaseCommand):
    help = "Compile locale/en/LC_MESSAGES/django.po into its .mo with Babel (no GNU gettext needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        PO_FILE.with_suffix(".mo").write_bytes(compile_catalogue(PO_FILE))
        self.stdout.write(f"compiled {PO_FILE.with_suffix('.mo')}")
