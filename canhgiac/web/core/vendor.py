"""Third-party browser code (Leaflet and its marker clusters), fetched at build time.

The console serves every script from its own static files: a CDN would tell a third party
who opens the map and when, and the strict Content-Security-Policy would refuse it anyway.
The packages are not committed either; requirements/static.lock pins each one by version
and by the npm registry's sha512 integrity, and this module downloads the tarball, checks
the integrity before reading anything in it, and writes only the listed files into
static/vendor/<name>/, refusing any path that would land outside it.

Run as ``python -m canhgiac.web.core.vendor`` (``./dev run`` and ``./dev test`` do). When the
files are already there with a stamp that matches the lock, it does nothing and needs no
network. No Django here: it runs before the application is installed or configured.

Written by hand because the maintained client, npm, needs Node.js, which a machine with
only Python 3.11 (the README's promise) does not have, and pip cannot fetch npm packages:
the standard library does it here in about 200 lines, with no dependency added.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import io
import json
import shutil
import sys
import tarfile
import tomllib
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath

ROOT = Path(__file__).resolve().parents[3]
LOCK = ROOT / "requirements" / "static.lock"
TARGET = Path(__file__).resolve().parents[1] / "static" / "vendor"
STAMP = ".stamp.json"
TIMEOUT = 60.0
# A tarball larger than this is not the package the lock names (Leaflet's is 1.4 MB).
MAX_TARBALL_BYTES = 20_000_000
# npm packs every file under "package/".
PREFIX = "package/"


class VendorError(Exception):
    """Why the static files could not be fetched, in a sentence for the terminal."""


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    version: str
    url: str
    integrity: str
    files: tuple[str, ...]

    def stamp(self) -> dict[str, object]:
        return {"name": self.name, "version": self.version, "integrity": self.integrity, "files": list(self.files)}


def read_lock(path: Path = LOCK) -> list[Package]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        packages = [
            Package(
                name=str(item["name"]),
                version=str(item["version"]),
                url=str(item["url"]),
                integrity=str(item["integrity"]),
                files=tuple(str(f) for f in item["files"]),
            )
            for item in data["package"]
        ]
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError) as exc:
        raise VendorError(f"{path}: cannot read the lock ({exc})") from exc
    for package in packages:
        if not _safe_relative(package.name) or "/" in package.name:
            raise VendorError(f"{path}: {package.name!r} is not a folder name")
    return packages


def verify(data: bytes, integrity: str) -> None:
    """Raise unless ``data`` has this Subresource-Integrity value (npm's "sha512-<base64>")."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not expected:
        raise VendorError(f"unsupported integrity {integrity!r}: the lock pins sha512 only")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")
    if not hmac.compare_digest(actual, expected):
        raise VendorError(f"integrity mismatch: the lock pins sha512-{expected}, the download is sha512-{actual}")


def _safe_relative(name: str) -> bool:
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and "\\" not in name and all(part not in ("", ".", "..") for part in name.split("/"))


def _wanted(path: str, patterns: tuple[str, ...]) -> str | None:
    """The pattern that lists this file: one segment per segment, so "*" never crosses a "/"."""
    parts = path.split("/")
    for pattern in patterns:
        wanted = pattern.split("/")
        if len(wanted) == len(parts) and all(fnmatchcase(p, w) for p, w in zip(parts, wanted, strict=True)):
            return pattern
    return None


def _destination(path: str) -> str:
    """Where a file of the package goes under its folder: "dist/leaflet.js" -> "leaflet.js"."""
    return path.removeprefix("dist/")


def _listed(data: bytes, package: Package, folder: Path) -> dict[str, bytes]:
    """The listed files of the tarball, by their path under ``folder``. Refuses the whole
    tarball when any member's name could escape the folder, and any listed member that is
    not a plain file (a link, a device)."""
    chosen: dict[str, bytes] = {}
    found: set[str] = set()
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member in archive.getmembers():
            if not _safe_relative(member.name.rstrip("/") if member.isdir() else member.name):
                raise VendorError(f"{package.name}: refused: the path {member.name!r} in the tarball leaves its folder")
            path = member.name.removeprefix(PREFIX)
            pattern = _wanted(path, package.files)
            if pattern is None:
                continue
            if not member.isreg():
                raise VendorError(f"{package.name}: refused: {member.name!r} is not a plain file")
            destination = _destination(path)
            if not (folder / destination).resolve().is_relative_to(folder):
                raise VendorError(f"{package.name}: refused: the path {member.name!r} leaves its folder")
            content = archive.extractfile(member)
            assert content is not None  # a regular file always has content
            chosen[destination] = content.read()
            found.add(pattern)
    missing = [pattern for pattern in package.files if pattern not in found]
    if missing:
        raise VendorError(f"{package.name} {package.version}: the tarball has no {', '.join(missing)}")
    return chosen


def extract(data: bytes, package: Package, target: Path) -> list[str]:
    """Write the listed files of the (already verified) tarball into ``target``/<name>/ and
    return their paths there."""
    try:
        chosen = _listed(data, package, (target / package.name).resolve())
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise VendorError(f"{package.name}: not a readable gzip tarball ({exc})") from exc
    # Written beside the old folder, then swapped in: a failure never leaves half of it.
    staging = target / f".{package.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    for destination, content in chosen.items():
        (staging / destination).parent.mkdir(parents=True, exist_ok=True)
        (staging / destination).write_bytes(content)
    (staging / STAMP).write_text(json.dumps({**package.stamp(), "written": sorted(chosen)}, indent=1), encoding="utf-8")
    shutil.rmtree(target / package.name, ignore_errors=True)
    staging.rename(target / package.name)
    return sorted(chosen)


def up_to_date(package: Package, target: Path) -> bool:
    """The files are there, written from this very version and integrity."""
    folder = target / package.name
    try:
        stamp = json.loads((folder / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(stamp, dict) or any(stamp.get(key) != value for key, value in package.stamp().items()):
        return False
    written = stamp.get("written")
    return isinstance(written, list) and bool(written) and all((folder / str(name)).is_file() for name in written)


def download(url: str, timeout: float = TIMEOUT) -> bytes:
    if not url.startswith("https://"):
        raise VendorError(f"{url}: only https:// URLs are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "canhgiac-vendor"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data: bytes = response.read(MAX_TARBALL_BYTES + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise VendorError(f"cannot download {url}: {exc}") from exc
    if len(data) > MAX_TARBALL_BYTES:
        raise VendorError(f"{url}: larger than {MAX_TARBALL_BYTES} bytes, not the pinned package")
    return data


def ensure(lock: Path = LOCK, target: Path = TARGET, timeout: float = TIMEOUT) -> list[str]:
    """Fetch what is missing or stale; return what was fetched ("leaflet 1.9.4")."""
    fetched = []
    for package in read_lock(lock):
        if up_to_date(package, target):
            continue
        data = download(package.url, timeout)
        verify(data, package.integrity)
        target.mkdir(parents=True, exist_ok=True)
        extract(data, package, target)
        fetched.append(f"{package.name} {package.version}")
    return fetched


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m canhgiac.web.core.vendor", description="Fetch the pinned browser packages into static/vendor."
    )
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--target", type=Path, default=TARGET)
    parser.add_argument("--timeout", type=float, default=TIMEOUT, help="seconds per download (default: %(default)s)")
    args = parser.parse_args(argv)
    try:
        fetched = ensure(args.lock, args.target, args.timeout)
    except VendorError as exc:
        print(f"vendor: {exc}", file=sys.stderr)
        return 1
    for line in fetched:
        print(f"vendor: {line} -> {args.target}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
