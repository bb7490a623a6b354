// rocketmq-appliance/testcontainers: a real RocketMQ in application tests, on the npm `testcontainers` package.
export { RocketMQContainer, StartedRocketMQContainer, DEFAULT_IMAGE, type BrokerConfig, type TlsMaterial } from "./rocketmq-container.ts";
export { RocketMQCluster, StartedRocketMQCluster, RocketMQNode, CLUSTER_MODES, type ClusterMode } from "./rocketmq-cluster.ts";
export { ContainerExitedError } from "./ready.ts";
export type { TopicOptions } from "../remoting/topics.ts";
export type { Credentials } from "../remoting/auth.ts";
