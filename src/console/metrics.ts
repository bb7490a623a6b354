// Prometheus /metrics (text exposition 0.0.4): the cluster's figures as the console sees them (rocketmq_*) and the
// console's own (rocketmq_console_*). Rendering is pure; gathering reuses the console's cached, bounded reads.
import type { BrokerView, GroupDetail } from "./cluster-source.ts";

/** Counts HTTP requests by route, method and status, for rocketmq_console_http_requests_total. */
export class HttpRequestCounter {
  private readonly counts = new Map<string, number>();
  count(route: string, method: string, status: number): void {
    const key = JSON.stringify([route, method, String(status)]);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }
  entries(): { route: string; method: string; status: string; count: number }[] {
    return [...this.counts].map(([key, count]) => {
      const [route, method, status] = JSON.parse(key) as [string, string, string];
      return { route, method, status, count };
    });
  }
}

export interface MetricsInput {
  brokers: BrokerView[];
  /** Consumer groups' progress (system groups left out); null when the cluster could not be read. */
  groups: GroupDetail[] | null;
  requests: HttpRequestCounter;
  memory: { rss: number; heapUsed: number };
  scrapeErrors: string[];
}

const escape = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (l: Record<string, string | number>) =>
  `{${Object.entries(l)
    .map(([k, v]) => `${k}="${escape(String(v))}"`)
    .join(",")}}`;

export function renderMetrics(input: MetricsInput): string {
  const out: string[] = [];
  const family = (
    name: string,
    type: "gauge" | "counter",
    help: string,
    samples: { labels?: Record<string, string | number>; value: number | null }[],
  ) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const s of samples)
      if (s.value !== null && Number.isFinite(s.value)) out.push(`${name}${s.labels ? labels(s.labels) : ""} ${s.value}`);
  };
  const id = (b: BrokerView) => ({ cluster: b.cluster, broker: b.brokerName, broker_id: b.brokerId, address: b.address });
  family(
    "rocketmq_broker_up",
    "gauge",
    "1 when the broker answered the console's runtime-info request.",
    input.brokers.map((b) => ({ labels: id(b), value: b.error ? 0 : 1 })),
  );
  family(
    "rocketmq_broker_info",
    "gauge",
    "Role and version of each broker the name server lists.",
    input.brokers.map((b) => ({ labels: { ...id(b), role: b.role, version: b.version ?? "unknown" }, value: 1 })),
  );
  family(
    "rocketmq_broker_put_tps",
    "gauge",
    "Messages written per second (last 10 s).",
    input.brokers.map((b) => ({ labels: id(b), value: b.tpsIn })),
  );
  family(
    "rocketmq_broker_get_tps",
    "gauge",
    "Messages read per second (last 10 s).",
    input.brokers.map((b) => ({ labels: id(b), value: b.tpsOut })),
  );
  family(
    "rocketmq_broker_disk_used_ratio",
    "gauge",
    "Share of the commit log's disk in use.",
    input.brokers.map((b) => ({ labels: id(b), value: b.diskUsedRatio })),
  );
  if (input.groups) {
    const lag = input.groups.flatMap((g) => {
      const byTopic = new Map<string, number>();
      for (const q of g.queues) byTopic.set(q.topic, (byTopic.get(q.topic) ?? 0) + q.lag);
      return [...byTopic].map(([topic, value]) => ({ labels: { group: g.name, topic }, value }));
    });
    family("rocketmq_group_lag", "gauge", "Messages not yet consumed by the group, per topic (all masters).", lag);
    family(
      "rocketmq_group_consume_tps",
      "gauge",
      "Messages consumed per second by the group.",
      input.groups.map((g) => ({ labels: { group: g.name }, value: g.consumeTps })),
    );
  }
  family("rocketmq_console_scrape_errors", "gauge", "Reads of the cluster that failed while gathering these metrics.", [
    { value: input.scrapeErrors.length },
  ]);
  family(
    "rocketmq_console_http_requests_total",
    "counter",
    "HTTP requests the console answered.",
    input.requests.entries().map((e) => ({ labels: { route: e.route, method: e.method, status: e.status }, value: e.count })),
  );
  family("rocketmq_console_resident_memory_bytes", "gauge", "Resident memory of the console process.", [{ value: input.memory.rss }]);
  family("rocketmq_console_heap_used_bytes", "gauge", "V8 heap in use.", [{ value: input.memory.heapUsed }]);
  return `${out.join("\n")}\n`;
}
