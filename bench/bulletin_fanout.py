"""A bulletin to every follower: how long the fan-out and the deliveries take.

    python bench/bulletin_fanout.py [--followers 2135]

Makes a fresh SQLite database with one commune whose Zalo channel has N subscribed
followers (2,135 is the channel in PRODUCT.md), points the Zalo client at a fake Zalo
server on loopback, sends one bulletin, and runs the tasks in-process without the pacing
delay (in production deliveries are paced at five a second, so 2,135 followers take about
seven minutes by design). Prints the fan-out time, the delivery rate, and what was
counted: every follower delivered exactly once, and a second run of every task sends
nothing more.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--followers", type=int, default=2135)
    args = parser.parse_args()
    os.environ.update(
        CANHGIAC_DEV="1", CANHGIAC_DATA_DIR=tempfile.mkdtemp(prefix="canhgiac-bulletin-"), DJANGO_SETTINGS_MODULE="canhgiac.web.settings"
    )
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    from canhgiac.web.accounts.models import Unit, User
    from canhgiac.web.bulletins import sending
    from canhgiac.web.bulletins.models import Bulletin, Delivery
    from canhgiac.web.cases.actions import reporter_for
    from canhgiac.web.intake.models import Channel
    from canhgiac.web.tasks.models import Task
    from canhgiac.web.tasks.queue import run_pending
    from tests.web.fake_zalo import FakeZalo

    call_command("migrate", verbosity=0)
    unit = Unit.objects.create(name="Xã thử", slug="xa-thu")
    officer = User.objects.create_user("canbo", password="x" * 16, unit=unit, role=User.Role.OFFICER)
    channel = Channel.objects.create(unit=unit, kind=Channel.Kind.ZALO, slug="zalo", name="Zalo", app_id="1", oa_id="oa")
    channel.set_secret("access_token", "access-token-1")
    channel.save()
    started = time.perf_counter()
    for n in range(args.followers):
        sending.set_subscription(reporter_for(channel, str(7_000_000_000 + n), "", timezone.now()), True)
    print(f"{args.followers} followers subscribed in {time.perf_counter() - started:.1f}s")

    with FakeZalo() as zalo:
        settings.ZALO_API_BASE = zalo.url
        bulletin = Bulletin.objects.create(unit=unit, title="Cảnh báo", body="Không chuyển tiền cho người lạ.")
        sending.send(bulletin, officer)
        started = time.perf_counter()
        run_pending(limit=1)
        fanout = time.perf_counter() - started
        Task.objects.filter(status=Task.Status.QUEUED).update(run_after=timezone.now())
        started = time.perf_counter()
        ran = run_pending(limit=args.followers + 10)
        deliveries = time.perf_counter() - started
        Task.objects.update(status=Task.Status.QUEUED, run_after=timezone.now())  # every task again
        run_pending(limit=args.followers + 10)
        reached = sending.reach([bulletin])[bulletin.pk]
        users = [s["body"]["recipient"]["user_id"] for s in zalo.sent]
    print(f"fan-out (one Delivery row and one task per follower): {fanout:.2f}s")
    print(
        f"{ran} deliveries: {deliveries:.1f}s, {ran / deliveries:.0f}/s without pacing (production paces at {1 / sending.PACE_SECONDS:.0f}/s)"
    )
    print(f"reach {reached}; messages at the fake Zalo {len(users)}, distinct recipients {len(set(users))}")
    ok = reached["sent"] == args.followers == len(users) == len(set(users)) and Delivery.objects.count() == args.followers
    print("every follower exactly once:", "yes" if ok else "NO")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
