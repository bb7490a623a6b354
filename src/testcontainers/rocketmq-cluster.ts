// A whole cluster for failover tests: one of the appliance's compose files (compose/<mode>.yml), brought up as a
// testcontainers compose environment, with a handle per node to stop, kill or pause it (dockerode underneath).
//
// The compose files publish fixed host ports (9876, 10911, ...), one-to-one as brokers need, so one cluster runs
// per host address at a time (withPublishAddress: another loopback address for another cluster). Brokers advertise
// their container addresses: reachable from a Linux Docker host and from containers on the cluster's network.
import { randomUUID } from "node:crypto";
import { isIP } from "node:net";
import { fileURLToPath } from "node:url";
import type Dockerode from "dockerode";
import {
  DockerComposeEnvironment,
  getContainerRuntimeClient,
  type ContainerRuntimeClient,
  type StartedDockerComposeEnvironment,
} from "testcontainers";
import { brokersOf, clusterInfo, masterOf, waitUntil, type ClusterInfo } from "../remoting/cluster.ts";
import { splitAddress, splitNamesrvList } from "../remoting/address.ts";
import { fromAnyNamesrv } from "../remoting/namesrv.ts";
import { HealthyOrExitedWaitStrategy } from "./ready.ts";
import { pauseRetryingFreezer } from "./freezer.ts";
import { isPortClash, publishAddressFor } from "./ports.ts";
import { createTopic, type TopicOptions } from "../remoting/topics.ts";
import type { Credentials } from "../remoting/auth.ts";
import { CLUSTER_MODES, type ClusterMode } from "./modes.ts";

export { CLUSTER_MODES, type ClusterMode };

/** The package's compose files; their env files are found relative to them (../env). */
const COMPOSE_DIR = fileURLToPath(new URL("../../compose/", import.meta.url));
const NAMESRV_PORT = 9876;

export class RocketMQCluster {
  private version: string | undefined;
  private proxy = false;
  private startupTimeoutMs = 300_000;
  private readonly topics: { name: string; options: TopicOptions }[] = [];
  private auth: Credentials | undefined;
  private publishAddress: string | undefined;

  private readonly mode: ClusterMode;

  constructor(mode: ClusterMode) {
    this.mode = mode;
    if (!CLUSTER_MODES.includes(mode))
      throw new Error(`RocketMQCluster: mode ${JSON.stringify(mode)} is not one of ${CLUSTER_MODES.join(", ")}`);
  }

  /** The images' tag (ROCKETMQ_VERSION of the compose files); default `latest`. */
  withRocketMQVersion(version: string): this {
    this.version = version;
    return this;
  }

  /** Adds RocketMQ 5's proxy (compose/proxy.yml): getProxyEndpoint(). Not with "single" (it needs namesrv-1). */
  withProxy(): this {
    if (this.mode === "single") throw new Error("RocketMQCluster: withProxy() needs a mode with namesrv-1 (every mode but single)");
    this.proxy = true;
    return this;
  }

  withTopics(...topics: (string | { name: string; options?: TopicOptions })[]): this {
    for (const t of topics) this.topics.push(typeof t === "string" ? { name: t, options: {} } : { name: t.name, options: t.options ?? {} });
    return this;
  }

  /**
   * Every broker and the proxy with RocketMQ 5's ACL 2.0 (AUTH_ENABLED, as `AUTH_ENABLED=true AUTH_ADMIN_PASSWORD=…
   * docker compose up` does): anonymous clients are refused; topics and the console sign as `user`.
   */
  withAuth(password: string, user = "admin"): this {
    if (password.length < 8) throw new Error("withAuth: the password needs at least 8 characters");
    this.auth = { accessKey: user, secretKey: password };
    return this;
  }

  withStartupTimeout(ms: number): this {
    this.startupTimeoutMs = ms;
    return this;
  }

