"""The commands an installer and an administrator use, run in-process on the test database."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from canhgiac.cli import main
from canhgiac.web.accounts.models import ApiToken, User, hash_token
from canhgiac.web.audit.models import AuditEvent
from canhgiac.web.cases.actions import correct
from canhgiac.web.core.engine import engine
from canhgiac.web.indicators.models import Indicator
from canhgiac.web.indicators.registry import import_csv
from tests.web.conftest import World


def run(capsys: Any, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_createuser_with_password_from_environment(world: World, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("CANHGIAC_PASSWORD", "mot-mat-khau-dai-2026")
    code, out, _ = run(capsys, "createuser", "canbo-moi", "--unit", "xa-a", "--role", "officer")
    assert code == 0 and "canbo-moi" in out
    user = User.objects.get(username="canbo-moi")
    assert user.unit == world.commune_a and user.role == "officer" and user.check_password("mot-mat-khau-dai-2026")
    assert user.password.startswith(("argon2", "md5"))  # argon2 in production; tests hash fast
    assert AuditEvent.objects.filter(action="user.created").exists()


def test_createuser_refuses_weak_passwords_and_unknown_units(world: World, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("CANHGIAC_PASSWORD", "123456")
    code, _, err = run(capsys, "createuser", "yeu", "--unit", "xa-a", "--role", "officer")
    assert code == 2 and "mật khẩu không đạt" in err
    monkeypatch.setenv("CANHGIAC_PASSWORD", "mot-mat-khau-dai-2026")
    code, _, err = run(capsys, "createuser", "ai-do", "--unit", "khong-co", "--role", "officer")
    assert code == 2 and "không có đơn vị" in err
    assert not User.objects.filter(username__in=["yeu", "ai-do"]).exists()


def test_token_prints_a_working_token_stored_as_a_hash(world: World, capsys: Any) -> None:
    code, out, _ = run(capsys, "token", "canbo-a")
    raw = out.strip()
    assert code == 0 and raw.startswith("cg_")
    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(raw) and raw not in token.key_hash
    from django.test import Client

    assert Client().get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200


def test_keys_prints_usable_keys(capsys: Any) -> None:
    code, out, _ = run(capsys, "keys")
    lines = dict(line.split("=", 1) for line in out.strip().splitlines())
    from cryptography.fernet import Fernet

    assert code == 0 and len(lines["SECRET_KEY"]) >= 50
    Fernet(lines["CANHGIAC_ENCRYPTION_KEY"].encode())


def test_import_blocklist_keeps_platform_pages_as_pages(world: World, tmp_path: Path, capsys: Any) -> None:
    path = tmp_path / "blocklist.csv"
    rows = [
        "text,kind",
        "vcb-sinhtrachoc.top,domain",
        "www.facebook.com/profile.php?id=1000123,url",
        "sites.google.com/view/nhanqua24h,url",
        "103.45.67.89,ip",
        "0912345678,phone",
        ",domain",
        "vcb-sinhtrachoc.top,domain",
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    code, out, err = run(capsys, "import-indicators", str(path))
    assert code == 0 and "import: 100%" in err
    assert "thêm 5" in out and "bỏ qua 1" in out
    values = dict(Indicator.objects.values_list("value", "kind"))
    assert values == {
        "vcb-sinhtrachoc.top": "domain",
        "facebook.com/profile.php?id=1000123": "page",
        "sites.google.com/view/nhanqua24h": "page",
        "103.45.67.89": "domain",
        "+84912345678": "phone",
    }
    assert "facebook.com" not in values and "google.com" not in values
    assert set(Indicator.objects.values_list("status", flat=True)) == {"confirmed"}
    # The engine now gives a known indicator as a reason, for the page only.
    assert "known_indicator" in [r.code for r in engine().analyze("vao sites.google.com/view/nhanqua24h nhe").reasons]
    assert "known_indicator" not in [r.code for r in engine().analyze("vao sites.google.com/view/truonghoc nhe").reasons]


def test_import_is_idempotent_and_confirms_reported(world: World) -> None:
    world.tip("Chuc mung ban trung thuong, nhan qua tai qua-tang-vip.top ngay")
    assert Indicator.objects.get(value="qua-tang-vip.top").status == "reported"
    text = "text\nqua-tang-vip.top\nkhac.xyz\n"
    first = import_csv(text, source="list")
    second = import_csv(text, source="list")
    assert (first.added, first.already) == (1, 1) and (second.added, second.already) == (0, 2)
    assert Indicator.objects.get(value="qua-tang-vip.top").status == "confirmed"


def test_import_without_a_text_column_is_a_clear_error(world: World) -> None:
    with pytest.raises(ValueError, match="cột 'text'"):
        import_csv("domain\nabc.com\n", source="x")


def test_train_from_database_uses_officers_corrections(world: World, tmp_path: Path, capsys: Any) -> None:
    scams = [
        "Chuc mung ban trung thuong xe SH, nhan qua tai qua-{i}.top",
        "Tai khoan bi khoa, cung cap ma OTP tai vcb-{i}.xyz",
        "Vay nhanh giai ngan trong ngay, chi can CCCD, lien he 09{i}1234567",
    ]
    tips = ["Nhà số {i} ngõ 5 bị trộm xe máy đêm qua", "Có nhóm thanh niên đua xe trên đường số {i}", "Cho em hỏi thủ tục tạm trú số {i} ạ"]
    for i in range(10, 40):
        world.tip(scams[i % 3].format(i=i))
        world.tip(tips[i % 3].format(i=i))
    from canhgiac.web.cases.models import Case

    wrong = Case.objects.filter(verdict="scam").first()
    assert wrong is not None
    correct(wrong, world.officer_a, "verdict", "safe")
    out_csv = tmp_path / "labels.csv"
    code, _, err = run(capsys, "export-labels", "--out", str(out_csv))
    assert code == 0 and "1 corrected by officers" in err
    with out_csv.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60
    first_message = wrong.messages.filter(direction="in").first()
    assert first_message is not None
    assert {"text": first_message.body, "label": "not_scam"}.items() <= next(r for r in rows if r["text"] == first_message.body).items()
    model_dir = tmp_path / "model"
    code, out, _ = run(capsys, "train", "--from-db", "--out", str(model_dir), "--folds", "3")
    assert code == 0 and "saved to" in out
    saved = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    assert saved["info"]["trained_on"] == "database" and saved["info"]["examples"] == 60


def test_serve_on_empty_database_creates_the_demo_once(transactional_db: Any) -> None:
    from canhgiac.web.core.demo import create_demo, demo_needed

    assert demo_needed()
    username, password = create_demo()
    user = User.objects.get(username=username)
    assert user.role == "admin" and user.check_password(password) and len(password) >= 12
    assert not demo_needed()
    from canhgiac.web.cases.models import Case

    assert Case.objects.count() == 8 and Case.objects.filter(verdict="scam").exists()
    from canhgiac.web.knowledge.models import Entry, Warning

    assert Entry.objects.count() >= 40 and Warning.objects.filter(published=True).count() == 2
    assert Case.objects.filter(intent="question", kb_entry__isnull=False, status="resolved").exists()
    assert set(Case.objects.values_list("unit__slug", flat=True)) == {"an-phu", "binh-minh"}
    from django.test import Client

    assert "giả danh công an yêu cầu chuyển tiền" in Client().get("/ban-tin/an-phu/").content.decode()  # the district's bulletin
