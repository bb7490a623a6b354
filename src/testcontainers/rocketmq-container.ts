// A real RocketMQ for a test: a name server, a broker and optionally a 5.x proxy from the appliance images.
//
// Every address is right before the broker starts, never rewritten after it registered:
// - the three containers share one network namespace (the name server's), so the broker registers with
//   127.0.0.1:9876 and the proxy reaches the broker at the address it advertises;
// - the broker's listenPort P is a free host port, and its port triplet (brokerPorts: P−2, P and P+1) is
//   published one-to-one, because the name server hands clients brokerIP1:P verbatim;
// - brokerIP1 is an address of the Docker host that both the test process and other containers can dial.
//
// RocketMQContainer holds the settings only. Each start() attempt builds its containers afresh from them, with
// that attempt's ports: another process may take a port between the check and the start, and then start()
// tries again with new ones.
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import type Dockerode from "dockerode";
import {
  AbstractStartedContainer,
  GenericContainer,
  getContainerRuntimeClient,
  type ContainerRuntimeClient,
  type StartedNetwork,
  type StartedTestContainer,
  type StopOptions,
  type StoppedTestContainer,
} from "testcontainers";
import { HealthyOrExitedWaitStrategy } from "./ready.ts";
import { freeConsecutivePorts, isPortClash } from "./ports.ts";
import { brokerPorts, DEFAULT_LISTEN_PORT, type BrokerPorts } from "../remoting/ports.ts";
import { createTopic, type TopicOptions } from "../remoting/topics.ts";
import { oneShotWith } from "../remoting/client.ts";
import type { Credentials } from "../remoting/auth.ts";
import { pemProblem } from "../configurator/pem.ts";
import { normalArch } from "../images/platform.ts";

export const DEFAULT_IMAGE = "rocketmq-appliance/broker:latest";
export const NAMESRV_PORT = 9876;
export const PROXY_GRPC_PORT = 8081;

/** broker.conf values; keys are RocketMQ's own (`autoCreateTopicEnable`, `fileReservedTime`, ...). */
export type BrokerConfig = Record<string, string | number | boolean>;

/** Keys RocketMQContainer sets itself, so that the addresses are right; see withAdvertisedHost. */
const OWNED_KEYS: Record<string, string> = {
  namesrvAddr: "the broker registers with the name server in its own network namespace",
  listenPort: "a free host port is chosen and published one-to-one",
  brokerIP1: "use withAdvertisedHost(host) to choose the address clients dial",
};

const ATTEMPT_LABEL = "org.rocketmq-appliance.testcontainers.attempt";
const PORT_CLASH_RETRIES = 5;
const DEFAULT_STARTUP_TIMEOUT_MS = 120_000;
/**
 * The image's HEALTHCHECK runs every 5 s; a test should not wait that long to learn that the broker is ready.
 * A check reads the verdict that the image's watcher renews every 0.5 s while the node starts, so asking every
 * second costs next to nothing.
 */
/** Long enough for the proxy's own shutdown (it ends its gRPC server first); testcontainers' default is no grace. */
const PROXY_STOP_GRACE_MS = 10_000;

const HEALTH_CHECK = {
  test: ["CMD", "docker-entrypoint", "healthcheck"] as ["CMD", ...string[]],
  interval: 1_000,
  timeout: 5_000,
  retries: 3,
  startPeriod: 120_000,
};

/** The host ports of one start() attempt. */
export interface AttemptPorts {
  broker: BrokerPorts;
  /** The proxy's remoting port, with withProxy(). */
  remoting?: number;
}

/** What every container of one attempt shares: where it runs, how it is labelled, how long it may take. */
export interface AttemptSettings {
  labels: Record<string, string>;
  networkMode: string | undefined;
  networkAliases: string[];
  startupTimeoutMs: number;
  /**
   * Multiplies each container's memory limit: 2 when the image is for another CPU than the engine's, since the
   * emulator's own memory counts against the limit and a JVM sized for it alone is OOM-killed.
   */
  memoryFactor?: number;
}

export class RocketMQContainer {
  private readonly image: string;
  private readonly brokerConfig: BrokerConfig = {};
  private readonly topics: { name: string; options: TopicOptions }[] = [];
  private proxyImage: string | undefined;
  private advertisedHost: string | undefined;
  private networkMode: string | undefined;
  private readonly networkAliases: string[] = [];
  private readonly labels: Record<string, string> = {};
  private startupTimeoutMs = DEFAULT_STARTUP_TIMEOUT_MS;
  private auth: { user: string; password: string } | undefined;
  private readonly bootstrapFiles: string[] = [];
  private tls: TlsMaterial | undefined;

