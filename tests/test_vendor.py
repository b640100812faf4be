"""The build-time fetch of Leaflet (canhgiac.web.core.vendor), on small tarballs made here:
no network. What it writes is what the lock pins, byte for byte, or nothing."""

from __future__ import annotations

import base64
import hashlib
import io
import tarfile
from pathlib import Path

import pytest

from canhgiac.web.core import vendor
from canhgiac.web.core.vendor import Package, VendorError

SCRIPT = b"/* a tiny map library */ window.L = {};\n"


def tarball(*members: tuple[str, bytes | str]) -> bytes:
    """A gzip tarball as npm packs one; a str content makes a symbolic link to it."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as archive:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if isinstance(content, str):
                info.type, info.linkname = tarfile.SYMTYPE, content
                archive.addfile(info)
            else:
                info.size = len(content)
                archive.addfile(info, io.BytesIO(content))
    return raw.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def package(data: bytes, files: tuple[str, ...] = ("LICENSE", "dist/tiny.js", "dist/images/*")) -> Package:
    return Package("tiny", "1.0.0", "https://registry.example/tiny-1.0.0.tgz", integrity(data), files)


GOOD = tarball(
    ("package/LICENSE", b"MIT"),
    ("package/dist/tiny.js", SCRIPT),
    ("package/dist/images/pin.png", b"\x89PNG"),
    ("package/dist/images/sub/deeper.png", b"not listed: * stops at a slash"),
    ("package/src/tiny.js", b"not listed"),
)


def lock(tmp_path: Path, pinned: Package) -> Path:
    files = ", ".join(f'"{f}"' for f in pinned.files)
    path = tmp_path / "static.lock"
    path.write_text(
        f'[[package]]\nname = "{pinned.name}"\nversion = "{pinned.version}"\nurl = "{pinned.url}"\n'
        f'integrity = "{pinned.integrity}"\nfiles = [{files}]\n',
        encoding="utf-8",
    )
    return path


def test_fetches_verifies_and_writes_only_the_listed_files_then_does_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    downloads: list[str] = []

    def download(url: str, timeout: float = 0) -> bytes:
        downloads.append(url)
        return GOOD

    monkeypatch.setattr(vendor, "download", download)
    target, path = tmp_path / "vendor", lock(tmp_path, package(GOOD))
    assert vendor.ensure(path, target) == ["tiny 1.0.0"]
    written = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file() and p.name != vendor.STAMP)
    assert written == ["tiny/LICENSE", "tiny/images/pin.png", "tiny/tiny.js"]
    assert (target / "tiny" / "tiny.js").read_bytes() == SCRIPT
    # Already there with a matching stamp: no download at all (works offline).
    assert vendor.ensure(path, target) == [] and len(downloads) == 1
    # A file removed by hand, or a new version in the lock, is fetched again.
    (target / "tiny" / "tiny.js").unlink()
    assert vendor.ensure(path, target) == ["tiny 1.0.0"] and len(downloads) == 2


def test_an_integrity_mismatch_is_refused_before_anything_is_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tampered = tarball(("package/LICENSE", b"MIT"), ("package/dist/tiny.js", b"stealCookies();"), ("package/dist/images/pin.png", b"x"))
    monkeypatch.setattr(vendor, "download", lambda url, timeout=0: tampered)
    target = tmp_path / "vendor"
    with pytest.raises(VendorError, match="integrity mismatch"):
        vendor.ensure(lock(tmp_path, package(GOOD)), target)
    assert not target.exists()
    with pytest.raises(VendorError, match="integrity mismatch"):
        vendor.verify(GOOD + b"\0", integrity(GOOD))
    with pytest.raises(VendorError, match="sha512 only"):
        vendor.verify(GOOD, "sha1-" + base64.b64encode(hashlib.sha1(GOOD).digest()).decode())
    vendor.verify(GOOD, integrity(GOOD))


@pytest.mark.parametrize(
    "evil",
    [
        ("package/dist/../../../escaped.js", SCRIPT),
        ("package/dist/images/../../../../escaped.js", SCRIPT),
        ("/tmp/escaped.js", SCRIPT),
        ("package//dist/tiny.js", SCRIPT),
        ("package/dist/images/link.png", "../../../../etc/passwd"),
    ],
)
def test_a_path_that_leaves_the_folder_is_refused(tmp_path: Path, evil: tuple[str, bytes | str]) -> None:
    data = tarball(("package/LICENSE", b"MIT"), ("package/dist/tiny.js", SCRIPT), ("package/dist/images/pin.png", b"x"), evil)
    target = tmp_path / "deep" / "vendor"
    with pytest.raises(VendorError, match="refused"):
        vendor.extract(data, package(data), target)
    assert not (tmp_path / "escaped.js").exists() and not list(tmp_path.rglob("escaped.js"))
    assert not (target / "tiny").exists()


def test_a_listed_file_missing_from_the_tarball_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(VendorError, match=r"the tarball has no dist/tiny\.css"):
        vendor.extract(GOOD, package(GOOD, ("LICENSE", "dist/tiny.css")), tmp_path)
    with pytest.raises(VendorError, match="not a readable gzip tarball"):
        vendor.extract(b"<html>rate limited</html>", package(GOOD), tmp_path)


def test_the_command_says_why_it_failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def offline(url: str, timeout: float = 0) -> bytes:
        raise VendorError(f"cannot download {url}: [Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(vendor, "download", offline)
    assert vendor.main(["--lock", str(lock(tmp_path, package(GOOD))), "--target", str(tmp_path / "v")]) == 1
    assert "vendor: cannot download https://registry.example/tiny-1.0.0.tgz" in capsys.readouterr().err
    monkeypatch.undo()  # the real download: it refuses plain http before any connection
    with pytest.raises(VendorError, match="only https"):
        vendor.download("http://registry.npmjs.org/leaflet/-/leaflet-1.9.4.tgz")


def test_the_lock_pins_leaflet_and_its_clusters() -> None:
    pinned = {p.name: p for p in vendor.read_lock()}
    assert pinned["leaflet"].version == "1.9.4"
    assert pinned["leaflet"].url == "https://registry.npmjs.org/leaflet/-/leaflet-1.9.4.tgz"
    assert pinned["leaflet"].integrity.startswith("sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8")
    assert pinned["leaflet.markercluster"].version == "1.5.3"
    assert pinned["leaflet.markercluster"].integrity.startswith("sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGi")
    assert {"LICENSE", "dist/leaflet.js", "dist/leaflet.css", "dist/images/*"} <= set(pinned["leaflet"].files)
