#!/usr/bin/env bash
# Prism (pinned) serving generated/openapi.yaml, and the conformance suite run against it:
# a generic OpenAPI mock answers with the document's examples whatever the request, so
# the suite must FAIL it, by rule. Exits 0 only when it does (and names the rules).
#
#   conformance/prism/run.sh             # the check CI runs
#   conformance/prism/run.sh --serve     # just serve Prism on 127.0.0.1:4010 (Ctrl-C stops)
#   conformance/prism/run.sh --install   # only install it (the versus bench does)
#
# Installs @stoplight/prism-cli into target/node/prism-<version>/ on first use (npm).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

version=5.16.0
dir="$root/target/node/prism-$version"
prism="$dir/node_modules/.bin/prism"
if ! [ -x "$prism" ] || ! "$prism" --version 2>/dev/null | grep -qF "$version"; then
  echo "installing @stoplight/prism-cli $version into $dir"
  mkdir -p "$dir"
  echo '{"private": true}' >"$dir/package.json"
  npm install --prefix "$dir" --no-audit --no-fund --silent "@stoplight/prism-cli@$version"
fi

if [ "${1:-}" = "--install" ]; then
  exit 0
fi

if [ "${1:-}" = "--serve" ]; then
  exec "$prism" mock generated/openapi.yaml -h 127.0.0.1 -p 4010
fi

mkdir -p target/prism
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$prism" mock generated/openapi.yaml -h 127.0.0.1 -p "$port" >target/prism/prism.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  grep -q "Prism is listening" target/prism/prism.log && break
  kill -0 "$pid" 2>/dev/null || { cat target/prism/prism.log; echo "prism exited" >&2; exit 1; }
  sleep 0.1
done
grep -q "Prism is listening" target/prism/prism.log || { cat target/prism/prism.log; exit 1; }
echo "prism $version at http://127.0.0.1:$port"

status=0
cargo xtask conformance --target "http://127.0.0.1:$port" \
  --app-key mockAppKey --app-secret mockAppSecret --cases 8 \
  --markdown target/prism/conformance.md >target/prism/conformance.log 2>&1 || status=$?
grep -v '^  \|^FAILED\|^$' target/prism/conformance.log | sed -n 1,12p
if [ "$status" -eq 0 ]; then
  echo "FAIL: the conformance suite passed Prism; it cannot tell a generic mock from the platform" >&2
  exit 1
fi
rules=$(sed -n 's/^  rule: *//p' target/prism/conformance.log | sort -u)
count=$(grep -c . <<<"$rules" || true)
# It must fail by rule, across kinds: signing, routing and body rules at least.
for family in '^signing/' '^routing/' 'Request\.'; do
  if ! grep -q "$family" <<<"$rules"; then
    echo "FAIL: no failed rule matching $family (suite exit $status); see target/prism/conformance.log" >&2
    exit 1
  fi
done
echo "ok: the suite fails Prism (exit $status) on $count distinct rules, e.g.:"
grep -E '^signing/|^routing/' <<<"$rules" | sed -n 1,4p
grep 'Request\.' <<<"$rules" | sed -n 1,2p
