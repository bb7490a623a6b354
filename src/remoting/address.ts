// Addresses as RocketMQ writes them: `host:port` (an IPv6 host keeps its colons; the port is after the last one),
// name-server lists joined by ';', and a bounded TCP connect to one.
import { Socket } from "node:net";

export class AddressError extends Error {
  constructor(address: string, reason: string) {
    super(`${address}: ${reason}`);
    this.name = "AddressError";
  }
}

/** "host:port" → [host, port]; throws AddressError for anything else. */
export function splitAddress(address: string): [string, number] {
  const i = address.lastIndexOf(":");
  const port = Number(address.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new AddressError(address, "not a host:port address");
  return [address.slice(0, i), port];
}

/** "a:9876; b:9876" → ["a:9876", "b:9876"]: the NAMESRV_ADDR form, blanks and empty entries dropped. */
export function splitNamesrvList(list: string): string[] {
  return list
    .split(";")
    .map((a) => a.trim())
    .filter(Boolean);
}

export interface DialResult {
  ok: boolean;
  /** The socket error's code (ECONNREFUSED, EHOSTUNREACH, …) or ETIMEDOUT. */
  code?: string;
  ms: number;
}

/** One TCP connect, closed at once; never rejects: the outcome says whether and how fast it connected. */
export function tcpConnect(host: string, port: number, timeoutMs = 3000): Promise<DialResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = new Socket();
    const done = (r: Omit<DialResult, "ms">) => {
      socket.destroy();
      resolve({ ...r, ms: Math.round(performance.now() - started) });
    };
    socket.setTimeout(timeoutMs, () => done({ ok: false, code: "ETIMEDOUT" }));
    socket.once("connect", () => done({ ok: true }));
    socket.once("error", (e: NodeJS.ErrnoException) => done({ ok: false, code: e.code ?? e.message }));
    socket.connect(port, host);
  });
}
