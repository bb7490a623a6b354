// The chaos runner's checker: what a mode promises, and whether a run kept it. Pure: the clients' event lines
// (the test client's --events file) and the faults the runner injected in, a report out.

/** One line of the Java test client's --events file. */
export interface ClientEvent {
  /** A: acknowledged send (SEND_OK); N: stored with another status; E: failed attempt; R: received. */
  kind: "A" | "N" | "E" | "R";
  index: number;
  at: number;
  /** The broker (A, R) or the status (N). */
  detail: string;
  /** Where the message is (A, N, R): `<queueId>@<queueOffset>`, when the client wrote it. */
  position?: string;
}

export interface InjectedFault {
  name: string;
  /** The node hit, and the broker group it serves. */
  target: string;
  group: string;
  injectedAt: number;
  healedAt: number;
}

/**
 * What each mode promises under these faults; `lossAllowed` modes report their loss instead of failing on it.
 * `inFlightPerDeposition`: faults that can depose a running master (the controllers elect another while it is cut
 * off or frozen); each may cost the one write the runner's single producer had in flight at that instant, lost and
 * its queue offset skipped by the group (RocketMQ 5.5.0 acknowledges it on the old master alone, docs/operations.md),
 * and what the old master acknowledged with a replica that had not followed the new master yet (depositionWindows).
 */
export const PROMISES: Record<string, { lossAllowed: boolean; says: string; inFlightPerDeposition?: string[] }> = {
  single: { lossAllowed: false, says: "a stopped or killed broker's acknowledged messages come back with it" },
  "2m-noslave": {
    lossAllowed: false,
    says: "a master's acknowledged messages come back with it; the other master takes the sends meanwhile",
  },
  "2m-2s-async": {
    lossAllowed: true,
    says: "a killed master may lose what its slave had not received yet (reported); a paused or restarted one loses nothing",
  },
  "2m-2s-sync": { lossAllowed: false, says: "nothing acknowledged is lost: a SYNC_MASTER acknowledges once its slave has the message" },
  dledger: { lossAllowed: false, says: "nothing acknowledged is lost: the group elects a new leader from the majority that has it" },
  controller: {
    lossAllowed: false,
    says: "nothing acknowledged is lost (allAckInSyncStateSet=true, minInSyncReplicas=2) but what a running master acknowledges after it was deposed, until its replicas follow the new one: the controller promotes an in-sync replica",
    inFlightPerDeposition: ["partition", "pause"],
  },
};

/** How long after healing a fault still counts as its doing: until the next fault, at most this. */
export const AFTERMATH_MS = 30_000;

export interface FaultReport extends InjectedFault {
  /** The longest time without an acknowledged send, from injection to the end of its aftermath. */
  sendStallMs: number;
  /** The same for messages received. */
  consumeStallMs: number;
  /** From healing to the first send acknowledged by the group hit (broker-a) again (null: none came). */
  groupBackAfterMs: number | null;
  /** Messages received again (a second time or more) from injection to the end of its aftermath. */
  duplicated: number;
}

export interface ChaosReport {
  mode: string;
  /** The topic the load used (set by the runner). */
  topic?: string;
  promise: string;
  sent: number;
  acknowledged: number;
  /**
   * Of `lost`, how many were acknowledged by a deposed master between its successor's election and the last
   * replica's following it (controller mode; depositionWindows).
   */
  lostToDeposedMaster?: number;
  /** Stored with another status than SEND_OK (e.g. FLUSH_SLAVE_TIMEOUT), then sent again. */
  storedNotAcknowledged: number;
  /**
   * Acknowledged and gone: a new group reading the topic after the run does not find it (before that re-read, and
   * when it could not run: acknowledged and never received by the run's group).
   */
  lost: number;
  lostExamples: number[];
  /**
   * Acknowledged and still stored (a new group reads them after the run), but the run's group never received them:
   * its offsets moved past them. Counted only when the run's group missed some and the store was read again.
   */
  skipped?: number;
  skippedExamples?: number[];
  /** Per queue holding skipped messages: their offsets, and what the run's group received there (skippedWhere). */
  skippedWhere?: string[];
  /** A new group read the topic at the end (withReread): `lost` counts what the store no longer holds. */
  storeRead?: boolean;
  duplicated: number;
  longestSendGapMs: number;
  longestConsumeGapMs: number;
  faults: FaultReport[];
  /** Nodes that failed during the run (OOM-killed, restarted by Docker, stopped, a Java OutOfMemoryError): none, in every mode. */
  failedNodes?: string[];
  kept: boolean;
  why?: string;
}

