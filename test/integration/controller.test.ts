// compose/controller.yml end to end with the official Java client: topology, round trips, failover.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { controller } from "./modes.ts";

describeMode(controller(), await dockerAvailability());
