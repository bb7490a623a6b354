// compose/2m-noslave.yml end to end with the official Java client: topology, round trips, failover.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { twoMastersNoSlave } from "./modes.ts";

describeMode(twoMastersNoSlave(), await dockerAvailability());
