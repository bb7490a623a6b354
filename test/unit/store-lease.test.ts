import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LEASE_FILE, LEASE_SECONDS, claimStore, leaseConflict } from "../../src/entrypoint/store-lease.ts";

test("a lease another container holds and renewed lately is a conflict; its own, an old one or none is not", () => {
  assert.match(
    leaseConflict({ holder: "b1f2", ageSeconds: 2 }, "c3d4", "/store") ?? "",
    /\/store is in use by another broker \(container "b1f2", seen 2 s ago\)/,
  );
  assert.equal(leaseConflict({ holder: "c3d4", ageSeconds: 2 }, "c3d4", "/store"), undefined);
  assert.equal(leaseConflict({ holder: "b1f2", ageSeconds: LEASE_SECONDS + 1 }, "c3d4", "/store"), undefined);
  assert.equal(leaseConflict(undefined, "c3d4", "/store"), undefined);
});

test("a store is taken when free, refused while another holder renews its lease, taken over once it stops", async () => {
  const store = mkdtempSync(join(tmpdir(), "lease-"));
  const file = join(store, LEASE_FILE);
  assert.equal(await claimStore(store, "first", async () => {}), undefined);
  assert.equal(readFileSync(file, "utf8"), "first\n");
  // The first renews while the second watches: refused, and the lease is still the first's.
  const renewing = async () => {
    const later = new Date(Date.now() + 1000);
    utimesSync(file, later, later);
  };
  assert.match((await claimStore(store, "second", renewing)) ?? "", /in use by another broker \(container "first"/);
  assert.equal(readFileSync(file, "utf8"), "first\n");
  // The first is gone (no renewal while the second watches): the second takes the store.
  assert.equal(await claimStore(store, "second", async () => {}), undefined);
  assert.equal(readFileSync(file, "utf8"), "second\n");
  // A lease left by a container gone long ago is taken at once.
  writeFileSync(file, "old\n");
  const past = new Date(Date.now() - 60_000);
  utimesSync(file, past, past);
  let waited = false;
  assert.equal(await claimStore(store, "third", async () => (waited = true)), undefined);
  assert.equal(waited, false);
});
