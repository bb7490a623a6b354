// Host ports for a broker that is published one-to-one: the name server hands clients brokerIP1:listenPort
// verbatim, so the host port must equal the container port, for listenPort−2 (fast), listenPort and
// listenPort+1 (HA) alike.
import { createServer } from "node:net";

/**
 * Below Linux's ephemeral range (32768–60999), where Docker and the OS pick random ports: a port chosen here
 * is not taken by a random mapping between the check and the container's start.
 */
const LOW = 20_000;
const HIGH = 32_000;

/** Whether nothing on this machine listens on `port` (all interfaces). */
function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once("error", () => resolve(false));
    server.listen({ port, host: "0.0.0.0", exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/** `count` consecutive free ports; random start so that parallel test processes rarely pick the same ones. */
export async function freeConsecutivePorts(count: number, avoid: ReadonlySet<number> = new Set()): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const first = LOW + Math.floor(Math.random() * (HIGH - LOW - count));
    const ports = Array.from({ length: count }, (_, i) => first + i);
    if (ports.some((p) => avoid.has(p))) continue;
    if ((await Promise.all(ports.map(isFree))).every(Boolean)) return first;
  }
  throw new Error(`no ${count} consecutive free ports between ${LOW} and ${HIGH}`);
}

/** Docker's error when a published host port is taken by the time the container starts. */
export function isPortClash(error: unknown): boolean {
  return /port is already allocated|address already in use/i.test(String((error as Error)?.message ?? error));
}

/**
 * The compose files' PUBLISH_ADDR for a test whose Docker host is `host`: loopback when the tests reach Docker on
 * this machine's loopback, all interfaces otherwise (tests in a container reach the host's ports through its
 * bridge gateway, e.g. 172.17.0.1, where a 127.0.0.1 binding is not reachable).
 */
export function publishAddressFor(host: string): string {
  return /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i.test(host) ? "127.0.0.1" : "0.0.0.0";
}
