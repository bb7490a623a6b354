// compose/secure: authentication and TLS on a whole cluster (2m-2s-sync with the proxy and the bootstrap service),
// as a user starts it: certificates from compose/secure/certs.sh, AUTH_ADMIN_PASSWORD and TLS_DIR from the shell.
// Every node refuses plaintext; clients we did not write (the official Java client with tls.enable,
// rocketmq-client-nodejs through the proxy) round-trip over TLS with credentials and are refused without them;
// the health checks, the bootstrap service and the console speak TLS to the cluster, and the console serves HTTPS.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:http2";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { oneShotWith, request } from "../../src/remoting/client.ts";
import { brokersOf, clusterInfo } from "../../src/remoting/cluster.ts";
import { RequestCode } from "../../src/remoting/codes.ts";
import { grpcRoundTrip } from "../clients/grpc-client.ts";
import { javaTlsOptions, prepareJavaClient, roundTripArgs, runJavaClientOnHost } from "../clients/java-client.ts";
import { report } from "./cluster.ts";
import { ComposeProject, PUBLISH_ADDR, REPO_ROOT, dockerAvailability, ensureImages, eventually, onHost, sh, uniqueId } from "./harness.ts";

const skip = await dockerAvailability();
/** CI fails when this value appears anywhere in the test output. */
const PASSWORD = "S3cr3t-VALUE-xyz";
const CAROL = { accessKey: "carol", secretKey: "Car0l-pw-1732050" };
const NAMESRVS = `${onHost(9876)};${onHost(9877)}`;
const CONSOLE_PORT = 8082;

