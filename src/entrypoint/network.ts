// The container's own address: what RocketMQ would auto-detect, picked explicitly so it can be logged.
import { networkInterfaces } from "node:os";

export function chooseAddress(interfaces: ReturnType<typeof networkInterfaces>): string | undefined {
  const candidates = Object.entries(interfaces)
    .sort(([a], [b]) => (a === "eth0" ? -1 : b === "eth0" ? 1 : a.localeCompare(b)))
    .flatMap(([, addrs]) => addrs ?? [])
    .filter((a) => !a.internal && a.family === "IPv4");
  return candidates[0]?.address;
}

export function detectAddress(): string | undefined {
  return chooseAddress(networkInterfaces());
}
