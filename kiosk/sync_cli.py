"""``kiosk-sync``: enrollment, sync and USB bundles by hand, for technicians and volunteers.

    kiosk-sync enroll CODE                  register with the ward server: the enrollment QR code's
    kiosk-sync enroll SERVER_URL TOKEN      text, or the address and token typed by hand
    kiosk-sync status                       what is queued and whether the kiosk is enrolled
    kiosk-sync push                         send everything queued now (and a heartbeat)
    kiosk-sync export DIR                   write the queued records to a signed bundle on a USB stick
    kiosk-sync import-receipt PATH          forget records the ward's receipt (a file, or every
                                            receipt in a folder) says it holds

Messages are in the kiosk's language (setting ``language``). Exit status: 0 done, 1 not done this
time (the server cannot be reached or refused; trying again is safe, ``enroll`` included), 2 a
setting or the code must be corrected first.
"""
import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Callable

from kiosk.config import KioskConfig, load_config
from kiosk.i18n import _, use_language
from kiosk.sync_problems import enrollment_failure_text, problem_text
from sync.bundle import RECEIPT_SUFFIX, BadBundle, apply_receipt, export_bundle
from sync.client import SetupProblem, SyncClient, SyncError, push_pending
from sync.credentials import Credentials
from sync.device import start_device
from sync.enrollment import enroll_kiosk
from sync.enrollment_code import BadEnrollmentCode
from sync.health import read_health
from sync.heartbeat import collect_heartbeat
from sync.outbox import Outbox, OutboxLocked
from sync.problems import Kind, Problem


def _say(message: str) -> None:
    print(f"kiosk-sync: {message}", file=sys.stderr)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk-sync", description="Enroll this kiosk and send its records.")
    commands = parser.add_subparsers(dest="command", required=True)
    enroll_cmd = commands.add_parser("enroll", help="register this kiosk with the ward server")
    enroll_cmd.add_argument("code", nargs="+", help="the enrollment QR code's text, or SERVER_URL TOKEN")
    commands.add_parser("status", help="show what is queued")
    commands.add_parser("push", help="send every queued record now")
    export = commands.add_parser("export", help="write queued records to a signed bundle for the ward")
    export.add_argument("folder", type=Path, help="where to write it, for example the USB stick")
    receipt = commands.add_parser("import-receipt", help="take in the ward's receipt for a bundle")
    receipt.add_argument("path", type=Path, help="a receipt file, or a folder holding receipts")
    return parser


def _failed(what: str, exc: SyncError, explain: Callable[[SyncError], str] = problem_text) -> int:
    """Say why ``what`` failed; 2 when a setting must be fixed first, else 1 (trying again is safe)."""
    _say(_("{what} did not work: {problem}").format(what=what, problem=explain(exc)))
    return 2 if isinstance(exc, SetupProblem) else 1


def _enroll(config: KioskConfig, words: list[str]) -> int:
    try:
        enrolled = enroll_kiosk(config.data_dir, " ".join(words), config.credentials_file,
                                ca_bundle=config.server_ca_bundle)
    except BadEnrollmentCode as exc:
        _say(_("This is not a kiosk enrollment code ({reason}). Give the text of the ward's code, or the "
               "server address and the token with a space between them.").format(reason=exc))
        return 2
    except SyncError as exc:
        return _failed(_("Enrollment"), exc, enrollment_failure_text)
    credentials = enrolled.credentials
    print(_("Enrolled as {device} at {venue} ({server}).").format(device=credentials.device_id, venue=credentials.name,
                                                                 server=credentials.server_url))
    return 0


def _push(config: KioskConfig, outbox: Outbox, credentials: Credentials) -> int:
    try:
        client = SyncClient(credentials, ca_bundle=config.server_ca_bundle)
        result = push_pending(outbox, client)
        client.send_heartbeat(collect_heartbeat(outbox, last_sync=dt.datetime.now().astimezone()))
    except SyncError as exc:
        return _failed(_("Sending"), exc)
    print(_("accepted {accepted}, already there {duplicate}, refused {refused}").format(
        accepted=result.accepted, duplicate=result.duplicate, refused=result.rejected))
    for reason in sorted(set(result.reasons)):
        print("  " + _("refused: {reason}").format(reason=reason))
    return 0


