// The appliance's own variables. Short names are aliases of catalogue keys (their type, default and
// validation come from the catalogue); the rest configure the container rather than RocketMQ.
import type { Role } from "../catalogue/catalogue.ts";
import { AUTH_VARIABLES } from "./auth.ts";
import { TLS_VARIABLES } from "./tls.ts";
import { BROKER_UPDATES_NAME, CONF_FILE_NAME, IMAGE_RUNTIME_DIR } from "./file-names.ts";

export interface KeyVariable {
  name: string;
  key: string;
  description: string;
}

export const KEY_VARIABLES: Record<Role, KeyVariable[]> = {
  broker: [
    { name: "NAMESRV_ADDR", key: "namesrvAddr", description: "Name servers, `host:port;host:port`. Required." },
    { name: "BROKER_CLUSTER_NAME", key: "brokerClusterName", description: "Cluster the broker joins." },
    { name: "BROKER_NAME", key: "brokerName", description: "Broker group name; a master and its slaves share it." },
    { name: "BROKER_ID", key: "brokerId", description: "0 for a master, 1 or more for a slave." },
    { name: "BROKER_ROLE", key: "brokerRole", description: "Replication role (case is normalised)." },
    { name: "FLUSH_DISK_TYPE", key: "flushDiskType", description: "When a write is flushed to disk." },
    { name: "BROKER_IP1", key: "brokerIP1", description: "Address clients dial (advertised with LISTEN_PORT)." },
    { name: "BROKER_IP2", key: "brokerIP2", description: "Address slaves dial for HA replication. Defaults to BROKER_IP1." },
    { name: "LISTEN_PORT", key: "listenPort", description: "Main port; LISTEN_PORT-2 (fast) and LISTEN_PORT+1 (HA) are used too." },
    {
      name: "DLEDGER_PEERS",
      key: "dLegerPeers",
      description: "DLedger group members, `n0-host:port;n1-host:port;n2-host:port`. Setting it turns DLedger mode on.",
    },
    { name: "DLEDGER_SELF_ID", key: "dLegerSelfId", description: "This node's id in DLEDGER_PEERS (`n0`, `n1`, ...)." },
    { name: "DLEDGER_GROUP", key: "dLegerGroup", description: "DLedger group name. Defaults to BROKER_NAME." },
    {
      name: "CONTROLLER_ADDR",
      key: "controllerAddr",
      description: "Controllers, `host:port;host:port` (5.x). Setting it turns controller mode on.",
    },
  ],
  namesrv: [
    { name: "LISTEN_PORT", key: "listenPort", description: "Name server port." },
    {
      name: "CONTROLLER_PEERS",
      key: "controllerDLegerPeers",
      description: "Embedded controllers, `n0-host:port;...` (5.x). Setting it starts a controller in this name server.",
    },
    { name: "CONTROLLER_SELF_ID", key: "controllerDLegerSelfId", description: "This controller's id in CONTROLLER_PEERS." },
    { name: "CONTROLLER_GROUP", key: "controllerDLegerGroup", description: "Controller group name. Default: `controller`." },
  ],
  proxy: [
    { name: "NAMESRV_ADDR", key: "namesrvAddr", description: "Name servers of the brokers it serves, `host:port;host:port`. Required." },
    { name: "BROKER_CLUSTER_NAME", key: "rocketMQClusterName", description: "Cluster whose brokers it serves: their BROKER_CLUSTER_NAME." },
    { name: "GRPC_PORT", key: "grpcServerPort", description: "gRPC port, for RocketMQ 5 clients." },
    {
      name: "REMOTING_PORT",
      key: "remotingListenPort",
      description: "Remoting port, for remoting clients (they use it as their name server address).",
    },
    {
      name: "REMOTING_ACCESS_ADDR",
      key: "remotingAccessAddr",
      description: "Host remoting clients are told to dial, with REMOTING_PORT. gRPC clients keep the address they connected to.",
    },
  ],
};

/** The key that holds the address a role advertises; the appliance fills it with the container's own address. */
export const ADVERTISED_ADDRESS_KEY: Partial<Record<Role, string>> = { broker: "brokerIP1", proxy: "remotingAccessAddr" };

/** Keys the appliance sets itself when nothing else does; `why` is shown by print-config. */
export interface ApplianceDefault {
  key: string;
  value: string;
  why: string;
}

export const STORE_DIR = "/home/rocketmq/store";
export const LOGS_DIR = "/home/rocketmq/logs";

