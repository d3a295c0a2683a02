"""``kiosk-sync``: enrollment, sync and USB bundles by hand, for technicians and volunteers.

    kiosk-sync enroll CODE                  register with the ward server: the enrollment QR code's
    kiosk-sync enroll SERVER_URL TOKEN      text, or the address and token typed by hand
    kiosk-sync status                       what is queued and whether the kiosk is enrolled
    kiosk-sync push                         send everything queued now (and a heartbeat)
    kiosk-sync export DIR                   write the queued records to a signed bundle on a USB stick
    kiosk-sync import-receipt PATH          forget records the ward's receipt (a file, or every
                                            receipt in a folder) says it holds
"""
import argparse
import datetime as dt
import sys
from pathlib import Path

from kiosk.config import KioskConfig, load_config
from sync.bundle import RECEIPT_SUFFIX, BadBundle, apply_receipt, export_bundle
from sync.client import EnrollmentFailed, NeedsEnrollment, ServerUnavailable, SyncClient, enroll, push_pending
from sync.credentials import Credentials
from sync.device import DeviceIdentity, load_or_create_device, save_device
from sync.enrollment_code import BadEnrollmentCode, parse_enrollment_code
from sync.heartbeat import collect_heartbeat
from sync.outbox import Outbox

NOT_ENROLLED = "kiosk-sync: this kiosk is not enrolled; run `kiosk-sync enroll CODE` first"


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


def _enroll(config: KioskConfig, words: list[str]) -> int:
    try:
        code = parse_enrollment_code(" ".join(words))
        device = load_or_create_device(config.data_dir)
        credentials = enroll(code.url, code.token, device.device_id, ca_bundle=config.server_ca_bundle)
    except (BadEnrollmentCode, EnrollmentFailed, ServerUnavailable) as exc:
        print(f"kiosk-sync: enrollment failed: {exc}", file=sys.stderr)
        return 1
    credentials.save(config.credentials_file)
    save_device(config.data_dir, DeviceIdentity(device.device_id, credentials.venue_id))
    print(f"enrolled as {credentials.device_id} at {credentials.name} ({credentials.server_url})")
    return 0


def _push(config: KioskConfig, outbox: Outbox, credentials: Credentials) -> int:
    client = SyncClient(credentials, ca_bundle=config.server_ca_bundle)
    try:
        result = push_pending(outbox, client)
        client.send_heartbeat(collect_heartbeat(outbox, last_sync=dt.datetime.now().astimezone()))
    except ServerUnavailable as exc:
        print(f"kiosk-sync: push stopped, try again later: {exc}", file=sys.stderr)
        return 1
    except NeedsEnrollment as exc:
        print(f"kiosk-sync: the ward server refused this kiosk; enroll it again ({exc})", file=sys.stderr)
        return 1
    print(f"accepted {result.accepted}, already there {result.duplicate}, refused {result.rejected}")
    for reason in sorted(set(result.reasons)):
        print(f"  refused: {reason}")
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
    for problem in loaded.problems:
        print(f"kiosk-sync: warning: {problem}", file=sys.stderr)
    config = loaded.config
    if args.command == "enroll":
        return _enroll(config, args.code)

    device = load_or_create_device(config.data_dir)
    credentials = Credentials.load(config.credentials_file)
    outbox = Outbox(config.outbox_dir)
    if args.command == "status":
        stats = outbox.stats()
        where = f"enrolled as {credentials.device_id} with {credentials.server_url}" if credentials else "not enrolled"
        print(f"{device.device_id}: {where}\npending {stats.pending}, sent {stats.acked}, "
              f"quarantined {stats.quarantined}, {stats.bytes_on_disk} bytes on disk")
        return 0
    if credentials is None:
        print(NOT_ENROLLED, file=sys.stderr)
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