  /**
   * The host address the fixed ports are published on (the compose files' PUBLISH_ADDR), and that getNamesrvAddr()
   * and getProxyEndpoint() name. By default 127.0.0.1 when Docker runs on this host, else every interface. Another
   * loopback address (127.0.0.2, ...) lets a second cluster run beside the first on one Docker host.
   */
  withPublishAddress(address: string): this {
    if (!isIP(address)) throw new Error(`withPublishAddress: ${JSON.stringify(address)} is not an IP address (e.g. 127.0.0.2)`);
    this.publishAddress = address;
    return this;
  }

  async start(): Promise<StartedRocketMQCluster> {
    const client = await getContainerRuntimeClient();
    const project = `rocketmq-${this.mode}-${randomUUID().slice(0, 8)}`;
    const files = [`${this.mode}.yml`, ...(this.proxy ? ["proxy.yml"] : [])];
    const startedAt = Date.now();
    const environment = new DockerComposeEnvironment(COMPOSE_DIR, files)
      .withProjectName(project)
      .withEnvironment({
        ROCKETMQ_VERSION: this.version ?? "latest",
        PUBLISH_ADDR: this.publishAddress ?? publishAddressFor(client.info.containerRuntime.host),
        ...(this.auth ? { AUTH_ENABLED: "true", AUTH_ADMIN_USER: this.auth.accessKey, AUTH_ADMIN_PASSWORD: this.auth.secretKey } : {}),
      })
      .withDefaultWaitStrategy(new HealthyOrExitedWaitStrategy())
      .withStartupTimeout(this.startupTimeoutMs);
    let started: StartedDockerComposeEnvironment;
    try {
      started = await environment.up();
    } catch (e) {
      if (isPortClash(e)) {
        throw new Error(
          `RocketMQCluster ${this.mode}: a host port of compose/${this.mode}.yml is taken. The compose files publish fixed ports ` +
            `(9876, 10911, ...), so one cluster runs per host address at a time; stop the other one first, or give this one ` +
            `another address with withPublishAddress (e.g. 127.0.0.2).\n${(e as Error).message}`,
        );
      }
      throw e;
    }
    try {
      const nodes = await nodesOf(client, project);
      const cluster = new StartedRocketMQCluster(client, started, project, nodes, this.auth, this.publishAddress);
      // Healthy means registered with one name server; started means every name server lists every broker.
      await cluster.waitUntilFormed(Math.max(30_000, this.startupTimeoutMs - (Date.now() - startedAt)));
      for (const topic of this.topics) await cluster.createTopic(topic.name, topic.options);
      return cluster;
    } catch (e) {
      // Nothing is left running for a start that failed: the caller has no handle to stop it with.
      await started.down({ removeVolumes: true }).catch(() => {});
      throw e;
    }
  }
}

export class StartedRocketMQCluster {
  private readonly client: ContainerRuntimeClient;
  private readonly environment: StartedDockerComposeEnvironment;
  /** The compose project name. */
  readonly project: string;
  private readonly nodeList: RocketMQNode[];
  private readonly credentials: Credentials | undefined;
  /** Where the test process dials the published ports: the publish address given, else the Docker host. */
  private readonly host: string;

  constructor(
    client: ContainerRuntimeClient,
    environment: StartedDockerComposeEnvironment,
    project: string,
    nodes: RocketMQNode[],
    credentials?: Credentials,
    publishAddress?: string,
  ) {
    this.client = client;
    this.host = publishAddress ?? client.info.containerRuntime.host;
    this.environment = environment;
    this.project = project;
    this.nodeList = nodes;
    this.credentials = credentials;
  }

  /** With withAuth(): the super user's credentials, as RocketMQ clients take them. */
  getCredentials(): Credentials | undefined {
    return this.credentials && { ...this.credentials };
  }

  /** Every name server, `host:port;host:port`, for clients in the test process. */
  getNamesrvAddr(): string {
    return this.namesrvs()
      .map((n) => `${this.host}:${n.getHostPort(NAMESRV_PORT)}`)
      .join(";");
  }