  constructor(image: string = DEFAULT_IMAGE) {
    this.image = image;
  }

  /**
   * broker.conf keys and values, checked by the image's configurator before the broker's JVM starts: an unknown
   * key or a bad value makes start() fail with the configurator's message (and a did-you-mean).
   */
  withBrokerConfig(config: BrokerConfig): this {
    for (const [key, value] of Object.entries(config)) {
      const why = OWNED_KEYS[key];
      if (why) throw new Error(`withBrokerConfig: ${key}=${JSON.stringify(value)} is set by RocketMQContainer (${why})`);
      this.brokerConfig[key] = value;
    }
    return this;
  }

  /** Topics that exist, and are routed by the name server, when start() resolves. */
  withTopics(...topics: (string | { name: string; options?: TopicOptions })[]): this {
    for (const t of topics) this.topics.push(typeof t === "string" ? { name: t, options: {} } : { name: t.name, options: t.options ?? {} });
    return this;
  }

  /**
   * Also runs RocketMQ 5's proxy (cluster mode), for gRPC clients such as rocketmq-client-nodejs: getProxyEndpoint().
   * The image defaults to the proxy image of the same tag (rocketmq-appliance/proxy:<tag>).
   */
  withProxy(image?: string): this {
    this.proxyImage = image ?? this.image.replace(/\/broker(?=:|@|$)/, "/proxy");
    return this;
  }

  /**
   * The address the broker advertises (brokerIP1), which every client dials. By default an address of the Docker
   * host that the test process and containers on any network can reach: the engine's host when it is remote,
   * else the gateway of the container's network (Linux).
   */
  withAdvertisedHost(host: string): this {
    this.advertisedHost = host;
    return this;
  }

  /** Joins `network` (the name server, and with it the broker and the proxy, which share its network namespace). */
  withNetwork(network: StartedNetwork): this {
    return this.withNetworkMode(network.getName());
  }

  /** A Docker network mode or network name, as `docker run --network` takes it. */
  withNetworkMode(networkMode: string): this {
    this.networkMode = networkMode;
    return this;
  }

  /** Names of the name server on the network given with withNetwork: getNetworkNamesrvAddr() is `alias:9876`. */
  withNetworkAliases(...networkAliases: string[]): this {
    this.networkAliases.push(...networkAliases);
    return this;
  }

  /** Labels for each of the containers. */
  withLabels(labels: Record<string, string>): this {
    Object.assign(this.labels, labels);
    return this;
  }

  /**
   * Turns on RocketMQ 5's ACL 2.0 (the images' AUTH_ENABLED) on the broker and the proxy: `user` is the super user
   * that clients sign with (getCredentials()); anonymous clients are refused. The password is at least 8 characters.
   */
  withAuth(password: string, user = "admin"): this {
    if (password.length < 8) throw new Error("withAuth: the password needs at least 8 characters");
    this.auth = { user, password };
    return this;
  }

  /**
   * A bootstrap file on this host (YAML or JSON: users and policies, topics, consumer groups; docs/security.md),
   * applied once the broker is healthy as the image's `bootstrap` command applies it. start() fails with every
   * problem the file has. A `passwordFile` in it names a file inside the container: use `password` here.
   */
  withBootstrapFile(path: string): this {
    this.bootstrapFiles.push(path);
    return this;
  }

  /**
   * TLS only (the images' TLS_MODE=enforcing) on the name server, the broker and the proxy, with this certificate
   * and PKCS#8 key (PEM text; compose/secure/certs.sh makes a test set); `ca` is what their own connections trust.
   * Plaintext clients are refused; the module's own requests (topics, bootstrap, mqadmin, health) speak TLS.
   */
  withTls(tls: TlsMaterial): this {
    const problems = [
      ["cert", pemProblem(tls.cert, "certificate")],
      ["key", pemProblem(tls.key, "rocketmq-key")],
      ["ca", tls.ca === undefined ? undefined : pemProblem(tls.ca, "certificate")],
    ].flatMap(([name, problem]) => (problem ? [`${name} ${problem}`] : []));
    if (problems.length) throw new Error(`withTls: ${problems.join("; ")}`);
    this.tls = { ...tls };
    return this;
  }

