// JVM memory from the container's limit. RocketMQ's scripts assume a dedicated 16+ GB host (8g heap and 15g
// direct memory for a broker); in a container that means an OOM kill. We size from the cgroup limit instead.
import type { Role } from "../catalogue/catalogue.ts";
import type { ContainerSettings } from "./variables.ts";

const MiB = 1024 * 1024;

interface Policy {
  heapShare: number;
  /** 0: no -XX:MaxDirectMemorySize (the JVM's default, the heap size). */
  directShare: number;
  minDirectMiB: number;
  minHeapMiB: number;
  maxHeapMiB: number;
  /** Assumed limit when the container has none: a sane middle, not the whole host. */
  unlimitedAsMiB: number;
}

const POLICIES: Record<Role, Policy> = {
  // A broker also needs direct memory (Netty, transient store) and page cache for the mmap'ed commit log.
  broker: { heapShare: 0.4, directShare: 0.2, minDirectMiB: 128, minHeapMiB: 256, maxHeapMiB: 8192, unlimitedAsMiB: 4096 },
  namesrv: { heapShare: 0.5, directShare: 0, minDirectMiB: 0, minHeapMiB: 128, maxHeapMiB: 4096, unlimitedAsMiB: 1024 },
  // The proxy keeps no store: heap for client sessions and routes, direct memory for the gRPC and remoting
  // servers' Netty buffers (without a cap the JVM would allow as much again as the heap).
  proxy: { heapShare: 0.5, directShare: 0.15, minDirectMiB: 128, minHeapMiB: 256, maxHeapMiB: 4096, unlimitedAsMiB: 1024 },
};

/**
 * The direct memory a broker's store needs whatever its share: RocketMQ gives each thread that appends to the
 * commit log its own encoder, a direct buffer of maxMessageSize + 64 KiB (4.06 MiB by default), zeroed at once
 * and kept while the thread lives. Pop consumers (every gRPC client, through the proxy) make each pull and ack
 * thread such a writer; without room for them pops fail with "Cannot reserve 4259840 bytes of direct buffer
 * memory" and gRPC receives time out. Thread counts are RocketMQ's defaults for the CPUs the JVM sees, or the
 * broker's settings where given.
 */
export interface BrokerThreads {
  cpus: number;
  /** A broker key's value when set (environment or file), else undefined for RocketMQ's default. */
  setting: (key: string) => string | undefined;
}

/** Netty's buffers and the rest of the broker's direct memory, beside the writers' encoders. */
const BROKER_DIRECT_BESIDE_WRITERS_MiB = 64;

export function brokerWriterDirectMiB({ cpus, setting }: BrokerThreads): { mib: number; why: string } {
  const num = (key: string, fallback: number) => {
    const n = Number(setting(key));
    return Number.isInteger(n) && n > 0 ? n : fallback;
  };
  const writers =
    num("pullMessageThreadPoolNums", 16 + 2 * cpus) +
    num("ackMessageThreadPoolNums", 16) +
    num("sendMessageThreadPoolNums", Math.min(cpus, 4)) +
    num("reviveQueueNum", 8) +
    // Delayed messages: one delivery thread per delay level (18) and one more; timer messages: its three putters.
    19 +
    3;
  const encoderBytes = num("maxMessageSize", 4 * MiB) + 64 * 1024;
  const mib = Math.ceil((writers * encoderBytes) / MiB) + BROKER_DIRECT_BESIDE_WRITERS_MiB;
  return {
    mib,
    why: `${writers} store-writing threads × ${(encoderBytes / MiB).toFixed(2)} MiB + ${BROKER_DIRECT_BESIDE_WRITERS_MiB} MiB for ${cpus} CPU(s)`,
  };
}

export interface JvmMemory {
  heap: string;
  directMemory?: string;
  decision: string;
}

export function sizeMemory(role: Role, limitBytes: number | undefined, container: ContainerSettings, threads?: BrokerThreads): JvmMemory {
  const policy = POLICIES[role];
  const limitMiB = limitBytes ? Math.floor(limitBytes / MiB) : undefined;
  const basisMiB = limitMiB ?? policy.unlimitedAsMiB;
  const basis = limitMiB
    ? `container memory limit ${limitMiB} MiB`
    : `no container memory limit; sizing as for ${policy.unlimitedAsMiB} MiB (set --memory, or JAVA_HEAP)`;

  /** A share of the basis within bounds, and the reason shown for it. */
  const sized = (share: number, min: number, max: number, of: string): [number, string] => {
    const raw = Math.floor(basisMiB * share);
    const mib = clamp(raw, min, max);
    const pct = `${Math.round(share * 100)}% of ${of}`;
    return [mib, mib === raw ? pct : `the ${mib === min ? "floor" : "ceiling"} ${mib} MiB; ${pct} would be ${raw} MiB`];
  };

  const [heapMiB, heapShareWhy] = sized(policy.heapShare, policy.minHeapMiB, policy.maxHeapMiB, `the ${basis}`);
  const heap = container.JAVA_HEAP ?? `${heapMiB}m`;
  const heapWhy = container.JAVA_HEAP ? "JAVA_HEAP" : heapShareWhy;

  let directMemory: string | undefined;
  let directWhy = "";
  if (policy.directShare > 0) {
    let [directMiB, directShareWhy] = sized(policy.directShare, policy.minDirectMiB, Infinity, "the same");
    const writers = role === "broker" && threads ? brokerWriterDirectMiB(threads) : undefined;
    if (writers && writers.mib > directMiB)
      [directMiB, directShareWhy] = [writers.mib, `the store's need: ${writers.why}; ${directShareWhy}`];
    directMemory = container.JAVA_DIRECT_MEMORY ?? `${directMiB}m`;
    directWhy = container.JAVA_DIRECT_MEMORY ? "JAVA_DIRECT_MEMORY" : directShareWhy;
  }
  const decision =
    `heap ${heap} (${heapWhy})` +
    (directMemory ? `, direct memory ${directMemory} (${directWhy})` : "") +
    // Named, not shown: JVM options may carry -D passwords (the argfile has them, readable by this user only).
    (container.JAVA_OPT_EXT ? "; JAVA_OPT_EXT appended last, so its options win" : "");
  return { heap, directMemory, decision };
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/** Parses cgroup v2 `memory.max` or v1 `memory.limit_in_bytes`; "max" or a near-2^63 value means none. */
export function parseMemoryLimit(text: string | undefined): number | undefined {
  const raw = text?.trim();
  if (!raw || raw === "max") return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0 || n >= 2 ** 60) return undefined;
  return n;
}

/** CPUs a cgroup quota allows (v2 `cpu.max` "quota period", or v1 quota and period), rounded up; undefined: none. */
export function parseCpuQuota(v2: string | undefined, v1Quota?: string, v1Period?: string): number | undefined {
  const [quota, period] = v2 !== undefined ? v2.trim().split(/\s+/).map(Number) : [Number(v1Quota?.trim()), Number(v1Period?.trim())];
  return quota! > 0 && period! > 0 ? Math.max(1, Math.ceil(quota! / period!)) : undefined;
}
