"""``ward-server``: run the ward server and manage its kiosks from a terminal.

    ward-server serve [--host 127.0.0.1] [--port 8765] [--packs DIR] [--certfile F --keyfile F]
                      [--max-connections 500] [--header-timeout 10] [--body-timeout 120] [--keep-alive 5]
                      [--backlog 128]
    ward-server device add "Cà phê Luka" [--hours 72] [--url https://…] [--png FILE] [--json]
    ward-server device list
    ward-server device revoke DEVICE_ID
    ward-server import BUNDLE...          store USB bundles, write a receipt beside each
    ward-server audit [--json]            seq ranges the ward does not hold, and refused seqs, per kiosk
    ward-server card lost CARD --new NEW  a learner card is lost: it opens no session, its progress goes to NEW
    ward-server release add RELEASE [--key PUB]   offer kiosks a signed release (from `kiosk-update build`)
    ward-server release list              the published releases, the one offered first
    ward-server admin create NAME [--role admin|staff] [--password-stdin]   a dashboard account
    ward-server --settings                every setting, its environment variable and default

The database comes from ``--database`` or ``WARD_DATABASE_URL``; the default is an embedded
SQLite file under ``./var/``. Every command migrates the database first, so a fresh one just works;
one that cannot be reached gets one line saying what is wrong and what to do (exit 2), not a
traceback. The master key of the kiosks' USB bundle keys is a file outside the database
(``--bundle-key-file`` or ``WARD_BUNDLE_KEY_FILE``; by default beside the SQLite file, ``var/ward-bundle.key``).
"""
import argparse
import dataclasses
import json
import sys
from pathlib import Path

import segno
from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from lessons.signing import KeyFileError
from lessons.text import nfc
from sync.bundle import BadBundle
from sync.learner_ids import parse_short_code
from sync.releases import ReleaseRefused
from sync.enrollment_code import EnrollmentCode
from sync.server import cards, identity
from sync.server.api.packsource import PackSource
from sync.server.api.releasesource import ReleaseSource, default_releases_dir, describe as describe_release
from sync.server.app import BURST, RATE_PER_S
from sync.server.audit import audit, describe
from sync.server.bundles import import_bundle
from sync.server.catalog import LessonCatalog
from sync.server.db import make_engine, make_sessions
from sync.server.keys import BundleKeyError, BundleKeys, default_key_file
from sync.server.migrate import upgrade
from sync.server.serving import ServeLimits, quiet_repeats
from sync.server.settings import WardSettings, describe_settings
from sync.server.web import cli as admin_cli

