#!/bin/bash
# Turn a Raspberry Pi (Raspberry Pi OS Bookworm Lite 64-bit) into a Bình Dân Học Vụ Số kiosk, or a
# Debian 12 machine into the ward server. Run as root from a copy of the source:
#
#   sudo deploy/install.sh [--data-device DEV] [--rotation 0|90|180|270] [--read-only on|off]
#   sudo deploy/install.sh --role ward [--database URL] [--cert FILE --key FILE] [--ca FILE]
#   deploy/install.sh --root DIR [...]     write the same files under DIR and touch nothing else:
#                                          apt, useradd, pip and systemctl are printed, not run
#   --wheel FILE                           install this built kiosk wheel instead of building one
#
# Running it again changes nothing that is already right. Each stage prints one line; a stage
# that fails says which one, and running the script again after the fix carries on from there.
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=$(dirname "$HERE")
ROLE=kiosk ROOT="" READ_ONLY="" DATABASE="" DATA_DEVICE="" ROTATION="" WHEEL="" CERT="" KEY="" CA=""

usage() { sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit "${1:-2}"; }
while (($#)); do
    case "$1" in
    --role) ROLE=${2:?}; shift ;;
    --root) ROOT=${2:?}; shift ;;
    --read-only) READ_ONLY=${2:?}; shift ;;
    --database) DATABASE=${2:?}; shift ;;
    --data-device) DATA_DEVICE=${2:?}; shift ;;
    --rotation) ROTATION=${2:?}; shift ;;
    --wheel) WHEEL=${2:?}; shift ;;
    --cert) CERT=${2:?}; shift ;;
    --key) KEY=${2:?}; shift ;;
    --ca) CA=${2:?}; shift ;;
    -h | --help) usage 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage ;;
    esac
    shift
done
[[ "$ROLE" =~ ^(kiosk|ward)$ ]] || { echo "install.sh: --role is kiosk or ward" >&2; exit 2; }
[[ -z "$READ_ONLY" || "$READ_ONLY" =~ ^(on|off)$ ]] || { echo "install.sh: --read-only is on or off" >&2; exit 2; }
[[ -z "$ROTATION" || "$ROTATION" =~ ^(0|90|180|270)$ ]] || { echo "install.sh: --rotation is 0, 90, 180 or 270" >&2; exit 2; }
if [[ -n "$ROOT" ]]; then
    mkdir -p "$ROOT"
    ROOT=$(cd "$ROOT" && pwd)
fi
T=${ROOT%/}  # every path this script writes is "$T/..."

APP=/opt/bdhvs
DATA=/var/lib/bdhvs
LIB=/usr/local/lib/bdhvs
UNITS=/etc/systemd/system
VERSION=$(sed -n 's/^ *version="\([^"]*\)",$/\1/p' "$SOURCE/setup.py")

STAGE="starting" STEP=0 TOTAL=10
[[ "$ROLE" == ward ]] && TOTAL=8
trap 'echo "install.sh: stage \"$STAGE\" failed (line $LINENO: $BASH_COMMAND). Fix the cause and run install.sh again: what is done already is kept." >&2' ERR

stage() { STAGE=$1; STEP=$((STEP + 1)); echo "[$STEP/$TOTAL] $1"; }
note() { echo "      $*"; }
dry() { [[ -n "$ROOT" ]]; }
run() {  # run a command that changes the live system; under --root only say it
    if dry; then note "would run: $*"; else "$@"; fi
}

put() {  # put SOURCE PATH MODE: copy only when content or mode differs
    local target="$T$2"
    if [[ -f "$target" && ! -L "$target" ]] && cmp -s "$1" "$target" && [[ "$(stat -c %a "$target")" == "$3" ]]; then
        return 0
    fi
    install -D -m "$3" "$1" "$target"
    note "wrote $2"
}

