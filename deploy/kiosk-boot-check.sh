#!/bin/bash
# kiosk.service's guard against a release that cannot start (installed as
# /usr/local/lib/bdhvs/kiosk-boot-check; it needs nothing from the release it guards).
#
#   kiosk-boot-check start   ExecStartPre: count this start; after MAX_STARTS starts without
#                            READY, point `current` back at `previous` (once) and count anew
#   kiosk-boot-check ready   ExecStartPost (runs once the kiosk sent READY=1): forget the count
#
# BDHVS_APP (default /opt/bdhvs) holds releases/<version>/, `current` and `previous`;
# BDHVS_STATE (default /var/lib/bdhvs/update) holds the counter, on the writable data partition.
set -euo pipefail

APP=${BDHVS_APP:-/opt/bdhvs}
STATE=${BDHVS_STATE:-/var/lib/bdhvs/update}
MAX_STARTS=${BDHVS_MAX_STARTS:-3}
COUNTER="$STATE/start-attempts"

log() { echo "kiosk-boot-check: $*" >&2; }

switch_link() {  # atomically point link $1 at $2 (relative, so it works under --root too)
    ln -sfn "$2" "$1.new"
    mv -Tf "$1.new" "$1"
}

case "${1:-}" in
start)
    mkdir -p "$STATE"
    attempts=$(cat "$COUNTER" 2>/dev/null || echo 0)
    [[ "$attempts" =~ ^[0-9]+$ ]] || attempts=0
    attempts=$((attempts + 1))
    if ((attempts > MAX_STARTS)); then
        if [[ -L "$APP/previous" && -d "$APP/previous/" ]]; then
            failed=$(readlink "$APP/current")
            switch_link "$APP/current" "$(readlink "$APP/previous")"
            rm -f "$APP/previous"  # never bounce back to the release that just failed
            log "release ${failed##*/} did not start $MAX_STARTS times; switched back to $(readlink "$APP/current")"
            echo "${failed##*/}" >"$STATE/failed-release"
        else
            log "the kiosk did not start $MAX_STARTS times and there is no previous release to go back to"
        fi
        attempts=1
    fi
    echo "$attempts" >"$COUNTER.new"
    mv -f "$COUNTER.new" "$COUNTER"
    ;;
ready)
    rm -f "$COUNTER"
    ;;
*)
    echo "usage: kiosk-boot-check start|ready" >&2
    exit 2
    ;;
esac
