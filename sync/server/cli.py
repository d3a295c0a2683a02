"""``ward-server``: run the ward server and manage its kiosks from a terminal.

    ward-server serve [--host 127.0.0.1] [--port 8765] [--packs DIR] [--certfile F --keyfile F]
    ward-server device add "Cà phê Luka" [--hours 72] [--url https://…] [--png FILE] [--json]
    ward-server device list
    ward-server device revoke DEVICE_ID
    ward-server import BUNDLE...          store USB bundles, write a receipt beside each
    ward-server audit [--json]            seq ranges the ward does not hold, per kiosk

The database comes from ``--database`` or ``WARD_DATABASE_URL``; the default is an embedded
SQLite file under ``./var/``. Every command migrates the database first, so a fresh one just works.
"""
import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

import segno

from lessons.text import nfc
from sync.bundle import BadBundle
from sync.enrollment_code import EnrollmentCode
from sync.server import identity
from sync.server.app import BURST, RATE_PER_S
from sync.server.audit import audit, describe
from sync.server.bundles import import_bundle
from sync.server.db import make_engine, make_sessions
from sync.server.migrate import upgrade

DEFAULT_DATABASE = "sqlite:///var/ward.sqlite3"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="ward-server", description="The Bình Dân Học Vụ Số ward server.")
    parser.add_argument("--database", default=os.environ.get("WARD_DATABASE_URL", DEFAULT_DATABASE),
                        help="SQLAlchemy URL (env WARD_DATABASE_URL; default %(default)s)")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    serve.add_argument("--packs", type=Path, help="folder of the signed lesson pack to hand out to kiosks")
    serve.add_argument("--rate", type=float, default=RATE_PER_S, help="requests per second a kiosk may send (average)")
    serve.add_argument("--burst", type=float, default=BURST, help="requests a kiosk may send at once")
    serve.add_argument("--certfile", help="TLS certificate (PEM) to serve HTTPS")
    serve.add_argument("--keyfile", help="its private key (PEM)")
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
    audit_cmd = commands.add_parser("audit", help="list kiosks with seq ranges the ward does not hold (exit 1 if any)")
    audit_cmd.add_argument("--json", action="store_true")
    return parser


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from sync.server.app import create_app

    app = create_app(args.database, packs_dir=args.packs, rate_per_s=args.rate, burst=args.burst)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info", lifespan="off",
                ssl_certfile=args.certfile, ssl_keyfile=args.keyfile)
    return 0


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


def _import(session, bundles: list[Path]) -> int:
    status = 0
    for path in bundles:
        try:
            receipt, results = import_bundle(session, path)
        except BadBundle as exc:
            print(f"ward-server: refused: {exc}", file=sys.stderr)
            status = 1
            continue
        counts = {s: sum(r.status == s for r in results) for s in ("accepted", "duplicate", "rejected")}
        print(f"{path}: {counts['accepted']} new, {counts['duplicate']} already held, {counts['rejected']} refused; "
              f"receipt {receipt}")
    return status


def _audit(session, as_json: bool) -> int:
    reports = audit(session)
    for report in reports:
        print(json.dumps(dataclasses.asdict(report), default=str, ensure_ascii=False) if as_json else describe(report))
    return 1 if any(report.missing for report in reports) else 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    upgrade(args.database)
    if args.command == "serve":
        return _serve(args)
    with make_sessions(make_engine(args.database))() as session:
        if args.command == "import":
            return _import(session, args.bundles)
        if args.command == "audit":
            return _audit(session, args.json)
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
