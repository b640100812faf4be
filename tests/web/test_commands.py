"""The commands an installer and an administrator use, run in-process on the test database."""

from __future__ import annotations

import csv
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
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
    assert code == 0 and "nhập: 100%" in err
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
    assert code == 0 and "1 tin cán bộ đã sửa" in err
    with out_csv.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 60
    first_message = wrong.messages.filter(direction="in").first()
    assert first_message is not None
    assert {"text": first_message.body, "label": "not_scam"}.items() <= next(r for r in rows if r["text"] == first_message.body).items()
    model_dir = tmp_path / "model"
    code, out, _ = run(capsys, "train", "--from-db", "--out", str(model_dir), "--folds", "3")
    assert code == 0 and "đã lưu vào" in out
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
    assert Case.objects.filter(intent="question", kb_entry__isnull=False, status="auto_answered").exists()
    assert set(Case.objects.values_list("unit__slug", flat=True)) == {"an-phu", "binh-minh"}
    from django.test import Client

    assert "giả danh công an yêu cầu chuyển tiền" in Client().get("/ban-tin/an-phu/").content.decode()  # the district's bulletin


# ---------------------------------------------------------------------------- accounts from the command line


def test_setpassword_validates_and_is_audited_as_the_cli(world: World, capsys: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("CANHGIAC_PASSWORD", "12345")
    code, _, err = run(capsys, "setpassword", "quantri")
    assert code == 2 and err.startswith("canhgiac: mật khẩu không đạt: Mật khẩu quá ngắn: cần ít nhất 10 ký tự.")
    assert "hoàn toàn là số" in err and "password" not in err
    code, _, err = run(capsys, "--lang", "en", "setpassword", "quantri")
    assert code == 2 and err.startswith("canhgiac: password refused: This password is too short.")
    assert "This password is entirely numeric." in err and "Mật khẩu" not in err  # Django's messages, in English too
    assert not AuditEvent.objects.filter(action="admin.changed").exists()

    monkeypatch.setenv("CANHGIAC_PASSWORD", "mat-khau-moi-cua-quan-tri")
    code, out, _ = run(capsys, "setpassword", "quantri")
    assert code == 0 and out == "Đã đặt mật khẩu mới cho quantri.\n"
    world.admin.refresh_from_db()
    assert world.admin.check_password("mat-khau-moi-cua-quan-tri")
    event = AuditEvent.objects.get(action="admin.changed")
    assert (event.actor_id, event.actor_label, event.object_id) == (None, "cli", str(world.admin.pk))
    assert event.details == {"fields": ["new_password"]} and event.unit == world.admin.unit
    code, _, err = run(capsys, "setpassword", "khong-ai")
    assert code == 2 and err == "canhgiac: không có người dùng 'khong-ai'\n"


def test_setpassword_lets_a_locked_out_administrator_in(world: World, capsys: Any, monkeypatch: Any, settings: Any) -> None:
    from django.test import Client

    client = Client()
    for _ in range(settings.CANHGIAC_LOGIN_ATTEMPTS):
        assert client.post("/accounts/login/", {"username": "quantri", "password": "doan-mo"}).status_code == 401
    monkeypatch.setenv("CANHGIAC_PASSWORD", "mat-khau-moi-cua-quan-tri")
    assert run(capsys, "setpassword", "quantri")[0] == 0
    response = client.post("/accounts/login/", {"username": "quantri", "password": "mat-khau-moi-cua-quan-tri"})
    assert response.status_code == 302  # not 429: the failures before the new password no longer count


def test_a_fresh_database_gets_its_first_unit_and_administrator(db: Any, capsys: Any, monkeypatch: Any) -> None:
    from canhgiac.web.accounts.models import Unit

    monkeypatch.setenv("CANHGIAC_PASSWORD", "mot-mat-khau-dai-2026")
    code, _, err = run(capsys, "createuser", "quantri", "--unit", "xa-an-phu", "--role", "admin")
    assert code == 2 and "chưa có đơn vị nào" in err and "canhgiac createunit" in err
    code, _, err = run(capsys, "createunit", "Xã An Phú", "--name", "Xã An Phú")
    assert code == 2 and err.startswith("canhgiac: slug 'Xã An Phú': chỉ gồm chữ thường không dấu")
    assert run(capsys, "createunit", "huyen-hoa-binh", "--name", "Huyện Hòa Bình", "--kind", "district")[0] == 0
    code, out, _ = run(capsys, "createunit", "xa-an-phu", "--name", "Xã An Phú", "--parent", "huyen-hoa-binh")
    assert code == 0 and out == "Đã tạo đơn vị Xã An Phú (xa-an-phu).\n"
    assert run(capsys, "createunit", "xa-an-phu", "--name", "Khác")[1:] == ("", "canhgiac: đã có đơn vị 'xa-an-phu'\n")
    assert Unit.objects.get(slug="xa-an-phu").parent == Unit.objects.get(slug="huyen-hoa-binh", kind="district")
    assert run(capsys, "createuser", "quantri", "--unit", "xa-an-phu", "--role", "admin")[0] == 0
    assert User.objects.get(username="quantri").unit == Unit.objects.get(slug="xa-an-phu")
    labels = set(AuditEvent.objects.values_list("action", "actor_label"))
    assert labels == {("admin.added", "cli"), ("user.created", "cli")}


# ---------------------------------------------------------------------------- the configuration, as the server finds it


def test_env_file_format_and_where_it_is_found(tmp_path: Path, monkeypatch: Any) -> None:
    from canhgiac import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CANHGIAC_ENV_FILE", raising=False)
    assert cli.find_env_file(None) is None
    default = tmp_path / "canhgiac.env"
    default.write_text("# keys\n\nexport CG_TEST_A=1\nCG_TEST_B = 'hai ba'\nCG_TEST_C=\"x=y\"\nCG_TEST_D=\n", encoding="utf-8")
    assert cli.read_env_file(default) == {"CG_TEST_A": "1", "CG_TEST_B": "hai ba", "CG_TEST_C": "x=y", "CG_TEST_D": ""}
    assert cli.find_env_file(None) == Path("canhgiac.env")
    named = tmp_path / "other.env"
    named.write_text("CG_TEST_A=2\n", encoding="utf-8")
    monkeypatch.setenv("CANHGIAC_ENV_FILE", str(named))
    assert cli.find_env_file(None) == named  # the variable before ./canhgiac.env
    assert cli.find_env_file(str(default)) == default  # the option before both
    monkeypatch.setenv("CG_TEST_A", "from the environment")
    monkeypatch.delenv("CG_TEST_B", raising=False)
    monkeypatch.setattr(cli, "loaded_env_file", None)
    cli.load_env_file(default)
    assert os.environ["CG_TEST_A"] == "from the environment" and os.environ["CG_TEST_B"] == "hai ba"  # a variable set wins
    assert cli.loaded_env_file == default.resolve()
    (tmp_path / "bad.env").write_text("A=1\nnot a setting\n", encoding="utf-8")
    with pytest.raises(cli.EnvFileError) as caught:
        cli.read_env_file(tmp_path / "bad.env")
    assert caught.value.line == 2


def _bare(tmp_path: Path, **env: str) -> dict[str, str]:
    """An environment with no configuration in it: what a new terminal has."""
    return {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "PYTHONIOENCODING": "utf-8", **env}


def _canhgiac(cwd: Path, env: dict[str, str], *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "canhgiac.cli", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize(
    "command",
    [
        ("createuser", "canbo", "--unit", "xa-an-phu", "--role", "officer"),
        ("setpassword", "quantri"),
        ("serve", "--port", "1"),
        ("worker", "--once"),
        ("manage", "migrate"),
        ("export-labels", "--out", "x.csv"),
    ],
)
def test_without_configuration_a_command_says_in_one_line_what_to_set(tmp_path: Path, command: tuple[str, ...]) -> None:
    done = _canhgiac(tmp_path, _bare(tmp_path), *command)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr == (
        "canhgiac: chưa đặt SECRET_KEY và CANHGIAC_ENCRYPTION_KEY: ghi vào ./canhgiac.env (hoặc tệp --env-file, "
        "hoặc biến môi trường); `canhgiac keys` tạo khóa mới\n"
    )
    english = _canhgiac(tmp_path, _bare(tmp_path, CANHGIAC_LANG="en"), *command)
    assert english.returncode == 2 and english.stderr.startswith("canhgiac: SECRET_KEY and CANHGIAC_ENCRYPTION_KEY not set: ")
    assert english.stderr.count("\n") == 1 and not list(tmp_path.glob("var"))  # nothing created either


def test_a_broken_or_missing_env_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "canhgiac.env").write_text("CANHGIAC_DEV=1\nSECRET_KEY abc\n", encoding="utf-8")
    done = _canhgiac(tmp_path, _bare(tmp_path), "token", "quantri")
    assert (done.returncode, done.stderr) == (2, "canhgiac: canhgiac.env, dòng 2: cần dạng TÊN=GIÁ_TRỊ\n")
    done = _canhgiac(tmp_path, _bare(tmp_path), "--env-file", "/nowhere/canhgiac.env", "token", "quantri")
    assert (done.returncode, done.stderr) == (2, "canhgiac: không có tệp cấu hình /nowhere/canhgiac.env (--env-file)\n")
    done = _canhgiac(tmp_path, _bare(tmp_path, CANHGIAC_ENV_FILE="/nowhere/x.env", CANHGIAC_LANG="en"), "token", "quantri")
    assert (done.returncode, done.stderr) == (2, "canhgiac: no configuration file /nowhere/x.env (CANHGIAC_ENV_FILE)\n")


def test_a_wsgi_server_finds_the_env_file_through_the_variable(tmp_path: Path) -> None:
    """`gunicorn canhgiac.web.wsgi` reads no command line: settings.py loads CANHGIAC_ENV_FILE."""
    env_file = tmp_path / "canhgiac.env"
    env_file.write_text(f"CANHGIAC_DEV=1\nCANHGIAC_DATA_DIR={tmp_path / 'data'}\n", encoding="utf-8")
    code = "import canhgiac.web.wsgi\nfrom django.conf import settings\nprint(settings.DATA_DIR)"
    env = _bare(tmp_path, CANHGIAC_ENV_FILE=str(env_file), DJANGO_SETTINGS_MODULE="canhgiac.web.settings")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert (done.returncode, done.stdout) == (0, f"{tmp_path / 'data'}\n"), done.stderr


def test_a_database_not_created_yet_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "canhgiac.env").write_text(f"CANHGIAC_DEV=1\nCANHGIAC_DATA_DIR={tmp_path / 'data'}\n", encoding="utf-8")
    done = _canhgiac(tmp_path, _bare(tmp_path), "token", "quantri")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert (
        done.stderr
        == "canhgiac: cơ sở dữ liệu chưa được tạo hoặc chưa cập nhật: chạy `canhgiac manage migrate` (`canhgiac serve` cũng tự làm)\n"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _login(port: int, username: str, password: str) -> int:
    """Log in to the running server as a browser would (CSRF cookie and field); the status."""
    jar = http.cookiejar.CookieJar()

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any) -> None:
            return None

    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect)
    url = f"http://127.0.0.1:{port}/accounts/login/"
    page = opener.open(url, timeout=30).read().decode("utf-8")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token, page
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1), "username": username, "password": password}).encode()
    try:
        status: int = opener.open(urllib.request.Request(url, data=body, headers={"Referer": url}), timeout=30).status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status


