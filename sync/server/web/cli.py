"""``ward-server admin``: staff accounts from a terminal (there is no default password; this makes the first)."""
import argparse
import getpass
import sys

from sqlalchemy.orm import Session

from sync.server.web import auth
from sync.server.web.models import ROLES


def add_parser(commands: argparse._SubParsersAction) -> None:
    admin = commands.add_parser("admin", help="staff accounts of the dashboard")
    actions = admin.add_subparsers(dest="action", required=True)
    create = actions.add_parser("create", help="make an account (the first one: an admin)")
    create.add_argument("username")
    create.add_argument("--role", choices=ROLES, default="admin")
    create.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    actions.add_parser("list", help="list the accounts")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password (at least {auth.MIN_PASSWORD} characters): ")
    if getpass.getpass("The same password again: ") != first:
        raise auth.AccountRefused("the two passwords differ")
    return first


def run(session: Session, args: argparse.Namespace) -> int:
    if args.action == "list":
        for account in auth.accounts(session):
            print(f"{account.username}\t{account.role}\tsince {account.created_at:%Y-%m-%d}")
        return 0
    try:
        account = auth.create_account(session, args.username, _password(args.password_stdin), args.role)
    except auth.AccountRefused as exc:
        print(f"ward-server: {exc}", file=sys.stderr)
        return 1
    print(f"{account.username} ({account.role}) can now sign in to the dashboard")
    return 0
