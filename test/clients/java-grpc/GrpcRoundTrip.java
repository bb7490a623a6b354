// A round trip through the proxy's gRPC port with rocketmq-client-java, Apache RocketMQ's 5.x Java client: a
// simple consumer of a new group subscribes, a producer sends COUNT messages whose bodies start with RUN_ID, and
// the consumer receives and acknowledges them. The contract of the test suite's round-trip clients
// (bench/clients/round-trip.ts):
//
//   java GrpcRoundTrip ENDPOINTS TOPIC COUNT RUN_ID
//
// prints one JSON line {"sent":n,"received":k}; ROUNDTRIP_ACCESS_KEY/ROUNDTRIP_SECRET_KEY sign requests (ACL) and
// ROUNDTRIP_TIMEOUT_MS bounds the whole run. Exit 1 on failure, 64 on bad arguments.

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.rocketmq.client.apis.ClientConfiguration;
import org.apache.rocketmq.client.apis.ClientConfigurationBuilder;
import org.apache.rocketmq.client.apis.ClientServiceProvider;
import org.apache.rocketmq.client.apis.SessionCredentialsProvider;
import org.apache.rocketmq.client.apis.StaticSessionCredentialsProvider;
import org.apache.rocketmq.client.apis.consumer.FilterExpression;
import org.apache.rocketmq.client.apis.consumer.SimpleConsumer;
import org.apache.rocketmq.client.apis.message.MessageView;
import org.apache.rocketmq.client.apis.producer.Producer;

public final class GrpcRoundTrip {
    public static void main(String[] args) throws Exception {
        if (args.length != 4 || !args[2].matches("[1-9][0-9]{0,8}")) {
            System.err.println("usage: GrpcRoundTrip ENDPOINTS TOPIC COUNT RUN_ID (COUNT a positive integer)");
            System.exit(64);
        }
        String endpoints = args[0], topic = args[1], runId = args[3];
        int count = Integer.parseInt(args[2]);
        String timeout = System.getenv("ROUNDTRIP_TIMEOUT_MS");
        long deadline = System.currentTimeMillis() + (timeout == null ? 120_000 : Long.parseLong(timeout));

        ClientConfigurationBuilder config = ClientConfiguration.newBuilder().setEndpoints(endpoints).enableSsl(false);
        String accessKey = System.getenv("ROUNDTRIP_ACCESS_KEY");
        if (accessKey != null) {
            SessionCredentialsProvider credentials = new StaticSessionCredentialsProvider(accessKey, System.getenv("ROUNDTRIP_SECRET_KEY"));
            config.setCredentialProvider(credentials);
        }
        ClientServiceProvider provider = ClientServiceProvider.loadService();
        int sent = 0;
        Set<String> seen = new HashSet<>();
        // Subscribed before anything is sent, so the new group starts where the messages are.
        SimpleConsumer consumer = retryUntil(deadline, () -> provider.newSimpleConsumerBuilder()
            .setClientConfiguration(config.build())
            .setConsumerGroup(runId + "-java-grpc")
            .setAwaitDuration(Duration.ofSeconds(10))
            .setSubscriptionExpressions(Collections.singletonMap(topic, FilterExpression.SUB_ALL))
            .build());
        try {
            try (Producer producer = retryUntil(deadline, () -> provider.newProducerBuilder()
                    .setClientConfiguration(config.build()).setTopics(topic).build())) {
                for (int i = 0; i < count; i++) {
                    String body = runId + "-" + i;
                    retryUntil(deadline, () -> producer.send(provider.newMessageBuilder()
                        .setTopic(topic).setKeys(body).setBody(body.getBytes(StandardCharsets.UTF_8)).build()));
                    sent++;
                }
            }
            while (seen.size() < count && System.currentTimeMillis() < deadline) {
                List<MessageView> messages;
                try {
                    messages = consumer.receive(16, Duration.ofSeconds(30));
                } catch (Exception e) {
                    // A long poll can end in an error while the proxy's pop is slow: poll again until the deadline.
                    if (System.currentTimeMillis() >= deadline) throw e;
                    continue;
                }
                for (MessageView message : messages) {
                    String body = StandardCharsets.UTF_8.decode(message.getBody()).toString();
                    if (body.startsWith(runId + "-")) seen.add(body);
                    consumer.ack(message);
                }
            }
        } finally {
            consumer.close();
        }
        System.out.println("{\"sent\":" + sent + ",\"received\":" + seen.size() + "}");
        System.out.flush();
        // The client's gRPC threads can outlive close(): leave at once.
        Runtime.getRuntime().halt(seen.size() == count ? 0 : 1);
    }

    /** A topic or group created a moment ago may not be routed yet: retries until the deadline. */
    private static <T> T retryUntil(long deadline, Callable<T> action) throws Exception {
        while (true) {
            try {
                return action.call();
            } catch (Exception e) {
                if (System.currentTimeMillis() >= deadline) throw e;
                Thread.sleep(500);
            }
        }
    }
}
