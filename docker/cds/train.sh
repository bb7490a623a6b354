#!/bin/sh
# Class-data sharing, made at image build: each role's JVM is started once, configured by the image's own
# configurator (the same argfile and class path as in a container), and on SIGTERM archives the classes it loaded
# (-XX:ArchiveClassesAtExit) to /opt/rocketmq/cds/<role>.jsa. The name server runs first, the broker registers
# with it, and the proxy (RocketMQ 5) routes to that broker, so each boots as it does in a cluster.
#   train.sh namesrv broker [proxy]
set -eu
out=/opt/rocketmq/cds
mkdir -p "$out"
started=""

# Starts a role and waits until it logs `ready` (at most CDS_WAIT_SECONDS, 120 by default; more under emulation).
# Under emulation (CDS_BEST_EFFORT=1) a role whose start fails twice (the proxy's first name-server request can
# outlast its fixed 3 s timeout there) gets an empty archive, which the configurator skips; natively it fails the build.
start() {
  role=$1 ready=$2
  shift 2
  attempt=1
  while ! attempt "$role" "$ready" "$@"; do
    kill -KILL "$(cat "/tmp/cds-$role/pid")" 2>/dev/null || true
    if [ "${CDS_BEST_EFFORT:-0}" != 1 ]; then exit 1; fi
    if [ "$attempt" -ge 2 ]; then
      echo "cds: $role: no archive (its training start failed under emulation); it starts without one" >&2
      : >"$out/$role.jsa"
      return 0
    fi
    attempt=$((attempt + 1))
  done
  started="$role $started"
}

attempt() {
  role=$1 ready=$2
  shift 2
  dir=/tmp/cds-$role
  rm -rf "$dir" && mkdir -p "$dir"
  # The roles' config files have names of their own in /tmp/rocketmq; the argfile is set aside before the next.
  env RMQ_ROLE="$role" JAVA_HEAP=256m "$@" node /opt/appliance/appliance.mjs prepare
  mv /tmp/rocketmq/jvm.args "$dir/jvm.args"
  java -XX:ArchiveClassesAtExit="$out/$role.jsa" "@$dir/jvm.args" >"$dir/out.log" 2>&1 &
  echo $! >"$dir/pid"
  i=0
  until grep -q "$ready" "$dir/out.log"; do
    i=$((i + 1))
    if [ "$i" -gt $((${CDS_WAIT_SECONDS:-120} * 2)) ] || ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then
      echo "cds: $role did not log '$ready':" >&2
      grep -v '\[cds\]' "$dir/out.log" | tail -n 40 >&2
      return 1
    fi
    sleep 0.5
  done
  echo "cds: $role started ($((i / 2)) s)"
}

for role in "$@"; do
  case $role in
    namesrv) start namesrv "boot success" ;;
    broker) start broker "boot success" NAMESRV_ADDR=127.0.0.1:9876 BROKER_IP1=127.0.0.1 ;;
    proxy) start proxy "startup successfully" NAMESRV_ADDR=127.0.0.1:9876 ;;
    *) echo "cds: unknown role $role" >&2; exit 2 ;;
  esac
done

# Stops the roles that use the name server together, then the name server: each JVM writes its archive as it
# exits, after RocketMQ's own shutdown (seconds of joins and timeouts), which then overlap.
stop() {
  for role in "$@"; do kill -TERM "$(cat "/tmp/cds-$role/pid")"; done
  for role in "$@"; do
    wait "$(cat "/tmp/cds-$role/pid")" || true
    if [ ! -s "$out/$role.jsa" ]; then
      echo "cds: $role wrote no archive:" >&2
      tail -n 40 "/tmp/cds-$role/out.log" >&2
      exit 1
    fi
    echo "cds: $role archive $(du -k "$out/$role.jsa" | cut -f1) KiB"
  done
}
clients=""
for role in $started; do [ "$role" = namesrv ] || clients="$clients $role"; done
# shellcheck disable=SC2086 # one word per role
stop $clients
case " $started " in *" namesrv "*) stop namesrv ;; esac
chmod 0644 "$out"/*.jsa