put_text() {  # put_text PATH MODE, content on stdin
    local staged
    staged=$(mktemp)
    cat >"$staged"
    put "$staged" "$1" "$2"
    rm -f "$staged"
}

link() {  # link TARGET PATH
    [[ -L "$T$2" && "$(readlink "$T$2")" == "$1" ]] && return 0
    if [[ -e "$T$2" && ! -L "$T$2" ]]; then
        echo "install.sh: $2 exists and is not a link; move it away first" >&2
        return 1
    fi
    mkdir -p "$(dirname "$T$2")"
    ln -sfn "$1" "$T$2"
    note "linked $2 -> $1"
}

edit_file() {  # edit_file PATH MODE FILTER...: rewrite PATH through FILTER only when that changes it
    local path=$1 mode=$2 staged
    shift 2
    staged=$(mktemp)
    "$@" <"$T$path" >"$staged"
    put "$staged" "$path" "$mode"
    rm -f "$staged"
}

# shellcheck disable=SC2016
fstab_line() {  # fstab_line MOUNTPOINT LINE: the one line for MOUNTPOINT in /etc/fstab
    [[ -f "$T/etc/fstab" ]] || { mkdir -p "$T/etc"; : >>"$T/etc/fstab"; }
    edit_file /etc/fstab 644 awk -v point="$1" -v line="$2" \
        '$2 == point { if (!done) print line; done = 1; next } { print } END { if (!done) print line }'
}

cmdline_file() {  # the kernel command line of a Raspberry Pi, Bookworm's place first
    local path
    for path in /boot/firmware/cmdline.txt /boot/cmdline.txt; do
        [[ -f "$T$path" ]] && { echo "$path"; return 0; }
    done
    return 1
}

# The awk programs below are single-quoted on purpose: their $ fields are awk's, not the shell's.
# shellcheck disable=SC2016
cmdline_set() {  # cmdline_set FILE KEY [TOKEN]: TOKEN in place of every KEY=… on the one-line kernel command line
    edit_file "$1" "$(stat -c %a "$T$1")" awk -v key="$2" -v token="${3:-}" '
        function add(word) { out = out (out ? " " : "") word }
        NR == 1 { out = ""; placed = !token
                  for (i = 1; i <= NF; i++) { k = $i; sub(/=.*/, "", k)
                      if (k != key && $i != token) add($i); else if (!placed) { add(token); placed = 1 } }
                  if (!placed) add(token)
                  print out; next } { print }'
}

