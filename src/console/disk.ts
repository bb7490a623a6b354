// When a broker's disk use crosses RocketMQ's own thresholds, the console says what the broker does about it: above
// diskSpaceCleanForciblyRatio it deletes its oldest commit log files whether they were read or not; above
// diskSpaceWarningLevelRatio it marks its store full and refuses every new message (SERVICE_NOT_AVAILABLE) until
// space is freed. RocketMQ checks every 10 s (cleanResourceInterval); the console reads the same figures.

/** RocketMQ 4 reads these two as JVM system properties, not broker keys; its defaults (RocketMQ 5's too). */
const DEFAULT_PERCENT = { diskSpaceWarningLevelRatio: 90, diskSpaceCleanForciblyRatio: 85 } as const;

/** A threshold in percent from the broker's config, else RocketMQ's default. */
function percent(config: Record<string, string> | undefined, key: keyof typeof DEFAULT_PERCENT): number {
  const value = Number(config?.[key]);
  return Number.isFinite(value) && value > 0 && value <= 100 ? value : DEFAULT_PERCENT[key];
}

/** What the broker does at `usedRatio` (0–1) of its commit log's disk, worst first; nothing below both thresholds. */
export function diskWarnings(usedRatio: number | null, config: Record<string, string> | undefined): string[] {
  if (usedRatio === null) return [];
  const used = `disk ${(usedRatio * 100).toFixed(1)} % used`;
  const full = percent(config, "diskSpaceWarningLevelRatio");
  const forcibly = percent(config, "diskSpaceCleanForciblyRatio");
  if (usedRatio * 100 > full) {
    return [`${used}, above diskSpaceWarningLevelRatio ${full} %: the broker refuses new messages until space is freed`];
  }
  if (usedRatio * 100 > forcibly) {
    return [`${used}, above diskSpaceCleanForciblyRatio ${forcibly} %: the broker deletes its oldest commit log files, read or not`];
  }
  return [];
}