const LINE = /^([ANER]) (\d{1,9}) (\d{13}) ?(\S{0,200})(?: (\d{1,5}@-?\d{1,19}))?$/;

/** The event lines a client wrote; a line that is not one (a partial last line) is skipped. */
export function parseEvents(text: string): ClientEvent[] {
  return text.split("\n").flatMap((line) => {
    const m = LINE.exec(line.trim());
    if (!m) return [];
    const event: ClientEvent = { kind: m[1] as ClientEvent["kind"], index: Number(m[2]), at: Number(m[3]), detail: m[4] ?? "" };
    if (m[5]) event.position = m[5];
    return [event];
  });
}

/** The longest time between two consecutive times (sorted), or 0 with fewer than two. */
function longestGap(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  let longest = 0;
  for (let i = 1; i < sorted.length; i++) longest = Math.max(longest, sorted[i]! - sorted[i - 1]!);
  return longest;
}

/**
 * The report of a run: `sent` messages, the clients' events, the faults injected; `loadEndedAt`, when the producer
 * was told to stop, ends the last fault's aftermath there (the quiet after the load is no stall).
 */
export function check(
  mode: string,
  sent: number,
  events: ClientEvent[],
  faults: InjectedFault[],
  loadEndedAt = Number.POSITIVE_INFINITY,
): ChaosReport {
  const promise = PROMISES[mode] ?? { lossAllowed: false, says: "nothing acknowledged is lost" };
  const acked = events.filter((e) => e.kind === "A");
  const received = events.filter((e) => e.kind === "R");
  const ackedIds = new Set(acked.map((e) => e.index));
  const times = new Map<number, number>();
  // When each message was received again: the fault whose window that falls in caused it.
  const againAt: number[] = [];
  for (const r of received) {
    const n = (times.get(r.index) ?? 0) + 1;
    times.set(r.index, n);
    if (n > 1) againAt.push(r.at);
  }
  const lostIds = missedIds(events);
  const duplicated = [...times.values()].reduce((sum, n) => sum + n - 1, 0);
  const firstAfter = (list: ClientEvent[], at: number) => {
    const next = list.filter((e) => e.at >= at).reduce<number | null>((min, e) => (min === null || e.at < min ? e.at : min), null);
    return next === null ? null : next - at;
  };
  // Stalls within [from, to]: the window's edges count as events, so a stall that spans one is measured from it.
  const stall = (list: ClientEvent[], from: number, to: number) =>
    longestGap([from, to, ...list.filter((e) => e.at >= from && e.at <= to).map((e) => e.at)]);
  const ordered = [...faults].sort((a, b) => a.injectedAt - b.injectedAt);
  const faultReports = ordered.map((f, i): FaultReport => {
    const end = Math.max(f.healedAt, Math.min(f.healedAt + AFTERMATH_MS, ordered[i + 1]?.injectedAt ?? Infinity, loadEndedAt));
    return {
      ...f,
      sendStallMs: stall(acked, f.injectedAt, end),
      consumeStallMs: stall(received, f.injectedAt, end),
      groupBackAfterMs: firstAfter(
        acked.filter((e) => e.detail === f.group),
        f.healedAt,
      ),
      duplicated: againAt.filter((at) => at >= f.injectedAt && at <= end).length,
    };
  });
  const report: ChaosReport = {
    mode,
    promise: promise.says,
    sent,
    acknowledged: ackedIds.size,
    storedNotAcknowledged: events.filter((e) => e.kind === "N").length,
    lost: lostIds.length,
    lostExamples: lostIds.slice(0, 10),
    duplicated,
    longestSendGapMs: longestGap(acked.map((e) => e.at)),
    longestConsumeGapMs: longestGap([...new Set(received.map((e) => e.at))]),
    faults: faultReports,
    kept: true,
  };
  if (report.acknowledged < sent) {
    report.kept = false;
    report.why = `${sent - report.acknowledged} of ${sent} sends were never acknowledged`;
  } else if (report.lost > 0 && !promise.lossAllowed) {
    report.kept = false;
    report.why = `${report.lost} acknowledged message(s) lost, e.g. ${report.lostExamples.join(", ")}`;
  }
  return report;
}

