#!/usr/bin/env bash
# A clean build on a file system of its own: the million-paper row of the benchmark.
#
#   sudo bench/fresh_fs.sh [N]      default N: 1000000 (real-shaped corpus)
#   BENCH_DIR=DIR                   where the image file goes (default: target/bench)
#   BENCH_IMAGE_GB=G                the image's size (default 64; sparse, it takes what is
#                                   written: about 42 GB at a million papers with the copy)
#   BENCH_COPY=off                  skip the `cp -r` floor (needs room for a second output)
#
# Why a file system of its own. A clean build of a million papers creates about 1.2 million
# files and a million folders. On a disk that has just deleted the last such output (the 7-10
# minutes of `rm -rf` between two runs), ext4 makes every new inode walk past the freed ones
# for a while (`recently_deleted`, fs/ext4/ialloc.c) and the output's huge `papers/` folder is
# built among aged inode tables: session 38's runs there took 196-249 s, with the writer
# thread's system time most of it, where the same binary takes about 150 s on a new file
# system. A publisher's first build of an archive, and a CI runner's, write to a new folder
# on a disk that did not just free two million inodes; this measures that, the same way each
# time, and deleting the output is unmounting a loop device (seconds, not minutes).
#
# The file system is ext4 without a journal, as on the development VM's disk, with an inode
# per 8 KB (the default per 16 KB leaves too few inodes for the copy). Needs root (mount) and
# mkfs.ext4. Run as root (a CI runner, this VM), it builds the binaries itself; under `sudo`
# it does not build as root (a root-owned target/ breaks the next `cargo build`): build them
# first with `cargo build --release --bin paperboy --example corpusgen`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "needs root: it mounts a file system of its own (see the header)" >&2; exit 2; }
N="${1:-1000000}"
DIR="${BENCH_DIR:-target/bench}"
# Under sudo, what the run leaves in the working tree stays the user's.
as_user() { if [ -n "${SUDO_USER:-}" ]; then sudo -u "$SUDO_USER" "$@"; else "$@"; fi; }
as_user mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
IMG="$DIR/fresh-fs.img"
MNT="$DIR/fresh-fs"
TIME=/usr/bin/time
[ -x "$TIME" ] || { apt-get install -y -qq time >/dev/null 2>&1 || { echo "need /usr/bin/time (apt-get install time)" >&2; exit 2; }; }
command -v mkfs.ext4 >/dev/null || { echo "need mkfs.ext4 (apt-get install e2fsprogs)" >&2; exit 2; }

PB="$PWD/target/release/paperboy"
GEN="$PWD/target/release/examples/corpusgen"
if [ -z "${SUDO_USER:-}" ]; then
  cargo build --release --quiet --bin paperboy --example corpusgen
elif [ ! -x "$PB" ] || [ ! -x "$GEN" ]; then
  echo "under sudo the binaries are not built as root: run \`cargo build --release --bin paperboy --example corpusgen\` first" >&2
  exit 2
fi

# Room for the content, the parse cache, the output and its copy: about 45 KB a paper.
need_gb=$(( N * 45 / 1000000 + 2 ))
avail_gb=$(df --output=avail -BG "$DIR" | tail -1 | tr -dc 0-9)
if [ "$avail_gb" -lt "$need_gb" ]; then
  echo "$DIR: ${avail_gb} GB free, the run needs about ${need_gb} GB — free some, or pass BENCH_DIR on another disk" >&2
  exit 2
fi

# The running step, killed first on an interrupt: the mount is busy while it runs.
child=""
run() {
  local rc=0
  "$@" &
  child=$!
  wait "$child" || rc=$?
  child=""
  return "$rc"
}
# Never stopped half-way: a failed unmount (a process still in the folder) is made lazy, and
# the image goes either way; its space returns when the last holder exits.
cleanup() {
  set +e
  if [ -n "$child" ]; then
    # The timed build runs under `time`: its own child goes first.
    pkill -TERM -P "$child" 2>/dev/null
    kill "$child" 2>/dev/null
    wait "$child" 2>/dev/null
  fi
  if mountpoint -q "$MNT"; then umount "$MNT" 2>/dev/null || umount -l "$MNT"; fi
  rm -f "$IMG"
  if [ -n "${SUDO_USER:-}" ]; then chown "$SUDO_USER" "$DIR"/fresh-fs-*.txt 2>/dev/null; fi
  rmdir "$MNT" 2>/dev/null
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
cleanup
set -e
truncate -s "${BENCH_IMAGE_GB:-64}G" "$IMG"
mkfs.ext4 -q -O ^has_journal -i 8192 -F "$IMG"
mkdir -p "$MNT"
mount -o loop "$IMG" "$MNT"

site="$MNT/site"
run "$GEN" --papers "$N" --out "$site" --real
# The generator's writes flushed, and a pause so that nothing else is in flight.
sync
run sleep 30

echo "# paperboy clean build on a new file system — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "corpus: real-shaped (corpusgen --real), $N papers; paperboy $($PB --version | cut -d' ' -f2)"
out="$DIR/fresh-fs-time.txt"
if ! run env PAPERBOY_TIMINGS=1 "$TIME" -f "%e %U %S %M" -o "$out" "$PB" build --root "$site" >"$DIR/fresh-fs-stdout.txt" 2>"$DIR/fresh-fs-phases.txt"; then
  echo "the build failed:" >&2
  tail -5 "$DIR/fresh-fs-phases.txt" >&2
  exit 1
fi
read -r wall user sys rss < "$out"
files=$(find "$site/public" -type f | wc -l)
mb=$(du -sm "$site/public" | cut -f1)
echo "build: ${wall} s wall (${user} s user, ${sys} s system), peak RSS $(( rss / 1024 )) MB; ${files} files, ${mb} MB"
echo "load average after the build: $(cut -d' ' -f1-3 /proc/loadavg)"
grep '^timings' "$DIR/fresh-fs-phases.txt" || true
if [ "${BENCH_COPY:-on}" != off ]; then
  sync
  run "$TIME" -f "%e" -o "$out" cp -r "$site/public" "$site/copy"
  read -r cp_wall < "$out"
  echo "cp -r of the output: ${cp_wall} s; build / cp -r: $(awk -v b="$wall" -v c="$cp_wall" 'BEGIN {printf "%.2f", b / c}')"
fi
