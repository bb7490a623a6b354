// compose/2m-2s-async.yml end to end with the official Java client: topology, round trips, failover.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { twoMastersTwoSlaves } from "./modes.ts";

describeMode(twoMastersTwoSlaves("async"), await dockerAvailability());
