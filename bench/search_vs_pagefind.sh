#!/usr/bin/env bash
# paperboy's search and Pagefind's on the same site, in one run: the index's build time,
# peak memory and size on disk, then bench/search_vs_pagefind.mjs in headless Chromium
# (bytes before the first results, second-query bytes, query times, recall on stem and
# typo queries). A measurement for the notes; paperboy itself never needs Pagefind.
#
#   bench/search_vs_pagefind.sh N [DIR]     N papers from bench/corpusgen.rs, in DIR
#                                            (default target/bench/pagefind-N)
#   PAGEFIND="python3 -m pagefind"           how to run Pagefind (pip install 'pagefind[extended]')
#   SITE=path                                a site of your own instead of corpusgen's
#
# Pagefind indexes only the paper pages' article (`data-pagefind-body`, added to a copy of
# the output), as the issue's measurement did.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:?usage: search_vs_pagefind.sh N [DIR]}
DIR=${2:-target/bench/pagefind-$N}
PAGEFIND=${PAGEFIND:-python3 -m pagefind}
TIME=/usr/bin/time
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
cargo build --release --quiet --bin paperboy --example corpusgen --example search_index
PB=$PWD/target/release/paperboy
echo "# search: paperboy and Pagefind — $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Pagefind: $($PAGEFIND --version 2>&1 | tail -1)"

site=${SITE:-$DIR/site}
if [ -z "${SITE:-}" ]; then
  rm -rf "$site"
  target/release/examples/corpusgen --papers "$N" --out "$site" >/dev/null 2>&1
fi
rm -rf "$site/public"
sync
$TIME -f "%e %M" -o "$DIR/build.time" "$PB" build --root "$site" >/dev/null
read -r b_wall b_rss < "$DIR/build.time"
echo "paperboy build (whole site): ${b_wall} s, peak RSS $(( b_rss / 1024 )) MB"
for _ in 1 2 3; do target/release/examples/search_index "$site"; done
echo "paperboy index: $(find "$site/public/search" -name '*.json' | wc -l) files, $(du -sb "$site/public/search" | cut -f1) bytes (search/, page and script included)"

web=$DIR/web
rm -rf "$web"
cp -r "$site/public" "$web"
# Pagefind indexes the paper article only.
find "$web/papers" -name index.html -print0 | xargs -0 sed -i '0,/<article class="paper">/s//<article class="paper" data-pagefind-body>/'
sync
$TIME -f "%e %M" -o "$DIR/pagefind.time" $PAGEFIND --site "$web" >"$DIR/pagefind.log" 2>&1 || { cat "$DIR/pagefind.log"; exit 1; }
read -r p_wall p_rss < "$DIR/pagefind.time"
echo "Pagefind index: ${p_wall} s, peak RSS $(( p_rss / 1024 )) MB; $(find "$web/pagefind" -type f | wc -l) files, $(du -sb "$web/pagefind" | cut -f1) bytes"
cat > "$web/pf-search.html" <<'EOF'
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pagefind</title><link rel="stylesheet" href="/style.css"></head>
<body><main class="wrap"><p id="status"></p><ol id="results"></ol></main>
<script type="module">
const pagefind = await import("/pagefind/pagefind.js");
window.lastResults = [];
// One page of ten results, drawn with Pagefind's excerpt, as its own UI does.
window.run = async (q) => {
  const started = performance.now();
  const search = await pagefind.search(q);
  window.lastResults = search.results;
  const data = await Promise.all(search.results.slice(0, 10).map((r) => r.data()));
  const list = document.getElementById("results");
  list.textContent = "";
  for (const d of data) {
    const li = document.createElement("li");
    const a = document.createElement("a");
    a.href = d.url;
    a.textContent = d.meta.title;
    const p = document.createElement("p");
    p.innerHTML = d.excerpt;
    li.append(a, p);
    list.append(li);
  }
  const status = document.getElementById("status");
  status.textContent = `${search.results.length} results`;
  status.setAttribute("data-ms", (performance.now() - started).toFixed(2));
  status.setAttribute("data-query", q);
};
const q = new URL(location.href).searchParams.get("q");
if (q) window.run(q);
</script></body></html>
EOF
node bench/search_vs_pagefind.mjs "$web" \
  "proofs=proofs?" "jailbreaking=jailbreak(s|ing|ed)?" "counterfactul=counterfactual(s|ly)?" \
  "learning=learn(s|ing|ed)?" "hallucinations=hallucinations?" "diffusion=diffusions?"
echo "load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