/**
 * The report once a new group has read the topic from its start after the run (`reread`: the indexes it received).
 * An acknowledged message it does not find is lost, even when the run's group had received it: a master that
 * acknowledged it alone and later rejoined as a replica threw it away (no one else can read it any more). One it
 * finds that the run's group never received was skipped: the group's offsets moved past it, and a group that skips
 * acknowledged messages breaks the promise too.
 */
export function withReread(report: ChaosReport, events: ClientEvent[], reread: Set<number>, elections: Election[] = []): ChaosReport {
  const acked = [...new Set(events.filter((e) => e.kind === "A").map((e) => e.index))].sort((a, b) => a - b);
  const lost = acked.filter((i) => !reread.has(i));
  const skipped = missedIds(events).filter((i) => reread.has(i));
  const promise = PROMISES[report.mode];
  const r: ChaosReport = {
    ...report,
    lost: lost.length,
    lostExamples: lost.slice(0, 10),
    skipped: skipped.length,
    skippedExamples: skipped.slice(0, 10),
    storeRead: true,
  };
  if (skipped.length) r.skippedWhere = skippedWhere(events, skipped);
  // At most one write in flight per fault that can depose a running master (the producer sends one at a time), and
  // what such a master acknowledged between its successor's election and the last replica's following it.
  const deposing = report.faults.filter((f) => promise?.inFlightPerDeposition?.includes(f.name));
  const windows = depositionWindows(elections, deposing);
  const ackedAt = new Map(events.filter((e) => e.kind === "A").map((e) => [e.index, e.at]));
  const inWindow = lost.filter((i) => windows.some((w) => ackedAt.get(i)! >= w.from && ackedAt.get(i)! <= w.to + ACK_EVENT_LAG_MS));
  if (inWindow.length) r.lostToDeposedMaster = inWindow.length;
  const inFlight = deposing.length + inWindow.length;
  // Sends never acknowledged stay the verdict (check's first reason); otherwise the re-read decides.
  if (report.acknowledged >= report.sent) {
    const whys = [
      ...(lost.length > inFlight && !promise?.lossAllowed
        ? [
            `${lost.length} acknowledged message(s) lost, e.g. ${lost.slice(0, 10).join(", ")}${inFlight ? ` (at most ${inFlight} allowed)` : ""}`,
          ]
        : []),
      ...(skipped.length > inFlight
        ? [
            `${skipped.length} acknowledged message(s) stored but never delivered to the group, e.g. ${skipped.slice(0, 10).join(", ")}${inFlight ? ` (at most ${inFlight} allowed)` : ""}`,
          ]
        : []),
    ];
    r.kept = whys.length === 0;
    r.why = whys.length ? whys.join("; ") : undefined;
  }
  return r;
}

/**
 * A replica group's election as its brokers log it (RocketMQ 5 controller mode): when the new master began to change
 * to master for `epoch`, and when each other replica, the deposed master included, began to follow it.
 */
export interface Election {
  epoch: number;
  masterAt: number;
  followedAt: number[];
}

/** How long after a broker acknowledged a write the producer's event for it may be written. */
export const ACK_EVENT_LAG_MS = 1000;

/**
 * The elections in brokers' logs (one log per broker, any order): "Begin to change to master, …, new Epoch:3" and
 * "Begin to change to slave, …, newMasterEpoch=3", each line starting with its ISO time.
 */
export function electionsInLogs(logs: string[]): Election[] {
  const byEpoch = new Map<number, Election>();
  const at = (line: string) => Date.parse(line.slice(0, line.indexOf(" ")));
  const election = (epoch: number) => byEpoch.get(epoch) ?? byEpoch.set(epoch, { epoch, masterAt: NaN, followedAt: [] }).get(epoch)!;
  for (const line of logs.flatMap((l) => l.split("\n"))) {
    const master = /Begin to change to master, .*new Epoch:(\d+)/.exec(line);
    if (master) election(Number(master[1])).masterAt = at(line);
    const slave = /Begin to change to slave, .*newMasterEpoch=(\d+)/.exec(line);
    if (slave) election(Number(slave[1])).followedAt.push(at(line));
  }
  return [...byEpoch.values()].filter((e) => Number.isFinite(e.masterAt)).sort((a, b) => a.epoch - b.epoch);
}

/**
 * The spans in which a deposed master may still acknowledge writes that its group then drops: from an election
 * during a fault that can depose a running master (or its aftermath) until the last replica followed the new master.
 * RocketMQ 5.5.0's old master drops a replica from its SyncStateSet as soon as that replica's link closes, without
 * the controllers (AutoSwitchHAService.removeConnection): once the new master has closed its link, the old one
 * acknowledges with the replica that has not followed yet, until it does (docs/operations.md).
 */
