// compose/2m-2s-sync.yml end to end with the official Java client: topology, round trips, failover, under AUTH_ENABLED.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { twoMastersTwoSlaves } from "./modes.ts";

// With AUTH_ENABLED (ACL 2.0): replication, failover and the console work with every client signing;
// RocketMQ 4.9.7 runs this mode open (rocketmq-4.test.ts).
describeMode({ ...twoMastersTwoSlaves("sync"), auth: true, bootstrap: true }, await dockerAvailability());