apt_install() {
    if dry; then note "would run: apt-get install -y $*"; return 0; fi
    local missing=() package
    for package in "$@"; do
        dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
    done
    ((${#missing[@]})) || return 0
    note "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_user() {  # ensure_user NAME HOME GROUPS...
    local name=$1 home=$2 group
    shift 2
    local groups=()
    for group in "$@"; do
        if dry || getent group "$group" >/dev/null; then groups+=("$group"); else note "no group $group here; skipped"; fi
    done
    local joined
    joined=$(IFS=,; echo "${groups[*]}")
    if ! dry && id "$name" >/dev/null 2>&1; then
        [[ -z "$joined" ]] || usermod -a -G "$joined" "$name"
    else
        run useradd --system --home-dir "$home" --no-create-home --shell /usr/sbin/nologin --user-group \
            ${joined:+--groups "$joined"} "$name"
    fi
}

own() {  # own USER PATH...: chown on the live system only
    local user=$1
    shift
    run chown "$user:$user" "$@"
}

install_release() {  # install_release EXTRAS COMMAND...: a venv with the kiosk wheel in $APP/releases/$VERSION
    local release="$APP/releases/$VERSION" wheel=$WHEEL
    if [[ -f "$T$release/.complete" ]]; then
        note "release $VERSION is installed already"
    elif dry; then
        note "would run: python3 -m pip wheel --no-deps -w BUILD $SOURCE (or use --wheel)"
        note "would run: python3 -m venv --system-site-packages $release/venv"
        note "would run: $release/venv/bin/pip install 'bdhvs_kiosk-$VERSION-py3-none-any.whl$1'"
    else
        if [[ -z "$wheel" ]]; then
            local build po
            build=$(mktemp -d)
            for po in "$SOURCE"/kiosk/locale/*/LC_MESSAGES/*.po; do  # the kiosk's texts in its language
                python3 -m babel.messages.frontend compile -i "$po" -o "${po%.po}.mo" >/dev/null
            done
            python3 -m pip wheel --quiet --no-deps --wheel-dir "$build" "$SOURCE"
            wheel=$(find "$build" -name 'bdhvs_kiosk-*.whl' | head -n 1)
        fi
        rm -rf "$release"
        python3 -m venv --system-site-packages "$release/venv"
        "$release/venv/bin/pip" install --quiet --disable-pip-version-check "$wheel$1"
        touch "$release/.complete"
        note "release $VERSION installed in $release"
    fi
    if [[ ! -e "$T$APP/current" ]]; then
        link "releases/$VERSION" "$APP/current"
    fi
    local command
    for command in "${@:2}"; do  # on the technician's PATH, always the current release's
        link "$APP/current/venv/bin/$command" "/usr/local/bin/$command"
    done
}

enable_unit() {  # what `systemctl enable` does for a unit WantedBy=TARGET, done offline
    link "$UNITS/$1" "$UNITS/$2.wants/$1"
}

start_units() {
    if dry; then
        note "would run: systemctl daemon-reload && systemctl restart $*"
    elif [[ -d /run/systemd/system ]]; then
        systemctl daemon-reload
        systemctl restart "$@"
    else
        note "systemd is not running here (a chroot or an image): $* start on the next boot"
    fi
}

check_system() {
    stage "Checking the system"
    if ! dry && ((EUID != 0)); then
        echo "install.sh: run it as root (sudo deploy/install.sh), or with --root DIR to only write files" >&2
        return 1
    fi
    [[ -n "$VERSION" ]] || { echo "install.sh: cannot read the version from $SOURCE/setup.py" >&2; return 1; }
    if [[ -r "$T/etc/os-release" ]] && ! grep -q '^VERSION_CODENAME=bookworm' "$T/etc/os-release"; then
        note "this is not Debian 12 / Raspberry Pi OS Bookworm; carrying on, but it is not tested here"
    fi
    if dry; then note "writing under $ROOT only"; fi
}

install_kiosk() {
    check_system

    stage "Debian packages"
    apt_install python3-venv python3-pip python3-babel python3-systemd libsdl2-2.0-0 libgl1 libegl1 libgles2 libgbm1 \
        libdrm2 libmtdev1 libzbar0 espeak-ng network-manager polkitd
    if dry; then
        note "would run: apt-get install -y python3-picamera2 (where the Raspberry Pi repository offers it)"
    elif apt-cache show python3-picamera2 >/dev/null 2>&1; then
        apt_install python3-picamera2
    else
        note "python3-picamera2 is not offered here (not the Raspberry Pi repository): skipped; USB webcams work"
    fi

    stage "The kiosk user"
    # netdev and the polkit rule: nmcli from the technician screen; systemd-journal: logs for the support file
    ensure_user kiosk "$DATA/kiosk" video render input netdev systemd-journal

    stage "Data folder on the writable partition"
    if [[ -n "$DATA_DEVICE" ]]; then
        fstab_line "$DATA" "$DATA_DEVICE $DATA ext4 defaults,noatime 0 2"
    fi
    mkdir -p "$T$DATA/kiosk/kivy" "$T$DATA/app/releases" "$T$DATA/update" "$T/etc/bdhvs"
    chmod 750 "$T$DATA/kiosk"
    own kiosk "$DATA/kiosk" "$DATA/kiosk/kivy"
    link "../var/lib/bdhvs/app" "$APP"  # relative, so it also resolves under --root

    stage "The kiosk release"
    install_release "" kiosk kiosk-sync kiosk-update

    stage "Settings"
    if [[ ! -f "$T/etc/bdhvs/kiosk.toml" ]]; then
        put_text /etc/bdhvs/kiosk.toml 644 <<EOF
# The kiosk's settings: \`kiosk --settings\` lists every one with its meaning.
data_dir = "$DATA/kiosk"
fullscreen = true
display_rotation = ${ROTATION:-0}
EOF
    elif [[ -n "$ROTATION" ]]; then
        edit_file /etc/bdhvs/kiosk.toml 644 awk -v value="$ROTATION" \
            '/^display_rotation *=/ { print "display_rotation = " value; done = 1; next } { print }
             END { if (!done) print "display_rotation = " value }'
    fi

    stage "systemd units, journal limits and the hardware watchdog"
    put "$HERE/systemd/kiosk.service" "$UNITS/kiosk.service" 644
    put "$HERE/systemd/kiosk-update.service" "$UNITS/kiosk-update.service" 644
    put "$HERE/systemd/kiosk-update.timer" "$UNITS/kiosk-update.timer" 644
    put "$HERE/kiosk-boot-check.sh" "$LIB/kiosk-boot-check" 755
    put "$HERE/systemd/journald-bdhvs.conf" /etc/systemd/journald.conf.d/bdhvs.conf 644
    put "$HERE/systemd/watchdog-bdhvs.conf" /etc/systemd/system.conf.d/bdhvs-watchdog.conf 644
    put "$HERE/polkit-bdhvs-network.rules" /etc/polkit-1/rules.d/50-bdhvs-network.rules 644
    enable_unit kiosk.service multi-user.target
    enable_unit kiosk-update.timer timers.target
    link /dev/null "$UNITS/getty@tty1.service"  # masked: the kiosk owns the first screen

    stage "Boot settings"
    local cmdline
    if cmdline=$(cmdline_file); then
        cmdline_set "$cmdline" consoleblank consoleblank=0
        cmdline_set "$cmdline" cgroup_enable=memory cgroup_enable=memory  # MemoryMax= needs the memory controller
    else
        note "no cmdline.txt (not a Raspberry Pi): screen blanking left as it is"
    fi

    stage "Read-only root"
    case "$READ_ONLY" in
    on) read_only_on "${cmdline:-}" ;;
    off) read_only_off "${cmdline:-}" ;;
    *) note "unchanged (choose with --read-only on|off)" ;;
    esac

    stage "Starting the kiosk"
    start_units kiosk.service kiosk-update.timer
}

read_only_on() {  # overlayroot over the root; the data partition stays writable
    if ! awk -v point="$DATA" '$2 == point { found = 1 } END { exit !found }' "$T/etc/fstab" 2>/dev/null; then
        echo "install.sh: a read-only root needs the data on its own partition: give --data-device DEV" >&2
        return 1
    fi
    if ! dry && grep -q '^overlayroot / ' /proc/mounts; then
        note "the root is read-only already; to change it, run install.sh inside \`overlayroot-chroot\`"
        return 0
    fi
    apt_install overlayroot
    # The Bookworm trap: overlayroot also lays a throw-away overlay over every other partition it
    # finds mounted, the data partition included, unless told recurse=0.
    put_text /etc/overlayroot.local.conf 644 <<'EOF'
# Written by install.sh --read-only on. recurse=0: only the root is read-only; the data partition
# (/var/lib/bdhvs: the outbox, Kivy's home, the journal, the releases) stays writable.
overlayroot="tmpfs:recurse=0"
EOF
    [[ -z "$1" ]] || ! grep -q 'overlayroot=' "$T$1" || cmdline_set "$1" overlayroot overlayroot=tmpfs:recurse=0
    mkdir -p "$T$DATA/journal" "$T/var/log/journal"
    fstab_line /var/log/journal "$DATA/journal /var/log/journal none bind,x-systemd.requires-mounts-for=$DATA 0 0"
    run update-initramfs -u
    note "read-only root on from the next boot"
}

read_only_off() {
    rm -f "$T/etc/overlayroot.local.conf"
    [[ -z "$1" ]] || cmdline_set "$1" overlayroot
    note "read-only root off from the next boot"
}

install_ward() {
    check_system

    stage "Debian packages"
    apt_install python3-venv python3-pip python3-babel sqlite3 postgresql-client

    stage "The ward user"
    ensure_user ward /var/lib/bdhvs-ward

    stage "Data and backup folders"
    mkdir -p "$T/var/lib/bdhvs-ward" "$T/var/backups/bdhvs-ward" "$T$APP/releases" "$T/etc/bdhvs/tls"
    chmod 750 "$T/var/lib/bdhvs-ward" "$T/var/backups/bdhvs-ward"
    own ward /var/lib/bdhvs-ward /var/backups/bdhvs-ward

    stage "The ward server release"
    install_release "[server]"
    # On the technician's PATH: ward-server with the unit's settings, as the ward user.
    [[ ! -L "$T/usr/local/bin/ward-server" ]] || rm -f "$T/usr/local/bin/ward-server"
    put "$HERE/ward-server.sh" /usr/local/bin/ward-server 755

    stage "Settings, certificate and database"
    local serve="--host 0.0.0.0 --port 8443"
    if [[ -n "$CERT" && -n "$KEY" ]]; then
        put "$CERT" /etc/bdhvs/tls/ward.crt 644
        put "$KEY" /etc/bdhvs/tls/ward.key 640
        serve+=" --certfile /etc/bdhvs/tls/ward.crt --keyfile /etc/bdhvs/tls/ward.key"
    elif [[ -f "$T/etc/bdhvs/tls/ward.crt" ]]; then
        serve+=" --certfile /etc/bdhvs/tls/ward.crt --keyfile /etc/bdhvs/tls/ward.key"
    else
        serve="--host 127.0.0.1 --port 8765"
        note "no --cert/--key: serving plain HTTP on 127.0.0.1 only, until the ward's certificate is given"
    fi
    [[ -z "$CA" ]] || put "$CA" /etc/bdhvs/tls/ca.crt 644
    [[ ! -f "$T/etc/bdhvs/tls/ward.key" ]] || own ward /etc/bdhvs/tls/ward.key
    put_text /etc/bdhvs/ward.env 640 <<EOF
# Read by ward-server.service and ward-backup.service; written by install.sh --role ward.
WARD_DATABASE_URL=${DATABASE:-sqlite:////var/lib/bdhvs-ward/ward.sqlite3}
WARD_SERVE_ARGS=$serve
WARD_BACKUP_DIR=/var/backups/bdhvs-ward
WARD_RELEASES_DIR=/var/lib/bdhvs-ward/releases
EOF
    run chgrp ward /etc/bdhvs/ward.env

    stage "systemd units and the backup timer"
    put "$HERE/systemd/ward-server.service" "$UNITS/ward-server.service" 644
    put "$HERE/systemd/ward-backup.service" "$UNITS/ward-backup.service" 644
    put "$HERE/systemd/ward-backup.timer" "$UNITS/ward-backup.timer" 644
    put "$HERE/ward-backup.sh" "$LIB/ward-backup" 755
    enable_unit ward-server.service multi-user.target
    enable_unit ward-backup.timer timers.target

    stage "Starting the ward server"
    start_units ward-server.service ward-backup.timer
}

"install_$ROLE"
check="kiosk doctor"
[[ "$ROLE" == ward ]] && check="systemctl status ward-server"
echo "Done: $ROLE $VERSION${ROOT:+ (files under $ROOT)}. Check it with: $check"