  /** Every name server by service name, for clients in containers on getNetworkName(). */
  getNetworkNamesrvAddr(): string {
    return this.namesrvs()
      .map((n) => `${n.service}:${NAMESRV_PORT}`)
      .join(";");
  }

  /** The compose network, for clients in other containers (`docker run --network`, GenericContainer.withNetworkMode). */
  getNetworkName(): string {
    return Object.keys(this.nodeList[0]!.inspectResult.NetworkSettings.Networks)[0]!;
  }

  /** The proxy's gRPC endpoint, with withProxy(). */
  getProxyEndpoint(): string {
    const proxy = this.nodeList.find((n) => n.service === "proxy");
    if (!proxy) throw new Error("getProxyEndpoint(): this RocketMQCluster was started without withProxy()");
    return `${this.host}:${proxy.getHostPort(8081)}`;
  }

  /** Nodes by compose service name: namesrv-1, broker-a, broker-a-s, broker-a-n0, proxy, ... */
  node(service: string): RocketMQNode {
    const node = this.nodeList.find((n) => n.service === service);
    if (!node) throw new Error(`no node ${service} in this cluster; its nodes: ${this.nodeList.map((n) => n.service).join(", ")}`);
    return node;
  }

  nodes(): RocketMQNode[] {
    return [...this.nodeList];
  }

  /** The node that is now the master (broker id 0) of broker group `brokerName`, as the name servers list it. */
  async masterOf(brokerName: string): Promise<RocketMQNode> {
    const info = await this.clusterInfo();
    const address = masterOf(info, brokerName);
    if (!address) {
      const members = brokersOf(info).filter((b) => b.brokerName === brokerName);
      const listed = members.length
        ? `, only ${members.map((b) => `id ${b.brokerId} (${b.address})`).join(", ")}`
        : " nor any member of it";
      throw new Error(`the name servers list no master for ${brokerName}${listed}`);
    }
    const [ip] = splitAddress(address);
    const node = this.nodeList.find((n) => n.ipAddresses().includes(ip) && n.service.startsWith("broker"));
    if (!node) throw new Error(`no node of this cluster has the master address ${address}`);
    return node;
  }

  /** What the name servers report: broker groups, their members' ids and addresses. */
  async clusterInfo(): Promise<ClusterInfo> {
    return (await fromAnyNamesrv(splitNamesrvList(this.getNamesrvAddr()), (namesrv) => clusterInfo(namesrv))).value;
  }

  /** Waits until every name server lists every broker node (by count: brokers advertise host addresses). */
  async waitUntilFormed(timeoutMs = 60_000): Promise<void> {
    const expected = this.nodeList.filter((n) => n.service.startsWith("broker")).length;
    await waitUntil(
      async () => {
        const missing: string[] = [];
        for (const namesrv of splitNamesrvList(this.getNamesrvAddr())) {
          const listed = await clusterInfo(namesrv).then(
            (info) => brokersOf(info).length,
            () => 0,
          );
          if (listed < expected) missing.push(`${namesrv} lists ${listed} of ${expected} brokers`);
        }
        if (missing.length) throw new Error(missing.join("; "));
      },
      { timeoutMs, intervalMs: 500 },
    ).catch((e: Error) => {
      throw new Error(`RocketMQCluster ${this.project} did not form: ${e.message}`);
    });
  }

  /** Creates a topic on every broker of the cluster and waits until the name servers route it. */
  async createTopic(topic: string, options: TopicOptions = {}): Promise<void> {
    const rocketmq5 = !(this.nodeList[0]?.rocketmqVersion() ?? "").startsWith("4.");
    // Any name server that answers: each lists every broker.
    await fromAnyNamesrv(splitNamesrvList(this.getNamesrvAddr()), (namesrv) =>
      createTopic(namesrv, topic, { ...options, rocketmq5, credentials: this.credentials }),
    );
  }

