// Which topics and consumer groups are RocketMQ's own and which are users': the lists, the charts and /metrics
// tell them apart the same way.

export type TopicKind = "normal" | "retry" | "dlq" | "system";

/**
 * What a topic is for. `ownNames` are the cluster's broker and cluster names: every broker keeps a topic named
 * after itself and its cluster (RocketMQ's own, for routing to one broker).
 */
export function topicKind(name: string, ownNames: ReadonlySet<string> = new Set()): TopicKind {
  if (name.startsWith("%RETRY%")) return "retry";
  if (name.startsWith("%DLQ%")) return "dlq";
  if (ownNames.has(name)) return "system";
  return /^(TBW102|SCHEDULE_TOPIC_XXXX|RMQ_SYS_.*|rmq_sys_.*|BenchmarkTest|OFFSET_MOVED_EVENT|SELF_TEST_TOPIC|TRANS_CHECK_MAX_TIME_TOPIC|DefaultCluster.*|.*_REPLY_TOPIC|%SYS%.*)$/.test(
    name,
  )
    ? "system"
    : "normal";
}

export function isSystemGroup(name: string): boolean {
  return /^(TOOLS_CONSUMER|FILTERSRV_CONSUMER|SELF_TEST_C_GROUP|CID_ONS-HTTP-PROXY|CID_ONSAPI_.*|CID_ONS_.*|CID_RMQ_SYS_.*|CID_SYS_RMQ_TRANS|__MONITOR_CONSUMER|SCHEDULE_CONSUMER|RMQ_SYS_.*)$/.test(
    name,
  );
}