  /** How long each container may take to become healthy; default 120 s. */
  withStartupTimeout(startupTimeoutMs: number): this {
    this.startupTimeoutMs = startupTimeoutMs;
    return this;
  }

  async start(): Promise<StartedRocketMQContainer> {
    const client = await getContainerRuntimeClient();
    const images = await requireImages(client, [this.image, ...(this.proxyImage ? [this.proxyImage] : [])]);
    const engine = normalArch(String(((await client.container.dockerode.info()) as { Architecture?: string }).Architecture ?? ""));
    const emulated = images.some((image) => normalArch(image.Architecture) !== engine);
    for (let attempt = 1; ; attempt++) {
      const ports = await choosePorts(this.proxyImage !== undefined);
      const attemptId = randomUUID();
      const settings: AttemptSettings = {
        labels: { ...this.labels, [ATTEMPT_LABEL]: attemptId },
        networkMode: this.networkMode,
        networkAliases: [...this.networkAliases],
        startupTimeoutMs: this.startupTimeoutMs,
        memoryFactor: emulated ? 2 : 1,
      };
      try {
        const namesrv = await withTlsFiles(namesrvDefinition(this.image, ports, settings), this.tls).start();
        return await this.startBehind(client, namesrv, ports, settings);
      } catch (e) {
        await removeAttempt(client, attemptId);
        // Another process took a port between the check and the start: choose again.
        if (!isPortClash(e) || attempt >= PORT_CLASH_RETRIES) throw e;
      }
    }
  }

  private async startBehind(
    client: ContainerRuntimeClient,
    namesrv: StartedTestContainer,
    ports: AttemptPorts,
    settings: AttemptSettings,
  ): Promise<StartedRocketMQContainer> {
    const started: StartedTestContainer[] = [];
    try {
      const namesrvContainer = client.container.getById(namesrv.getId());
      const owner = await namesrvContainer.inspect();
      const host = this.advertisedHost ?? advertisedHostOf(client, owner, settings.networkMode);
      const version = envOf(owner).RMQ_VERSION ?? "";
      const cluster = String(this.brokerConfig.brokerClusterName ?? "DefaultCluster");
      const brokerName = String(this.brokerConfig.brokerName ?? "broker-a");
      const authEnv: Record<string, string> = this.auth
        ? { AUTH_ENABLED: "true", AUTH_ADMIN_USER: this.auth.user, AUTH_ADMIN_PASSWORD: this.auth.password }
        : {};
      // The broker and the proxy join the name server's network namespace and fail fast if it exits.
      const alongside = (image: string, name: string, memoryGiB: number, env: Record<string, string>) =>
        withTlsFiles(new GenericContainer(image), this.tls)
          .withNetworkMode(`container:${namesrv.getId()}`)
          .withEnvironment({ NAMESRV_ADDR: `127.0.0.1:${NAMESRV_PORT}`, ...authEnv, ...env })
          .withLabels(settings.labels)
          .withHealthCheck(HEALTH_CHECK)
          .withResourcesQuota({ memory: memoryGiB * (settings.memoryFactor ?? 1) })
          .withWaitStrategy(new HealthyOrExitedWaitStrategy(name, { needs: [{ name: "the name server", container: namesrvContainer }] }))
          .withStartupTimeout(settings.startupTimeoutMs)
          .start();

      const broker = await alongside(this.image, "the broker", 1, {
        RMQ_ROLE: "broker",
        BROKER_IP1: host,
        LISTEN_PORT: String(ports.broker.listen),
        ...Object.fromEntries(Object.entries(this.brokerConfig).map(([k, v]) => [`RMQ_BROKER_${k}`, String(v)])),
      });
      started.push(broker);

      let proxy: StartedTestContainer | undefined;
      if (this.proxyImage && ports.remoting) {
        proxy = await alongside(this.proxyImage, "the proxy", 0.75, {
          RMQ_ROLE: "proxy",
          BROKER_CLUSTER_NAME: cluster,
          GRPC_PORT: String(PROXY_GRPC_PORT),
          REMOTING_PORT: String(ports.remoting),
          REMOTING_ACCESS_ADDR: host,
        });
        started.push(proxy);
      }

      const result = new StartedRocketMQContainer(namesrv, broker, proxy, {
        brokerHost: host,
        listenPort: ports.broker.listen,
        remotingPort: ports.remoting,
        clusterName: cluster,
        brokerName,
        rocketmqVersion: version,
        networkAliases: settings.networkAliases,
        credentials: this.auth && { accessKey: this.auth.user, secretKey: this.auth.password },
        tls: this.tls && { ca: this.tls.ca },
      });
      for (const topic of this.topics) await result.createTopic(topic.name, topic.options);
      for (const file of this.bootstrapFiles) await result.bootstrap(await readFile(file, "utf8"));
      return result;
    } catch (e) {
      for (const c of [...started.reverse(), namesrv]) await c.stop().catch(() => undefined);
      throw e;
    }
  }
}

