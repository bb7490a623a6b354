#!/usr/bin/env bash
# Lets this machine run another CPU's binaries (in chroots and containers alike): Debian's qemu-user-static,
# registered with binfmt_misc with the F flag, so the interpreter is found inside any root file system.
#   emulation.sh arm64|amd64
set -euo pipefail
arch="${1:?usage: emulation.sh arm64|amd64}"
case "$arch" in
  arm64) qemu=aarch64 ;;
  amd64) qemu=x86_64 ;;
  *) echo "emulation.sh: $arch: arm64 or amd64" >&2; exit 2 ;;
esac
[ "$arch" = "$(dpkg --print-architecture)" ] && exit 0
if [ ! -e /proc/sys/fs/binfmt_misc/status ]; then
  mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
fi
if [ ! -e "/proc/sys/fs/binfmt_misc/qemu-$qemu" ]; then
  if ! command -v update-binfmts >/dev/null || [ ! -e "/usr/share/binfmts/qemu-$qemu" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends qemu-user-static binfmt-support >/dev/null
  fi
  update-binfmts --enable "qemu-$qemu"
fi
grep -q '^flags: .*F' "/proc/sys/fs/binfmt_misc/qemu-$qemu" || {
  echo "emulation.sh: qemu-$qemu is registered without the F flag: containers would not find it" >&2; exit 1
}
echo "emulation of $arch: $(head -1 "/proc/sys/fs/binfmt_misc/qemu-$qemu")"
