import { test } from "node:test";
import assert from "node:assert/strict";
import { hasEstablishedConnection } from "../../src/entrypoint/healthcheck.ts";

test("a slave's HA connection is found in /proc/net/tcp by the master's HA port", () => {
  const tcp = [
    "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
    "   0: 00000000:2E7B 00000000:0000 0A 00000000:00000000 00:00000000 00000000  3000        0 1 1",
    "   1: 050013AC:A2C4 040013AC:2AA0 01 00000000:00000000 00:00000000 00000000  3000        0 2 1",
    "   2: 050013AC:A2C6 040013AC:2A9F 06 00000000:00000000 00:00000000 00000000  3000        0 3 1",
  ].join("\n");
  assert.equal(hasEstablishedConnection(tcp, 10912), true); // 0x2AA0, state 01
  assert.equal(hasEstablishedConnection(tcp, 10911), false); // 0x2A9F, TIME_WAIT
  assert.equal(hasEstablishedConnection(tcp, 11979), false); // 0x2E7B, listening only
});
