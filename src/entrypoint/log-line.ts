// The configurator's text log line, the one contract between the images and this module's error reports:
//   <ISO time> <LEVEL, padded to 5> [configurator] <message>
// log.ts beside it writes it (bundled into the images); the Testcontainers module (ready.ts) reads it back from
// `docker logs`.
// No imports: the images' bundle and the published module both carry this file as it is.

/** Marks the configurator's own lines among RocketMQ's in a container's log. */
export const CONFIGURATOR_MARKER = "[configurator]";

export interface LogLine {
  time: string;
  level: string;
  message: string;
}

export function formatLogLine(time: Date, level: string, message: string): string {
  return `${time.toISOString()} ${level.padEnd(5)} ${CONFIGURATOR_MARKER} ${message}`;
}

/** A line formatLogLine wrote, taken apart; undefined for any other line (RocketMQ's own, the JVM's). */
export function parseLogLine(line: string): LogLine | undefined {
  const marker = ` ${CONFIGURATOR_MARKER} `;
  const at = line.indexOf(marker);
  if (at < 0) return undefined;
  const [time, level, ...more] = line.slice(0, at).split(" ").filter(Boolean);
  if (!time || !level || more.length > 0) return undefined;
  return { time, level, message: line.slice(at + marker.length) };
}
