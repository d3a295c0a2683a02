"""``kiosk-sync``: enrollment and sync by hand, for technicians and volunteers.

    kiosk-sync enroll SERVER_URL TOKEN   register this kiosk with the ward server
    kiosk-sync status                    what is queued and whether the kiosk is enrolled
    kiosk-sync push                      send everything queued now
"""
import argparse
import sys

from kiosk.config import load_config
from sync.client import Credentials, EnrollmentFailed, NeedsEnrollment, ServerUnavailable, SyncClient, enroll, push_pending
from sync.device import load_or_create_device, save_device, DeviceIdentity
from sync.outbox import Outbox


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk-sync", description="Enroll this kiosk and send its records.")
    commands = parser.add_subparsers(dest="command", required=True)
    enroll_cmd = commands.add_parser("enroll", help="register this kiosk with the ward server")
    enroll_cmd.add_argument("server_url")
    enroll_cmd.add_argument("token")
    commands.add_parser("status", help="show what is queued")
    commands.add_parser("push", help="send every queued record now")
    args = parser.parse_args(argv)

    loaded = load_config()
    for problem in loaded.problems:
        print(f"kiosk-sync: warning: {problem}", file=sys.stderr)
    config = loaded.config
    device = load_or_create_device(config.data_dir)
    credentials = Credentials.load(config.credentials_file)

    if args.command == "enroll":
        try:
            credentials = enroll(args.server_url, args.token, device.device_id)
        except (EnrollmentFailed, ServerUnavailable) as exc:
            print(f"kiosk-sync: enrollment failed: {exc}", file=sys.stderr)
            return 1
        credentials.save(config.credentials_file)
        save_device(config.data_dir, DeviceIdentity(device.device_id, credentials.venue_id))
        print(f"enrolled as {credentials.device_id} at {credentials.name} ({credentials.server_url})")
        return 0

    outbox = Outbox(config.outbox_dir)
    if args.command == "status":
        stats = outbox.stats()
        where = f"enrolled as {credentials.device_id} with {credentials.server_url}" if credentials else "not enrolled"
        print(f"{device.device_id}: {where}\npending {stats.pending}, sent {stats.acked}, "
              f"quarantined {stats.quarantined}, {stats.bytes_on_disk} bytes on disk")
        return 0
    if credentials is None:
        print("kiosk-sync: this kiosk is not enrolled; run `kiosk-sync enroll SERVER_URL TOKEN` first", file=sys.stderr)
        return 1
    try:
        result = push_pending(outbox, SyncClient(credentials))
    except (ServerUnavailable, NeedsEnrollment) as exc:
        print(f"kiosk-sync: push stopped: {exc}", file=sys.stderr)
        return 1
    print(f"accepted {result.accepted}, already there {result.duplicate}, refused {result.rejected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