  /** Removes the cluster, its network and its volumes. */
  async stop(): Promise<void> {
    await this.environment.down({ removeVolumes: true, timeout: 0 });
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.stop();
  }

  private namesrvs(): RocketMQNode[] {
    return this.nodeList.filter((n) => n.service.startsWith("namesrv"));
  }
}

/** One container of a cluster. stop() is graceful (RocketMQ's shutdown hook runs); kill() is a crash. */
export class RocketMQNode {
  private readonly client: ContainerRuntimeClient;
  /** The compose service: namesrv-1, broker-a, broker-a-s, ... */
  readonly service: string;
  readonly containerName: string;
  /** As inspected right after the cluster started. */
  readonly inspectResult: Dockerode.ContainerInspectInfo;

  constructor(client: ContainerRuntimeClient, service: string, containerName: string, inspectResult: Dockerode.ContainerInspectInfo) {
    this.client = client;
    this.service = service;
    this.containerName = containerName;
    this.inspectResult = inspectResult;
  }

  private get container(): Dockerode.Container {
    return this.client.container.dockerode.getContainer(this.inspectResult.Id);
  }

  getId(): string {
    return this.inspectResult.Id;
  }

  /** The host port a container port is published on. */
  getHostPort(containerPort: number): number {
    const binding = this.inspectResult.NetworkSettings.Ports[`${containerPort}/tcp`]?.[0];
    if (!binding) throw new Error(`${this.service} does not publish port ${containerPort}`);
    return Number(binding.HostPort);
  }

  ipAddresses(): string[] {
    return Object.values(this.inspectResult.NetworkSettings.Networks).map((n) => n.IPAddress);
  }

  rocketmqVersion(): string {
    return (this.inspectResult.Config.Env ?? []).find((e) => e.startsWith("RMQ_VERSION="))?.slice("RMQ_VERSION=".length) ?? "";
  }

  /** SIGTERM, then SIGKILL after `timeoutSeconds`: the broker flushes and deregisters. */
  async stop(timeoutSeconds = 60): Promise<void> {
    await this.container.stop({ t: timeoutSeconds }).catch(ignoreNotModified);
  }

  /** SIGKILL: the process dies as in a crash or power loss. */
  async kill(signal = "SIGKILL"): Promise<void> {
    await this.container.kill({ signal });
  }

  /**
   * Freezes every process of the node (a hung machine or a partition, as clients see it); tried again while the
   * cgroup v1 freezer gives up (pauseRetryingFreezer).
   */
  async pause(): Promise<void> {
    await pauseRetryingFreezer(() => this.container.pause());
  }

  async unpause(): Promise<void> {
    await this.container.unpause();
  }

  /** Starts a stopped or killed node again and waits until its health check says healthy. */
  async start(timeoutMs = 180_000): Promise<void> {
    await this.container.start().catch(ignoreNotModified);
    await new HealthyOrExitedWaitStrategy(this.service).withStartupTimeout(timeoutMs).waitUntilReady(this.container);
  }
}

async function nodesOf(client: ContainerRuntimeClient, project: string): Promise<RocketMQNode[]> {
  const containers = await client.container.dockerode.listContainers({
    all: true,
    filters: { label: [`com.docker.compose.project=${project}`] },
  });
  const nodes = await Promise.all(
    containers.map(async (c) => {
      const info = await client.container.dockerode.getContainer(c.Id).inspect();
      return new RocketMQNode(client, c.Labels["com.docker.compose.service"] ?? "", info.Name.replace(/^\//, ""), info);
    }),
  );
  return nodes.sort((a, b) => a.service.localeCompare(b.service));
}

/** Docker answers 304 when a container is already in the requested state. */
function ignoreNotModified(e: { statusCode?: number }): void {
  if (e.statusCode !== 304) throw e;
}
