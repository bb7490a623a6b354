#!/bin/sh
# Makes the images' trimmed Java runtime in /out/java with this CPU's jlink, for this CPU or another one, and
# compiles mqadmin's launcher (/MqadminLauncher.java, bound in) into its lib/appliance:
#   java-runtime.sh <arch: amd64|arm64> <modules, comma-separated> <owner uid:gid>
# Run as root in a throwaway container of the engine's own Debian base (src/images/java-runtime.ts). For another
# CPU, jlink links that CPU's jmods, unpacked (not installed) from Debian's openjdk-17-jdk-headless of that
# architecture: the same JDK version as this one's, which jlink requires. Nothing of the other CPU runs here.
set -eu
arch="$1" modules="$2" owner="$3"
native=$(dpkg --print-architecture)
export DEBIAN_FRONTEND=noninteractive
# openjdk's postinst links its man pages and fails where slim images dropped /usr/share/man.
mkdir -p /usr/share/man/man1
case "$arch" in
  amd64) tools=x86-64-linux-gnu objcopy=x86_64-linux-gnu-objcopy ;;
  arm64) tools=aarch64-linux-gnu objcopy=aarch64-linux-gnu-objcopy ;;
  *) echo "java-runtime.sh: $arch: amd64 or arm64" >&2; exit 2 ;;
esac
apt-get update -qq
# jlink strips the native libraries' debug symbols with objcopy: binutils for the target CPU's files.
apt-get install -y -qq --no-install-recommends openjdk-17-jdk-headless "binutils-$tools" >/dev/null
jmods=/usr/lib/jvm/java-17-openjdk-$native/jmods
if [ "$arch" != "$native" ]; then
  dpkg --add-architecture "$arch"
  apt-get update -qq
  mkdir -p /tmp/debs /tmp/target && chown _apt /tmp/debs
  version=$(dpkg-query -W -f '${Version}' openjdk-17-jdk-headless)
  (cd /tmp/debs && apt-get download -qq "openjdk-17-jdk-headless:$arch=$version")
  dpkg-deb -x /tmp/debs/*.deb /tmp/target
  jmods=/tmp/target/usr/lib/jvm/java-17-openjdk-$arch/jmods
fi
# java.desktop stays for java.beans, which RocketMQ uses, and AWT's core library with it (java.awt classes load
# it); the native libraries that link C libraries beyond the C library itself (fonts, JPEG, colour management,
# sound, splash screen, X11) go, and those C libraries with them: nothing in a broker draws or plays.
excluded=""
for lib in awt_xawt fontmanager javajpeg jawt jsound lcms splashscreen; do
  excluded="$excluded${excluded:+,}glob:**/java.desktop/**/lib$lib.so"
done
jlink --module-path "$jmods" --add-modules "$modules" --exclude-files="$excluded" \
  --strip-java-debug-attributes --strip-native-debug-symbols="objcopy=/usr/bin/$objcopy" \
  --no-man-pages --no-header-files --compress=2 --output /out/java
# Class files are the same on every CPU; --release 17 is the runtime's own version.
javac --release 17 -d /out/java/lib/appliance /MqadminLauncher.java
chown -R "$owner" /out/java
