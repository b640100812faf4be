"""The console inbox with 100,000 cases: how long a page takes to render.

    python bench/inbox_100k.py [--cases 100000] [--runs 15]

Fills a fresh SQLite database with cases spread over two communes (bulk inserts, fields
as the engine fills them), then renders inbox pages in-process as a district supervisor
sees them (every case visible): the default view, a search without diacritics, a
category filter, the riskiest first, a deep page. Prints the median and the slowest run
of each, and the SQL queries each page made.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    os.environ.update(
        CANHGIAC_DEV="1", CANHGIAC_DATA_DIR=tempfile.mkdtemp(prefix="canhgiac-inbox-"), DJANGO_SETTINGS_MODULE="canhgiac.web.settings"
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from canhgiac.engine.pipeline import CATEGORIES
    from canhgiac.web.accounts.models import User
    from canhgiac.web.cases.models import Case, Reporter, new_reference
    from canhgiac.web.core.demo import create_demo
    from canhgiac.web.intake.models import Channel

    call_command("migrate", verbosity=0)
    create_demo()
    channels = list(Channel.objects.filter(kind=Channel.Kind.WEB))
    words = [
        "ma",
        "tuy",
        "trom",
        "cap",
        "xe",
        "may",
        "danh",
        "bac",
        "lua",
        "dao",
        "chuyen",
        "tien",
        "dua",
        "xe",
        "karaoke",
        "on",
        "ao",
        "rac",
        "thai",
        "phao",
        "no",
        "sung",
        "dao",
    ]
    rng = random.Random(1)
    start = time.perf_counter()
    now = timezone.now()
    for batch in range(0, args.cases, 5000):
        reporters = Reporter.objects.bulk_create([Reporter(channel=rng.choice(channels)) for _ in range(min(5000, args.cases - batch))])
        cases = []
        for reporter in reporters:
            text = " ".join(rng.choice(words) for _ in range(12))
            intent = rng.choice(["tip", "tip", "question", "scam_check", "other"])
            cases.append(
                Case(
                    reference=new_reference(),
                    unit_id=reporter.channel.unit_id,
                    channel=reporter.channel,
                    reporter=reporter,
                    intent=intent,
                    category=rng.choice(CATEGORIES) if intent == "tip" else "",
                    scam_score=rng.random(),
                    verdict=rng.choice(["safe", "safe", "suspicious", "scam"]),
                    status=rng.choice(["new", "in_progress", "waiting_reporter", "resolved", "closed"]),
                    search_text=text,
                    preview=text,
                    created=now - timedelta(minutes=rng.randrange(0, 600_000)),
                    last_activity=now - timedelta(minutes=rng.randrange(0, 600_000)),
                    unread=rng.random() < 0.2,
                )
            )
        Case.objects.bulk_create(cases)
    print(f"{Case.objects.count():,} cases created in {time.perf_counter() - start:.0f}s")
    client = Client(HTTP_HOST="localhost")
    client.force_login(User.objects.get(username="admin"))
    pages = {
        "default (open, latest activity)": "/console/",
        "search without diacritics": "/console/?q=ma+tuy&status=all",
        "category filter": "/console/?category=drugs&status=all",
        "riskiest first": "/console/?sort=risk&status=all",
        "page 500": "/console/?status=all&page=500",
    }
    print(f"{'page':<34}{'median ms':>10}{'max ms':>9}{'queries':>9}")
    for name, path in pages.items():
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            response = client.get(path)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        print(f"{name:<34}{statistics.median(times):>10.1f}{max(times):>9.1f}{len(captured.captured_queries):>9}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
