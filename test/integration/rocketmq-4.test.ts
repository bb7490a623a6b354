// RocketMQ 4.9.7 (the newest 4.x with server jars on Maven Central) through the same compose files:
// 2m-2s-sync and DLedger, with the same checks as 5.x (the single mode's 4.9.7 cluster is upgrade.test.ts's).
import { dockerAvailability } from "./harness.ts";
import { describeMode } from "./cluster.ts";
import { dledger, twoMastersTwoSlaves } from "./modes.ts";

const VERSION = "4.9.7";
const skip = await dockerAvailability();
describeMode(twoMastersTwoSlaves("sync", VERSION), skip);
describeMode(dledger(VERSION), skip);
