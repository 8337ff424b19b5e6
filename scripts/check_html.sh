#!/usr/bin/env bash
# check_html.sh DIR — every HTML file under DIR through the Nu Html Checker; zero errors to pass.
# Installs what it misses: a JRE (apt, as root) and vnu-jar (npm) into $CACHE (default ~/.cache/paperboy-ci).
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 DIR" >&2; exit 2; }
DIR="$(cd "$1" && pwd)"
CACHE="${CACHE:-$HOME/.cache/paperboy-ci}"
VNU_VERSION=26.9.27
JAR="$CACHE/npm/node_modules/vnu-jar/build/dist/vnu.jar"
if ! command -v java >/dev/null; then
  apt-get update -qq && apt-get install -y -qq default-jre-headless >/dev/null
fi
if [ ! -s "$JAR" ]; then
  mkdir -p "$CACHE/npm"
  # --ignore-scripts: the postinstall only downloads a JDK, and we use the system one.
  npm install --prefix "$CACHE/npm" --ignore-scripts --no-audit --no-fund --loglevel=error "vnu-jar@$VNU_VERSION" >&2
fi
n=$(find "$DIR" -name '*.html' | wc -l)
# A folder with no HTML (a wrong path, a build that wrote nothing) proves nothing: fail.
if [ "$n" -eq 0 ]; then
  echo "check_html: FAIL — no HTML files under $DIR"
  exit 1
fi
if out=$(java -Xss8m -jar "$JAR" --errors-only --skip-non-html "$DIR" 2>&1) && [ -z "$out" ]; then
  echo "check_html: OK — $n HTML files valid (vnu $VNU_VERSION)"
else
  printf '%s\n' "$out" | sed "s#file:$DIR/##" | head -50
  echo "check_html: FAIL"
  exit 1
fi