def test_dev_run_in_one_terminal_createuser_and_setpassword_in_another(tmp_path: Path) -> None:
    """The README's development setup: `./dev run` writes ./canhgiac.env and serves; the
    documented commands, typed in a new terminal in the same folder, reach the same
    database and keys, and what they do shows on the running server."""
    from tests.conftest import ROOT

    dev_env = re.search(r"^write_dev_env\(\) \{\n.*?^\}\n", (ROOT / "dev").read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    assert dev_env, "./dev no longer has write_dev_env()"
    subprocess.run(["bash", "-c", dev_env.group(0) + "write_dev_env"], cwd=tmp_path, check=True, timeout=30)
    assert (tmp_path / "canhgiac.env").is_file()
    port = _free_port()
    with (tmp_path / "serve.log").open("w") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "canhgiac.cli", "serve", "--demo", "--port", str(port), "--workers", "1"],
            cwd=tmp_path,
            env=_bare(tmp_path),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, (tmp_path / "serve.log").read_text()
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5).status == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()
            time.sleep(0.2)
        started = (tmp_path / "serve.log").read_text()
        admin = re.search(r"Tài khoản quản trị: (\S+) .*: (\S+)$", started, re.MULTILINE)
        assert admin and f"cấu hình: {tmp_path.resolve() / 'canhgiac.env'}" in started, started

        # The other terminal: nothing exported, the README's command as written.
        terminal = _bare(tmp_path, CANHGIAC_PASSWORD="mot-mat-khau-dai-2026")
        created = _canhgiac(tmp_path, terminal, "createuser", "canbo-moi", "--unit", "an-phu", "--role", "officer")
        assert (created.returncode, created.stderr) == (0, ""), created.stderr
        assert _login(port, "canbo-moi", "mot-mat-khau-dai-2026") == 302

        username, printed = admin.groups()
        lost = _canhgiac(tmp_path, _bare(tmp_path, CANHGIAC_PASSWORD="mat-khau-quan-tri-moi"), "setpassword", username)
        assert (lost.returncode, lost.stderr) == (0, ""), lost.stderr
        assert _login(port, username, printed) == 401 and _login(port, username, "mat-khau-quan-tri-moi") == 302
    finally:
        server.terminate()
        server.wait(timeout=30)
