// A topic's messages between two times, newest first, a page at a time, without reading the window whole: each
// queue's offsets at the window's edges come from the broker's time index (SEARCH_OFFSET_BY_TIMESTAMP), and a page
// reads at most `pageSize` messages below each queue's cursor, merges them by store time and keeps the newest
// `pageSize`. The cursor says, per queue, where the next page continues. Bodies are cut to a preview once a
// filter has seen them, so a page holds at most queues × pageSize previews.
import { topicStats } from "./admin.ts";
import { mapLimit } from "./limit.ts";
import { masters, offsetAtTime, readQueue, type Namesrvs } from "./messages.ts";
import { queueIdOf } from "./route.ts";
import type { RemotingClient } from "./connection.ts";
import { previewOf, type DecodedMessage } from "./message-codec.ts";

export interface TimeWindow {
  topic: string;
  /** Store times, milliseconds since the epoch, both included. */
  begin: number;
  end: number;
  pageSize: number;
  /** From the previous page; none for the first. */
  cursor?: string;
  /** Case-insensitive text looked for in the tags, keys, property values and body; none: every message. */
  text?: string;
  /** Body bytes kept per message once the filter has seen the whole body. */
  previewBytes: number;
}

export interface WindowPage {
  /** This page's messages that match the filter, newest first. */
  messages: DecodedMessage[];
  /** Messages this page went through (newest first, matching or not). */
  scanned: number;
  /** Messages in the window, counted from the queues' offsets at its edges. */
  total: number;
  /** Where the next page starts; null when this page reached the window's beginning. */
  cursor: string | null;
}

/** A queue as the cursor's positions name it: <broker>/<queue id>. */
const queueKey = (brokerName: string, queueId: number) => `${brokerName}/${queueId}`;

/**
 * "broker-a/812.90.0.33,broker-b/5.6": per broker, the offset below which each queue continues, by queue id. A
 * queue at its window's beginning is listed at it; a queue the cursor does not list (added since) is left out.
 */
export function parseCursor(cursor: string | undefined): Map<string, number> {
  const positions = new Map<string, number>();
  for (const part of (cursor ?? "").split(",").filter(Boolean)) {
    const m = /^([%|a-zA-Z0-9_.:-]{1,255})\/(\d{1,15}(?:\.\d{1,15}){0,4095})$/.exec(part);
    if (!m) throw Object.assign(new Error(`cursor: "${part.slice(0, 80)}" is not <broker>/<offset>.<offset>…`), { statusCode: 400 });
    m[2]!.split(".").forEach((offset, queueId) => positions.set(queueKey(m[1]!, queueId), Number(offset)));
  }
  return positions;
}

function formatCursor(positions: { q: { m: { brokerName: string }; queueId: number }; next: number }[]): string {
  const byBroker = new Map<string, number[]>();
  for (const { q, next } of positions) {
    const offsets = byBroker.get(q.m.brokerName) ?? [];
    // The id indexes an array filled up to it: a broker's 4294967294 would be 4 G holes.
    offsets[queueIdOf(q.queueId, `${q.m.brokerName}'s queue id`)] = next;
    byBroker.set(q.m.brokerName, offsets);
  }
  return [...byBroker].map(([broker, offsets]) => `${broker}/${Array.from(offsets, (o) => o ?? 0).join(".")}`).join(",");
}

function matches(m: DecodedMessage, needle: string): boolean {
  const fields = [m.tags ?? "", ...m.keys, ...Object.values(m.properties), m.compressed ? "" : m.body.toString("utf8")];
  return fields.some((f) => f.toLowerCase().includes(needle));
}

export async function messagesBetween(client: RemotingClient, namesrvs: Namesrvs, w: TimeWindow): Promise<WindowPage> {
  const positions = parseCursor(w.cursor);
  const needle = w.text?.toLowerCase();
  const queues = (
    await mapLimit(await masters(client, namesrvs, w.topic), 4, async (m) => {
      const stats = await topicStats(client, m.address, w.topic);
      return mapLimit(stats, 8, async (q) => {
        // The time index is coarse at the edges (4.x answers the nearest message, and any of those stored in the
        // same millisecond): one message more on each side, then filtered by store time.
        const low = Math.max(q.minOffset, (await offsetAtTime(client, m, w.topic, q.queueId, w.begin - 1)) - 1);
        const high = Math.min(q.maxOffset, (await offsetAtTime(client, m, w.topic, q.queueId, w.end + 1)) + 1);
        const key = queueKey(m.brokerName, q.queueId);
        // A later page: a queue the cursor does not name is done (or new since the first page).
        const next = Math.max(low, Math.min(high, positions.get(key) ?? (w.cursor ? low : high)));
        return { m, queueId: q.queueId, key, low, high, next };
      });
    })
  ).flat();

  // Each queue's newest unread messages of the window, read `pageSize` at most.
  const read = await mapLimit(queues, 4, async (q) => {
    const from = Math.max(q.low, q.next - w.pageSize);
    // The filter sees the whole body as it arrives; only a preview is held after that.
    const candidates =
      q.next > from
        ? await readQueue(client, q.m, w.topic, q.queueId, from, q.next - from, (message) => {
            const inWindow = message.storeTimestamp >= w.begin && message.storeTimestamp <= w.end;
            return {
              q,
              message: previewOf(message, w.previewBytes),
              inWindow,
              match: inWindow && (!needle || matches(message, needle)),
            };
          })
        : [];
    return { q, from, candidates };
  });
  const taken = read
    .flatMap((r) => r.candidates.filter((c) => c.inWindow))
    .sort(
      (a, b) =>
        b.message.storeTimestamp - a.message.storeTimestamp ||
        a.q.key.localeCompare(b.q.key) ||
        b.message.queueOffset - a.message.queueOffset,
    )
    .slice(0, w.pageSize);
  const takenSet = new Set(taken);
  const after = read.map(({ q, from, candidates }) => {
    // Store time grows with the offset: what this page took from a queue is its newest part, and what is left
    // of it lies below. Messages stored after the window are passed over for good.
    const left = candidates.filter((c) => c.inWindow && !takenSet.has(c));
    const next = left.length
      ? Math.max(...left.map((c) => c.message.queueOffset)) + 1
      : from > q.low && !candidates.some((c) => c.message.storeTimestamp < w.begin)
        ? from
        : q.low;
    return { q, next };
  });
  const done = after.every(({ q, next }) => next <= q.low);
  return {
    messages: taken.filter((c) => c.match).map((c) => c.message),
    scanned: taken.length,
    total: queues.reduce((sum, q) => sum + Math.max(0, q.high - q.low), 0),
    cursor: done ? null : formatCursor(after),
  };
}
