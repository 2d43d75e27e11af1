#!/bin/sh
# The one build of the container images' binaries. The Dockerfile's build stage runs
# this script, and so does xtask/tests/container.rs (VOICECALL_CONTAINER_BUILD=1, run by
# .ci/run), so what CI builds is what the image ships: same command, profile, target
# and features.
#
# Usage: sh docker/build.sh OUT_DIR   (from the workspace root)
#
# The target is the build machine's own triple, named explicitly so the output path
# does not depend on cargo configuration. The runtime image is distroless/cc (glibc, no
# shell): a fully static build would need a musl target (not installed by default) or a
# static glibc whose resolver cannot load its NSS modules, and the conformance runner
# resolves --target host names.
set -eu
out=${1:?usage: sh docker/build.sh OUT_DIR}
triple=$(rustc -vV | sed -n 's/^host: //p')
if command -v rustup >/dev/null 2>&1; then
  if ! rustup target list --installed | grep -qx "$triple"; then
    echo "error: the Rust target $triple is not installed (rustup target add $triple)" >&2
    exit 1
  fi
fi
cargo build --release --locked --target "$triple" \
  --package voicecall-mock --package voicecall-conformance \
  --features voicecall-mock/cli,voicecall-conformance/cli \
  --bin voicecall-mock --bin voicecall-conformance
mkdir -p "$out"
for bin in voicecall-mock voicecall-conformance; do
  cp "${CARGO_TARGET_DIR:-target}/$triple/release/$bin" "$out/$bin"
done
echo "built $out/voicecall-mock and $out/voicecall-conformance ($triple, release)"
