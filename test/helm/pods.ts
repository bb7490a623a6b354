// A TEST HARNESS, NOT A PRODUCT. It runs the pods of a rendered chart in Docker the way a kubelet would run them,
// so that the chart's objects are proven with the real images without a Kubernetes cluster.
//
// One Docker network stands in for the cluster and its DNS: each StatefulSet pod answers to its stable name
// (<pod>.<service>.<namespace>.svc.cluster.local) and every Service's names resolve to the pods it selects, as a
// headless Service's do. Each container gets exactly the rendered image, command, args and env (downward-API
// fields filled as the kubelet fills them, Secrets taken from the rendered objects), its user and groups, read-only
// root, dropped capabilities, memory limit and volume mounts (emptyDir and claims as host directories owned by
// fsGroup). The readiness probe becomes Docker's health check, with the startup probe's budget as its start
// period; the liveness probe's port is dialled once the pod is ready.
//
// Not modelled: scheduling and affinity, Service virtual IPs (a Service's port must equal its target port),
// NodePort/LoadBalancer/hostNetwork access, restarts by the kubelet (restart() stands in for one).
import assert from "node:assert/strict";
import { chownSync, chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Docker from "dockerode";
import { containers, parseObjects, quantity, template, type Container, type K8sObject } from "./chart.ts";
import { RunningCluster } from "../integration/cluster.ts";
import { javaClientContainerCommand, prepareJavaClient, type JavaClientResult } from "../clients/java-client.ts";
import { eventually, sh } from "../integration/harness.ts";
import { tcpConnect } from "../../src/remoting/address.ts";

const docker = new Docker();
const LABEL = "org.rocketmq-appliance.helm-harness";
const DOMAIN = "svc.cluster.local";

interface Probe {
  exec?: { command: string[] };
  tcpSocket?: { port: string | number };
  periodSeconds?: number;
  timeoutSeconds?: number;
  failureThreshold?: number;
}

/** One pod of the rendered objects: its name, its one container and what the kubelet would give it. */
export interface Pod {
  name: string;
  /** The Docker container's name. */
  container: string;
  ip: string;
  aliases: string[];
  spec: any;
  main: Container & {
    command?: string[];
    args?: string[];
    volumeMounts?: { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[];
  };
  claims: string[];
}

export class RenderedCluster extends RunningCluster {
  readonly label: string;
  readonly objects: K8sObject[];
  readonly namespace: string;
  readonly network: string;
  readonly pods: Pod[] = [];
  private readonly dir = mkdtempSync(join(tmpdir(), "helm-pods-"));
  private subnet = "";

  /** `helm template` of the chart with `args` (release rmq, namespace mq), ready to run. */
  constructor(name: string, args: string[]) {
    super();
    const r = template(args);
    if (r.code !== 0) throw new Error(`helm template ${args.join(" ")} failed:\n${r.stderr}`);
    this.objects = parseObjects(r.stdout);
    this.namespace = "mq";
    this.label = `chart ${name} (pods in Docker)`;
    this.network = `rmqhelm-${name}`;
  }

  /** Name servers by the headless Service's name, which resolves to every name-server pod. */
  get namesrvService(): string {
    const svc = this.objects.find((o) => o.kind === "Service" && o.metadata.name.endsWith("-namesrv"));
    assert.ok(svc, "no name-server Service rendered");
    return `${svc.metadata.name}.${this.namespace}.${DOMAIN}:${svc.spec.ports[0].port}`;
  }

  /** Creates the network, the volumes and every pod's container, starts them all at once and waits until ready. */
  async up(): Promise<number> {
    await Promise.all([this.down(), prepareJavaClient()]);
    await this.createNetwork();
    this.plan();
    for (const pod of this.pods) await this.create(pod);
    const started = Date.now();
    await Promise.all(this.pods.map((pod) => docker.getContainer(pod.container).start()));
    await Promise.all(this.pods.map((pod) => this.ready(pod)));
    return (Date.now() - started) / 1000;
  }

  async down(): Promise<void> {
    const leftovers = await docker.listContainers({ all: true, filters: { label: [`${LABEL}=${this.network}`] } });
    await Promise.all(leftovers.map((c) => docker.getContainer(c.Id).remove({ force: true, v: true })));
    const networks = await docker.listNetworks({ filters: { name: [this.network] } });
    for (const n of networks.filter((n) => n.Name === this.network)) await docker.getNetwork(n.Id).remove();
    rmSync(join(this.dir, "volumes"), { recursive: true, force: true });
  }

  pod(name: string): Pod {
    const pod = this.pods.find((p) => p.name === name);
    assert.ok(pod, `no pod ${name} in ${this.pods.map((p) => p.name).join(", ")}`);
    return pod;
  }

  /** The pod that advertises `address` (its DNS name or its IP, with a port). */
  podOf(address: string): string | undefined {
    const host = address.slice(0, address.lastIndexOf(":"));
    return this.pods.find((p) => p.ip === host || p.aliases.includes(host))?.name;
  }

  kill(pod: string): Promise<unknown> {
    return docker.getContainer(this.pod(pod).container).kill();
  }

  /** What the kubelet does after a container dies: start it again (same volumes, same address) and wait until ready. */
  async restart(pod: string): Promise<void> {
    await docker.getContainer(this.pod(pod).container).start();
    await this.ready(this.pod(pod));
  }

  /** RoundTrip in a container on the pods' network (as an application pod would run), through the name-server Service. */
  client(args: string[]): Promise<JavaClientResult> {
    const { binds, cmd } = javaClientContainerCommand(["--namesrv", this.namesrvService, ...args]);
    const image = this.pods.find((p) => p.main.image.includes("/broker:"))!.main.image;
    return sh("docker", [
      "run",
      "--rm",
      "--network",
      this.network,
      ...binds.flatMap((b) => ["-v", b]),
      "--entrypoint",
      cmd[0]!,
      image,
      ...cmd.slice(1),
    ]);
  }

  /** Each pod's state, and the last health checks and log lines of those that are not ready. */
  async diagnose(): Promise<string> {
    const out: string[] = [];
    for (const pod of this.pods) {
      const info = await docker
        .getContainer(pod.container)
        .inspect()
        .catch(() => undefined);
      const health = info?.State.Health;
      out.push(`${pod.name}: ${info?.State.Status ?? "absent"} ${health?.Status ?? ""} oom=${info?.State.OOMKilled}`);
      if (health?.Status === "healthy") continue;
      for (const h of health?.Log.slice(-3) ?? []) out.push(`  probe ${h.ExitCode}: ${h.Output.trim()}`);
      const logs = await sh("docker", ["logs", "--tail", "15", pod.container]);
      out.push(
        ...(logs.stdout + logs.stderr)
          .split("\n")
          .filter((l) => l.trim() !== "")
          .map((l) => `  | ${l}`),
      );
    }
    return out.join("\n");
  }

  // -------------------------------------------------------------------------------------------------------

  /** A /24 of 10.244.0.0/16 that no other network holds (static addresses need a subnet of our own). */
  private async createNetwork(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const third = Math.floor(Math.random() * 250) + 1;
      this.subnet = `10.244.${third}`;
      try {
        await docker.createNetwork({
          Name: this.network,
          Labels: { [LABEL]: this.network },
          IPAM: { Config: [{ Subnet: `${this.subnet}.0/24`, Gateway: `${this.subnet}.1` }] },
        });
        return;
      } catch (e) {
        if (attempt >= 10 || !/overlap/i.test(String(e))) throw e;
      }
    }
  }

  /** Pods of every StatefulSet (<name>-<ordinal>) and Deployment, each with its address and DNS names. */
  private plan(): void {
    this.pods.length = 0;
    let host = 10;
    for (const w of this.objects.filter((o) => o.kind === "StatefulSet" || o.kind === "Deployment")) {
      const [main, ...sidecars] = containers(w);
      assert.equal(sidecars.length, 0, `${w.metadata.name}: the harness runs one container per pod`);
      assert.equal((w.spec.template.spec.initContainers ?? []).length, 0, `${w.metadata.name}: no init containers`);
      for (let ordinal = 0; ordinal < (w.spec.replicas ?? 1); ordinal++) {
        const name = w.kind === "StatefulSet" ? `${w.metadata.name}-${ordinal}` : `${w.metadata.name}-${ordinal}harness`;
        const aliases = w.kind === "StatefulSet" ? [`${name}.${w.spec.serviceName}.${this.namespace}.${DOMAIN}`] : [];
        const labels: Record<string, string> = w.spec.template.metadata.labels ?? {};
        for (const svc of this.objects.filter((o) => o.kind === "Service" && selects(o.spec.selector, labels))) {
          for (const p of svc.spec.ports) {
            const target =
              typeof p.targetPort === "string"
                ? main!.ports?.find((c) => c.name === p.targetPort)?.containerPort
                : (p.targetPort ?? p.port);
            assert.equal(target, p.port, `Service ${svc.metadata.name}: port ${p.port} → ${p.targetPort}; the harness has no virtual IPs`);
          }
          const n = svc.metadata.name;
          aliases.push(n, `${n}.${this.namespace}`, `${n}.${this.namespace}.svc`, `${n}.${this.namespace}.${DOMAIN}`);
        }
        const claims = (w.spec.volumeClaimTemplates ?? []).map((c: K8sObject) => c.metadata.name);
        this.pods.push({
          name,
          container: `${this.network}-${name}`,
          ip: `${this.subnet}.${host++}`,
          aliases,
          spec: w.spec.template.spec,
          main: main as Pod["main"],
          claims,
        });
      }
    }
  }

  /** The value of one env entry as the kubelet computes it. */
  private envValue(pod: Pod, e: { name: string; value?: string; valueFrom?: any }): string {
    if (e.valueFrom === undefined) return e.value ?? "";
    const field = e.valueFrom.fieldRef?.fieldPath as string | undefined;
    if (field === "metadata.name") return pod.name;
    if (field === "metadata.namespace") return this.namespace;
    if (field === "status.podIP" || field === "status.podIPs") return pod.ip;
    if (field === "status.hostIP" || field === "status.hostIPs") return `${this.subnet}.1`;
    if (field === "spec.nodeName") return "harness-node";
    const secret = e.valueFrom.secretKeyRef ?? e.valueFrom.configMapKeyRef;
    if (secret) return this.keyOf(e.valueFrom.secretKeyRef ? "Secret" : "ConfigMap", secret.name, secret.key);
    throw new Error(`${pod.name}: env ${e.name}: the harness cannot fill ${JSON.stringify(e.valueFrom)}`);
  }

  private keyOf(kind: "Secret" | "ConfigMap", name: string, key: string): string {
    const o = this.objects.find((x) => x.kind === kind && x.metadata.name === name) as
      (K8sObject & { stringData?: Record<string, string> }) | undefined;
    assert.ok(o, `${kind} ${name} is not among the rendered objects`);
    const value =
      o.stringData?.[key] ??
      (o.data?.[key] === undefined ? undefined : kind === "Secret" ? Buffer.from(o.data[key]!, "base64").toString("utf8") : o.data[key]);
    assert.ok(value !== undefined, `${kind} ${name} has no key ${key}`);
    return value;
  }

  /** A host directory for one volume, owned as the kubelet leaves it: user runAsUser, group fsGroup, setgid. */
  private volumeDir(pod: Pod, volume: string): string {
    const dir = join(this.dir, "volumes", pod.name, volume);
    mkdirSync(dir, { recursive: true });
    const sc = pod.spec.securityContext ?? {};
    chownSync(dir, sc.runAsUser ?? 0, sc.fsGroup ?? sc.runAsGroup ?? 0);
    chmodSync(dir, 0o2775);
    return dir;
  }

  private volume(pod: Pod, name: string): string {
    if (pod.claims.includes(name)) return this.volumeDir(pod, name);
    const v = (pod.spec.volumes ?? []).find((x: { name: string }) => x.name === name);
    assert.ok(v, `${pod.name}: volume ${name} is mounted but not defined`);
    const dir = this.volumeDir(pod, name);
    if (v.emptyDir || v.persistentVolumeClaim) return dir;
    const source = v.secret ?? v.configMap;
    assert.ok(source, `${pod.name}: volume ${name}: the harness supports emptyDir, claims, secret and configMap`);
    const kind = v.secret ? "Secret" : "ConfigMap";
    const objectName = v.secret ? source.secretName : source.name;
    const o = this.objects.find((x) => x.kind === kind && x.metadata.name === objectName) as
      (K8sObject & { stringData?: Record<string, string> }) | undefined;
    assert.ok(o, `${kind} ${objectName} is not among the rendered objects`);
    const items: { key: string; path: string; mode?: number }[] =
      source.items ?? Object.keys({ ...o.data, ...o.stringData }).map((key) => ({ key, path: key }));
    for (const item of items) {
      const file = join(dir, item.path);
      writeFileSync(file, this.keyOf(kind, objectName, item.key));
      // The kubelet makes the files root's, readable by fsGroup when one is set.
      const sc = pod.spec.securityContext ?? {};
      chownSync(file, 0, sc.fsGroup ?? 0);
      chmodSync(file, (item.mode ?? source.defaultMode ?? 0o644) | (sc.fsGroup === undefined ? 0 : 0o040));
    }
    chmodSync(dir, 0o2755);
    return dir;
  }

  private async create(pod: Pod): Promise<void> {
    const c = pod.main;
    const sc = { ...pod.spec.securityContext, ...c.securityContext };
    const startup = (c as { startupProbe?: Probe }).startupProbe;
    const readiness = (c as { readinessProbe?: Probe }).readinessProbe;
    assert.ok(readiness?.exec, `${pod.name}: the harness runs exec readiness probes`);
    const binds = (c.volumeMounts ?? []).map((m) => {
      const dir = this.volume(pod, m.name);
      return `${m.subPath ? join(dir, m.subPath) : dir}:${m.mountPath}${m.readOnly ? ":ro" : ""}`;
    });
    const seconds = (s: number | undefined, fallback: number) => (s ?? fallback) * 1e9;
    const fqdn = pod.aliases[0]?.split(".");
    await docker.createContainer({
      name: pod.container,
      Image: c.image,
      ...(c.command ? { Entrypoint: c.command } : {}),
      ...(c.args ? { Cmd: c.args } : {}),
      Env: (c.env ?? []).map((e) => `${e.name}=${this.envValue(pod, e)}`),
      Hostname: pod.name,
      ...(fqdn && fqdn.length > 1 ? { Domainname: fqdn.slice(1).join(".") } : {}),
      ...(sc.runAsUser !== undefined ? { User: `${sc.runAsUser}:${sc.runAsGroup ?? sc.runAsUser}` } : {}),
      Labels: { [LABEL]: this.network },
      StopTimeout: pod.spec.terminationGracePeriodSeconds ?? 30,
      Healthcheck: {
        Test: ["CMD", ...readiness.exec.command],
        Interval: seconds(readiness.periodSeconds, 10),
        Timeout: seconds(readiness.timeoutSeconds, 1),
        Retries: readiness.failureThreshold ?? 3,
        StartPeriod: startup ? seconds(startup.periodSeconds, 10) * (startup.failureThreshold ?? 3) : 0,
      },
      HostConfig: {
        NetworkMode: this.network,
        Binds: binds,
        ReadonlyRootfs: sc.readOnlyRootFilesystem === true,
        CapDrop: sc.capabilities?.drop ?? [],
        CapAdd: sc.capabilities?.add ?? [],
        SecurityOpt: sc.allowPrivilegeEscalation === false ? ["no-new-privileges"] : [],
        GroupAdd: sc.fsGroup === undefined ? [] : [String(sc.fsGroup)],
        Memory: Math.round(quantity(c.resources?.limits?.memory, "memory") * 2 ** 20),
        NanoCpus: quantity(c.resources?.limits?.cpu, "cpu") * 1e6,
      },
      NetworkingConfig: { EndpointsConfig: { [this.network]: { IPAMConfig: { IPv4Address: pod.ip }, Aliases: pod.aliases } } },
    });
  }

  /** Until the readiness probe passes (within the startup probe's budget), then the liveness probe's port answers. */
  private async ready(pod: Pod): Promise<void> {
    const startup = (pod.main as { startupProbe?: Probe }).startupProbe;
    const budgetMs = ((startup?.periodSeconds ?? 10) * (startup?.failureThreshold ?? 3) + 30) * 1000;
    const deadline = Date.now() + budgetMs;
    for (;;) {
      const state = (await docker.getContainer(pod.container).inspect()).State;
      if (state.Health?.Status === "healthy") break;
      if (!state.Running || Date.now() > deadline) {
        throw new Error(`pod ${pod.name} is not ready (${state.Status}, ${state.Health?.Status})\n${await this.diagnose()}`);
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const liveness = (pod.main as { livenessProbe?: Probe }).livenessProbe;
    if (liveness?.tcpSocket) {
      const named = liveness.tcpSocket.port;
      const port = typeof named === "number" ? named : pod.main.ports?.find((p) => p.name === named)?.containerPort;
      assert.ok(port, `${pod.name}: liveness port ${named} is not a container port`);
      await eventually(
        async () => {
          const dialled = await tcpConnect(pod.ip, port, 2000);
          assert.ok(dialled.ok, `${pod.name}: liveness port ${port}: ${dialled.code}`);
        },
        10_000,
        500,
      );
    }
  }
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>): boolean {
  return selector !== undefined && Object.entries(selector).every(([k, v]) => labels[k] === v);
}
