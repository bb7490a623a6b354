// A DLedger broker of RocketMQ 5 that crashed (killed, OOM-killed, its machine gone) loses consume-queue entries when
// it starts again. Its recovery (DLedgerCommitLog.dledgerRecoverAbnormally, 5.5.0) scans the commit log and adds up
// each entry's size without DLedger's entry header, so it takes the log's end for some 50 bytes per entry earlier than
// it is, and cuts every consume queue back to that position: the last topics written lose their entries (whole
// queue files), and RocketMQ's re-dispatch then starts further on. The commit log still holds those messages, but on
// that node no consumer can reach them: once it leads its group, a consumer group new to the topic, or one behind,
// skips them. The cut is made only when a consume queue reaches past that position; without consume queues, the same
// scan rebuilds every one of them from the commit log. So before a crashed DLedger broker starts, its consume queues
// go, and with them the store's checkpoint, so that the scan starts at the log's first file rather than where the
// checkpoint says the queues were complete. The price: a restart after a crash reads the whole commit log once.
import { existsSync, rmSync } from "node:fs";

/** What a crashed store's start removes, and why; undefined when nothing is to be done. */
export interface RecoveryPlan {
  remove: string[];
  reason: string;
}

/**
 * The plan for a broker of RocketMQ `version` whose settings `setting` gives (undefined: not set), with its store
 * under `storeRoot`; `exists` tells whether a path exists. Only RocketMQ 5 and later, in DLedger mode, after a crash
 * (the `abort` marker RocketMQ removes when it stops cleanly).
 */
export function dledgerRecoveryPlan(
  version: string,
  setting: (key: string) => string | undefined,
  storeRoot: string,
  exists: (path: string) => boolean,
): RecoveryPlan | undefined {
  if (Number(version.split(".")[0]) < 5 || setting("enableDLegerCommitLog") !== "true") return undefined;
  if (!exists(`${storeRoot}/abort`)) return undefined;
  const remove = [`${storeRoot}/consumequeue`, `${storeRoot}/checkpoint`].filter(exists);
  if (remove.length === 0) return undefined;
  return {
    remove,
    reason:
      "the broker's last stop was a crash (its store's abort marker is there): its consume queues and checkpoint are removed, " +
      "and RocketMQ rebuilds them from the DLedger commit log as it starts (its own recovery would cut them short; docs/operations.md)",
  };
}

/** Carries the plan out; returns what it says, for the log, or undefined when there was nothing to do. */
export function recoverCrashedDLedgerStore(
  version: string,
  setting: (key: string) => string | undefined,
  storeRoot: string,
): string | undefined {
  const plan = dledgerRecoveryPlan(version, setting, storeRoot, existsSync);
  if (!plan) return undefined;
  for (const path of plan.remove) rmSync(path, { recursive: true, force: true });
  return `${plan.reason}: removed ${plan.remove.join(", ")}`;
}
