// compose/controller.yml end to end with the official Java client: topology, round trips, failover, under AUTH_ENABLED.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { controller } from "./modes.ts";

// With AUTH_ENABLED (ACL 2.0): election, replication, failover and the console work with every client signing.
describeMode({ ...controller(), auth: true, bootstrap: true }, await dockerAvailability());
