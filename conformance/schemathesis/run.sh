#!/usr/bin/env bash
# Schemathesis (pinned 4.x) on generated/openapi.yaml against the embedded mock, or
# against a live endpoint:
#
#   conformance/schemathesis/run.sh                       # starts the mock on a free port
#   VOICECALL_APP_KEY=… VOICECALL_APP_SECRET=… \
#     conformance/schemathesis/run.sh https://<app access address>
#
# Extra arguments after the URL go to `schemathesis run` (e.g. --max-examples 200).
# Installs Schemathesis into target/py/schemathesis-<version>/ on first use (PyPI);
# reports (JUnit, NDJSON) go to target/schemathesis/. Exits non-zero on any failure.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/conformance/schemathesis"
cd "$root"

version=4.32.5
venv="$root/target/py/schemathesis-$version"
if ! "$venv/bin/schemathesis" --version 2>/dev/null | grep -qF "$version"; then
  echo "installing schemathesis $version into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version"
fi

url=${1:-}
[ $# -gt 0 ] && shift
mock_pid=
cleanup() {
  if [ -n "$mock_pid" ]; then
    kill -INT "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT
if [ -z "$url" ]; then
  cargo build --quiet --locked -p voicecall-mock --features cli --bin voicecall-mock
  mkdir -p target/schemathesis
  log=target/schemathesis/mock.log
  # Port 0: the mock binds a free port and prints its address.
  "$root/target/debug/voicecall-mock" --port 0 >"$log" 2>&1 &
  mock_pid=$!
  for _ in $(seq 1 100); do
    url=$(sed -n 's/.*listening on \(http:\/\/[^ ]*\).*/\1/p' "$log" | sed -n 1p)
    [ -n "$url" ] && break
    kill -0 "$mock_pid" 2>/dev/null || { cat "$log"; echo "the mock exited" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$url" ] || { cat "$log"; echo "the mock did not report its address" >&2; exit 1; }
  echo "mock at $url"
fi

export SCHEMATHESIS_HOOKS="$here/hooks.py"
"$venv/bin/schemathesis" --config-file "$here/schemathesis.toml" run generated/openapi.yaml \
  --url "$url" \
  --report junit,ndjson --report-dir target/schemathesis \
  "$@"
