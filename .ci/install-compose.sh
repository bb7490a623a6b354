#!/usr/bin/env bash
# Compose v2 as a docker CLI plugin. Debian bookworm only has compose v1; trixie's docker-compose package is
# v2 (a static binary). Fetched through a private apt state so the host's sources stay untouched.
set -euo pipefail
plugin_dir=/usr/local/lib/docker/cli-plugins
if docker compose version >/dev/null 2>&1; then docker compose version; exit 0; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lists/partial" "$work/cache/archives/partial"
echo "deb http://deb.debian.org/debian trixie main" > "$work/sources.list"
apt_opts=(-o Dir::Etc::sourcelist="$work/sources.list" -o Dir::Etc::sourceparts=- -o Dir::State::Lists="$work/lists"
          -o Dir::Cache="$work/cache" -o APT::Get::List-Cleanup=0 -o Debug::NoLocking=1 -o APT::Sandbox::User=root)
apt-get "${apt_opts[@]}" update -qq
(cd "$work" && apt-get "${apt_opts[@]}" download docker-compose >/dev/null)
dpkg-deb -x "$work"/docker-compose_*.deb "$work/root"
mkdir -p "$plugin_dir"
install -m 0755 "$work/root/usr/libexec/docker/cli-plugins/docker-compose" "$plugin_dir/docker-compose"
docker compose version
