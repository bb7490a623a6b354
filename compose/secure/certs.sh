#!/usr/bin/env bash
# A test CA and one certificate for every node of a compose/secure overlay, with openssl:
#   compose/secure/certs.sh DIR [NAME...]
# writes DIR/ca.pem, DIR/ca.key, DIR/server.pem and DIR/server.key (PKCS#8, as RocketMQ reads it). The certificate
# names localhost, 127.0.0.1 and every NAME given (the address clients dial, e.g. BROKER_IP1 or a host name); the
# nodes' own connections check the CA, not the name. For production, bring certificates from your own CA.
# The containers run as uid 3000: run as root (sudo) and the key goes to uid 3000 with mode 0600; otherwise it is
# made readable by every local user, which is for a test machine only.
set -euo pipefail
dir=${1:?usage: compose/secure/certs.sh DIR [NAME...]}
shift
command -v openssl >/dev/null || { echo "certs.sh: openssl is needed" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
for f in ca.pem ca.key server.pem server.key; do
  [ ! -e "$f" ] || { echo "certs.sh: $dir/$f exists; nothing was changed (remove the files to make new ones)" >&2; exit 1; }
done
umask 077
sans="DNS:localhost,IP:127.0.0.1"
for name in "$@"; do
  if [[ $name =~ ^[0-9.]+$ || $name == *:* ]]; then sans+=",IP:$name"; else sans+=",DNS:$name"; fi
done
openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN=rocketmq-appliance test CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=rocketmq" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth,clientAuth\n' "$sans" >server.ext
openssl x509 -req -days 825 -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -extfile server.ext -out server.pem 2>/dev/null
# openssl 3 writes PKCS#8 already; older ones write PKCS#1, which RocketMQ cannot read.
openssl pkcs8 -topk8 -nocrypt -in server.key -out server.key.p8 && mv server.key.p8 server.key
rm -f server.csr server.ext ca.srl
chmod 644 ca.pem server.pem
if [ "$(id -u)" = 0 ]; then
  chown 3000:3000 server.key
else
  chmod 644 server.key
  echo "certs.sh: not root, so $dir/server.key is readable by every local user (the containers' uid 3000 must read it)" >&2
fi
echo "certs.sh: $dir/ca.pem, server.pem and server.key for $sans"
