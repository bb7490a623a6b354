// Round trips of the clients that run as programs of their own, each a real client we did not write: Apache
// RocketMQ's Go client (remoting, through the name servers), its 5.x Python client and its 5.x Java client (gRPC,
// through the proxy). Each is built on first use into build/, and rebuilt when its sources are newer.
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { runRoundTripProgram, type RoundTrip } from "../../bench/clients/round-trip.ts";
import { javaGrpcClientCommand } from "./java-client.ts";
import { once, upToDate } from "./build-once.ts";
import { REPO_ROOT } from "../integration/harness.ts";

const run = promisify(execFile);
const GO_SOURCE = join(REPO_ROOT, "test", "clients", "go");
const GO_BINARY = join(REPO_ROOT, "build", "go-client", "roundtrip");
const PYTHON_SOURCE = join(REPO_ROOT, "test", "clients", "python");
const PYTHON_VENV = join(REPO_ROOT, "build", "python-client");

const buildGo = once(async () => {
  const sources = ["main.go", "go.mod", "go.sum"].map((f) => join(GO_SOURCE, f));
  if (await upToDate(GO_BINARY, sources)) return;
  const go = existsSync("/usr/local/go/bin/go") ? "/usr/local/go/bin/go" : "go";
  await run(go, ["build", "-buildvcs=false", "-o", GO_BINARY, "."], { cwd: GO_SOURCE, timeout: 10 * 60_000 }).catch(
    (e: Error & { stderr?: string }) => {
      throw new Error(`go build of test/clients/go failed (Go 1.26 or newer is needed): ${e.stderr ?? e.message}`);
    },
  );
});

const buildPython = once(async () => {
  const requirements = join(PYTHON_SOURCE, "requirements.txt");
  const stamp = join(PYTHON_VENV, "installed.stamp");
  if (await upToDate(stamp, [requirements])) return;
  try {
    await run("python3", ["-m", "venv", "--clear", PYTHON_VENV], { timeout: 120_000 });
    await run(join(PYTHON_VENV, "bin", "pip"), ["install", "-q", "--disable-pip-version-check", "-r", requirements], {
      timeout: 10 * 60_000,
    });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`the Python client's virtual environment (build/python-client) could not be made: ${err.stderr ?? err.message}`);
  }
  writeFileSync(stamp, `${new Date().toISOString()}\n`);
});

/** github.com/apache/rocketmq-client-go/v2 through the name servers (`address`: "host:9876[;host:9876]"). */
export const goRoundTrip: RoundTrip = async (...roundTrip) => {
  await buildGo();
  return runRoundTripProgram("Go (rocketmq-client-go)", GO_BINARY, [], ...roundTrip);
};

/** rocketmq-python-client through the proxy's gRPC port (`address`: "host:8081"). */
export const pythonRoundTrip: RoundTrip = async (...roundTrip) => {
  await buildPython();
  return runRoundTripProgram(
    "Python (rocketmq-python-client)",
    join(PYTHON_VENV, "bin", "python"),
    [join(PYTHON_SOURCE, "round_trip.py")],
    ...roundTrip,
  );
};

/** rocketmq-client-java (5.x, gRPC) through the proxy's gRPC port (`address`: "host:8081"). */
export const javaGrpcRoundTrip: RoundTrip = async (...roundTrip) => {
  const { command, args } = await javaGrpcClientCommand();
  return runRoundTripProgram("Java (rocketmq-client-java)", command, args, ...roundTrip);
};

// `node test/clients/programs.ts` builds all three ahead of the tests (CI does, in the background).
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await Promise.all([buildGo(), buildPython(), javaGrpcClientCommand()]);
  console.log("the Go, Python and 5.x Java round-trip clients are built");
}
