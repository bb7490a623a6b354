// The configurator's own log, through pino. `text` (default) prints lines shaped like RocketMQ's console
// output so `docker logs` reads as one stream; `json` keeps pino's records for log shippers.
import pino, { type Logger } from "pino";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

export function createLogger(format: "text" | "json", out: { write(s: string): unknown } = process.stdout): Logger {
  if (format === "json") return pino({ base: { component: "configurator" } }, pino.destination({ fd: 1, sync: true }));
  const textStream = {
    write(line: string): void {
      const record = JSON.parse(line) as { level: number; time: number; msg: string };
      out.write(`${new Date(record.time).toISOString()} ${(LEVELS[record.level] ?? "INFO").padEnd(5)} [configurator] ${record.msg}\n`);
    },
  };
  return pino({ base: undefined }, textStream);
}
