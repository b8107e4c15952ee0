#!/bin/sh
# Builds the runner root filesystem from distribution packages, with no container
# registry: debootstrap, then the same users and permissions as the Dockerfile.
# Usage: offline.sh ROOTFS SUITE MIRROR [COMPONENTS]
set -eu
ROOT="$1"; SUITE="$2"; MIRROR="$3"; COMPONENTS="${4:-main}"
debootstrap --variant=minbase --components="$COMPONENTS" \
    --include=python3,python3-pytest,python3-flask "$SUITE" "$ROOT" "$MIRROR"
chroot "$ROOT" groupadd -g 10000 grader
chroot "$ROOT" useradd -u 10000 -g 10000 -M -d /nonexistent -s /usr/sbin/nologin grader
chroot "$ROOT" groupadd -g 10001 candidate
chroot "$ROOT" useradd -u 10001 -g 10001 -M -d /nonexistent -s /usr/sbin/nologin candidate
rm -rf "$ROOT"/var/cache/apt/archives/*.deb "$ROOT"/var/lib/apt/lists/* \
       "$ROOT"/usr/share/doc "$ROOT"/usr/share/man "$ROOT"/usr/share/locale
mkdir -p "$ROOT/sandbox" "$ROOT/run/lock"
# Only /tmp (a size-capped tmpfs at run time) may be writable by the candidate.
find "$ROOT" -xdev -type d -perm -0002 ! -path "$ROOT/tmp" -exec chmod o-w {} +
