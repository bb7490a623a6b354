// One store per broker. A second broker started on a store another one is using damages it before RocketMQ
// refuses it: in 5.5.0 its start deletes the running broker's abort marker (its crash flag) and rewrites the
// checkpoint, and only then fails on a lock. The lock cannot be seen from another container (/proc/locks shows only
// the locks of the reader's PID namespace), so the store carries a lease instead: a file naming the container that
// uses it, renewed every few seconds by the health watcher beside the JVM. A broker refuses to start on a store whose
// lease another container holds and still renews; a lease that is not renewed is a broker gone (stopped, killed,
// its container replaced by `docker compose down && up`), and is taken over.
import { readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";

export const LEASE_FILE = ".appliance-in-use";
/** A lease older than this is a broker gone (crashed, killed, stopped): its store is free. */
export const LEASE_SECONDS = 15;
/** How often the watcher renews, on a timer of its own: however long its checks take. */
export const RENEW_EVERY_MS = 2_000;
/** Four renewals missed: the holder is gone. */
export const RENEWAL_WAIT_MS = 8_000;
/** The runtime directory's file that tells the health watcher which lease to renew. */
export const LEASE_POINTER = "store-lease";

export interface Lease {
  holder: string;
  ageSeconds: number;
}

/** Why `self` may not take the store (another holder's live lease), or undefined. */
export function leaseConflict(lease: Lease | undefined, self: string, storeRoot: string): string | undefined {
  if (!lease || lease.holder === self || lease.ageSeconds > LEASE_SECONDS || lease.ageSeconds < -LEASE_SECONDS) return undefined;
  return (
    `${storeRoot} is in use by another broker (container ${JSON.stringify(lease.holder.slice(0, 64))}, seen ${Math.max(0, Math.round(lease.ageSeconds))} s ago). ` +
    `Two brokers on one store damage it; give each broker its own volume, or stop the other one and start this one ${LEASE_SECONDS} s later.`
  );
}

function readLease(file: string, now: number): Lease | undefined {
  try {
    const holder = readFileSync(file, "utf8").slice(0, 256).trim();
    return { holder, ageSeconds: (now - statSync(file).mtimeMs) / 1000 };
  } catch {
    return undefined; // none yet: a new store, or one from before leases
  }
}

/**
 * Takes the store's lease for `self` (the container's host name), or says why not. A fresh lease of another holder
 * is watched for a renewal first: none within RENEWAL_WAIT_MS, and its holder is gone.
 */
export async function claimStore(
  storeRoot: string,
  self: string,
  wait: (ms: number) => Promise<unknown> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<string | undefined> {
  const file = `${storeRoot}/${LEASE_FILE}`;
  if (leaseConflict(readLease(file, Date.now()), self, storeRoot)) {
    const seen = mtimeMs(file);
    await wait(RENEWAL_WAIT_MS);
    if (mtimeMs(file) !== seen) {
      const conflict = leaseConflict(readLease(file, Date.now()), self, storeRoot);
      if (conflict) return conflict;
    }
  }
  writeFileSync(file, `${self}\n`, { mode: 0o644 });
  return undefined;
}

function mtimeMs(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Renews the lease (the watcher, every check); a lease that went away is left alone. */
export function renewLease(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // The store is gone or not writable: the health check says so in its own way.
  }
}
