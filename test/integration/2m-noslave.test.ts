// compose/2m-noslave.yml with the compose/proxy.yml overlay: topology, round trips, failover, and clients through the proxy.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { twoMastersNoSlave } from "./modes.ts";

describeMode(twoMastersNoSlave(undefined, { proxy: true }), await dockerAvailability());