/**
 * Free host ports for one attempt: a listenPort whose whole triplet (brokerPorts) is free, and with the proxy a
 * remoting port apart from it.
 */
export async function choosePorts(withProxy: boolean): Promise<AttemptPorts> {
  // The triplet's shape, from brokerPorts itself: one window of consecutive ports from fast to ha.
  const shape = brokerPorts(DEFAULT_LISTEN_PORT);
  const span = shape.ha - shape.fast + 1;
  const first = await freeConsecutivePorts(span);
  const broker = brokerPorts(first + (shape.listen - shape.fast));
  const window = new Set(Array.from({ length: span }, (_, i) => first + i));
  return { broker, ...(withProxy ? { remoting: await freeConsecutivePorts(1, window) } : {}) };
}

/**
 * The name server's container for one attempt, a definition of its own. It owns the network namespace the broker
 * and the proxy join, so it publishes their ports: the broker's triplet and the proxy's remoting port one-to-one.
 */
export function namesrvDefinition(image: string, ports: AttemptPorts, settings: AttemptSettings): GenericContainer {
  const { fast, listen, ha } = ports.broker;
  const container = new GenericContainer(image)
    .withEnvironment({ RMQ_ROLE: "namesrv", LISTEN_PORT: String(NAMESRV_PORT) })
    .withResourcesQuota({ memory: 0.5 * (settings.memoryFactor ?? 1) }) // GiB
    .withLabels(settings.labels)
    .withExposedPorts(
      NAMESRV_PORT,
      ...[fast, listen, ha].map((p) => ({ container: p, host: p })),
      ...(ports.remoting ? [PROXY_GRPC_PORT, { container: ports.remoting, host: ports.remoting }] : []),
    )
    // The broker starts as soon as the name server's JVM does: the two boot side by side, and the broker is
    // healthy only once this name server lists it, so the broker's health check covers both.
    .withWaitStrategy(new HealthyOrExitedWaitStrategy("the name server", { untilRunning: true }))
    .withStartupTimeout(settings.startupTimeoutMs);
  if (settings.networkMode) container.withNetworkMode(settings.networkMode);
  if (settings.networkAliases.length > 0) container.withNetworkAliases(...settings.networkAliases);
  return container;
}

export interface RocketMQAddresses {
  brokerHost: string;
  listenPort: number;
  remotingPort: number | undefined;
  clusterName: string;
  brokerName: string;
  rocketmqVersion: string;
  networkAliases: string[];
  /** With withAuth(): what clients sign with. */
  credentials: Credentials | undefined;
  /** With withTls(): the CA that clients trust (none: any certificate). */
  tls: { ca?: string } | undefined;
}

export class StartedRocketMQContainer extends AbstractStartedContainer {
  private readonly broker: StartedTestContainer;
  private readonly proxy: StartedTestContainer | undefined;
  private readonly addresses: RocketMQAddresses;

  constructor(
    namesrv: StartedTestContainer,
    broker: StartedTestContainer,
    proxy: StartedTestContainer | undefined,
    addresses: RocketMQAddresses,
  ) {
    super(namesrv);
    this.broker = broker;
    this.proxy = proxy;
    this.addresses = addresses;
  }

  /** The name server, `host:port`, for clients in the test process (ali-ons `nameSrv`, Java `setNamesrvAddr`). */
  getNamesrvAddr(): string {
    return `${this.getHost()}:${this.getMappedPort(NAMESRV_PORT)}`;
  }

