// A DLedger broker of RocketMQ 5 that crashed (killed, OOM-killed) starts again with RocketMQ's recovery for a clean
// stop. RocketMQ tells a crash by its store's `abort` marker, and its crash recovery of a DLedger commit log
// (DLedgerCommitLog.dledgerRecoverAbnormally, 5.5.0) does two things wrong:
// - it adds up each entry's size without DLedger's entry header, so it takes the log's end for some 50 bytes per
//   entry earlier than it is, and cuts every consume queue that reaches past that point: the last topics written
//   lose their queue files, the re-dispatch starts further on, and no consumer on that node reaches those messages
//   again (upstream's fix, apache/rocketmq 384e56e, is not released);
// - it indexes every entry it scans, those never committed too; when the node rejoins its group, DLedger drops
//   them from its log, but not from the consume queues, whose later entries then point at other messages.
// The clean-stop recovery has neither fault: DLedger checks its own log, the consume queues keep what they hold
// (a crashed process's writes are in the page cache), and RocketMQ indexes on from their end up to the group's
// committed position only; a node that becomes leader waits for that before it takes writes.
import { existsSync, rmSync } from "node:fs";

/** The crash marker to remove before the start; undefined when the store is left as it is. */
export function crashMarkerToClear(
  version: string,
  setting: (key: string) => string | undefined,
  storeRoot: string,
  exists: (path: string) => boolean,
): string | undefined {
  if (Number(version.split(".")[0]) < 5 || setting("enableDLegerCommitLog") !== "true") return undefined;
  const marker = `${storeRoot}/abort`;
  return exists(marker) ? marker : undefined;
}

/** Clears the marker of a crashed RocketMQ 5 DLedger store; returns what it did, for the log, or undefined. */
export function recoverCrashedDLedgerStore(
  version: string,
  setting: (key: string) => string | undefined,
  storeRoot: string,
): string | undefined {
  const marker = crashMarkerToClear(version, setting, storeRoot, existsSync);
  if (!marker) return undefined;
  rmSync(marker, { force: true });
  return (
    `the broker's last stop was a crash (${marker} was there): it starts with RocketMQ's recovery for a clean stop, ` +
    "as RocketMQ 5's recovery of a crashed DLedger store would cut its consume queues short (docs/operations.md)"
  );
}
