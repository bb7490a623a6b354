// RocketMQ 4.9.7 (the newest 4.x with server jars on Maven Central) through the same compose files:
// single, 2m-2s-sync and DLedger, with the same checks as 5.x.
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { dledger, single, twoMastersTwoSlaves } from "./modes.ts";

const VERSION = "4.9.7";
const skip = await dockerAvailability();
describeMode(single(VERSION), skip);
describeMode(twoMastersTwoSlaves("sync", VERSION), skip);
describeMode(dledger(VERSION), skip);
