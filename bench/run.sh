#!/usr/bin/env bash
# The paperboy benchmark: generates deterministic corpora, builds each with `paperboy build`,
# and reports wall/CPU time, peak memory, pages and bytes written, the `cp -r` floor of the
# same output, single-core tagging time, and (when `hugo` is installed) Hugo on the same corpus.
#
#   bench/run.sh [N ...]        default sizes: 1000 10000 100000 (1000000 runs too, by
#                               hand: about 18 GB of output twice over and 9 GB of memory;
#                               `sudo bench/fresh_fs.sh` builds the million on a file system
#                               of its own, see its header)
#   BENCH_DIR=DIR               where corpora and outputs go (default: target/bench)
#   BENCH_HUGO=off              skip Hugo even when installed
#   BENCH_MEM=off               skip the second table (output in /dev/shm)
#   BENCH_CORPUS=real           real-shaped corpora (`corpusgen --real`: real sentences,
#                               authors and day sizes, JSON Lines) instead of synthetic ones
#   BENCH_RUNS=N                runs per measurement, the fastest reported (default 3; every
#                               tool gets the same); timings on shared VMs vary a lot
#   BENCH_DAY_PAUSE=S           seconds between the builds that prepare "add the newest
#                               day" and its timed build (default 61: see there)
# "rebuild, nothing changed" is the steady state (third build); "add the newest day" is a
# publisher's daily build: the archive built without its newest day's file, then that file
# added and built in a new process (the build cache renders what changed); watch-mode latency is the
# time from saving a file to the new page being served over HTTP (bench/latency.py), at 10,000
# and 100,000 papers.
set -euo pipefail
cd "$(dirname "$0")/.."
SIZES=("$@")
[ ${#SIZES[@]} -gt 0 ] || SIZES=(1000 10000 100000)
DIR="${BENCH_DIR:-target/bench}"
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
TIME=/usr/bin/time
[ -x "$TIME" ] || { apt-get install -y -qq time >/dev/null 2>&1 || { echo "need /usr/bin/time (apt-get install time)" >&2; exit 2; }; }

cargo build --release --quiet --bin paperboy --example corpusgen
PB="$PWD/target/release/paperboy"
GEN="$PWD/target/release/examples/corpusgen"
HUGO=""
if [ "${BENCH_HUGO:-auto}" != off ] && command -v hugo >/dev/null; then HUGO="$(command -v hugo)"; fi

echo "# paperboy benchmark — $(date -u +%Y-%m-%dT%H:%MZ)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
REAL=""
[ "${BENCH_CORPUS:-synthetic}" = real ] && REAL=1
if [ -n "$REAL" ]; then echo "corpus: real-shaped (corpusgen --real)"; else echo "corpus: synthetic (corpusgen)"; fi
echo "paperboy $($PB --version | cut -d' ' -f2)${HUGO:+, $($HUGO version | cut -d' ' -f1-2)}"
echo

# discard PATH...: moves trees out of the way, to be deleted when the benchmark ends. Deleting
# 100,000 files right before a timed run slows the run's own file creation: ext4 skips
# recently freed inodes, and on the development VM system time grew from 23 s to 85 s over
# four build-after-rm cycles at 100,000 papers. Every timed command gets the same treatment.
TRASH="$DIR/trash"
mkdir -p "$TRASH"
discard() {
  local p
  for p in "$@"; do
    if [ -e "$p" ]; then mv "$p" "$TRASH/$(date +%s%N)-$(basename "$p")"; fi
  done
  sync   # nor should the last run's (or the generator's) writes still be flushing
}
# The clean-up at exit slows the next run's file creation the same way, for 60 s after the
# deletions reach the disk: ext4 without a journal (this VM's disk) skips an inode freed less
# than RECENTCY_MIN = 60 s ago (fs/ext4/ialloc.c; 300 s more while its inode table block is
# unwritten, hence the `sync`), looking each one up, so creating files right after freeing
# many walks past all of them. A run started sooner waits out the rest.
CLEANED="$DIR/.cleaned-at"
trap 'rm -rf "$TRASH"; sync; date +%s > "$CLEANED"' EXIT
if [ -f "$CLEANED" ]; then
  wait_s=$(( $(cat "$CLEANED") + 61 - $(date +%s) ))
  if [ "$wait_s" -gt 0 ]; then
    echo "waiting ${wait_s} s: the previous run deleted its outputs moments ago" >&2
    sleep "$wait_s"
  fi
fi

# timed LABEL CMD... → sets T_WALL T_CPU T_RSS_MB (from /usr/bin/time)
timed() {
  local out="$DIR/time.txt"
  "$TIME" -f "%e %U %S %M" -o "$out" "$@" >"$DIR/stdout.txt" 2>"$DIR/stderr.txt" || { cat "$DIR/stderr.txt" >&2; return 1; }
  read -r T_WALL u s rss < "$out"
  T_CPU=$(awk -v u="$u" -v s="$s" 'BEGIN {printf "%.2f", u + s}')
  T_RSS_MB=$(( rss / 1024 ))
}

# best RUNS PREP -- CMD... : runs PREP then CMD (timed) RUNS times; keeps the fastest run's
# T_WALL/T_CPU/T_RSS_MB.
best() {
  local runs=$1 prep=$2; shift 3
  local bw="" bc="" br=""
  for _ in $(seq "$runs"); do
    eval "$prep"
    timed "$@"
    if [ -z "$bw" ] || awk -v a="$T_WALL" -v b="$bw" 'BEGIN {exit !(a < b)}'; then bw=$T_WALL bc=$T_CPU br=$T_RSS_MB; fi
  done
  T_WALL=$bw T_CPU=$bc T_RSS_MB=$br
}

rows=() mem_rows=() one_change=()
for n in "${SIZES[@]}"; do
  runs=${BENCH_RUNS:-3}
  site="$DIR/site${REAL:+-real}-$n"
  discard "$site"   # the generator would delete the old corpus: 100,000 freed inodes
  "$GEN" --papers "$n" --out "$site" ${REAL:+--real} ${HUGO:+--hugo} 2>/dev/null
  sync
  out="$site/public"

  best "$runs" 'discard "$out" "$site/.public.staging" "$site/.public.manifest" "$site/.public.jobs" "$site/.public.parsed" "$site/.public.topics" "$site/.public.words" "$site/.public.sealed-words" "$site/.public.related" "$site/.public.sealed" "$site/.public.folders" "$site/.public.staged-folders"' -- "$PB" build --root "$site"
  b_wall=$T_WALL b_cpu=$T_CPU b_rss=$T_RSS_MB
  "$PB" build --root "$site" >/dev/null   # primes the staging folder (links every file once)
  timed "$PB" build --root "$site"
  r_wall=$T_WALL
  # A publisher's daily build: the archive was built without its newest day's file, which
  # is then added, and a new process builds (with the build cache beside the output). Built
  # twice without it, so that the staging folder (the site of two builds ago) does not hold
  # the day's pages already: a real new day's pages are written, not found in place.
  newest=$(find "$site/content" -type f -not -path '*/papers/*' | sort | tail -1)
  mv "$newest" "$DIR/newest-day"
  "$PB" build --root "$site" >/dev/null
  "$PB" build --root "$site" >/dev/null
  mv "$DIR/newest-day" "$newest"
  # A publisher's builds are a day apart; these two replaced thousands of files moments
  # ago, and ext4 without a journal makes each file created in the next 60 s walk past
  # every inode they freed (see `discard`): 0.3 s of CPU in the writer's thread at 100,000
  # papers. Waited out, as at the start of a run.
  sync
  sleep "${BENCH_DAY_PAUSE:-61}"
  timed "$PB" build --root "$site"
  d_wall=$T_WALL d_rss=$T_RSS_MB
  d_kept=$(sed -n 's/.* ms (\([0-9]*\) of \([0-9]*\) jobs.*/\1 \2/p' "$DIR/stdout.txt" | awk '{printf "%d of %d", $2 - $1, $2}')
  pages=$(find "$out" -name '*.html' | wc -l)
  files=$(find "$out" -type f | wc -l)
  mb=$(du -sm "$out" | cut -f1)
  best "$runs" 'discard "$DIR/copy"' -- cp -r "$out" "$DIR/copy"
  cp_wall=$T_WALL
  discard "$DIR/copy"
  PAPERBOY_TIMINGS=1 "$PB" build --root "$site" 2>"$DIR/phases.txt" >/dev/null
  related_ms=$(sed -n 's/.*related \([0-9]*\) ms.*/\1/p' "$DIR/phases.txt")
  RAYON_NUM_THREADS=1 PAPERBOY_TIMINGS=1 "$PB" tags --root "$site" 2>"$DIR/tag.txt" >/dev/null
  # Tagging reads each paper's words in the "words" phase it shares with related papers and
  # search, scores the topics ("tag") and, after related papers, asks each paper's neighbours
  # ("neighbours"); the column counts all three.
  tag_ms=$(sed -n 's/.*words \([0-9]*\) ms.* tag \([0-9]*\) ms.* neighbours \([0-9]*\) ms.*/\1 \2 \3/p' "$DIR/tag.txt" | awk '{print $1 + $2 + $3}')
  tag_per_10k=$(awk -v t="$tag_ms" -v n="$n" 'BEGIN {printf "%.0f", t * 10000 / n}')
  ratio_cp=$(awk -v a="$b_wall" -v b="$cp_wall" 'BEGIN {printf "%.2f", a / b}')
  hugo_cell="–" ratio_hugo="–"
  if [ -n "$HUGO" ]; then
    if best "$runs" 'discard "$site/hugo-public"' -- "$HUGO" --quiet -s "$site/hugo" -d "$site/hugo-public"; then
      hugo_cell="${T_WALL} s / ${T_RSS_MB} MB"
      ratio_hugo=$(awk -v a="$T_WALL" -v b="$b_wall" 'BEGIN {printf "%.1f×", a / b}')
    fi
    discard "$site/hugo-public"
  fi
  if [ "${BENCH_MEM:-on}" != off ] && [ -d /dev/shm ]; then
    # The same builds with the output in memory (tmpfs): what the generators cost without
    # this machine's disk.
    mem="/dev/shm/paperboy-bench-$n"
    rm -rf "$mem" && mkdir -p "$mem"
    best "$runs" 'rm -rf "$mem/public" "$mem/.public.staging" "$mem/.public.manifest" "$mem/.public.jobs" "$mem/.public.parsed" "$mem/.public.topics" "$mem/.public.words" "$mem/.public.sealed-words" "$mem/.public.related" "$mem/.public.sealed" "$mem/.public.folders" "$mem/.public.staged-folders"; sync' -- "$PB" build --root "$site" --output "$mem/public"
    m_wall=$T_WALL m_cpu=$T_CPU
    best "$runs" 'rm -rf "$mem/copy"' -- cp -r "$mem/public" "$mem/copy"
    m_cp=$T_WALL
    rm -rf "$mem/copy"
    m_hugo="–" m_ratio="–"
    if [ -n "$HUGO" ] && best "$runs" 'rm -rf "$mem/hugo"' -- "$HUGO" --quiet -s "$site/hugo" -d "$mem/hugo"; then
      m_hugo="$T_WALL s"
      m_ratio=$(awk -v a="$T_WALL" -v b="$m_wall" 'BEGIN {printf "%.1f×", a / b}')
    fi
    rm -rf "$mem"
    m_ratio_cp=$(awk -v a="$m_wall" -v b="$m_cp" 'BEGIN {printf "%.2f", a / b}')
    mem_rows+=("| $n | $m_wall s | $m_cpu s | $m_cp s | $m_ratio_cp | $m_hugo | $m_ratio |")
  fi
  rows+=("| $n | $b_wall s | $b_cpu s | $b_rss MB | $r_wall s | $d_wall s, $d_rss MB ($d_kept) | $pages pages, $files files, $mb MB | $cp_wall s | $ratio_cp | ${tag_ms} ms (${tag_per_10k} ms/10k) | ${related_ms} ms | $hugo_cell | $ratio_hugo |")

  if [ "$n" = 10000 ] || [ "$n" = 100000 ] || [ "${#SIZES[@]}" = 1 ]; then
    # One paper edited: append a sentence to one Markdown paper (the last day's last paper
    # in a real-shaped corpus) and rebuild.
    if [ -n "$REAL" ]; then
      paper=$(find "$site/content" -name '*.jsonl' | sort | tail -1)
    else
      paper=$(find "$site/content/papers" -name '*.md' | sort | sed -n 1p)
    fi
    python3 bench/latency.py --append "$paper" "This sentence was added by the benchmark."
    timed "$PB" build --root "$site"
    one_change+=("one paper changed at $n papers: full \`paperboy build\` $T_WALL s; watch mode, $(python3 bench/latency.py "$PB" "$site" "$paper")")
  fi
done

# Watch mode on the 200-paper sample shipped in content/.
rm -rf "$DIR/sample" && mkdir -p "$DIR/sample" && cp -r content "$DIR/sample/"
sample_latency="watch mode on the 200-paper sample: $(python3 bench/latency.py "$PB" "$DIR/sample" "$DIR/sample/content/2026-11-26.txt")"

echo "each figure: the fastest of ${BENCH_RUNS:-3} runs"
echo "| papers | build wall | build CPU | peak RSS | rebuild, nothing changed | add the newest day, new process (jobs rendered) | output | cp -r floor | build / cp -r | words + tagging, 1 core | related papers, all cores | Hugo (wall / RSS) | Hugo / paperboy |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
if [ ${#mem_rows[@]} -gt 0 ]; then
  echo "the same builds with the output in memory (tmpfs, /dev/shm):"
  echo "| papers | build wall | build CPU | cp -r floor | build / cp -r | Hugo wall | Hugo / paperboy |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${mem_rows[@]}"
  echo
fi
[ ${#one_change[@]} -eq 0 ] || printf '%s\n' "${one_change[@]}"
echo "$sample_latency"
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
