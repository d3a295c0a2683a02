"""``ward-server``: run the ward server and manage its kiosks from a terminal.

    ward-server serve [--host 127.0.0.1] [--port 8765]
    ward-server device add "Cà phê Luka" [--hours 72] [--url http://…] [--json]
    ward-server device list
    ward-server device revoke DEVICE_ID

The database comes from ``--database`` or ``WARD_DATABASE_URL``; the default is an embedded
SQLite file under ``./var/``. Every command migrates the database first, so a fresh one just works.
"""
import argparse
import json
import os
import sys

from lessons.text import nfc
from sync.server import identity
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
    device = commands.add_parser("device", help="enroll, list or revoke kiosks")
    actions = device.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="make a one-time enrollment code for a venue")
    add.add_argument("name", help='the venue, for example "Cà phê Luka"')
    add.add_argument("--hours", type=float, default=72, help="how long the code stays valid")
    add.add_argument("--url", default="http://127.0.0.1:8765", help="the server address kiosks will use")
    add.add_argument("--json", action="store_true", help="print one JSON line instead of text")
    actions.add_parser("list", help="list enrolled kiosks")
    revoke = actions.add_parser("revoke", help="stop a kiosk from sending records")
    revoke.add_argument("device_id")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    upgrade(args.database)
    if args.command == "serve":
        import uvicorn

        from sync.server.app import create_app

        uvicorn.run(create_app(args.database), host=args.host, port=args.port, log_level="info", lifespan="off")
        return 0
    with make_sessions(make_engine(args.database))() as session:
        if args.action == "add":
            name = nfc(args.name)
            token = identity.create_enrollment(session, name, args.hours)
            enrollment = {"url": args.url, "token": token, "venue": name}
            print(json.dumps(enrollment, ensure_ascii=False) if args.json else
                  f"Enrollment code for {name} (valid {args.hours:g} h, one use):\n  {token}\n"
                  f"On the kiosk: kiosk-sync enroll {args.url} {token}")
        elif args.action == "list":
            for found in identity.devices(session):
                state = "revoked" if found.revoked_at else "active"
                print(f"{found.id}\t{found.name}\t{state}\tenrolled {found.created_at:%Y-%m-%d %H:%M}")
        elif args.action == "revoke":
            if not identity.revoke(session, args.device_id):
                print(f"ward-server: no device {args.device_id!r}", file=sys.stderr)
                return 1
            print(f"{args.device_id} revoked: it can no longer send records")
    return 0


if __name__ == "__main__":
    sys.exit(main())
