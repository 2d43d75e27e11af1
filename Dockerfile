# Container images of the mock platform and the conformance runner, for teams that do
# not build Rust (README "Containers"):
#   docker build --target mock -t voicecall-mock .
#   docker build --target conformance -t voicecall-conformance .
# Both binaries come from docker/build.sh, which CI runs too (xtask/tests/container.rs).

FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN sh docker/build.sh /out

# The mock: listens on all interfaces inside the container (it warns that the control
# plane is exposed; publish the port to the host only: -p 127.0.0.1:10443:10443).
# SIGTERM (docker stop) shuts it down cleanly.
FROM gcr.io/distroless/cc-debian12:nonroot AS mock
COPY --from=build /out/voicecall-mock /usr/local/bin/voicecall-mock
EXPOSE 10443
ENTRYPOINT ["/usr/local/bin/voicecall-mock", "--bind", "0.0.0.0"]

# The conformance runner: the spec it judges by travels with it.
FROM gcr.io/distroless/cc-debian12:nonroot AS conformance
COPY --from=build /out/voicecall-conformance /usr/local/bin/voicecall-conformance
COPY spec /spec
ENV VOICECALL_SPEC_DIR=/spec
ENTRYPOINT ["/usr/local/bin/voicecall-conformance"]