export function depositionWindows(elections: Election[], faults: InjectedFault[]): { from: number; to: number }[] {
  return elections
    .filter((e) => faults.some((f) => e.masterAt >= f.injectedAt && e.masterAt <= f.healedAt + AFTERMATH_MS))
    .map((e) => ({ from: e.masterAt, to: Math.max(e.masterAt, ...e.followedAt) }));
}

/** The report with the nodes that failed during the run: any at all breaks the promise, whatever the mode. */
export function withFailedNodes(report: ChaosReport, failedNodes: string[]): ChaosReport {
  if (!failedNodes.length) return { ...report, failedNodes };
  const why = `nodes failed: ${failedNodes.join("; ")}`;
  return { ...report, failedNodes, kept: false, why: report.why ? `${report.why}; ${why}` : why };
}

/**
 * Where skipped messages sit, a line per queue: their offsets, and the highest offset the run's group received in
 * that queue before and after them. A group that stopped pulling a queue received nothing after them; one whose
 * offset jumped past them received later offsets. Messages whose sender wrote no position are left out.
 */
export function skippedWhere(events: ClientEvent[], skipped: number[]): string[] {
  const ids = new Set(skipped);
  const queue = (e: ClientEvent) => `${e.detail} queue ${e.position!.split("@")[0]}`;
  const offset = (e: ClientEvent) => Number(e.position!.split("@")[1]);
  const byQueue = new Map<string, number[]>();
  for (const e of events)
    if (e.kind === "A" && e.position && ids.has(e.index)) byQueue.set(queue(e), [...(byQueue.get(queue(e)) ?? []), offset(e)]);
  return [...byQueue.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([where, offsets]) => {
      const [low, high] = [Math.min(...offsets), Math.max(...offsets)];
      const got = events.filter((e) => e.kind === "R" && e.position && queue(e) === where).map(offset);
      const below = got.filter((o) => o < low);
      const above = got.filter((o) => o > high);
      return (
        `${where}: skipped ${offsets.length} at offsets ${low}–${high}; the group received up to ` +
        `${below.length ? Math.max(...below) : "none"} before them and ${above.length ? `${above.length} after them, from ${Math.min(...above)}` : "nothing after them"}`
      );
    });
}

/** The ids the run's group missed: acknowledged, never received. */
export function missedIds(events: ClientEvent[]): number[] {
  const received = new Set(events.filter((e) => e.kind === "R").map((e) => e.index));
  return [...new Set(events.filter((e) => e.kind === "A").map((e) => e.index))].filter((i) => !received.has(i)).sort((a, b) => a - b);
}

/** A span for the reports: seconds with a decimal, or "never" for what did not happen. */
export const seconds = (ms: number | null | undefined): string => (ms == null ? "never" : `${(ms / 1000).toFixed(1)} s`);

/** The report as a few lines of text, for the runner's output. */
export function renderReport(r: ChaosReport): string {
  return [
    `${r.mode}: ${r.kept ? "kept its promise" : `BROKE its promise: ${r.why}`} (${r.promise})`,
    `  sent ${r.sent}, acknowledged ${r.acknowledged}, stored without SEND_OK ${r.storedNotAcknowledged}, lost ${r.lost}${r.lostToDeposedMaster ? ` (${r.lostToDeposedMaster} acknowledged by a deposed master before its replicas followed the new one)` : ""}${r.skipped === undefined ? "" : `, stored but skipped by the group ${r.skipped}`}, received twice or more ${r.duplicated}`,
    `  longest without an acknowledged send ${seconds(r.longestSendGapMs)}, without a message received ${seconds(r.longestConsumeGapMs)}`,
    ...(r.failedNodes?.length ? [`  nodes failed: ${r.failedNodes.join("; ")}`] : []),
    ...(r.skippedWhere ?? []).map((line) => `  skipped in ${line}`),
    `  | fault | target | lasted | longest without a send / a receive (to ${AFTERMATH_MS / 1000} s after) | its group sends again after healing | received again |`,
    "  |---|---|---|---|---|---|",
    ...r.faults.map(
      (f) =>
        `  | ${f.name} | ${f.target} | ${seconds(f.healedAt - f.injectedAt)} | ${seconds(f.sendStallMs)} / ${seconds(f.consumeStallMs)} | ${seconds(f.groupBackAfterMs)} | ${f.duplicated} |`,
    ),
  ].join("\n");
}