def _status(config: KioskConfig, outbox: Outbox | None, credentials: Credentials | None, device_id: str,
            copied_from: str | None) -> int:
    """What is queued and how sync goes; with ``outbox`` None (the running kiosk holds it) the counts
    are those the kiosk's sync last wrote to ``sync-health.json``."""
    if credentials:
        print(_("{device}: enrolled with {server}").format(device=device_id, server=credentials.server_url))
    else:
        print(_("{device}: not enrolled").format(device=device_id))
        if copied_from:
            print(problem_text(Problem(Kind.COPIED_CARD)))
    health = read_health(config.data_dir) or {}
    if outbox is not None:
        stats = outbox.stats()
        counts = {"pending": stats.pending, "sent": stats.acked, "refused": stats.quarantined,
                  "set_aside": stats.set_aside_records, "bytes": stats.bytes_on_disk}
    else:
        counts = {"pending": health.get("pending"), "sent": "?", "refused": health.get("refused"),
                  "set_aside": health.get("set_aside"), "bytes": "?"}
    print(_("pending {pending}, sent {sent}, refused by the ward {refused}, set aside as damaged {set_aside}, "
            "{bytes} bytes on disk").format(**counts))
    if health:
        print(_("the kiosk's sync: {state}, last checked {alive_at}").format(state=health.get("state"),
                                                                           alive_at=health.get("alive_at")))
        if health.get("problem_kind") in set(Kind):
            print("  " + problem_text(Problem(Kind(health["problem_kind"]), str(health.get("problem_subject") or ""))))
    return 0


def _import_receipts(path: Path, outbox: Outbox, credentials: Credentials) -> int:
    receipts = sorted(path.glob("*" + RECEIPT_SUFFIX)) if path.is_dir() else [path]
    if not receipts:
        print(f"kiosk-sync: no receipt ({RECEIPT_SUFFIX}) in {path}", file=sys.stderr)
        return 1
    status = 0
    for receipt in receipts:
        try:
            result = apply_receipt(receipt, outbox, credentials)
        except BadBundle as exc:
            print(f"kiosk-sync: receipt refused: {exc}", file=sys.stderr)
            status = 1
            continue
        print(f"{receipt}: the ward holds {result.accepted + result.duplicate}, refused {result.rejected}")
    return status


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    loaded = load_config()
    config = loaded.config
    use_language(config.language)
    for problem in loaded.problems:
        _say(_("Warning: {problem}").format(problem=problem))
    # Before the outbox opens: a cloned memory card sets the copied outbox aside.
    try:
        device = start_device(config.data_dir, config.outbox_dir, config.credentials_file)
    except (RuntimeError, OSError) as exc:  # a damaged identity file, an unreadable data partition
        _say(str(exc))
        return 2
    if args.command == "enroll":
        return _enroll(config, args.code)

    credentials = Credentials.load(config.credentials_file)
    try:
        outbox = Outbox(config.outbox_dir)
    except OutboxLocked:
        if args.command == "status":  # the running kiosk holds the outbox: say what it last wrote down
            return _status(config, None, credentials, device.device_id, device.copied_from)
        _say(_("The kiosk is running and holds its stored results: stop it first (sudo systemctl stop kiosk), "
               "or use the technician screen."))
        return 1
    if args.command == "status":
        return _status(config, outbox, credentials, device.device_id, device.copied_from)
    if credentials is None:
        _say(_("This kiosk is not enrolled; run `kiosk-sync enroll CODE` first."))
        return 1
    if args.command == "push":
        return _push(config, outbox, credentials)
    if args.command == "export":
        try:
            path, count = export_bundle(outbox, credentials, args.folder)
        except (BadBundle, OSError) as exc:
            print(f"kiosk-sync: export failed: {exc}", file=sys.stderr)
            return 1
        print(f"wrote {count} records to {path}; take it to the ward, then bring back its receipt")
        return 0
    return _import_receipts(args.path, outbox, credentials)


if __name__ == "__main__":
    sys.exit(main())