  /**
   * The name server for clients in other containers on a network given with withNetwork(): `alias:9876`
   * (or the container's address on that network). The broker address they are handed works there too.
   */
  getNetworkNamesrvAddr(network?: StartedNetwork): string {
    const alias = this.addresses.networkAliases[0];
    if (alias && !network) return `${alias}:${NAMESRV_PORT}`;
    const name = network?.getName() ?? this.getNetworkNames().find((n) => n !== "bridge") ?? this.getNetworkNames()[0]!;
    return `${this.getIpAddress(name)}:${NAMESRV_PORT}`;
  }

  /** What the broker advertises (brokerIP1:listenPort): the address every remoting client dials. */
  getBrokerAddr(): string {
    return `${this.addresses.brokerHost}:${this.addresses.listenPort}`;
  }

  /** The proxy's gRPC endpoint, `host:port`, for RocketMQ 5 clients (rocketmq-client-nodejs `endpoints`). */
  getProxyEndpoint(): string {
    this.requireProxy("getProxyEndpoint");
    return `${this.getHost()}:${this.getMappedPort(PROXY_GRPC_PORT)}`;
  }

  /** The proxy's remoting port, `host:port`, which remoting clients may use as their name server address. */
  getProxyRemotingAddr(): string {
    this.requireProxy("getProxyRemotingAddr");
    return `${this.addresses.brokerHost}:${this.addresses.remotingPort}`;
  }

  getClusterName(): string {
    return this.addresses.clusterName;
  }

  getBrokerName(): string {
    return this.addresses.brokerName;
  }

  /** The RocketMQ release inside the image, e.g. "5.5.0". */
  getRocketMQVersion(): string {
    return this.addresses.rocketmqVersion;
  }

  /**
   * With withAuth(): the super user's credentials, as RocketMQ clients take them (Java `SessionCredentials`, ali-ons
   * `accessKey`/`secretKey`; rocketmq-client-nodejs `sessionCredentials` calls the secret `accessSecret`).
   */
  getCredentials(): Credentials | undefined {
    return this.addresses.credentials && { ...this.addresses.credentials };
  }

  /** The broker's own container, for its logs or exec. */
  getBrokerContainer(): StartedTestContainer {
    return this.broker;
  }

  getProxyContainer(): StartedTestContainer | undefined {
    return this.proxy;
  }

  /** With withTls(): `{ ca }`, what clients trust (the Java client: -Dtls.enable=true and tls.client.trustCertPath). */
  getTls(): { ca?: string } | undefined {
    return this.addresses.tls && { ...this.addresses.tls };
  }

  /** Creates a topic on the broker and waits until the name server routes it. */
  async createTopic(topic: string, options: TopicOptions = {}): Promise<void> {
    await createTopic(this.getNamesrvAddr(), topic, {
      ...options,
      ...(this.addresses.tls ? { requester: oneShotWith({ tls: this.addresses.tls }) } : {}),
      rocketmq5: !this.addresses.rocketmqVersion.startsWith("4."),
      credentials: this.addresses.credentials,
    });
  }

  /**
   * Applies a bootstrap file's text (see withBootstrapFile) with the image's `bootstrap` command, signing as the
   * admin under withAuth(); resolves with its report, fails with every problem it found. Idempotent: applying the
   * same text again changes nothing.
   */
  async bootstrap(content: string): Promise<string> {
    // Readable by root alone (it may hold passwords), removed after the run.
    const target = `/tmp/bootstrap-${randomUUID()}.yml`;
    await this.broker.copyContentToContainer([{ content, target, mode: 0o600 }]);
    const r = await this.broker.exec(
      [
        "env",
        `BOOTSTRAP_FILE=${target}`,
        `NAMESRV_ADDR=127.0.0.1:${NAMESRV_PORT}`,
        "sh",
        "-c",
        'docker-entrypoint bootstrap; s=$?; rm -f "$BOOTSTRAP_FILE"; exit $s',
      ],
      { user: "root" },
    );
    if (r.exitCode !== 0) throw new Error(`bootstrap exited with ${r.exitCode}:\n${r.output}`);
    return r.output;
  }

  /**
   * Runs `mqadmin` in the broker's container and returns its output; `-n` (the name server) is added unless
   * given. Fails with the output when mqadmin exits non-zero.
   */
  async mqadmin(...args: string[]): Promise<string> {
    const withNamesrv = args.includes("-n") ? args : [...args, "-n", `127.0.0.1:${NAMESRV_PORT}`];
    const r = await this.broker.exec(["docker-entrypoint", "mqadmin", ...withNamesrv]);
    if (r.exitCode !== 0) throw new Error(`mqadmin ${withNamesrv.join(" ")} exited with ${r.exitCode}:\n${r.output}`);
    return r.stdout;
  }

