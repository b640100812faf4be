"""Encryption keys and their rotation: a new key put first (``new,old``) must not lose a
Zalo user's thread or their subscription, ``canhgiac rotate-keys`` moves everything under
the new key, and then the old key can go. Backups name all their keys."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

from canhgiac.cli import main
from canhgiac.web.cases.actions import receive_message
from canhgiac.web.cases.models import Case, Message, Reporter
from canhgiac.web.core.crypto import is_current, lookup_hash, lookup_hashes, seal, unseal
from canhgiac.web.intake.models import Channel
from tests.web.conftest import World
from tests.web.fake_zalo import FakeZalo
from tests.web.test_backup import SEED, cli, python
from tests.web.test_bulletins import message
from tests.web.test_zalo import USER, deliver, event, run_tasks

CONTACT = "0912 345 678, chị Lan"
SUBSCRIBER = "7000000000000000001"


def rotate() -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["rotate-keys", "--batch", "2"])  # small batches: several transactions per table
    return code, out.getvalue()


def counts(output: str) -> dict[str, int]:
    return {name: int(n) for name, _, n in (line.rpartition(": ") for line in output.splitlines()) if n.isdigit() and name}


def test_lookups_find_a_value_under_every_key(settings: Any) -> None:
    old, new = settings.ENCRYPTION_KEY, Fernet.generate_key().decode()
    before = lookup_hash("zalo:1", "123")
    settings.ENCRYPTION_KEY = f"{new},{old}"
    assert lookup_hashes("zalo:1", "123") == [lookup_hash("zalo:1", "123"), before]
    assert lookup_hash("zalo:1", "123") != before  # what is stored from now on is under the new key
    sealed_before = seal("x")
    assert is_current(sealed_before)
    settings.ENCRYPTION_KEY = f"{Fernet.generate_key().decode()},{new}"
    assert not is_current(sealed_before) and unseal(sealed_before) == "x"


def test_rotation_keeps_threads_subscriptions_and_secrets(world: World, zalo: FakeZalo, settings: Any) -> None:
    key_a, key_b = settings.ENCRYPTION_KEY, Fernet.generate_key().decode()
    # Under key A: a web reporter who left a contact, a Zalo reporter with an open case
    # who also follows the OA, a subscriber by message, and the channel's secrets.
    web_case = world.tip("Có trộm ở chợ", contact=CONTACT).case
    deliver(event("user_send_text"))
    deliver(event("follow"))
    deliver(message("DANG KY", SUBSCRIBER))
    run_tasks()
    zalo_case = Case.objects.get(channel=world.zalo_a)
    user = Reporter.objects.get(pk=zalo_case.reporter_id)
    assert user.subscribed and user.channel_user_hash == lookup_hash(f"zalo:{world.zalo_a.pk}", USER)
    subscriber = Reporter.objects.get(channel=world.zalo_a, subscribed=True, cases=None)

    # A new key first, the old one after it: the same Zalo user still finds their
    # thread, and their unfollow and the subscriber's HUY still reach them.
    settings.ENCRYPTION_KEY = f"{key_b},{key_a}"
    deliver(event("user_send_text_followup"))
    deliver(event("unfollow"))
    deliver(message("HUY", SUBSCRIBER))
    run_tasks()
    assert Case.objects.filter(channel=world.zalo_a).count() == 1
    assert zalo_case.messages.filter(direction=Message.Direction.IN).count() == 2
    assert Reporter.objects.filter(channel=world.zalo_a).count() == 2  # no one new
    assert not Reporter.objects.filter(channel=world.zalo_a, subscribed=True).exists()

    code, output = rotate()
    assert code == 0, output
    changed = counts(output)
    assert changed["cases.Reporter.contact_sealed"] == 1
    assert changed["cases.Reporter.channel_user_sealed"] == 2
    assert changed["cases.Reporter.channel_user_hash"] == 2
    assert changed["intake.Channel.oa_secret_sealed"] == 1 and changed["intake.Channel.refresh_token_sealed"] == 1
    code, again = rotate()  # nothing left to do: a second run changes nothing
    assert code == 0 and set(counts(again).values()) == {0}

    # Only the new key: everything still opens, and the threads still match.
    settings.ENCRYPTION_KEY = key_b
    web_case.reporter.refresh_from_db()
    assert unseal(web_case.reporter.contact_sealed) == CONTACT
    channel = Channel.objects.get(pk=world.zalo_a.pk)
    assert channel.secret("oa_secret") == "oa-secret-key-for-tests" and channel.secret("app_secret") == "app-secret-for-tests"
    assert Reporter.objects.get(pk=zalo_case.reporter_id).channel_user_id() == USER
    received = receive_message(channel=world.zalo_a, text="Cho tôi hỏi thêm về tin vừa rồi", channel_user_id=USER)
    assert received.case == zalo_case and not received.new_case
    deliver(message("DANG KY", SUBSCRIBER))
    run_tasks()
    assert Reporter.objects.filter(channel=world.zalo_a).count() == 2
    assert list(Reporter.objects.filter(subscribed=True).values_list("pk", flat=True)) == [subscriber.pk]


def test_rotation_stops_on_a_value_no_key_opens(world: World, settings: Any) -> None:
    world.tip("Có trộm ở chợ", contact=CONTACT)
    settings.ENCRYPTION_KEY = Fernet.generate_key().decode()  # the old key lost
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        assert main(["rotate-keys"]) == 2
    assert "cannot decrypt" in err.getvalue()


def test_a_backup_restores_under_any_of_its_keys(scratch_env: dict[str, str], tmp_path: Path) -> None:
    keys = {name: Fernet.generate_key().decode() for name in "ABC"}

    def under(names: str) -> dict[str, str]:
        return {**scratch_env, "CANHGIAC_ENCRYPTION_KEY": ",".join(keys[k] for k in names.split(","))}

    python(SEED, under("A,B"))
    archive = tmp_path / "backup.tar.gz"
    assert cli(under("A,B"), "backup", "--out", str(archive)).returncode == 0
    refused = cli(under("C,B"), "restore", str(archive), "--yes")  # B is there, but A sealed the contacts
    assert refused.returncode == 2 and "another CANHGIAC_ENCRYPTION_KEY" in refused.stderr
    read = "import django; django.setup()\nfrom canhgiac.web.cases.models import Reporter\nfrom canhgiac.web.core.crypto import unseal\n"
    read += "import json; print(json.dumps([unseal(r.contact_sealed) for r in Reporter.objects.exclude(contact_sealed='')]))"
    for names in ("B,A", "A"):
        done = cli(under(names), "restore", str(archive), "--yes")
        assert done.returncode == 0, done.stderr
        assert json.loads(python(read, under(names))) == ["0912 345 678"]
    assert "not configured now" in done.stdout  # restored under A alone: B is named as missing


def test_rotation_keeps_an_officers_zalo_link(world: World, settings: Any) -> None:
    """An officer's linked Zalo account is found again by a keyed hash, like a reporter's:
    after rotation and with the old key gone, the same Zalo user is still that officer's
    (so linking it to another officer still unlinks the first)."""
    from canhgiac.web.accounts.actions import confirm_link, start_link
    from canhgiac.web.accounts.models import OfficerChat

    zalo_a = Channel.objects.get(unit=world.commune_a, kind=Channel.Kind.ZALO)
    code, _ = start_link(world.officer_a)
    assert confirm_link(zalo_a, "8800000000000000001", code) is not None
    old, new = settings.ENCRYPTION_KEY, Fernet.generate_key().decode()
    settings.ENCRYPTION_KEY = f"{new},{old}"
    assert rotate()[0] == 0
    settings.ENCRYPTION_KEY = new
    chat = OfficerChat.objects.get(user=world.officer_a)
    assert chat.chat_user_hash == lookup_hash(f"zalo:{zalo_a.pk}", "8800000000000000001")
    assert unseal(chat.chat_user_sealed) == "8800000000000000001"
