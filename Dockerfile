# A small image with the paperboy binary: `docker build -t paperboy .`, then
# `docker run --rm -v "$PWD:/site" paperboy build` in a site folder (`-p 1111:1111` and
# `serve --bind 0.0.0.0` to preview from the host).

# Build stage: the release binary, from the locked dependency versions.
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin paperboy \
 && strip target/release/paperboy

# Run stage: Debian slim (glibc, CA certificates) and the one binary.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src/target/release/paperboy /usr/local/bin/paperboy
WORKDIR /site
EXPOSE 1111
ENTRYPOINT ["paperboy"]
CMD ["build"]
