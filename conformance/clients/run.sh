#!/usr/bin/env bash
# Smoke test: generate a client from generated/openapi.yaml with one mainstream generator
# per ecosystem and check that it builds, with the signing example beside it.
#   Python:     openapi-python-client (PyPI), venv in target/py/
#   TypeScript: @hey-api/openapi-ts with TypeScript 5 (npm), in target/node/
# Output in target/clients/. Versions pinned below; fails on any error.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
here="$root/conformance/clients"
cd "$root"
opc_version=0.29.1
heyapi_version=0.99.0
ts_version=5.9.3

echo "== Python: openapi-python-client $opc_version"
venv="$root/target/py/openapi-python-client-$opc_version"
if ! [ -f "$venv/ready" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "openapi-python-client==$opc_version"
  touch "$venv/ready"
fi
out="$root/target/clients/python"
rm -rf "$out"
mkdir -p "$root/target/clients"
"$venv/bin/openapi-python-client" generate --path generated/openapi.yaml --output-path "$out" \
  --overwrite --config "$here/openapi-python-client.yaml" >"$root/target/clients/python.log" 2>&1 || { cat "$root/target/clients/python.log"; exit 1; }
# Warnings mean a piece of the document was dropped: fail on them.
if grep -qiE "warning|unable to parse|cannot parse" "$root/target/clients/python.log"; then
  cat "$root/target/clients/python.log"
  echo "FAIL: openapi-python-client dropped part of the document" >&2
  exit 1
fi
package=$(basename "$(find "$out" -mindepth 2 -maxdepth 2 -name client.py -printf '%h\n' | sed -n 1p)")
"$venv/bin/python" -m compileall -q "$out/$package"
PYTHONPATH="$out" "$venv/bin/python" "$here/sign_example.py" "$package"

echo "== TypeScript: @hey-api/openapi-ts $heyapi_version, typescript $ts_version"
node_dir="$root/target/node/clients-$heyapi_version-$ts_version"
if ! [ -f "$node_dir/ready" ]; then
  mkdir -p "$node_dir"
  echo '{"private": true}' >"$node_dir/package.json"
  npm install --prefix "$node_dir" --no-audit --no-fund --silent \
    "@hey-api/openapi-ts@$heyapi_version" "typescript@$ts_version" "@types/node@20"
  touch "$node_dir/ready"
fi
ts="$root/target/clients/ts"
rm -rf "$ts"
mkdir -p "$ts/src"
(cd "$ts" && "$node_dir/node_modules/.bin/openapi-ts" -i "$root/generated/openapi.yaml" -o src/client >/dev/null)
cp "$here/sign_example.ts" "$ts/src/"
cat >"$ts/tsconfig.json" <<JSON
{ "compilerOptions": { "target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler",
  "strict": true, "noEmit": true, "lib": ["ES2022", "DOM", "DOM.Iterable"],
  "types": ["node"], "typeRoots": ["$node_dir/node_modules/@types"] },
  "include": ["src"] }
JSON
"$node_dir/node_modules/.bin/tsc" -p "$ts"
echo "typescript client: generated and type-checked with the signing example"
