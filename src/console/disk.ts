// When a broker's disk use crosses RocketMQ's own thresholds, the console says what the broker does about it: above
// diskSpaceCleanForciblyRatio it deletes its oldest commit log files whether they were read or not; above
// diskSpaceWarningLevelRatio it marks its store full and refuses every new message (SERVICE_NOT_AVAILABLE) until
// space is freed. RocketMQ checks every 10 s (cleanResourceInterval); the console reads the same figures.

/**
 * Each threshold's default and the range RocketMQ 5 holds it to, in percent (read in the 5.5.0 store: a value set
 * above the range acts as its top). RocketMQ 4 reads them as JVM system properties, not broker keys: the defaults.
 */
const THRESHOLDS = {
  diskSpaceWarningLevelRatio: { fallback: 90, min: 35, max: 90 },
  diskSpaceCleanForciblyRatio: { fallback: 85, min: 30, max: 85 },
} as const;

/** A threshold in percent as the broker applies it: from its config, held to RocketMQ's range, else the default. */
function percent(config: Record<string, string> | undefined, key: keyof typeof THRESHOLDS): number {
  const { fallback, min, max } = THRESHOLDS[key];
  const value = Number(config?.[key]);
  return config?.[key] !== undefined && config[key] !== "" && Number.isFinite(value) ? Math.min(max, Math.max(min, value)) : fallback;
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
