// A crashed DLedger store of RocketMQ 5 starts with RocketMQ's clean-stop recovery (src/entrypoint/dledger-recovery.ts).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crashMarkerToClear, recoverCrashedDLedgerStore } from "../../src/entrypoint/dledger-recovery.ts";

const dledger = (key: string) => ({ enableDLegerCommitLog: "true" })[key];
const plain = () => undefined;
const all = () => true;

test("only a crashed DLedger store of RocketMQ 5 has its crash marker cleared", () => {
  assert.equal(crashMarkerToClear("5.5.0", dledger, "/store", all), "/store/abort");
  // A clean stop (no marker), another mode, RocketMQ 4 (whose DLedger crash recovery counts entries right): left alone.
  assert.equal(
    crashMarkerToClear("5.5.0", dledger, "/store", (p) => !p.endsWith("/abort")),
    undefined,
  );
  assert.equal(crashMarkerToClear("5.5.0", plain, "/store", all), undefined);
  assert.equal(crashMarkerToClear("4.9.7", dledger, "/store", all), undefined);
});

test("the marker goes, the queues, checkpoint, log and configuration stay, and the log says why", () => {
  const store = mkdtempSync(join(tmpdir(), "dledger-store-"));
  const kept = [
    "checkpoint",
    "consumequeue/Orders/0/00000000000000000000",
    "dledger-n0/data/00000000000000000000",
    "config/consumerOffset.json",
  ];
  for (const file of ["abort", ...kept]) {
    mkdirSync(join(store, file, ".."), { recursive: true });
    writeFileSync(join(store, file), "x");
  }
  assert.match(
    recoverCrashedDLedgerStore("5.5.0", dledger, store) ?? "",
    /last stop was a crash \(.*\/abort was there\): it starts with RocketMQ's recovery for a clean stop/,
  );
  assert.equal(existsSync(join(store, "abort")), false);
  for (const file of kept) assert.ok(existsSync(join(store, file)), file);
  assert.equal(recoverCrashedDLedgerStore("5.5.0", dledger, store), undefined, "a clean stop's start finds nothing to do");
});
