// compose/dledger.yml end to end with the official Java client: topology, round trips, failover.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { dledger } from "./modes.ts";

describeMode(dledger(), await dockerAvailability());
