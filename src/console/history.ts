// History without a database: the figures the console already reads (each broker's put and get TPS and disk use,
// each user topic's TPS, each consumer group's lag and consume TPS), sampled on a fixed interval into bounded
// in-memory rings: a day at one-minute resolution by default. It is lost when the console restarts; Prometheus
// scraping /metrics keeps what outlives it. Everything here but `startSampling` is pure.
import type { BrokerView, ClusterSource, GroupDetail, TopicsWritten } from "./cluster-source.ts";

export interface HistorySettings {
  intervalMs: number;
  /** Samples kept per series: intervalMs × points is how far back the charts reach. */
  points: number;
  /** At most this many user topics (by name) and groups are sampled: each costs requests and a ring. */
  maxTopics: number;
  maxGroups: number;
}

export type SeriesKind = "brokerTpsIn" | "brokerTpsOut" | "brokerDisk" | "topicTps" | "groupLag" | "groupTps";

// A newline is in no RocketMQ name, so kind and name cannot run into each other.
const seriesKey = (kind: SeriesKind, name: string) => `${kind}\n${name}`;

/**
 * Rings of one capacity sharing one clock: every series has a slot for every sample time, empty (NaN) where it
 * had no value. Values are 32-bit floats: exact to 16 million, then to 7 digits, enough for a chart at a quarter
 * of the memory of numbers.
 */
export class Rings {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly series = new Map<string, Float32Array>();
  /** The sample number each series last had a value at. */
  private readonly lastSet = new Map<string, number>();
  private appended = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
  }

  get size(): number {
    return this.series.size;
  }

  /** One sample: its time and the values it has; every other series gets no value at that time. */
  append(at: number, values: ReadonlyMap<string, number>): void {
    const slot = this.appended % this.capacity;
    this.times[slot] = at;
    for (const ring of this.series.values()) ring[slot] = NaN;
    for (const [key, value] of values) {
      let ring = this.series.get(key);
      if (!ring) {
        ring = new Float32Array(this.capacity).fill(NaN);
        this.series.set(key, ring);
      }
      ring[slot] = value;
      this.lastSet.set(key, this.appended);
    }
    this.appended++;
    // A series without a value anywhere in the ring (a deleted topic, a broker gone) is dropped.
    for (const [key, n] of this.lastSet) {
      if (this.appended - n > this.capacity) {
        this.series.delete(key);
        this.lastSet.delete(key);
      }
    }
  }

  /** The sample times at or after `since`, oldest first, and each key's values at them (null: none). */
  read(keys: readonly string[], since = -Infinity): { times: number[]; values: (number | null)[][] } {
    const slots: number[] = [];
    for (let n = Math.max(0, this.appended - this.capacity); n < this.appended; n++) {
      const slot = n % this.capacity;
      if (this.times[slot]! >= since) slots.push(slot);
    }
    return {
      times: slots.map((s) => this.times[s]!),
      values: keys.map((key) => {
        const ring = this.series.get(key);
        return slots.map((s) => (ring && !Number.isNaN(ring[s]!) ? ring[s]! : null));
      }),
    };
  }

  /** The names of one kind's series. */
  names(kind: SeriesKind): string[] {
    const prefix = seriesKey(kind, "");
    return [...this.series.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }
}

/** One reading of the cluster; null where that part could not be read. */
export interface Reading {
  brokers: BrokerView[] | null;
  topics: TopicsWritten | null;
  groups: GroupDetail[] | null;
  errors: string[];
}

export interface Chart {
  intervalSeconds: number;
  times: number[];
  series: { name: string; values: (number | null)[] }[];
}

const brokerLabel = (b: Pick<BrokerView, "brokerName" | "brokerId">) => `${b.brokerName}/${b.brokerId}`;
const mean = (values: (number | null)[]) => {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? known.reduce((a, b) => a + b, 0) / known.length : -1;
};

export class History {
  readonly settings: HistorySettings;
  private readonly rings: Rings;
  /** Each topic's written count at the previous sample, for its TPS over the interval. */
  private previous: { at: number; written: Map<string, number> } | undefined;
  /** What the last reading could not read, and how many topics were past the limit. */
  lastErrors: string[] = [];
  skippedTopics = 0;

  constructor(settings: HistorySettings) {
    this.settings = settings;
    this.rings = new Rings(settings.points);
  }

  get seriesCount(): number {
    return this.rings.size;
  }

