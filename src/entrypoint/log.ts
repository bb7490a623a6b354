// The configurator's own log, through pino. `text` (default) prints lines shaped like RocketMQ's console
// output so `docker logs` reads as one stream; `json` keeps pino's records for log shippers.
import pino, { type Logger } from "pino";
// The text line's format is the Testcontainers module's too: it reads these lines back from `docker logs`.
import { formatLogLine } from "./log-line.ts";

const LEVELS: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO", 40: "WARN", 50: "ERROR", 60: "FATAL" };

export function createLogger(format: "text" | "json", out: { write(s: string): unknown } = process.stdout): Logger {
  if (format === "json") return pino({ base: { component: "configurator" } }, pino.destination({ fd: 1, sync: true }));
  const textStream = {
    write(line: string): void {
      const record = JSON.parse(line) as { level: number; time: number; msg: string };
      out.write(`${formatLogLine(new Date(record.time), LEVELS[record.level] ?? "INFO", record.msg)}\n`);
    },
  };
  return pino({ base: undefined }, textStream);
}
