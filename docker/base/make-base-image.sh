#!/usr/bin/env bash
# Creates debian:bookworm-slim locally from Debian packages, for machines that cannot reach a container
# registry. The image keeps the official name so the Dockerfiles stay unchanged: where a registry is
# reachable, `docker pull debian:bookworm-slim` gives the real one instead.
set -euo pipefail
image="${1:-debian:bookworm-slim}"
suite="${image#*:}"; suite="${suite%-slim}"
if docker image inspect "$image" >/dev/null 2>&1; then
  echo "base image $image already present"; exit 0
fi
if docker pull "$image" >/dev/null 2>&1; then
  echo "pulled $image"; exit 0
fi
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
root=$(mktemp -d /tmp/rootfs.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "building $image with debootstrap (suite $suite) in $root"
debootstrap --variant=minbase "$suite" "$root" http://deb.debian.org/debian >/dev/null
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
tar -C "$root" -c . | docker import -c 'CMD ["bash"]' - "$image" >/dev/null
echo "created $image locally: $(docker image inspect -f '{{.Size}}' "$image" | awk '{printf "%.0f MB", $1/1e6}')"