export const APPLIANCE_DEFAULTS: Record<Role, ApplianceDefault[]> = {
  broker: [
    {
      key: "brokerName",
      value: "broker-a",
      why: "a stable name instead of RocketMQ's hostname default, which changes when a container is recreated",
    },
    { key: "listenPort", value: "10911", why: "RocketMQ's broker port" },
    { key: "storePathRootDir", value: STORE_DIR, why: "the store volume" },
    {
      key: "brokerConfigPath",
      value: `${IMAGE_RUNTIME_DIR}/${BROKER_UPDATES_NAME}`,
      why: "settings changed at run time (mqadmin updateBrokerConfig) go there, not over the rendered config, which the next start renders anew (RocketMQ 5)",
    },
  ],
  namesrv: [
    { key: "listenPort", value: "9876", why: "RocketMQ's name server port" },
    { key: "kvConfigPath", value: `${STORE_DIR}/namesrv/kvConfig.json`, why: "kept on the store volume" },
    { key: "configStorePath", value: `${STORE_DIR}/namesrv/namesrv.properties`, why: "kept on the store volume" },
    {
      key: "controllerStorePath",
      value: `${STORE_DIR}/controller`,
      why: "kept on the store volume (RocketMQ's default is under the home directory)",
    },
  ],
  proxy: [
    {
      key: "proxyMode",
      value: "cluster",
      why: "the image runs the proxy in front of separate brokers (-pm cluster); local mode would embed a broker",
    },
    {
      key: "useEndpointPortFromRequest",
      value: "true",
      why: "gRPC clients are routed back to the host and port they connected to, so a remapped published port works",
    },
  ],
};

/** Container settings, checked with env-schema. `description` is the "allowed" part of an error. */
export const CONTAINER_SCHEMA = {
  type: "object",
  properties: {
    JAVA_HEAP: {
      type: "string",
      pattern: "^[1-9][0-9]*[mMgG]$",
      description: "a size such as 512m or 2g",
    },
    JAVA_DIRECT_MEMORY: {
      type: "string",
      pattern: "^[1-9][0-9]*[mMgG]$",
      description: "a size such as 256m or 1g",
    },
    JAVA_OPT_EXT: {
      type: "string",
      description: "JVM options separated by spaces",
    },
    RMQ_CONF_PATH: {
      type: "string",
      pattern: "^/",
      description: "an absolute path",
    },
    RMQ_LOG_FORMAT: {
      type: "string",
      enum: ["text", "json"],
      default: "text",
      description: "text or json",
    },
  },
} as const;

/** One line per container variable, for the docs' table. */
export const CONTAINER_VARIABLE_SUMMARIES: Record<keyof typeof CONTAINER_SCHEMA.properties, string> = {
  JAVA_HEAP: "Heap size (-Xms and -Xmx). Default: sized from the container's memory limit.",
  JAVA_DIRECT_MEMORY: "-XX:MaxDirectMemorySize (broker, proxy). Default: sized from the container's memory limit.",
  JAVA_OPT_EXT: "Extra JVM options, appended last so they win (as in RocketMQ's scripts).",
  RMQ_CONF_PATH: "A mounted broker.conf / namesrv.conf / rmq-proxy.json to read (default: that name in /etc/rocketmq).",
  RMQ_LOG_FORMAT: "Format of the configurator's own log lines.",
};

export type ContainerSettings = {
  JAVA_HEAP?: string;
  JAVA_DIRECT_MEMORY?: string;
  JAVA_OPT_EXT?: string;
  RMQ_CONF_PATH?: string;
  RMQ_LOG_FORMAT: "text" | "json";
};

export const CONTAINER_VARIABLES = Object.keys(CONTAINER_SCHEMA.properties);

/** Set by the image itself, never by users; accepted without complaint. */
export const IMAGE_VARIABLES = ["RMQ_ROLE", "RMQ_VERSION", "JAVA_HOME", "ROCKETMQ_HOME"];

/** Whether the appliance reads a variable (anything else in the environment is left alone). */
export function isApplianceVariable(name: string): boolean {
  return (
    /^(RMQ_|BROKER_|NAMESRV_|AUTH_|TLS_)/.test(name) ||
    Object.values(KEY_VARIABLES).some((variables) => variables.some((v) => v.name === name)) ||
    CONTAINER_VARIABLES.includes(name) ||
    AUTH_VARIABLES.includes(name) ||
    TLS_VARIABLES.includes(name)
  );
}

export function prefixOf(role: Role): string {
  return `RMQ_${role.toUpperCase()}_`;
}

export function defaultConfFile(role: Role): string {
  return `/etc/rocketmq/${CONF_FILE_NAME[role]}`;
}
