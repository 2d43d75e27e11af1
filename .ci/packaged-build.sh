#!/usr/bin/env bash
# Builds the packaged `voicecall` crate on its own, as a user who downloads it from
# crates.io would: the .crate that `cargo package` wrote (target/package/) is unpacked
# in a temporary folder outside the workspace (under target/, cargo would take it for
# a stray workspace member) and built there with the Cargo.lock cargo put in it,
# --offline (every dependency is already in cargo's cache from the workspace build) and
# --locked, with default features and with none. Outside the workspace's members, so no
# workspace setting (profiles, patches, the workspace's lock) helps it: a file missing
# from the package or a dependency that only resolves inside the workspace fails here.
set -euo pipefail
cd "$(dirname "$0")/.."
crate=$(ls target/package/voicecall-[0-9]*.crate | sort -V | tail -n 1)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
tar -xzf "$crate" -C "$dir"
src=$(find "$dir" -mindepth 1 -maxdepth 1 -type d)
test -f "$src/Cargo.lock" || { echo "error: $crate has no Cargo.lock" >&2; exit 1; }
echo "building $crate unpacked in $src"
# The workspace's target directory, so dependencies built alike are reused.
for features in "" "--no-default-features"; do
  cargo build --offline --locked --manifest-path "$src/Cargo.toml" --target-dir "$PWD/target" --quiet $features
done
echo "the packaged voicecall builds outside the workspace"
