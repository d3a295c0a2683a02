"""``kiosk-update``: install a signed kiosk release, switch to it, and switch back.

    kiosk-update fetch [--no-restart]            the ward server's newest release, if it is not running
                                                 (kiosk-update.timer, every few hours)
    kiosk-update install SOURCE [--no-restart]   SOURCE: a release folder (USB stick), a .tar of one,
                                                 or an https:// address
    kiosk-update rollback                        back to the previous release
    kiosk-update status [--json]                 releases, the current one, a failed one
    kiosk-update build --version V --key KEY --out DIR WHEEL...   make a signed release (ward office)

Each release lives in its own folder, ``/opt/bdhvs/releases/<version>/`` (a venv made with
``--system-site-packages`` holding the kiosk and every dependency from the release's own wheels,
so a kiosk installs it with no network), and ``current`` points at the one kiosk.service starts.
Switching is one atomic rename of that link; ``previous`` keeps the one before.

``fetch`` asks the ward server this kiosk is enrolled with (its device token, as for lesson packs)
for the manifest of the newest release it publishes (``sync.releases``), and downloads it only when
it is signed with a key the kiosk trusts and is neither the running release nor the one that
failed to start; the timer switches without a restart, so a learner's lesson is never cut short:
the new release starts with the kiosk's next start (the venue's morning power-on).

A release is signed like a lesson pack (``lessons.signing``: an ed25519 signature over every
file's SHA-256), so a changed or swapped wheel is refused before anything is installed. If the
new release never tells systemd READY, ``kiosk-boot-check`` (ExecStartPre) switches back by itself
after three starts. The heartbeat's ``app_version`` is the installed wheel's version: the ward
sees which release runs.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from lessons.signing import key_id, load_private_key, load_public_key, sign_pack
from sync.client import SyncClient
from sync.credentials import Credentials
from sync.problems import SyncError
from sync.releases import (MAX_RELEASE_BYTES, RELEASE_FILE, RELEASE_FORMAT, VERSION, ReleaseManifest, ReleaseRefused,
                           read_release, unpack_archive)

APP = Path("/opt/bdhvs")
STATE = Path("/var/lib/bdhvs/update")
KEEP_RELEASES = 3

Runner = Callable[[Sequence[str]], None]
Installer = Callable[[Path, Path, str], None]


@dataclass(frozen=True)
class Layout:
    """Where releases, the links and the start counter live (under a test folder in the tests)."""

    app: Path = APP
    state: Path = STATE

    @property
    def releases(self) -> Path:
        return self.app / "releases"

    def link(self, name: str) -> Path:
        return self.app / name

    def version_of(self, name: str) -> str | None:
        link = self.link(name)
        return Path(os.readlink(link)).name if link.is_symlink() else None

    def switch(self, name: str, version: str | None) -> None:
        """Point link ``name`` at release ``version`` (relative, atomic), or remove it."""
        link = self.link(name)
        if version is None:
            link.unlink(missing_ok=True)
            return
        staged = link.with_name(f".{name}.new")
        staged.unlink(missing_ok=True)
        staged.symlink_to(Path("releases") / version)
        os.replace(staged, link)

    def forget_attempts(self) -> None:
        for name in ("start-attempts", "failed-release"):
            (self.state / name).unlink(missing_ok=True)


def run(command: Sequence[str]) -> None:
    subprocess.run(list(command), check=True)


def venv_installer(runner: Runner = run) -> Installer:
    """A venv that sees apt's python3-systemd and picamera2, with the release's wheels and no index."""

    def install(target: Path, wheels: Path, version: str) -> None:
        # pip itself comes from the system (python3-pip), seen through --system-site-packages.
        runner([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(target / "venv")])
        runner([sys.executable, "-m", "pip", "--python", str(target / "venv/bin/python"), "install", "--quiet",
                "--disable-pip-version-check", "--no-index", "--find-links", str(wheels), f"bdhvs-kiosk=={version}"])

    return install


def unpack(source: str, into: Path, ca_bundle: Path | None = None) -> Path:
    """The release folder for ``source``: the folder itself, or a .tar (a file, or downloaded)
    unpacked into ``into`` with only plain files and folders, bounded in size and count."""
    if Path(source).is_dir():
        return Path(source)
    if source.startswith("https://"):
        archive = into / "release.tar"
        _download(source, archive, ca_bundle)
        return unpack_archive(archive, into)
    return unpack_archive(Path(source), into)


def _download(url: str, target: Path, ca_bundle: Path | None) -> None:
    import requests

    try:
        with requests.get(url, stream=True, timeout=30, verify=str(ca_bundle) if ca_bundle else True) as response:
            response.raise_for_status()
            size = 0
            with target.open("wb") as out:
                for chunk in response.iter_content(1 << 16):
                    size += len(chunk)
                    if size > MAX_RELEASE_BYTES:
                        raise ReleaseRefused("the download is larger than a release can be")
                    out.write(chunk)
    except requests.RequestException as exc:
        raise ReleaseRefused(f"the release could not be downloaded ({exc.__class__.__name__})") from None


def install_release(folder: Path, keys: list, layout: Layout, installer: Installer, expected: str | None = None) -> str:
    """Verify, install beside the others, then switch ``current`` (the old one becomes ``previous``);
    ``expected``: the version the release must be (the one its manifest named)."""
    version = read_release(folder, keys)
    if expected is not None and version != expected:
        raise ReleaseRefused(f"the release is {version}, not the {expected} its manifest named")
    target = layout.releases / version
    if not (target / ".complete").exists():
        staging = layout.releases / f".{version}.installing"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(folder / "wheels", staging / "wheels")
        installer(staging, staging / "wheels", version)
        (staging / ".complete").touch()
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
    running = layout.version_of("current")
    if running != version:
        layout.switch("previous", running)
        layout.switch("current", version)
    layout.forget_attempts()
    _prune(layout)
    return version


def fetch(client: SyncClient, keys: list, layout: Layout, installer: Installer, scratch: Path) -> str | None:
    """Install the ward's newest release when it is new to this kiosk; its version, or None when
    there is nothing to install (none published, or the one running)."""
    body = client.get_release()
    if body is None:
        return None
    manifest = ReleaseManifest.parse(body)
    if manifest.version == layout.version_of("current"):
        return None
    if manifest.version == status(layout)["failed"]:
        raise ReleaseRefused(f"release {manifest.version} did not start on this kiosk before and was switched back; "
                             "the ward must publish a newer one")
    if manifest.key_id not in {key_id(key) for key in keys}:
        raise ReleaseRefused(f"the ward's release {manifest.version} is signed with key {manifest.key_id}, "
                             "which this kiosk does not trust (update_public_key)")
    archive = scratch / "release.tar"
    client.download_release(manifest.version, archive, manifest.size, manifest.sha256)
    return install_release(unpack_archive(archive, scratch), keys, layout, installer, expected=manifest.version)


def rollback(layout: Layout) -> str:
    """Switch back to ``previous``; the failed one stays installed but is no longer linked."""
    previous = layout.version_of("previous")
    if previous is None or not (layout.releases / previous).is_dir():
        raise ReleaseRefused("there is no previous release to go back to")
    layout.switch("current", previous)
    layout.switch("previous", None)
    layout.forget_attempts()
    return previous


def _prune(layout: Layout) -> None:
    linked = {name for name in (layout.version_of("current"), layout.version_of("previous")) if name}
    others = sorted((p for p in layout.releases.iterdir() if p.is_dir() and not p.name.startswith(".")
                     and p.name not in linked), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in others[KEEP_RELEASES - len(linked):]:
        shutil.rmtree(old, ignore_errors=True)


def status(layout: Layout) -> dict:
    failed = layout.state / "failed-release"
    return {"current": layout.version_of("current"), "previous": layout.version_of("previous"),
            "installed": sorted(p.name for p in layout.releases.glob("*") if (p / ".complete").exists()),
            "failed": failed.read_text().strip() if failed.exists() else None}


def build_release(wheels: list[Path], version: str, key: Path, out: Path) -> Path:
    """A signed release folder ``out``/bdhvs-release-<version> from the kiosk wheel and its dependencies."""
    if not VERSION.match(version):
        raise ReleaseRefused(f"{version!r} is not a release version")
    folder = out / f"bdhvs-release-{version}"
    if folder.exists():
        raise ReleaseRefused(f"{folder} exists already")
    (folder / "wheels").mkdir(parents=True)
    for wheel in wheels:
        shutil.copy2(wheel, folder / "wheels" / wheel.name)
    (folder / RELEASE_FILE).write_text(json.dumps({"format": RELEASE_FORMAT, "version": version}) + "\n")
    sign_pack(folder, load_private_key(key))
    read_release(folder, [load_private_key(key).public_key()])
    return folder


def _kiosk_config():
    from kiosk.config import load_config

    return load_config().config


def _trusted_keys(config) -> list:
    key = config.update_public_key or config.pack_public_key
    if key is None:
        raise ReleaseRefused("no key to check releases with: set update_public_key in /etc/bdhvs/kiosk.toml")
    return [load_public_key(key)]


def _ward_client(config) -> SyncClient:
    credentials = Credentials.load(config.credentials_file)
    if credentials is None:
        raise ReleaseRefused("this kiosk is not enrolled with a ward server: enroll it on the technician screen first")
    return SyncClient(credentials, timeout=60, ca_bundle=config.server_ca_bundle)


def _restart(runner: Runner) -> None:
    if Path("/run/systemd/system").is_dir():
        runner(["systemctl", "restart", "kiosk.service"])


def main(argv: list[str] | None = None, layout: Layout = Layout(), installer: Installer | None = None,
         runner: Runner = run) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-update", description="Install, switch and roll back kiosk releases.")
    commands = parser.add_subparsers(dest="command", required=True)
    fetch_cmd = commands.add_parser("fetch", help="install the ward server's newest release if it is new here")
    fetch_cmd.add_argument("--no-restart", action="store_true", help="switch without restarting the kiosk now")
    install_cmd = commands.add_parser("install", help="install a signed release and switch to it")
    install_cmd.add_argument("source", help="release folder, .tar file, or https:// address")
    install_cmd.add_argument("--no-restart", action="store_true", help="switch without restarting the kiosk now")
    commands.add_parser("rollback", help="switch back to the previous release")
    status_cmd = commands.add_parser("status", help="show the releases")
    status_cmd.add_argument("--json", action="store_true")
    build = commands.add_parser("build", help="make a signed release folder from wheels")
    build.add_argument("wheels", nargs="+", type=Path)
    build.add_argument("--version", required=True)
    build.add_argument("--key", required=True, type=Path, help="the private key (lessons' `keygen`)")
    build.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "build":
            print(build_release(args.wheels, args.version, args.key, args.out))
        elif args.command == "status":
            found = status(layout)
            print(json.dumps(found) if args.json else "\n".join(f"{k}: {v}" for k, v in found.items()))
        elif args.command == "rollback":
            print(f"kiosk-update: back to {rollback(layout)}")
            _restart(runner)
        else:
            config = _kiosk_config()
            keys = _trusted_keys(config)
            layout.releases.mkdir(parents=True, exist_ok=True)  # the scratch folder: on the data partition, not /tmp
            with tempfile.TemporaryDirectory(prefix="kiosk-update-", dir=layout.releases.parent) as scratch:
                if args.command == "fetch":
                    version = fetch(_ward_client(config), keys, layout, installer or venv_installer(runner), Path(scratch))
                else:
                    folder = unpack(args.source, Path(scratch), config.server_ca_bundle)
                    version = install_release(folder, keys, layout, installer or venv_installer(runner))
            if version is None:
                print(f"kiosk-update: the ward server has no new release; {layout.version_of('current')} stays")
                return 0
            print(f"kiosk-update: {version} installed and current"
                  + (" from the next start" if args.no_restart else "; restarting the kiosk"))
            if not args.no_restart:
                _restart(runner)
    except (ReleaseRefused, SyncError, OSError, ValueError, subprocess.CalledProcessError) as exc:
        print(f"kiosk-update: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
