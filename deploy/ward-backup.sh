#!/bin/bash
# One backup of the ward database, run nightly by ward-backup.timer (installed as
# /usr/local/lib/bdhvs/ward-backup). Reads WARD_DATABASE_URL like ward-server does:
#   sqlite:///PATH            sqlite3's online .backup (safe while the server writes)
#   postgresql[+driver]://…   pg_dump in its custom format (restore with pg_restore)
# Keeps the newest WARD_BACKUP_KEEP (default 14) copies in WARD_BACKUP_DIR.
set -euo pipefail

URL=${WARD_DATABASE_URL:?WARD_DATABASE_URL is not set (see /etc/bdhvs/ward.env)}
DIR=${WARD_BACKUP_DIR:-/var/backups/bdhvs-ward}
KEEP=${WARD_BACKUP_KEEP:-14}
STAMP=$(date -u +%Y%m%dT%H%M%SZ)

mkdir -p "$DIR"
case "$URL" in
sqlite:///*)
    database=${URL#sqlite:///}
    target="$DIR/ward-$STAMP.sqlite3"
    sqlite3 "$database" ".backup '$target.part'"
    sqlite3 "$target.part" "PRAGMA integrity_check;" | grep -qx ok
    ;;
postgresql*://*)
    target="$DIR/ward-$STAMP.pgdump"
    pg_dump --format=custom --file="$target.part" "postgresql://${URL#*://}"
    ;;
*)
    echo "ward-backup: cannot back up a database at ${URL%%:*}: only sqlite and postgresql" >&2
    exit 2
    ;;
esac
mv -f "$target.part" "$target"
echo "ward-backup: wrote $target"

mapfile -t old < <(find "$DIR" -maxdepth 1 -name 'ward-*' ! -name '*.part' -printf '%f\n' | sort -r | tail -n +"$((KEEP + 1))")
for name in "${old[@]}"; do
    rm -f "${DIR:?}/$name"
done
