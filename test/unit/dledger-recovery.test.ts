import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { dledgerRecoveryPlan, recoverCrashedDLedgerStore } from "../../src/entrypoint/dledger-recovery.ts";

const dledger = (key: string) => ({ enableDLegerCommitLog: "true" })[key];
const plain = () => undefined;

test("a crashed DLedger store of RocketMQ 5 loses its consume queues and checkpoint before the start; nothing else does", () => {
  const all = () => true;
  assert.deepEqual(dledgerRecoveryPlan("5.5.0", dledger, "/store", all)?.remove, ["/store/consumequeue", "/store/checkpoint"]);
  // A clean stop (no abort marker), another mode, RocketMQ 4 (whose DLedger recovery keeps its queues): left alone.
  assert.equal(
    dledgerRecoveryPlan("5.5.0", dledger, "/store", (p) => !p.endsWith("/abort")),
    undefined,
  );
  assert.equal(dledgerRecoveryPlan("5.5.0", plain, "/store", all), undefined);
  assert.equal(dledgerRecoveryPlan("4.9.7", dledger, "/store", all), undefined);
  // A crash before any queue was written: nothing to remove.
  assert.equal(
    dledgerRecoveryPlan("5.5.0", dledger, "/store", (p) => p.endsWith("/abort")),
    undefined,
  );
});

test("the recovery removes the queues and checkpoint on disk, keeps the commit log and the configuration, and says what it did", () => {
  const store = mkdtempSync(join(tmpdir(), "dledger-store-"));
  for (const dir of ["consumequeue/Orders/0", "dledger-n0/data", "config"]) mkdirSync(join(store, dir), { recursive: true });
  for (const file of [
    "abort",
    "checkpoint",
    "consumequeue/Orders/0/00000000000000000000",
    "dledger-n0/data/00000000000000000000",
    "config/consumerOffset.json",
  ])
    writeFileSync(join(store, file), "x");
  const said = recoverCrashedDLedgerStore("5.5.0", dledger, store);
  assert.match(said ?? "", /last stop was a crash .* removed .*\/consumequeue, .*\/checkpoint$/);
  assert.equal(existsSync(join(store, "consumequeue")), false);
  assert.equal(existsSync(join(store, "checkpoint")), false);
  for (const kept of ["abort", "dledger-n0/data/00000000000000000000", "config/consumerOffset.json"])
    assert.ok(existsSync(join(store, kept)), kept);
  assert.equal(recoverCrashedDLedgerStore("5.5.0", dledger, store), undefined, "a second start finds nothing more to remove");
});
