#!/bin/bash
# make pi-test: the real install.sh in an arm64 Debian Bookworm userland emulated by qemu-user, and
# the installed kiosk reaching its first frame there (READY=1 on the unit's notify socket) under Xvfb.
#
# Runs as root (it debootstraps, mounts and chroots). The bootstrapped root is cached as a tarball
# under build/pi-test/, so later runs skip the 1.5 minutes of debootstrap; apt and pip installs in
# the emulator take about 7 minutes more. The Raspberry Pi repository cannot be reached from here,
# so its packages (python3-picamera2) are skipped by install.sh with a message, never faked.
# systemd does not run in a chroot: units are enabled, not started, and the kiosk is started here
# the way kiosk.service starts it (ExecStartPre, ExecStart with NOTIFY_SOCKET, ExecStartPost).
set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE=$(dirname "$HERE")
BUILD="$SOURCE/build/pi-test"
CACHE="$BUILD/bookworm-arm64-minbase.tar.zst"
ROOTFS="$BUILD/rootfs"
MIRROR=${PI_TEST_MIRROR:-http://deb.debian.org/debian}
READY_TIMEOUT_S=${PI_TEST_READY_TIMEOUT_S:-600}
STEP="starting"

step() { STEP=$1; echo "== $(date -u +%H:%M:%S) $1"; }
trap 'echo "pi-test: \"$STEP\" failed (line $LINENO: $BASH_COMMAND)" >&2' ERR

in_chroot() {  # a clean environment, as on a fresh Pi: nothing of this machine's but its network
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive chroot "$ROOTFS" "$@"
}

unmount_all() {
    local point
    for point in dev/pts dev proc sys; do
        if mountpoint -q "$ROOTFS/$point"; then umount -l "$ROOTFS/$point"; fi
    done
}

if ((EUID != 0)); then
    echo "pi-test: run as root (it debootstraps, mounts and chroots)" >&2
    exit 1
fi

step "Host tools: qemu-user-static, binfmt-support, debootstrap"
missing=()
for package in qemu-user-static binfmt-support debootstrap zstd; do
    dpkg-query -W -f='${Status}\n' "$package" 2>/dev/null | grep -q "ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
fi
mountpoint -q /proc/sys/fs/binfmt_misc || mount binfmt_misc -t binfmt_misc /proc/sys/fs/binfmt_misc
update-binfmts --enable qemu-aarch64 2>/dev/null || true
[[ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] || { echo "pi-test: qemu-aarch64 is not registered with binfmt_misc" >&2; exit 1; }

step "An arm64 Bookworm minbase root"
unmount_all 2>/dev/null || true
rm -rf "$ROOTFS"
mkdir -p "$ROOTFS"
if [[ -f "$CACHE" ]]; then
    echo "   from the cache $CACHE"
    tar --zstd -xpf "$CACHE" -C "$ROOTFS"
else
    debootstrap --arch=arm64 --variant=minbase bookworm "$ROOTFS" "$MIRROR" >"$BUILD/debootstrap.log" 2>&1 ||
        { tail -n 20 "$BUILD/debootstrap.log" >&2; exit 1; }
    tar --zstd -cpf "$CACHE.part" -C "$ROOTFS" . && mv "$CACHE.part" "$CACHE"
fi
trap 'unmount_all' EXIT
mount -t proc proc "$ROOTFS/proc"
mount --rbind /sys "$ROOTFS/sys"
mount --bind /dev "$ROOTFS/dev"
mount --bind /dev/pts "$ROOTFS/dev/pts"
in_chroot uname -m | grep -qx aarch64

step "This machine's apt and pip configuration and CA certificates"
cp /etc/resolv.conf "$ROOTFS/etc/resolv.conf"
cp -a /etc/apt/sources.list.d/. "$ROOTFS/etc/apt/sources.list.d/" 2>/dev/null || true
find "$ROOTFS/etc/apt/sources.list.d" -name '*.disabled*' -delete
[[ ! -s /etc/apt/sources.list ]] || cp /etc/apt/sources.list "$ROOTFS/etc/apt/sources.list"
for conf in /etc/apt/apt.conf.d/99*; do [[ -f "$conf" ]] && cp "$conf" "$ROOTFS/etc/apt/apt.conf.d/"; done
[[ ! -f /etc/pip.conf ]] || cp /etc/pip.conf "$ROOTFS/etc/pip.conf"
if [[ -f /root/.config/pip/pip.conf ]]; then
    mkdir -p "$ROOTFS/root/.config/pip"
    cp /root/.config/pip/pip.conf "$ROOTFS/root/.config/pip/pip.conf"
fi
mkdir -p "$ROOTFS/usr/local/share/ca-certificates" "$ROOTFS/etc/ssl/certs"
cp -a /usr/local/share/ca-certificates/. "$ROOTFS/usr/local/share/ca-certificates/"
cp /etc/ssl/certs/ca-certificates.crt "$ROOTFS/etc/ssl/certs/ca-certificates.crt"

# The committed tree (HEAD, named here so a run can be matched to its code): what is not committed
# yet is not tested, so commit before running. Every run starts from a fresh root, never an old copy.
step "The kiosk's source, as committed: $(git -C "$SOURCE" log -1 --format='%h %cd' --date=format:'%H:%M' HEAD)"
if [[ -n "$(git -C "$SOURCE" status --porcelain --untracked-files=no -- deploy kiosk sync lessons setup.py)" ]]; then
    echo "   note: the working tree has changes not committed; they are not in this run"
fi
rm -rf "$ROOTFS/opt/bdhvs-src"
mkdir -p "$ROOTFS/opt/bdhvs-src"
git -C "$SOURCE" archive --format=tar HEAD | tar -x -C "$ROOTFS/opt/bdhvs-src"

step "What Raspberry Pi OS Lite has and minbase lacks: systemd"
in_chroot apt-get update -qq
in_chroot apt-get install -y -qq --no-install-recommends systemd >/dev/null

step "install.sh, for real, inside the emulated Pi"
started=$SECONDS
in_chroot /bin/bash /opt/bdhvs-src/deploy/install.sh --rotation 0
echo "   install.sh took $((SECONDS - started)) s"

step "install.sh again changes nothing"
listing() {
    in_chroot /bin/bash -c 'find /etc/systemd/system /etc/systemd/journald.conf.d /etc/systemd/system.conf.d \
        /etc/bdhvs /usr/local/lib/bdhvs /opt/bdhvs/ /var/lib/bdhvs -maxdepth 3 -printf "%p %m %l\n" | sort;
        find /etc/bdhvs /usr/local/lib/bdhvs /etc/systemd/system -type f -exec sha256sum {} + | sort'
}
before=$(listing)
in_chroot /bin/bash /opt/bdhvs-src/deploy/install.sh --rotation 0 | sed 's/^/   /'
[[ "$(listing)" == "$before" ]] || { echo "pi-test: the second run of install.sh changed files" >&2; diff <(echo "$before") <(listing) >&2; exit 1; }

step "The units, as installed, pass systemd-analyze verify"
in_chroot systemd-analyze verify kiosk.service kiosk-update.service kiosk-update.timer 2>&1 | tee "$BUILD/verify.log"
[[ ! -s "$BUILD/verify.log" ]] || { echo "pi-test: systemd-analyze verify spoke" >&2; exit 1; }

step "The kiosk's first frame under Xvfb (READY=1), started as kiosk.service starts it"
in_chroot apt-get install -y -qq --no-install-recommends xvfb xauth >/dev/null  # the test's screen, not the kiosk's
cp "$HERE/pi_first_frame.py" "$ROOTFS/opt/bdhvs-src/pi_first_frame.py"
in_chroot python3 /opt/bdhvs-src/pi_first_frame.py "$READY_TIMEOUT_S"

step "kiosk doctor runs in the emulated Pi (it reports the missing hardware: exit code 1)"
as_kiosk() { in_chroot runuser -u kiosk -- env KIOSK_CONFIG=/etc/bdhvs/kiosk.toml "$@"; }
doctor=0
as_kiosk /opt/bdhvs/current/venv/bin/kiosk doctor || doctor=$?
((doctor <= 1)) || { echo "pi-test: kiosk doctor did not run (exit code $doctor)" >&2; exit 1; }
report=$(as_kiosk /opt/bdhvs/current/venv/bin/kiosk doctor --json) || true
python3 -c 'import json, sys; checks = json.loads(sys.argv[1])["checks"]; assert len(checks) >= 8; print(f"   {len(checks)} checks in --json")' \
    "$report" || { echo "pi-test: kiosk doctor --json did not give its checks" >&2; exit 1; }

step "kiosk-update in the emulated Pi: the installed release is current; fetch says in words why it cannot"
in_chroot /usr/local/bin/kiosk-update status | sed 's/^/   /'
fetch=0
said=$(in_chroot env KIOSK_CONFIG=/etc/bdhvs/kiosk.toml /usr/local/bin/kiosk-update fetch --no-restart 2>&1) || fetch=$?
echo "   $said"
[[ "$fetch" == 1 && "$said" == "kiosk-update: "* ]] || { echo "pi-test: kiosk-update fetch did not refuse in words" >&2; exit 1; }

echo "pi-test: passed"
