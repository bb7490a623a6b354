// charts/rocketmq without a cluster: for every mode × {defaults, each external-access type, auth, 4.9.7},
// `helm lint --strict` and `helm template` pass, every object decodes strictly into the Kubernetes API types
// (test/helm/validate), and the rendered pods keep the rules that matter: probes from the image's health check,
// memory limits, non-root, pinned images, secrets only in Secrets, anti-affinity per broker group, port triplets
// one-to-one, only documented variables, and the same variables as the compose files of the mode.
import { before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "../../scripts/docs-tables.ts";
import { MODES_FILE, readEnvFile, type ModesFile } from "../../scripts/chart-modes.ts";
import {
  CHART,
  HELM,
  MODES,
  catalogueVersion,
  containers,
  envOf,
  imageProblems,
  isDocumentedVariable,
  missingTools,
  parseObjects,
  quantity,
  roleOf,
  run,
  template,
  validatorBinary,
  workloads,
  type K8sObject,
  type Mode,
} from "./chart.ts";

const missing = await missingTools();
// CI installs helm and go (.ci/run): there a missing tool is a failure, not a reason to skip.
if (missing && process.env.CI === "true") {
  test("helm and go are installed", () => assert.fail(missing));
}
const skip = missing ?? false;

// The value .ci/run looks for in the test output: a secret must never reach it, nor an env value or a ConfigMap.
const SECRET = "S3cr3t-VALUE-xyz";
const CONSOLE_SECRET = "S3cr3t-VALUE-xyz-console";
const MODES_ON_4: readonly Mode[] = MODES.filter((m) => m !== "controller");

interface Variant {
  name: string;
  args: string[];
  tag: string;
}

function variants(mode: Mode): Variant[] {
  const lbAddresses = brokerNames(mode).flatMap((name, i) => ["--set", `externalAccess.addresses.${name}=203.0.113.${10 + i}`]);
  const external = (type: string, extra: string[] = []) => [
    "--set",
    "externalAccess.enabled=true",
    "--set",
    `externalAccess.type=${type}`,
    ...extra,
  ];
  const list: Variant[] = [
    { name: "defaults", args: [], tag: "5.5.0" },
    { name: "external NodePort", args: external("NodePort"), tag: "5.5.0" },
    { name: "external LoadBalancer", args: external("LoadBalancer", lbAddresses), tag: "5.5.0" },
    { name: "external hostNetwork", args: external("hostNetwork"), tag: "5.5.0" },
    {
      name: "auth",
      args: ["--set", "auth.enabled=true", "--set", `auth.adminPassword=${SECRET}`, "--set", `console.password=${CONSOLE_SECRET}`],
      tag: "5.5.0",
    },
  ];
  if (MODES_ON_4.includes(mode)) list.push({ name: "4.9.7", args: ["--set", "image.tag=4.9.7"], tag: "4.9.7" });
  return list;
}

/** The chart's files/modes.yaml, generated from env/ (test/unit/chart-modes.test.ts fails when it is stale). */
const MODES_YAML = parse(readFileSync(join(REPO_ROOT, MODES_FILE), "utf8")) as ModesFile;

/** The broker nodes of a mode with its default group count, as env/<mode>/ names them. */
function brokerNames(mode: Mode): string[] {
  return MODES_YAML.modes[mode]!.groups.flatMap((g) => g.nodes.map((n) => n.name));
}

let validator = "";
before(() => {
  if (!skip) validator = validatorBinary();
});

function render(mode: Mode, args: string[]): K8sObject[] {
  const r = template(["--set", `mode=${mode}`, ...args]);
  assert.equal(r.code, 0, `helm template failed:\n${r.stderr}`);
  const v = run(validator, [], r.stdout);
  assert.equal(v.code, 0, `strict validation failed:\n${v.stderr}${v.stdout.split("\n").slice(-2).join("\n")}`);
  return parseObjects(r.stdout);
}

const byName = (objects: K8sObject[], kind: string, name: string): K8sObject | undefined =>
  objects.find((o) => o.kind === kind && o.metadata.name === name);

/** The broker StatefulSets by node name (broker-a, broker-a-s, broker-a-n0, ...). */
function brokers(objects: K8sObject[]): Map<string, K8sObject> {
  return new Map(
    workloads(objects)
      .filter((w) => w.metadata.labels?.["app.kubernetes.io/component"] === "broker")
      .map((w) => [w.spec.template.metadata.labels["rocketmq/node"] as string, w]),
  );
}

function checkPods(objects: K8sObject[], tag: string): void {
  for (const w of workloads(objects)) {
    const pod = w.spec.template.spec;
    const where = `${w.kind} ${w.metadata.name}`;
    assert.ok(pod.terminationGracePeriodSeconds >= 60, `${where}: terminationGracePeriodSeconds`);
    assert.equal(pod.securityContext?.runAsNonRoot, true, `${where}: runAsNonRoot`);
    assert.ok(pod.securityContext?.runAsUser > 0, `${where}: runAsUser`);
    assert.equal(pod.automountServiceAccountToken, false, `${where}: no API token`);
    // The kubelet's <SERVICE>_SERVICE_HOST variables would fall under the images' prefixes and stop the pod.
    assert.equal(pod.enableServiceLinks, false, `${where}: no service-link variables`);
    for (const c of containers(w)) {
      const role = roleOf(c.image);
      const health = role === "console" ? ["/usr/local/bin/node", "/opt/console/healthcheck.cjs"] : ["docker-entrypoint", "healthcheck"];
      for (const probe of ["readinessProbe", "startupProbe"] as const) {
        assert.deepEqual(c[probe]?.exec?.command, health, `${where}/${c.name}: ${probe} runs the image's health check`);
      }
      // Liveness: the node's own port answers (a broker that no name server lists is not restarted).
      const livePort = c.livenessProbe?.tcpSocket?.port;
      assert.ok(
        (c.ports ?? []).some((p) => p.name === livePort),
        `${where}/${c.name}: livenessProbe dials one of its ports (${String(livePort)})`,
      );
      assert.ok(c.resources?.limits?.memory, `${where}/${c.name}: memory limit`);
      assert.ok(c.resources?.requests?.memory, `${where}/${c.name}: memory request`);
      assert.equal(c.securityContext?.allowPrivilegeEscalation, false, `${where}/${c.name}: allowPrivilegeEscalation`);
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${where}/${c.name}: readOnlyRootFilesystem`);
      assert.match(c.image, /:[A-Za-z0-9._-]+$/, `${where}/${c.name}: the image has a tag`);
      assert.doesNotMatch(c.image, /:latest$/, `${where}/${c.name}: no :latest`);
      if (role !== "console") assert.ok(c.image.endsWith(`:${tag}`), `${where}/${c.name}: ${c.image} has tag ${tag}`);
      const names = (c.env ?? []).map((e) => e.name);
      assert.deepEqual(names, [...new Set(names)], `${where}/${c.name}: each variable once`);
      for (const e of c.env ?? []) {
        assert.ok(
          isDocumentedVariable(role, e.name, catalogueVersion(tag)),
          `${where}/${c.name}: ${e.name} is no documented ${role} variable`,
        );
        if (/PASSWORD|SECRET|TOKEN|CREDENTIAL/i.test(e.name))
          assert.match(e.name, /_FILE$/, `${where}/${c.name}: ${e.name} must come from a file`);
      }
    }
  }
}

function checkSecrets(objects: K8sObject[]): void {
  for (const o of objects) {
    if (o.kind === "Secret") continue;
    const text = JSON.stringify(o);
    for (const secret of [SECRET, CONSOLE_SECRET, Buffer.from(SECRET).toString("base64")]) {
      assert.ok(!text.includes(secret), `${o.kind} ${o.metadata.name} holds a secret value`);
    }
  }
  const decoded = objects
    .filter((o) => o.kind === "Secret")
    .flatMap((o) => Object.values(o.data ?? {}).map((v) => Buffer.from(v, "base64").toString()));
  assert.ok(decoded.includes(SECRET) && decoded.includes(CONSOLE_SECRET), "the passwords are in Secrets");
}

/** Required anti-affinity on the hostname, against the pod's own broker group, on every broker. */
function checkAntiAffinity(objects: K8sObject[], mode: Mode): void {
  const groups = new Set<string>();
  for (const [node, w] of brokers(objects)) {
    const group = w.spec.template.metadata.labels["rocketmq/group"] as string;
    groups.add(group);
    const terms = w.spec.template.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? [];
    assert.ok(
      terms.some((t: any) => t.topologyKey === "kubernetes.io/hostname" && t.labelSelector?.matchLabels?.["rocketmq/group"] === group),
      `${node}: required anti-affinity against group ${group}`,
    );
  }
  assert.deepEqual([...groups].sort(), [...new Set(brokerNames(mode).map((n) => n.replace(/-(s|n\d)$/, "")))].sort());
  if (mode === "controller") {
    for (const w of workloads(objects).filter((w) => w.metadata.labels?.["app.kubernetes.io/component"] === "namesrv")) {
      assert.ok(
        w.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution,
        `${w.metadata.name}: controllers apart`,
      );
    }
  }
}

/** In external mode each broker's triplet (LISTEN_PORT-2, LISTEN_PORT, LISTEN_PORT+1) is the same inside and out. */
function checkTriplets(objects: K8sObject[], type: string): void {
  const used = new Set<number>();
  for (const [node, w] of brokers(objects)) {
    const c = containers(w)[0]!;
    const port = Number(envOf(c).get("LISTEN_PORT"));
    const triplet = [port - 2, port, port + 1];
    for (const p of triplet) {
      assert.ok(!used.has(p), `${node}: port ${p} is another broker's`);
      used.add(p);
      const declared = c.ports?.find((cp) => cp.containerPort === p);
      assert.ok(declared, `${node}: container port ${p}`);
      if (type === "hostNetwork") assert.equal(declared.hostPort, p, `${node}: host port ${p}`);
    }
    if (type === "hostNetwork") {
      assert.equal(w.spec.template.spec.hostNetwork, true);
      continue;
    }
    const svc = objects.find((o) => o.kind === "Service" && o.spec?.selector?.["rocketmq/node"] === node);
    assert.ok(svc, `${node}: a Service of its own`);
    assert.equal(svc.spec.type, type);
    const ports = (svc.spec.ports as { port: number; targetPort: number; nodePort?: number }[]).map((p) => {
      assert.equal(p.targetPort, p.port, `${node}: target port = port`);
      if (type === "NodePort") assert.equal(p.nodePort, p.port, `${node}: node port = port`);
      return p.port;
    });
    assert.deepEqual(ports.sort(), [...triplet].sort(), `${node}: the Service publishes exactly the triplet`);
    const ip1 = c.env?.find((e) => e.name === "BROKER_IP1");
    assert.ok(ip1?.value || ip1?.valueFrom, `${node}: BROKER_IP1 set`);
  }
}

/** Each image's own configurator accepts the variables its container gets, secrets read from the mounted files. */
function checkImagesAccept(objects: K8sObject[], tag: string): void {
  const files = { "/etc/rocketmq/secrets/auth/admin-password": SECRET, "/etc/rocketmq/secrets/console/password": CONSOLE_SECRET };
  for (const w of workloads(objects)) {
    for (const c of containers(w)) {
      assert.deepEqual(imageProblems(c, tag, files), [], `${w.metadata.name}/${c.name}: the image refuses its variables`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// The same variables as compose/<mode>.yml with env/<mode>/*.env: the chart takes them from files/modes.yaml,
// generated from env/; this checks that the templates apply them, and derive the addresses, as compose does.

function composeEnv(dir: string, files: string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const f of files) {
    const path = join(REPO_ROOT, "env", dir, f);
    if (existsSync(path)) for (const [k, v] of readEnvFile(path)) env.set(k, v);
  }
  return env;
}

// Hold addresses, which differ between a compose network and a cluster; their shape is checked apart.
const ADDRESSES = new Set([
  "NAMESRV_ADDR",
  "LISTEN_PORT",
  "DLEDGER_PEERS",
  "CONTROLLER_ADDR",
  "CONTROLLER_PEERS",
  "BROKER_IP1",
  "BROKER_IP2",
  "REMOTING_ACCESS_ADDR",
]);

function withoutAddresses(env: Map<string, string | undefined>): Record<string, string | undefined> {
  return Object.fromEntries([...env].filter(([k]) => !ADDRESSES.has(k)).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** `n0-host:port;n1-host:port` → [[n0, port], ...]. */
const peerIds = (value: string | undefined) => (value ?? "").split(";").map((e) => [e.split("-")[0], e.split(":").at(-1)]);

function checkMirrorsCompose(objects: K8sObject[], mode: Mode): void {
  const nodes = brokers(objects);
  assert.deepEqual([...nodes.keys()].sort(), [...brokerNames(mode)].sort());
  for (const [name, w] of nodes) {
    const chart = envOf(containers(w)[0]!);
    const compose = composeEnv(mode, ["cluster.env", mode === "single" ? "broker.env" : `${name}.env`]);
    assert.deepEqual(withoutAddresses(chart), withoutAddresses(compose), `${name}: the variables of env/${mode}/`);
    assert.equal(chart.get("NAMESRV_ADDR")?.split(";").length, compose.get("NAMESRV_ADDR")?.split(";").length, `${name}: name servers`);
    for (const key of ["DLEDGER_PEERS", "CONTROLLER_ADDR"]) {
      assert.equal(chart.has(key), compose.has(key), `${name}: ${key}`);
    }
    if (compose.has("DLEDGER_PEERS")) assert.deepEqual(peerIds(chart.get("DLEDGER_PEERS")), peerIds(compose.get("DLEDGER_PEERS")));
    if (compose.has("CONTROLLER_ADDR")) {
      assert.deepEqual(
        chart
          .get("CONTROLLER_ADDR")!
          .split(";")
          .map((a) => a.split(":")[1]),
        compose
          .get("CONTROLLER_ADDR")!
          .split(";")
          .map((a) => a.split(":")[1]),
      );
    }
  }
  const proxy = workloads(objects).find((w) => w.metadata.labels?.["app.kubernetes.io/component"] === "proxy");
  if (proxy) {
    const chart = envOf(containers(proxy)[0]!);
    assert.deepEqual(withoutAddresses(chart), withoutAddresses(composeEnv("proxy", ["proxy.env"])), "proxy: the variables of env/proxy/");
  }
  const namesrvs = workloads(objects).filter((w) => w.metadata.labels?.["app.kubernetes.io/component"] === "namesrv");
  assert.equal(namesrvs.length, MODES_YAML.modes[mode]!.namesrvs.length);
  namesrvs.forEach((w, i) => {
    const chart = envOf(containers(w)[0]!);
    const compose = composeEnv(mode, ["namesrv.env", `namesrv-${i + 1}.env`]);
    assert.deepEqual(withoutAddresses(chart), withoutAddresses(compose), `${w.metadata.name}: the variables of env/${mode}/namesrv*.env`);
    if (compose.has("CONTROLLER_PEERS")) assert.deepEqual(peerIds(chart.get("CONTROLLER_PEERS")), peerIds(compose.get("CONTROLLER_PEERS")));
  });
}

// ---------------------------------------------------------------------------------------------------------

for (const mode of MODES) {
  describe(`chart, mode ${mode}`, { skip }, () => {
    for (const variant of variants(mode)) {
      test(`${variant.name}: helm lint --strict, helm template, strict validation and the pod rules`, () => {
        const lint = run(HELM, ["lint", "--strict", CHART, "--set", `mode=${mode}`, ...variant.args]);
        assert.equal(lint.code, 0, `helm lint --strict failed:\n${lint.stdout}${lint.stderr}`);
        const objects = render(mode, variant.args);
        checkPods(objects, variant.tag);
        checkAntiAffinity(objects, mode);
        if (variant.name.startsWith("external ")) checkTriplets(objects, variant.name.slice("external ".length));
        if (variant.name === "auth") checkSecrets(objects);
        if (variant.name === "defaults" || variant.name === "4.9.7") checkMirrorsCompose(objects, mode);
        checkImagesAccept(objects, variant.tag);
        const proxies = workloads(objects).filter((w) => w.metadata.labels?.["app.kubernetes.io/component"] === "proxy");
        assert.equal(proxies.length, variant.tag.startsWith("4.") ? 0 : 1, "a proxy on 5.x only");
        const budgets = objects.filter((o) => o.kind === "PodDisruptionBudget");
        assert.equal(
          budgets.length,
          new Set(brokerNames(mode).map((n) => n.replace(/-(s|n\d)$/, ""))).size + 1,
          "a budget per group and the name servers",
        );
      });
    }
  });
}

describe("chart: values that do not fit fail with a message naming them", { skip }, () => {
  const fails = (args: string[], ...patterns: RegExp[]) => {
    const r = template(args);
    assert.notEqual(r.code, 0, "helm template should fail");
    for (const p of patterns) assert.match(r.stderr, p);
  };
  test("an unknown mode: the schema's message", () => fails(["--set", "mode=bogus"], /mode/, /value must be one of/, /2m-2s-sync/));
  test("a heap larger than the memory limit", () =>
    fails(["--set", "broker.javaHeap=2g"], /broker\.javaHeap \(2g\)/, /broker\.resources\.limits\.memory \(1Gi = 1024 MiB\)/));
  test("heap plus direct memory over the limit", () =>
    fails(["--set", "proxy.javaHeap=512m", "--set", "proxy.javaDirectMemory=512m"], /proxy\.javaDirectMemory/, /768Mi/));
  test("a heap that fits passes", () => assert.equal(template(["--set", "broker.javaHeap=512m"]).code, 0));
  test("a malformed heap: the schema's message", () => fails(["--set", "broker.javaHeap=2GB"], /javaHeap/));
  test("controller mode on 4.9.7", () =>
    fails(["--set", "mode=controller", "--set", "image.tag=4.9.7"], /mode=controller needs RocketMQ 5/));
  test("auth on 4.9.7", () =>
    fails(
      ["--set", "auth.enabled=true", "--set", "auth.existingSecret=s", "--set", "image.tag=4.9.7"],
      /auth\.enabled=true needs RocketMQ 5/,
    ));
  test("auth without a password", () => fails(["--set", "auth.enabled=true"], /auth\.existingSecret/));
  test("LoadBalancer without the brokers' addresses", () =>
    fails(["--set", "externalAccess.enabled=true", "--set", "externalAccess.type=LoadBalancer"], /externalAccess\.addresses\.broker-a/));
  test("a :latest tag", () => fails(["--set", "image.tag=latest"], /image\.tag=latest: give a release/));
  test("a :latest console", () => fails(["--set", "image.consoleTag=latest"], /image\.consoleTag=latest/));
  test("a grace period under 60 s", () => fails(["--set", "terminationGracePeriodSeconds=10"], /terminationGracePeriodSeconds/));
  test("an unknown value (a typo)", () => fails(["--set", "broker.javaHep=1g"], /javaHep/));
  test("a variable the chart derives from another value", () =>
    fails(["--set", "broker.env.LISTEN_PORT=20911"], /broker\.env\.LISTEN_PORT: the chart sets LISTEN_PORT from broker\.port/));
  test("one advertised address for every broker", () =>
    fails(["--set", "broker.env.BROKER_IP1=10.0.0.1"], /broker\.env\.BROKER_IP1: the chart sets BROKER_IP1 from broker\.advertise/));
  test("more than one console (logins live in its memory)", () => fails(["--set", "console.replicas=2"], /replicas/));
  test("a password as a plain env value", () =>
    fails(["--set", "console.env.CONSOLE_CLUSTER_PASSWORD=x"], /console\.env\.CONSOLE_CLUSTER_PASSWORD: a secret in a plain value/));
});

describe("chart: the rules catch what they are for", { skip }, () => {
  test("preferred anti-affinity, a writable root file system, undocumented or refused variables fail the checks", () => {
    assert.throws(() => checkAntiAffinity(render("2m-2s-sync", ["--set", "broker.antiAffinity=preferred"]), "2m-2s-sync"), /anti-affinity/);
    assert.throws(() => checkPods(render("single", ["--set", "readOnlyRootFilesystem=false"]), "5.5.0"), /readOnlyRootFilesystem/);
    assert.throws(
      () => checkPods(render("single", ["--set", "broker.env.MY_SETTING=1"]), "5.5.0"),
      /MY_SETTING is no documented broker variable/,
    );
    assert.throws(() => checkPods(render("single", ["--set", "broker.env.RMQ_BROKER_noSuchKey=1"]), "5.5.0"), /noSuchKey/);
    assert.throws(
      () => checkImagesAccept(render("single", ["--set", "broker.env.FLUSH_DISK_TYPE=SOMETIMES"]), "5.5.0"),
      /is not an allowed value/,
    );
    assert.throws(
      () => checkImagesAccept(render("single", ["--set", "console.env.CONSOLE_SESSION_HOURS=0"]), "5.5.0"),
      /CONSOLE_SESSION_HOURS/,
    );
  });
});

describe("chart: the strict validator", { skip }, () => {
  test("refuses an unknown field, a wrong type, a repeated key and an unknown kind", () => {
    const refuses = (doc: string, pattern: RegExp) => {
      const r = run(validator, [], doc);
      assert.equal(r.code, 1, r.stdout);
      assert.match(r.stderr, pattern);
    };
    refuses("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec: {portz: []}\n", /unknown field "spec\.portz"/);
    refuses("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: a}\nspec: {replicas: '1'}\n", /cannot unmarshal string/);
    refuses("apiVersion: v1\nkind: Service\nmetadata:\n  name: a\n  name: b\n", /already set/);
    refuses("apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: a}\n", /no kind "Thing"/);
  });
});

describe("chart: more groups or name servers than the mode's files have", { skip }, () => {
  test("broker.groups=3: broker-c repeats broker-a's nodes and variables", () => {
    const nodes = brokers(render("2m-2s-sync", ["--set", "broker.groups=3"]));
    assert.deepEqual([...nodes.keys()].sort(), ["broker-a", "broker-a-s", "broker-b", "broker-b-s", "broker-c", "broker-c-s"]);
    for (const [a, c] of [
      ["broker-a", "broker-c"],
      ["broker-a-s", "broker-c-s"],
    ] as const) {
      const env = (name: string) => withoutAddresses(envOf(containers(nodes.get(name)!)[0]!));
      assert.deepEqual(env(c), { ...env(a), BROKER_NAME: "broker-c" }, `${c}: the variables of ${a}`);
    }
  });
  test("nameserver.replicas=5 in controller mode: each controller has its own id, and every peer list names all five", () => {
    const objects = render("controller", ["--set", "nameserver.replicas=5"]);
    const namesrvs = workloads(objects).filter((w) => w.metadata.labels?.["app.kubernetes.io/component"] === "namesrv");
    const envs = namesrvs.map((w) => envOf(containers(w)[0]!));
    assert.deepEqual(
      envs.map((e) => e.get("CONTROLLER_SELF_ID")),
      ["n0", "n1", "n2", "n3", "n4"],
    );
    for (const e of envs)
      assert.deepEqual(
        peerIds(e.get("CONTROLLER_PEERS")).map(([id]) => id),
        ["n0", "n1", "n2", "n3", "n4"],
      );
  });
});

describe("chart: addresses inside the cluster", { skip }, () => {
  test("a broker advertises its pod's DNS name, or with broker.advertise=podIP its pod IP", () => {
    const ip1 = (args: string[]) =>
      containers(brokers(render("single", args)).get("broker-a")!)[0]!.env!.find((e) => e.name === "BROKER_IP1");
    assert.equal(ip1([])?.value, "rmq-rocketmq-broker-a-0.rmq-rocketmq-broker.mq.svc.cluster.local");
    assert.deepEqual(ip1(["--set", "broker.advertise=podIP"])?.valueFrom, { fieldRef: { fieldPath: "status.podIP" } });
  });
});

describe("chart: what helm install prints", { skip }, () => {
  const notes = (args: string[]) => {
    const r = run(HELM, ["install", "rmq", CHART, "--namespace", "mq", "--dry-run=client", ...args]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.slice(r.stdout.indexOf("NOTES:"));
  };
  test("the name servers' address and how to reach the console", () => {
    const text = notes(["--set", "mode=2m-2s-sync"]);
    assert.match(text, /rmq-rocketmq-namesrv-0-0\.rmq-rocketmq-namesrv\.mq\.svc\.cluster\.local:9876;rmq-rocketmq-namesrv-1-0\./);
    assert.match(text, /kubectl -n mq port-forward svc\/rmq-rocketmq-console 8082:8082/);
    assert.match(text, /generated password/);
  });
  test("external access: each broker's triplet; 4.9.7: no proxy", () => {
    assert.match(notes(["--set", "mode=2m-2s-sync", "--set", "externalAccess.enabled=true"]), /broker-a-s: ports 30919, 30921, 30922/);
    assert.match(notes(["--set", "image.tag=4.9.7"]), /No proxy: RocketMQ 4\.9\.7 has none/);
  });
});

describe("chart: resources of each mode with the default values", { skip }, () => {
  test("sum of requests and limits per mode (printed)", (t) => {
    const lines: string[] = [];
    for (const mode of MODES) {
      let memRequest = 0;
      let memLimit = 0;
      let cpuRequest = 0;
      let pods = 0;
      for (const w of workloads(render(mode, []))) {
        const replicas = Number(w.spec.replicas ?? 1);
        pods += replicas;
        for (const c of containers(w)) {
          memRequest += replicas * quantity(c.resources?.requests?.memory, "memory");
          memLimit += replicas * quantity(c.resources?.limits?.memory, "memory");
          cpuRequest += replicas * quantity(c.resources?.requests?.cpu, "cpu");
        }
      }
      assert.ok(memLimit >= memRequest);
      lines.push(
        `${mode.padEnd(12)} ${String(pods).padStart(2)} pods, memory requests ${(memRequest / 1024).toFixed(2)} GiB, limits ${(memLimit / 1024).toFixed(2)} GiB, CPU requests ${(cpuRequest / 1000).toFixed(2)}`,
      );
    }
    for (const line of lines) t.diagnostic(line);
    console.log(`chart resources per mode (defaults):\n${lines.map((l) => `  ${l}`).join("\n")}`);
  });
});
