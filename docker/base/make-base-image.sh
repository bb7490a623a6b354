#!/usr/bin/env bash
# Creates debian:bookworm-slim locally from Debian packages, for machines that cannot reach a container
# registry. The image keeps the official name so the Dockerfiles stay unchanged: where a registry is
# reachable, `docker pull debian:bookworm-slim` gives the real one instead. A name under Docker Hub's
# per-architecture namespaces (arm64v8/debian:bookworm-slim, amd64/debian:bookworm-slim) is made for that
# architecture; one foreign to this machine needs emulation (docker/platform/emulation.sh) for debootstrap's
# second stage.
set -euo pipefail
image="${1:-debian:bookworm-slim}"
suite="${image##*:}"; suite="${suite%-slim}"
host_arch=$(dpkg --print-architecture)
case "$image" in
  arm64v8/*) arch=arm64 ;;
  amd64/*) arch=amd64 ;;
  */*) echo "make-base-image.sh: $image: only debian:<suite>-slim, arm64v8/debian:… and amd64/debian:… are made here" >&2; exit 2 ;;
  *) arch=$host_arch ;;
esac
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image already present"; exit 0
fi
if docker pull "$image" >/dev/null 2>&1; then
  echo "pulled $image"; exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
if [ "$arch" != "$host_arch" ]; then
  bash "$(dirname "$0")/../platform/emulation.sh" "$arch"
fi
root=$(mktemp -d /tmp/rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "building $image ($arch) with debootstrap (suite $suite) in $root"
debootstrap --variant=minbase --arch="$arch" "$suite" "$root" http://deb.debian.org/debian >/dev/null
# Trim what the official slim image trims: docs, man pages, locales, apt lists and caches.
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
       "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/var/log/*
find "$root"/usr/share/locale -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
cat > "$root"/etc/dpkg/dpkg.cfg.d/docker-slim <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
CFG
echo 'APT::Install-Recommends "false";' > "$root"/etc/apt/apt.conf.d/docker-no-recommends
if [ "$arch" = "$host_arch" ]; then
  tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$image" >/dev/null
else
  # `docker import --platform` is ignored by the classic engine (the image would say this machine's
  # architecture); a FROM scratch build with --platform records the right one.
  context=$(mktemp -d /tmp/base-context.XXXXXX)
  trap 'rm -rf "$root" "$context"' EXIT
  tar -C "$root" -cf "$context/rootfs.tar" .
  printf 'FROM scratch\nADD rootfs.tar /\nCMD ["bash"]\n' > "$context/Dockerfile"
  DOCKER_BUILDKIT=0 docker build -q --platform "linux/$arch" -t "$image" "$context" >/dev/null 2>"$context/build.err" \
    || { cat "$context/build.err" >&2; exit 1; }
fi
echo "created $image ($(docker image inspect -f '{{.Architecture}}' "$image")) locally: $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