  override async stop(options?: Partial<StopOptions>): Promise<StoppedTestContainer> {
    // The proxy and the broker live in the name server's network namespace: they go first. The proxy gets SIGTERM
    // and time to close its gRPC streams: killed, it drops them, and gRPC clients that have shut down but still
    // hold a stream (rocketmq-client-nodejs keeps its telemetry stream) raise the error in their process.
    if (this.proxy) await this.proxy.stop({ timeout: PROXY_STOP_GRACE_MS, ...options });
    await this.broker.stop(options);
    return super.stop(options);
  }

  private requireProxy(getter: string): void {
    if (!this.proxy) throw new Error(`${getter}(): this RocketMQContainer was started without withProxy()`);
  }
}

/** withTls(): PEM texts. */
export interface TlsMaterial {
  cert: string;
  key: string;
  ca?: string;
}

const TLS_DIR = "/etc/rocketmq/tls";

/** The TLS files and variables of withTls() on one container (any of the three). */
function withTlsFiles(container: GenericContainer, tls: TlsMaterial | undefined): GenericContainer {
  if (!tls) return container;
  // Copied as root-owned files: the key is readable by the container's JVM user (uid 3000), its only other user.
  return container
    .withCopyContentToContainer([
      { content: tls.cert, target: `${TLS_DIR}/server.pem`, mode: 0o644 },
      { content: tls.key, target: `${TLS_DIR}/server.key`, mode: 0o644 },
      ...(tls.ca ? [{ content: tls.ca, target: `${TLS_DIR}/ca.pem`, mode: 0o644 }] : []),
    ])
    .withEnvironment({
      TLS_MODE: "enforcing",
      TLS_CERT_FILE: `${TLS_DIR}/server.pem`,
      TLS_KEY_FILE: `${TLS_DIR}/server.key`,
      ...(tls.ca ? { TLS_CA_FILE: `${TLS_DIR}/ca.pem` } : {}),
    });
}

/** An address of the Docker host that the test process and containers can both dial (see withAdvertisedHost). */
export function advertisedHostOf(
  client: Pick<ContainerRuntimeClient, "info">,
  owner: Dockerode.ContainerInspectInfo,
  networkMode: string | undefined,
): string {
  const host = client.info.containerRuntime.host;
  const loopback = host === "localhost" || host.startsWith("127.") || host === "::1";
  // Docker Desktop's gateways live in its VM, out of the test process's reach.
  if (!loopback || /docker desktop/i.test(client.info.containerRuntime.operatingSystem)) return host;
  const networks = owner.NetworkSettings.Networks;
  const gateway = (networkMode && networks[networkMode]?.Gateway) || Object.values(networks).find((n) => n.Gateway)?.Gateway;
  return gateway || host;
}

function envOf(info: Dockerode.ContainerInspectInfo): Record<string, string> {
  return Object.fromEntries((info.Config.Env ?? []).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]));
}

/** No registry serves the appliance images yet: say how to get them instead of a pull error. */
async function requireImages(client: ContainerRuntimeClient, images: string[]): Promise<Dockerode.ImageInspectInfo[]> {
  const found: Dockerode.ImageInspectInfo[] = [];
  for (const image of images) {
    try {
      found.push(await client.container.dockerode.getImage(image).inspect());
    } catch {
      throw new Error(
        `image ${image} is not on this Docker engine (${client.info.containerRuntime.host}); build the appliance images there with ` +
          "`npm run images` in a rocketmq-appliance checkout (add `-- --rocketmq <version>` for another release)",
      );
    }
  }
  return found;
}

/** Removes what a failed attempt left behind (a container created whose start failed). */
async function removeAttempt(client: ContainerRuntimeClient, attemptId: string): Promise<void> {
  const leftovers = await client.container.dockerode.listContainers({ all: true, filters: { label: [`${ATTEMPT_LABEL}=${attemptId}`] } });
  await Promise.all(
    leftovers.map((c) =>
      client.container.dockerode
        .getContainer(c.Id)
        .remove({ force: true, v: true })
        .catch(() => undefined),
    ),
  );
}