def _parser(settings: WardSettings) -> argparse.ArgumentParser:
    """The command line; the defaults of the options that are settings come from ``settings`` (declared once)."""
    parser = argparse.ArgumentParser(prog="ward-server", description="The Bình Dân Học Vụ Số ward server.")
    parser.add_argument("--database", default=settings.database_url,
                        help="SQLAlchemy URL (env WARD_DATABASE_URL; default %(default)s)")
    parser.add_argument("--bundle-key-file", type=Path, default=settings.bundle_key_file,
                        help="master key of the kiosks' USB bundle keys, made on first use (env WARD_BUNDLE_KEY_FILE;"
                             " default: beside the SQLite file, else var/ward-bundle.key); back it up with the database")
    parser.add_argument("--releases", type=Path, default=settings.releases_dir,
                        help="folder of the published kiosk releases (env WARD_RELEASES_DIR; default: beside the "
                             "SQLite file, else var/releases)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--packs", type=Path, help="folder of the signed lesson pack to hand out to kiosks")
    serve.add_argument("--rate", type=float, default=RATE_PER_S, help="requests per second a kiosk may send (average)")
    serve.add_argument("--burst", type=float, default=BURST, help="requests a kiosk may send at once")
    serve.add_argument("--certfile", help="TLS certificate (PEM) to serve HTTPS")
    serve.add_argument("--keyfile", help="its private key (PEM)")
    limits = ServeLimits()
    serve.add_argument("--max-connections", type=int, default=limits.max_connections,
                       help="open connections at once; more are closed at once, and requests beyond answer 503")
    serve.add_argument("--header-timeout", type=float, default=limits.header_timeout_s,
                       help="seconds a request's head may take to arrive before the connection is closed")
    serve.add_argument("--body-timeout", type=float, default=limits.body_timeout_s,
                       help="seconds its body may take after that (a batch over a poor mobile link takes a while)")
    serve.add_argument("--keep-alive", type=int, default=limits.keep_alive_s,
                       help="seconds an idle connection is kept open for the next request")
    serve.add_argument("--backlog", type=int, default=limits.backlog, help="connections waiting to be accepted")
    device = commands.add_parser("device", help="enroll, list or revoke kiosks")
    actions = device.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make a one-time enrollment code for a venue, as a QR code")
    add.add_argument("name", help='the venue, for example "Cà phê Luka"')
    add.add_argument("--hours", type=float, default=72, help="how long the code stays valid")
    add.add_argument("--url", default="http://127.0.0.1:8765", help="the server address kiosks will use")
    add.add_argument("--png", type=Path, help="where to save the QR code (default enrollment-VENUE.png)")
    add.add_argument("--json", action="store_true", help="print one JSON line instead of text and QR code")
    actions.add_parser("list", help="list enrolled kiosks")
    revoke = actions.add_parser("revoke", help="stop a kiosk from sending records")
    revoke.add_argument("device_id")
    imports = commands.add_parser("import", help="store records from USB bundles and write their receipts")
    imports.add_argument("bundles", nargs="+", type=Path)
    imports.add_argument("--packs", type=Path, help="the folder of the lesson pack the ward serves, so records of its "
                         "lessons are known (as serve --packs); by default only the built-in lessons")
    audit_cmd = commands.add_parser("audit", help="list kiosks with seq ranges the ward does not hold and seqs it "
                                    "refused (exit 1 if any are missing, or if a kiosk's seqs collide: a cloned SD card)")
    audit_cmd.add_argument("--json", action="store_true")
    card = commands.add_parser("card", help="learner cards")
    card_actions = card.add_subparsers(dest="action", required=True)
    lost = card_actions.add_parser("lost", help="mark a card lost and move its progress to a new card")
    lost.add_argument("card", help="the lost card: its id (card-…) or the short code printed on it")
    lost.add_argument("--new", required=True, help="the card the learner is given instead (id or short code)")
    release = commands.add_parser("release", help="kiosk releases the kiosks take with kiosk-update fetch")
    release_actions = release.add_subparsers(dest="action", required=True)
    release_add = release_actions.add_parser("add", help="publish a signed release: kiosks install it at their next check")
    release_add.add_argument("release", type=Path, help="the release folder or .tar that `kiosk-update build` made")
    release_add.add_argument("--key", type=Path, help="the ward's public key: refuse a release it did not sign")
    release_actions.add_parser("list", help="the published releases, the one offered to kiosks first")
    admin_cli.add_parser(commands)
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app
    from sync.server.serving import uvicorn_config

    app = create_app(args.database, packs_dir=args.packs, rate_per_s=args.rate, burst=args.burst,
                     bundle_key_file=_bundle_key_file(args), releases_dir=args.releases)
    limits = ServeLimits(max_connections=args.max_connections, header_timeout_s=args.header_timeout,
                         body_timeout_s=args.body_timeout, keep_alive_s=args.keep_alive, backlog=args.backlog)
    server = uvicorn.Server(uvicorn_config(app, args.host, args.port, limits, log_level="info",
                                           ssl_certfile=args.certfile, ssl_keyfile=args.keyfile))
    quiet_repeats()  # after uvicorn has set up its loggers
    server.run()
    return 0


def _bundle_key_file(args: argparse.Namespace) -> Path:
    return args.bundle_key_file or default_key_file(args.database)


def _database_problem(url: str, exc: Exception) -> str:
    """One line for the technician: which database, what is wrong, what to do."""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        shown = "(not a database URL)"
    if isinstance(exc, (ArgumentError, NoSuchModuleError)):
        return (f"ward-server: {shown} is not a database URL this server can use; give --database (or "
                "WARD_DATABASE_URL) as sqlite:///PATH or postgresql+psycopg://USER@HOST/NAME")
    reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    reason = reason[0][:200] if reason else exc.__class__.__name__
    advice = ("check that its folder exists and this user may write there" if url.startswith("sqlite:")
              else "check that the database server is running and the URL's host, port, user, password and name are right")
    return f"ward-server: cannot open the database {shown} ({reason}); {advice}, then try again"


def _add_device(session, args: argparse.Namespace) -> int:
    name = nfc(args.name)
    code = EnrollmentCode(args.url.rstrip("/"), identity.create_enrollment(session, name, args.hours), name)
    qr = segno.make(code.text(), error="m")
    png = args.png or Path(f"enrollment-{identity.slugify(name)}.png")
    qr.save(png, scale=8, border=4)
    png.chmod(0o600)  # the token in it enrolls a kiosk until it is used or expires
    if args.json:
        print(json.dumps({"url": code.url, "token": code.token, "venue": name, "code": code.text(), "png": str(png)},
                         ensure_ascii=False))
        return 0
    print(f"Enrollment code for {name} (valid {args.hours:g} h, one use). Scan it on the kiosk's technician screen:")
    qr.terminal(compact=True)
    print(f"Saved as {png}.\nOr type on the kiosk: kiosk-sync enroll {code.url} {code.token}")
    return 0