  /** Turns one reading into the sample at `at`. */
  record(at: number, reading: Reading): void {
    const values = new Map<string, number>();
    const put = (kind: SeriesKind, name: string, value: number | null | undefined) => {
      if (value !== null && value !== undefined && Number.isFinite(value)) values.set(seriesKey(kind, name), value);
    };
    for (const b of reading.brokers ?? []) {
      put("brokerTpsIn", brokerLabel(b), b.tpsIn);
      put("brokerTpsOut", brokerLabel(b), b.tpsOut);
      put("brokerDisk", brokerLabel(b), b.diskUsedRatio);
    }
    if (reading.topics) {
      const before = this.previous;
      const seconds = before ? (at - before.at) / 1000 : 0;
      for (const [topic, written] of reading.topics.written) {
        const was = before?.written.get(topic);
        // A count that went down is a topic deleted and made again: no rate for this interval.
        if (was !== undefined && seconds > 0 && written >= was) put("topicTps", topic, (written - was) / seconds);
      }
      this.previous = { at, written: reading.topics.written };
      this.skippedTopics = reading.topics.skipped;
    }
    const groups = [...(reading.groups ?? [])].sort((a, b) => a.name.localeCompare(b.name)).slice(0, this.settings.maxGroups);
    for (const g of groups) {
      put("groupLag", g.name, g.lag);
      put("groupTps", g.name, g.consumeTps);
    }
    this.lastErrors = reading.errors;
    this.rings.append(at, values);
  }

  private chart(kinds: { kind: SeriesKind; name: string; label?: string }[], since: number): Chart {
    const { times, values } = this.rings.read(
      kinds.map((k) => seriesKey(k.kind, k.name)),
      since,
    );
    return {
      intervalSeconds: this.settings.intervalMs / 1000,
      times,
      series: kinds.map((k, i) => ({ name: k.label ?? k.name, values: values[i]! })),
    };
  }

  /** The cluster's page: each broker's TPS in and out and disk use, the busiest topics and the most lagging groups. */
  overview(since: number, top = 10): { tpsIn: Chart; tpsOut: Chart; disk: Chart; topTopics: Chart; topGroups: Chart } {
    const brokers = this.rings.names("brokerTpsIn").sort();
    const ranked = (kind: SeriesKind) => {
      const names = this.rings.names(kind);
      const { values } = this.rings.read(
        names.map((n) => seriesKey(kind, n)),
        since,
      );
      return names
        .map((name, i) => ({ name, rank: mean(values[i]!) }))
        .filter((n) => n.rank > 0)
        .sort((a, b) => b.rank - a.rank || a.name.localeCompare(b.name))
        .slice(0, top)
        .map((n) => ({ kind, name: n.name }));
    };
    return {
      tpsIn: this.chart(
        brokers.map((name) => ({ kind: "brokerTpsIn", name })),
        since,
      ),
      tpsOut: this.chart(
        brokers.map((name) => ({ kind: "brokerTpsOut", name })),
        since,
      ),
      disk: this.chart(
        this.rings
          .names("brokerDisk")
          .sort()
          .map((name) => ({ kind: "brokerDisk", name })),
        since,
      ),
      topTopics: this.chart(ranked("topicTps"), since),
      topGroups: this.chart(ranked("groupLag"), since),
    };
  }

  topic(name: string, since: number): Chart {
    return this.chart([{ kind: "topicTps", name, label: "TPS" }], since);
  }

  group(name: string, since: number): Chart {
    return this.chart(
      [
        { kind: "groupLag", name, label: "lag" },
        { kind: "groupTps", name, label: "consume TPS" },
      ],
      since,
    );
  }

  /** Small lines for the lists: each named topic's TPS or group's lag. */
  sparklines(kind: "topics" | "groups", names: readonly string[], since: number): Chart {
    const series: SeriesKind = kind === "topics" ? "topicTps" : "groupLag";
    return this.chart(
      names.map((name) => ({ kind: series, name })),
      since,
    );
  }
}

/** Reads what one sample needs; a part that fails is null, with why in `errors`. */
export async function readCluster(source: ClusterSource, settings: HistorySettings): Promise<Reading> {
  const errors: string[] = [];
  const failed = (what: string) => (e: Error) => {
    errors.push(`${what}: ${e.message}`);
    return null;
  };
  const [overview, topics, progress] = await Promise.all([
    source.overview().catch(failed("brokers")),
    settings.maxTopics > 0 ? source.topicsWritten(settings.maxTopics).catch(failed("topics")) : null,
    settings.maxGroups > 0 ? source.groupsProgress().catch(failed("groups")) : null,
  ]);
  errors.push(...(topics?.errors ?? []), ...(progress?.errors ?? []));
  return { brokers: overview?.brokers ?? null, topics, groups: progress?.groups ?? null, errors };
}

/**
 * Samples now and then every interval until stopped. A reading that takes longer than the interval delays the
 * next one instead of piling requests onto a slow cluster.
 */
export function startSampling(history: History, source: ClusterSource, now: () => number = Date.now): () => void {
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const sample = async () => {
    const at = now();
    const reading = await readCluster(source, history.settings);
    if (stopped) return;
    history.record(at, reading);
    timer = setTimeout(sample, Math.max(0, at + history.settings.intervalMs - now()));
    timer.unref();
  };
  void sample();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
