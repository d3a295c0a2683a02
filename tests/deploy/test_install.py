"""install.sh --root writes the kiosk's and the ward's files, twice without a change, and every unit
and script passes systemd-analyze verify and shellcheck with nothing to say."""
import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
INSTALL = DEPLOY / "install.sh"
PI_CMDLINE = "console=serial0,115200 console=tty1 root=PARTUUID=4e639091-02 rootfstype=ext4 rootwait cgroup_enable=cpuset\n"
KIOSK_UNITS = ["kiosk.service", "kiosk-update.service", "kiosk-update.timer"]
WARD_UNITS = ["ward-server.service", "ward-backup.service", "ward-backup.timer"]


def pi_root(root: Path, cmdline: str = PI_CMDLINE) -> Path:
    """What the Pi's SD card holds before the install: the boot partition's cmdline.txt and an fstab."""
    (root / "boot/firmware").mkdir(parents=True)
    (root / "boot/firmware/cmdline.txt").write_text(cmdline)
    (root / "etc").mkdir()
    (root / "etc/fstab").write_text("proc /proc proc defaults 0 0\nPARTUUID=4e639091-02 / ext4 defaults,noatime 0 1\n")
    return root


def install(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(["bash", str(INSTALL), "--root", str(root), *args], capture_output=True, text=True, timeout=60)
    if check:
        assert done.returncode == 0, done.stderr
    return done


def listing(root: Path) -> dict[str, str]:
    """Every path under ``root`` with its mode and content hash (or link target)."""
    found = {}
    for path in sorted(root.rglob("*")):
        name = str(path.relative_to(root))
        if path.is_symlink():
            found[name] = f"-> {os.readlink(path)}"
        elif path.is_file():
            found[name] = f"{path.stat().st_mode:o} {hashlib.sha256(path.read_bytes()).hexdigest()}"
        else:
            found[name] = f"{path.stat().st_mode:o} dir"
    return found


def verify(root: Path, units: list[str], executables: list[str]) -> subprocess.CompletedProcess:
    """systemd-analyze verify inside ``root``: it needs systemd's own units there (a copy of this
    machine's) and the programs the units start (stand-ins for what pip would have installed)."""
    shutil.copytree("/usr/lib/systemd/system", root / "usr/lib/systemd/system", symlinks=True, dirs_exist_ok=True)
    for executable in executables:
        target = root / os.path.realpath(root / executable.lstrip("/")).removeprefix(str(root)).lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("#!/bin/sh\n")
        target.chmod(0o755)
    return subprocess.run(["systemd-analyze", "verify", f"--root={root}", *units], capture_output=True, text=True, timeout=60)


def test_the_kiosk_install_writes_its_files(tmp_path: Path) -> None:
    root = pi_root(tmp_path / "pi")
    done = install(root, "--rotation", "90")
    assert "[1/10] Checking the system" in done.stdout and "[10/10] Starting the kiosk" in done.stdout
    assert "would run: useradd --system" in done.stdout and "--groups video,render,input,netdev,systemd-journal kiosk" in done.stdout
    assert "would run: apt-get install -y python3-venv" in done.stdout
    unit = (root / "etc/systemd/system/kiosk.service").read_text()
    for line in ("Type=notify", "NotifyAccess=main", "Restart=always", "WatchdogSec=30", "LimitNOFILE=4096",
                 "MemoryMax=900M", "SDL_VIDEODRIVER=kmsdrm", "KIVY_WINDOW=sdl2", "User=kiosk",
                 "ExecStart=/opt/bdhvs/current/venv/bin/kiosk"):
        assert line in unit
    assert os.readlink(root / "etc/systemd/system/getty@tty1.service") == "/dev/null"
    assert (root / "etc/systemd/system/multi-user.target.wants/kiosk.service").is_symlink()
    assert (root / "etc/systemd/system/timers.target.wants/kiosk-update.timer").is_symlink()
    assert "ExecStart=/usr/local/bin/kiosk-update fetch --no-restart" in (root / "etc/systemd/system/kiosk-update.service").read_text()
    assert "RuntimeWatchdogSec=15" in (root / "etc/systemd/system.conf.d/bdhvs-watchdog.conf").read_text()
    assert "SystemMaxUse=" in (root / "etc/systemd/journald.conf.d/bdhvs.conf").read_text()
    assert 'subject.user == "kiosk"' in (root / "etc/polkit-1/rules.d/50-bdhvs-network.rules").read_text()
    assert (root / "boot/firmware/cmdline.txt").read_text().split() == PI_CMDLINE.split() + ["consoleblank=0", "cgroup_enable=memory"]
    settings = (root / "etc/bdhvs/kiosk.toml").read_text()
    assert 'data_dir = "/var/lib/bdhvs/kiosk"' in settings and "display_rotation = 90" in settings
    assert os.readlink(root / "opt/bdhvs") == "../var/lib/bdhvs/app"
    assert os.readlink(root / "opt/bdhvs/current").startswith("releases/")
    assert os.access(root / "usr/local/lib/bdhvs/kiosk-boot-check", os.X_OK)
    assert os.readlink(root / "usr/local/bin/kiosk") == "/opt/bdhvs/current/venv/bin/kiosk"
    assert os.readlink(root / "usr/local/bin/kiosk-update") == "/opt/bdhvs/current/venv/bin/kiosk-update"


def test_a_second_run_changes_nothing(tmp_path: Path) -> None:
    root = pi_root(tmp_path / "pi")
    options = ("--data-device", "LABEL=bdhvs-data", "--read-only", "on", "--rotation", "270")
    install(root, *options)
    first = listing(root)
    again = install(root, *options)
    assert listing(root) == first
    assert "wrote" not in again.stdout and "linked" not in again.stdout


def test_the_rotation_can_be_changed_later_without_losing_other_settings(tmp_path: Path) -> None:
    root = pi_root(tmp_path / "pi")
    install(root)
    settings = root / "etc/bdhvs/kiosk.toml"
    settings.write_text(settings.read_text() + 'staff_pin = "480215"\n')
    install(root, "--rotation", "180")
    text = settings.read_text()
    assert "display_rotation = 180" in text and "display_rotation = 0" not in text and 'staff_pin = "480215"' in text


def test_read_only_root_keeps_the_data_partition_writable(tmp_path: Path) -> None:
    root = pi_root(tmp_path / "pi", PI_CMDLINE.strip() + " overlayroot=tmpfs\n")  # as raspi-config leaves it
    install(root, "--data-device", "LABEL=bdhvs-data", "--read-only", "on")
    conf = (root / "etc/overlayroot.local.conf").read_text()
    assert 'overlayroot="tmpfs:recurse=0"' in conf  # without recurse=0 the data partition is overlaid too
    tokens = (root / "boot/firmware/cmdline.txt").read_text().split()
    assert [t for t in tokens if t.startswith("overlayroot=")] == ["overlayroot=tmpfs:recurse=0"]
    fstab = [line.split() for line in (root / "etc/fstab").read_text().splitlines()]
    data = [fields for fields in fstab if fields[1] == "/var/lib/bdhvs"]
    assert data == [["LABEL=bdhvs-data", "/var/lib/bdhvs", "ext4", "defaults,noatime", "0", "2"]]
    assert "ro" not in data[0][3].split(",")
    journal = [fields for fields in fstab if fields[1] == "/var/log/journal"]
    assert journal and journal[0][0] == "/var/lib/bdhvs/journal" and "bind" in journal[0][3]

    install(root, "--read-only", "off")
    assert not (root / "etc/overlayroot.local.conf").exists()
    assert not any(t.startswith("overlayroot=") for t in (root / "boot/firmware/cmdline.txt").read_text().split())


def test_read_only_without_a_data_partition_fails_with_the_stage_named(tmp_path: Path) -> None:
    root = pi_root(tmp_path / "pi")
    done = install(root, "--read-only", "on", check=False)
    assert done.returncode != 0
    assert "give --data-device DEV" in done.stderr
    assert 'stage "Read-only root" failed' in done.stderr
    assert not (root / "etc/overlayroot.local.conf").exists()


def test_the_ward_install_writes_its_unit_settings_and_backup_timer(tmp_path: Path) -> None:
    root = tmp_path / "ward"
    cert, key = tmp_path / "ward.crt", tmp_path / "ward.key"
    cert.write_text("certificate\n")
    key.write_text("key\n")
    install(root, "--role", "ward", "--database", "postgresql+psycopg://ward@db/ward", "--cert", str(cert), "--key", str(key))
    env = (root / "etc/bdhvs/ward.env").read_text()
    assert "WARD_DATABASE_URL=postgresql+psycopg://ward@db/ward" in env
    assert "WARD_RELEASES_DIR=/var/lib/bdhvs-ward/releases" in env
    assert "--certfile /etc/bdhvs/tls/ward.crt --keyfile /etc/bdhvs/tls/ward.key" in env
    assert oct((root / "etc/bdhvs/tls/ward.key").stat().st_mode)[-3:] == "640"
    assert (root / "etc/systemd/system/timers.target.wants/ward-backup.timer").is_symlink()
    assert not (root / "etc/systemd/system/kiosk.service").exists()
    first = listing(root)
    install(root, "--role", "ward", "--database", "postgresql+psycopg://ward@db/ward", "--cert", str(cert), "--key", str(key))
    assert listing(root) == first


def test_the_ward_defaults_to_sqlite_on_loopback_until_it_has_a_certificate(tmp_path: Path) -> None:
    done = install(tmp_path / "ward", "--role", "ward")
    env = (tmp_path / "ward/etc/bdhvs/ward.env").read_text()
    assert "WARD_DATABASE_URL=sqlite:////var/lib/bdhvs-ward/ward.sqlite3" in env
    assert "WARD_SERVE_ARGS=--host 127.0.0.1 --port 8765" in env
    assert "plain HTTP on 127.0.0.1 only" in done.stdout


def test_ward_server_at_the_terminal_takes_the_units_settings(tmp_path: Path) -> None:
    """`sudo ward-server release add …` must reach the server's database and releases folder, not ./var."""
    root = tmp_path / "ward"
    install(root, "--role", "ward")
    wrapper = root / "usr/local/bin/ward-server"
    assert not wrapper.is_symlink() and os.access(wrapper, os.X_OK)
    program = tmp_path / "ward-server"
    program.write_text('#!/bin/sh\necho "$WARD_DATABASE_URL $WARD_RELEASES_DIR $*"\n')
    program.chmod(0o755)
    env = {**os.environ, "WARD_ENV_FILE": str(root / "etc/bdhvs/ward.env"), "WARD_PROGRAM": str(program)}
    done = subprocess.run([str(wrapper), "release", "add", "/media/usb/bdhvs-release-1.2.0"], env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.stdout.strip() == ("sqlite:////var/lib/bdhvs-ward/ward.sqlite3 /var/lib/bdhvs-ward/releases "
                                   "release add /media/usb/bdhvs-release-1.2.0"), done.stderr
    done = subprocess.run([str(wrapper), "device", "list"], env={**env, "WARD_ENV_FILE": str(tmp_path / "none")},
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 2 and "run it with sudo" in done.stderr


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is installed by make setup")
def test_every_unit_passes_systemd_analyze_verify_silently(tmp_path: Path) -> None:
    kiosk = pi_root(tmp_path / "pi")
    install(kiosk)
    done = verify(kiosk, KIOSK_UNITS, ["/opt/bdhvs/current/venv/bin/kiosk", "/opt/bdhvs/current/venv/bin/kiosk-update"])
    assert (done.returncode, done.stdout + done.stderr) == (0, "")
    ward = tmp_path / "ward"
    install(ward, "--role", "ward")
    done = verify(ward, WARD_UNITS, ["/opt/bdhvs/current/venv/bin/ward-server"])
    assert (done.returncode, done.stdout + done.stderr) == (0, "")


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze is installed by make setup")
def test_verify_would_catch_a_bad_watchdog_value(tmp_path: Path) -> None:
    """The check above is only worth something if systemd-analyze speaks up; systemd 252 exits 0."""
    root = pi_root(tmp_path / "pi")
    install(root)
    unit = root / "etc/systemd/system/kiosk.service"
    unit.write_text(unit.read_text().replace("WatchdogSec=30", "WatchdogSec=half a minute"))
    done = verify(root, KIOSK_UNITS, ["/opt/bdhvs/current/venv/bin/kiosk"])
    assert "Failed to parse sec value" in done.stderr


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck is installed by make setup")
def test_every_script_passes_shellcheck() -> None:
    scripts = sorted(DEPLOY.glob("*.sh"))
    assert INSTALL in scripts and len(scripts) >= 4
    done = subprocess.run(["shellcheck", "--severity=style", *map(str, scripts)], capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, "")


@pytest.mark.skipif(not shutil.which("sqlite3"), reason="sqlite3 is installed with the ward role")
def test_the_ward_backup_copies_a_live_sqlite_database_and_keeps_the_newest(tmp_path: Path) -> None:
    import sqlite3

    database = tmp_path / "ward.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE records (id TEXT PRIMARY KEY)")
        db.executemany("INSERT INTO records VALUES (?)", [(f"r{n}",) for n in range(100)])
    backups = tmp_path / "backups"
    backups.mkdir()
    for old in range(3):
        (backups / f"ward-2020010{old}T000000Z.sqlite3").write_text("old")
    env = {**os.environ, "WARD_DATABASE_URL": f"sqlite:///{database}", "WARD_BACKUP_DIR": str(backups), "WARD_BACKUP_KEEP": "2"}
    done = subprocess.run(["bash", str(DEPLOY / "ward-backup.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    kept = sorted(path.name for path in backups.iterdir())
    assert len(kept) == 2 and kept[0] == "ward-20200102T000000Z.sqlite3"
    with sqlite3.connect(backups / kept[1]) as copy:
        assert copy.execute("SELECT count(*) FROM records").fetchone() == (100,)


def test_the_ward_backup_refuses_an_unknown_database(tmp_path: Path) -> None:
    env = {**os.environ, "WARD_DATABASE_URL": "mysql://ward@db/ward", "WARD_BACKUP_DIR": str(tmp_path)}
    done = subprocess.run(["bash", str(DEPLOY / "ward-backup.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "only sqlite and postgresql" in done.stderr


@pytest.mark.skipif(not shutil.which("pg_dump"), reason="pg_dump is installed with PostgreSQL (make test)")
def test_the_ward_backup_dumps_a_postgresql_database(tmp_path: Path) -> None:
    from tests.postgres import TemporaryPostgres, server_binaries

    if server_binaries() is None:
        pytest.skip("PostgreSQL's server is not installed (make test installs it)")
    with TemporaryPostgres() as cluster:
        url = cluster.new_database()  # postgresql+psycopg://…, as ward.env holds it
        env = {**os.environ, "WARD_DATABASE_URL": url, "WARD_BACKUP_DIR": str(tmp_path)}
        done = subprocess.run(["bash", str(DEPLOY / "ward-backup.sh")], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    dumps = list(tmp_path.glob("ward-*.pgdump"))
    assert len(dumps) == 1 and dumps[0].read_bytes().startswith(b"PGDMP")
