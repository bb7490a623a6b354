import { test } from "node:test";
import assert from "node:assert/strict";
import { createServer, type AddressInfo } from "node:net";
import { hasEstablishedConnection, masterHaPort } from "../../src/entrypoint/healthcheck.ts";
import { RESPONSE_FLAG, decodeCommands, encodeCommand } from "../../src/remoting/codec.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { RemotingClient } from "../../src/remoting/connection.ts";

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

/** A master that answers GET_BROKER_CONFIG with `config`, counting the requests. */
async function fakeMaster(config: string): Promise<{ address: string; port: number; asked: () => number; close: () => void }> {
  let asked = 0;
  const server = createServer((socket) => {
    socket.on("data", (data) => {
      for (const c of decodeCommands(data).commands) {
        if (c.code === RequestCode.GET_BROKER_CONFIG) asked++;
        socket.write(encodeCommand({ code: 0, opaque: c.opaque, flag: RESPONSE_FLAG, body: Buffer.from(config) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { address: `127.0.0.1:${port}`, port, asked: () => asked, close: () => server.close() };
}

test("a slave looks for its master's HA port where the master says it is: haListenPort (RocketMQ 5), else listenPort+1", async () => {
  const client = new RemotingClient();
  const moved = await fakeMaster("brokerName=broker-a\nhaListenPort=30000\n");
  const unset = await fakeMaster("brokerName=broker-a\nhaListenPort=0\n");
  try {
    assert.equal(await masterHaPort(client, new Map(), moved.address), 30000);
    assert.equal(await masterHaPort(client, new Map(), unset.address), unset.port + 1);
    // The slave's own haMasterAddress wins in RocketMQ: the master is not asked.
    assert.equal(await masterHaPort(client, new Map([["haMasterAddress", "10.0.0.9:40000"]]), moved.address), 40000);
    assert.equal(moved.asked(), 1);
  } finally {
    client.close();
    moved.close();
    unset.close();
  }
});