describe("compose/secure: ACL 2.0 and TLS (enforcing) on 2m-2s-sync with the proxy", { skip }, () => {
  const tlsDir = join(mkdtempSync(join(tmpdir(), "secure-")), "tls");
  const bootstrapFile = join(tlsDir, "..", "bootstrap.yml");
  let ca: Buffer;
  let project: ComposeProject;
  const files = ["proxy", join(REPO_ROOT, "compose/secure/2m-2s-sync.yml"), join(REPO_ROOT, "compose/secure/proxy.yml")];
  /** The Java client's TLS: on, checking the server's chain against the test CA. */
  const javaTls = () => javaTlsOptions(`${tlsDir}/ca.pem`);
  const tls = () => oneShotWith({ tls: { ca } });

  before(async () => {
    await Promise.all([ensureImages(), prepareJavaClient()]);
    const certs = await sh("bash", [join(REPO_ROOT, "compose/secure/certs.sh"), tlsDir, PUBLISH_ADDR]);
    assert.equal(certs.code, 0, certs.stderr);
    ca = readFileSync(join(tlsDir, "ca.pem"));
    writeFileSync(
      bootstrapFile,
      [
        "users:",
        `  - username: ${CAROL.accessKey}`,
        `    password: ${CAROL.secretKey}`,
        "    policies:",
        "      - resource: Topic:Secure*",
        "        actions: [Pub, Sub]",
        "      - resource: Group:secure*",
        "        actions: [Sub]",
        "topics:",
        "  - name: SecureTopic",
        "    queues: 4",
        // A topic of its own: a new pop consumer group on SecureTopic would start behind the Java test's messages.
        "  - name: SecureGrpcTopic",
        "    queues: 2",
      ].join("\n"),
    );
    project = new ComposeProject("rocketmq-secure", "2m-2s-sync", {
      overlays: files,
      env: { AUTH_ADMIN_PASSWORD: PASSWORD, TLS_DIR: tlsDir, BOOTSTRAP_FILE: bootstrapFile },
    });
    const started = Date.now();
    await project.ok("--profile", "bootstrap", "up", "-d", "--wait");
    report(`secure: 2m-2s-sync + proxy + bootstrap with auth and TLS healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });
  after(async () => {
    await project?.run("--profile", "bootstrap", "down", "-v", "-t", "1");
  });

  test("without AUTH_ADMIN_PASSWORD or TLS_DIR the overlay refuses to start and says what to set", async () => {
    for (const [unset, message] of [
      ["AUTH_ADMIN_PASSWORD", /set AUTH_ADMIN_PASSWORD \(8 or more characters\)/],
      ["TLS_DIR", /set TLS_DIR to a directory with ca\.pem, server\.pem and server\.key/],
    ] as const) {
      const env = { AUTH_ADMIN_PASSWORD: PASSWORD, TLS_DIR: tlsDir, [unset]: "" };
      const r = await new ComposeProject("rocketmq-secure-check", "2m-2s-sync", { overlays: files, env }).run("config", "--quiet");
      assert.notEqual(r.code, 0, unset);
      assert.match(r.stderr, message);
    }
  });

  test("every name server, broker and the proxy refuse plaintext and answer TLS (health checks and bootstrap got through)", async () => {
    const info = await clusterInfo(onHost(9876), tls());
    const brokers = brokersOf(info).map((b) => b.address);
    assert.equal(brokers.length, 4, JSON.stringify(info.brokerAddrTable));
    for (const address of [onHost(9876), onHost(9877), onHost(8080), ...brokers]) {
      await assert.rejects(request(address, RequestCode.GET_BROKER_CLUSTER_INFO, { timeoutMs: 10_000 }), address);
      const r = await tls().request(address, RequestCode.GET_BROKER_CLUSTER_INFO, { timeoutMs: 10_000 });
      assert.ok(typeof r.code === "number", address);
    }
    // The bootstrap service (TLS to every broker) created the topic on every master and slave.
    await eventually(async () => {
      const route = await tls().request(onHost(9876), RequestCode.GET_ROUTEINFO_BY_TOPIC, { extFields: { topic: "SecureTopic" } });
      assert.equal(route.code, 0, route.remark);
    }, 30_000);
  });

  test("the official Java client over TLS: carol round-trips 1000 messages; anonymous is refused by the broker; plaintext fails", async () => {
    const runId = uniqueId("secure");
    const ok = await runJavaClientOnHost(roundTripArgs(NAMESRVS, "SecureTopic", 1000, runId), {
      credentials: CAROL,
      jvmOptions: javaTls(),
    });
    assert.match(ok.stdout, /SENT 1000 ok=1000/, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /RECEIVED 1000\b/, ok.stdout + ok.stderr);

    const send = ["--namesrv", NAMESRVS, "--topic", "SecureTopic", "--count", "1", "--mode", "send", "--timeout-seconds"];
    const anonymous = await runJavaClientOnHost([...send, "20", "--run-id", uniqueId("anon")], { jvmOptions: javaTls() });
    assert.notEqual(anonymous.code, 0, anonymous.stdout);
    assert.match(anonymous.stderr + anonymous.stdout, /CODE: 16\b/);

    // Nothing to wait for: a plaintext client never gets a frame back (5 s of retries is plenty).
    const plaintext = await runJavaClientOnHost([...send, "5", "--run-id", uniqueId("plain")], { credentials: CAROL });
    assert.notEqual(plaintext.code, 0, plaintext.stdout);
    assert.match(plaintext.stdout, /SENT 0 ok=0/);
  });

  test("rocketmq-client-nodejs through the proxy's gRPC port over TLS with credentials; without TLS the port closes", async () => {
    const result = await grpcRoundTrip(onHost(8081), "SecureGrpcTopic", 50, uniqueId("secure-grpc"), {
      credentials: CAROL,
      tlsCaFile: join(tlsDir, "ca.pem"),
    });
    assert.deepEqual(result, { sent: 50, received: 50 });
    // Without TLS the gRPC port closes the connection before any answer (the client itself would retry for minutes).
    const plaintext = await new Promise<string>((resolve) => {
      const session = connect(`http://${onHost(8081)}`);
      session.on("error", (e) => resolve(`error ${e.message}`));
      session.on("close", () => resolve("closed"));
      const call = session.request({
        ":method": "POST",
        ":path": "/apache.rocketmq.v2.MessagingService/QueryRoute",
        "content-type": "application/grpc",
      });
      call.on("response", (headers) => resolve(`answered ${JSON.stringify(headers)}`));
      call.on("error", (e) => resolve(`error ${e.message}`));
      call.end();
    });
    assert.doesNotMatch(plaintext, /^answered/);
  });

  test("the console serves HTTPS only, with a Secure cookie, and lists every broker over TLS", async () => {
    await assert.rejects(fetch(`http://${onHost(CONSOLE_PORT)}/healthz`));
    const logs = await project.ok("logs", "--no-color", "console");
    const password = /generated password for user admin: (\S+) \(shown once\)/.exec(logs)?.[1];
    assert.ok(password, "the console printed its generated password");
    const login = await https("POST", "/api/login", { user: "admin", password });
    assert.equal(login.status, 200, login.body);
    assert.match(login.cookie, /; Secure/);
    const cluster = await https("GET", "/api/cluster", undefined, login.cookie.split(";")[0]);
    const { brokers } = JSON.parse(cluster.body) as { brokers: { brokerName: string; role: string; version: string | null }[] };
    assert.deepEqual(brokers.map((b) => `${b.brokerName} ${b.role} ${b.version}`).sort(), [
      "broker-a master V5_5_0",
      "broker-a slave V5_5_0",
      "broker-b master V5_5_0",
      "broker-b slave V5_5_0",
    ]);
  });

  test("no password in any container's log or in print-config", async () => {
    const logs = await project.ok("--profile", "bootstrap", "logs", "--no-color");
    for (const secret of [PASSWORD, CAROL.secretKey]) assert.ok(!logs.includes(secret), "a password is in the logs");
    const printed = await sh("docker", ["exec", project.container("broker-a"), "docker-entrypoint", "print-config"]);
    assert.equal(printed.code, 0, printed.stderr);
    assert.match(printed.stdout, /tls\.server\.mode=enforcing/);
    assert.ok(!printed.stdout.includes(PASSWORD), "the password is in print-config");
  });

  /** One request to the console over HTTPS, trusting the test CA. */
  function https(method: string, path: string, body?: unknown, cookie?: string): Promise<{ status: number; body: string; cookie: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = httpsRequest(
        {
          host: PUBLISH_ADDR,
          port: CONSOLE_PORT,
          path,
          method,
          ca,
          headers: {
            ...(payload ? { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } : {}),
            ...(cookie ? { cookie } : {}),
          },
        },
        (res) => {
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, cookie: String(res.headers["set-cookie"] ?? "") }));
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
});