def _import(session, bundles: list[Path], keys: BundleKeys, catalog: LessonCatalog) -> int:
    """Each bundle on its own: a bad one is reported with its reason and the next one is imported."""
    status = 0
    for path in bundles:
        try:
            receipt, results = import_bundle(session, path, keys, catalog)
        except BundleKeyError as exc:
            print(f"ward-server: {exc}", file=sys.stderr)
            return 1
        except BadBundle as exc:
            print(f"ward-server: refused: {exc}", file=sys.stderr)
            status = 1
            continue
        counts = {s: sum(r.status == s for r in results) for s in ("accepted", "duplicate", "rejected")}
        print(f"{path}: {counts['accepted']} new, {counts['duplicate']} already held, {counts['rejected']} refused; "
              f"receipt {receipt}")
    return status


def _release(args: argparse.Namespace) -> int:
    source = ReleaseSource(args.releases or default_releases_dir(args.database))
    if args.action == "list":
        latest = source.latest()
        for manifest in sorted(source.published(), key=lambda m: m != latest):
            print(("offered\t" if manifest == latest else "\t") + describe_release(manifest))
        return 0
    try:
        manifest = source.publish(args.release, args.key)
    except (ReleaseRefused, KeyFileError) as exc:
        print(f"ward-server: not published: {exc}", file=sys.stderr)
        return 1
    print(f"published {describe_release(manifest)}: kiosks enrolled with this ward install it at their next "
          "check (kiosk-update fetch) and start it at their next start")
    return 0


def _card_lost(session, lost: str, new: str) -> int:
    card_id, new_card_id = (parse_short_code(text) or text.strip() for text in (lost, new))
    try:
        cards.mark_lost(session, card_id, new_card_id)
    except cards.CardRefused as exc:
        print(f"ward-server: {exc}", file=sys.stderr)
        return 1
    print(f"{card_id} is lost: kiosks refuse it once they sync; its progress now belongs to {new_card_id}")
    return 0


def _audit(session, as_json: bool) -> int:
    reports = audit(session)
    for report in reports:
        print(json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False) if as_json else describe(report))
    return 1 if any(report.missing or report.collisions for report in reports) else 0


def main(argv: list[str] | None = None) -> int:
    if (sys.argv[1:] if argv is None else argv) == ["--settings"]:
        print(describe_settings())
        return 0
    try:
        settings = WardSettings()
    except ValidationError as exc:
        print(f"ward-server: a WARD_* setting is wrong: {exc.errors()[0]['loc'][0]}: {exc.errors()[0]['msg']}; "
              "`ward-server --settings` lists them", file=sys.stderr)
        return 2
    args = _parser(settings).parse_args(argv)
    try:
        upgrade(args.database)
        return _run(args)
    except BundleKeyError as exc:
        print(f"ward-server: {exc}", file=sys.stderr)
        return 2
    except (DBAPIError, ArgumentError, NoSuchModuleError, OSError) as exc:
        if isinstance(exc, OSError) and not _is_database_file_error(args.database, exc):
            raise
        print(_database_problem(args.database, exc), file=sys.stderr)
        return 2


def _is_database_file_error(url: str, exc: OSError) -> bool:
    """An OSError is the database's when it names the SQLite file or its folder (one we cannot create)."""
    if not url.startswith("sqlite:///") or exc.filename is None:
        return False
    database = Path(url.removeprefix("sqlite:///")).resolve()
    return Path(exc.filename).resolve() in (database, *database.parents)


def _run(args: argparse.Namespace) -> int:
    if args.command == "serve":
        return _serve(args)
    if args.command == "release":
        return _release(args)
    with make_sessions(make_engine(args.database))() as session:
        if args.command == "import":
            return _import(session, args.bundles, BundleKeys(_bundle_key_file(args)), PackSource(args.packs).catalog())
        if args.command == "audit":
            return _audit(session, args.json)
        if args.command == "admin":
            return admin_cli.run(session, args)
        if args.command == "card":
            return _card_lost(session, args.card, args.new)
        if args.action == "add":
            return _add_device(session, args)
        if args.action == "list":
            for found in identity.devices(session):
                state = "revoked" if found.revoked_at else "active"
                print(f"{found.id}\t{found.name}\t{state}\tenrolled {found.created_at:%Y-%m-%d %H:%M}")
        elif args.action == "revoke":
            if not identity.revoke(session, args.device_id):
                print(f"ward-server: no device {args.device_id!r}", file=sys.stderr)
                return 1
            print(f"{args.device_id} revoked: it can no longer send records and will ask to be enrolled again")
    return 0


if __name__ == "__main__":
    sys.exit(main())
