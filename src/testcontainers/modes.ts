/** The cluster modes: one compose file each (compose/<mode>.yml), and the chart's `mode` values. */
export const CLUSTER_MODES = ["single", "2m-noslave", "2m-2s-async", "2m-2s-sync", "dledger", "controller"] as const;
export type ClusterMode = (typeof CLUSTER_MODES)[number];
