/*
 * Round-trip test client built on the official Apache RocketMQ Java client
 * (org.apache.rocketmq:rocketmq-client 5.5.0, remoting protocol).
 *
 * Single class, default package, Java 11 compatible, no dependency other than
 * rocketmq-client. Built and run by test/clients/java-client.ts.
 *
 * Usage:
 *   java -cp 'classes:lib/*' RoundTrip --namesrv host:port --topic T --count N
 *        [--mode send|consume|both|route|perf] [--group G] [--run-id ID] [--tag-prefix P]
 *        [--timeout-seconds S] [--create-topic] [--queues Q] [--route]
 *
 * stdout carries only summary lines (diagnostics go to stderr):
 *   SENT <n> ok=<count of SEND_OK>
 *   RECEIVED <n>                               (all ids received)
 *   RECEIVED <k> MISSING <first missing ids>   (timeout)
 *   CLUSTER {json}                             (--route / --mode route)
 *   PERF {json}                                (--mode perf: sync sends, throughput and latency)
 *
 * Exit codes: 0 success, 1 send failure / error, 2 consume timeout, 64 usage error.
 */

import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPullConsumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.PullResult;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.MixAll;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.common.message.MessageQueue;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.remoting.exception.RemotingConnectException;
import org.apache.rocketmq.remoting.exception.RemotingSendRequestException;
import org.apache.rocketmq.remoting.exception.RemotingTimeoutException;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.apache.rocketmq.remoting.protocol.route.BrokerData;
import org.apache.rocketmq.remoting.protocol.route.QueueData;
import org.apache.rocketmq.remoting.protocol.route.TopicRouteData;

public final class RoundTrip {

    static final int EXIT_OK = 0;
    static final int EXIT_FAIL = 1;
    static final int EXIT_TIMEOUT = 2;
    static final int EXIT_USAGE = 64;

    static final String USAGE =
        "usage: RoundTrip --namesrv host:port --topic T --count N\n"
            + "         [--mode send|consume|both|route|pull-once|perf]  (default both; pull-once: one pull, the broker's answer;\n"
            + "                                perf: sync sends of --body-bytes from --threads threads for --seconds)\n"
            + "         [--threads N] [--seconds S] [--body-bytes B]  for --mode perf (default 1, 20, 1024)\n"
            + "         [--group G]            producer group G-producer, consumer group G-consumer (default roundtrip)\n"
            + "         [--run-id ID]          body/key prefix; required for --mode consume (default random)\n"
            + "         [--tag-prefix P]       tag messages P-<runId> and consume only that tag (default: tag RoundTrip, consume *)\n"
            + "         [--timeout-seconds S]  overall deadline (default 120)\n"
            + "         [--create-topic]       create the topic on every broker (masters and slaves) before sending\n"
            + "         [--queues Q]           queue count for --create-topic (default 4)\n"
            + "         [--route]              print CLUSTER {json} (cluster + topic route) at the end\n"
            + "         [--trace]              trace every message to RMQ_SYS_TRACE_TOPIC (the client's enableMsgTrace)\n"
            + "         [--events FILE]        append 'A <i> <ms> <broker> <queue>@<offset>' per acknowledged send,\n"
            + "                                'N <i> <ms> <status> <queue>@<offset>' per other status, 'E <i> <ms>' per failed\n"
            + "                                attempt, 'R <i> <ms> <broker> <queue>@<offset>' per message received\n"
            + "         [--interval-ms MS]     pause between sends, for send loops that run while a node is killed\n"
            + "         [--until-ok]           resend a message until it is SEND_OK (so every id has an acknowledged copy)\n"
            + "         [--stop-file FILE]     send: stop before the next message once FILE exists (--count is then an upper\n"
            + "                                bound), at once when it holds 0; consume: once FILE holds a number N, wait for ids\n"
            + "                                below N only, 60 s more at most (0: stop now)\n"
            + "         [--quiet-seconds S]    consume: stop once S seconds pass without a new id after the first one (a\n"
            + "                                reader of a stored topic, where what is missing will not come)\n"
            + "         [--access-key AK --secret-key-env VAR]  sign requests (ACL) as AK with the secret in $VAR\n";

    // ---------------------------------------------------------------- options

    String namesrv;
    String topic;
    int count = -1;
    String mode = "both";
    String group = "roundtrip";
    String runId;
    String tagPrefix;
    int timeoutSeconds = 120;
    int threads = 1;
    int seconds = 20;
    int bodyBytes = 1024;
    boolean createTopic;
    /** --trace: the producer and consumer report each message to RocketMQ's trace topic (enableMsgTrace). */
    boolean trace;
    int queues = 4;
    boolean route;
    int intervalMs;
    String accessKey;
    String secretKey;
    boolean untilOk;
    /** Where the chaos runner says when to stop: the load lasts as long as its fault schedule does. */
    Path stopFile;
    /** --quiet-seconds: a consumer stops this long after its last new id (0: never). */
    int quietSeconds;

    // Read by the watchdog thread; a --stop-file consumer brings it forward.
    volatile long deadline;
    final PrintStream out = System.out;
    /** --events FILE: one line per send result and per message received (duplicates included), for a checker. */
    PrintStream events;
    final PrintStream err = System.err;

    public static void main(String[] argv) {
        // Must happen before any RocketMQ class is initialised.
        configureClientLogging();
        // Re-check routes / rebalance every second instead of every 20-30 s so a
        // consumer started before its topic exists catches up quickly.
        setIfAbsent("rocketmq.client.rebalance.waitInterval", "1000");

        RoundTrip rt = new RoundTrip();
        int code;
        try {
            rt.parse(argv);
        } catch (IllegalArgumentException e) {
            System.err.println("RoundTrip: " + e.getMessage());
            System.err.print(USAGE);
            halt(EXIT_USAGE);
            return;
        }
        rt.deadline = System.currentTimeMillis() + rt.timeoutSeconds * 1000L;
        rt.startWatchdog();
        try {
            code = rt.run();
        } catch (Throwable t) {
            System.err.println("RoundTrip: unexpected error: " + t);
            t.printStackTrace(System.err);
            code = EXIT_FAIL;
        }
        halt(code);
    }

    static void halt(int code) {
        System.out.flush();
        System.err.flush();
        // halt, not exit: no client thread or shutdown hook may keep us alive.
        Runtime.getRuntime().halt(code);
    }

    static void setIfAbsent(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * rocketmq-client 5.x logs through a shaded logback (rocketmq-logback-classic) configured
     * from rmq.client.logback.xml, which writes ~/logs/rocketmqlogs/rocketmq_client.log at INFO.
     * The 4.x switches (rocketmq.client.logUseSlf4j, rocketmq.client.logLevel) no longer exist.
     * The supported override is the system property rmq.logback.configurationFile: point it at a
     * minimal config that only sends ERROR to stderr and writes no files (at WARN the client
     * prints stack traces for expected events such as the first lookup of a new topic). Level
     * can be changed with -Drocketmq.log.level=WARN; a caller-provided
     * rmq.logback.configurationFile wins.
     */
    static void configureClientLogging() {
        if (System.getProperty("rmq.logback.configurationFile") != null) {
            return;
        }
        String xml = "<configuration>"
            // each distinct log statement at most twice, with a one-frame stack trace
            + "<turboFilter class=\"ch.qos.logback.classic.turbo.DuplicateMessageFilter\">"
            + "<allowedRepetitions>1</allowedRepetitions></turboFilter>"
            + "<appender name=\"ERR\" class=\"ch.qos.logback.core.ConsoleAppender\">"
            + "<target>System.err</target>"
            + "<encoder><pattern>%d{HH:mm:ss.SSS} %-5p [rocketmq-client] %m%n%ex{1}</pattern></encoder>"
            + "</appender>"
            + "<root level=\"${rocketmq.log.level:-ERROR}\"><appender-ref ref=\"ERR\"/></root>"
            + "</configuration>";
        try {
            File f = File.createTempFile("roundtrip-logback", ".xml");
            f.deleteOnExit();
            Files.write(f.toPath(), xml.getBytes(StandardCharsets.UTF_8));
            System.setProperty("rmq.logback.configurationFile", f.getAbsolutePath());
        } catch (Exception e) {
            // No writable temp dir: keep the default config but move its file output away
            // from $HOME and silence it as much as the default config allows.
            setIfAbsent("rocketmq.log.level", "warn");
            setIfAbsent("rocketmq.log.root", System.getProperty("java.io.tmpdir"));
        }
    }

    void parse(String[] a) {
        for (int i = 0; i < a.length; i++) {
            String k = a[i];
            switch (k) {
                case "--create-topic":
                    createTopic = true;
                    continue;
                case "--until-ok":
                    untilOk = true;
                    continue;
                case "--route":
                    route = true;
                    continue;
                case "--trace":
                    trace = true;
                    continue;
                case "-h":
                case "--help":
                    System.out.print(USAGE);
                    halt(EXIT_OK);
                    return;
                default:
                    break;
            }
            if (!k.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument: " + k);
            }
            String v;
            int eq = k.indexOf('=');
            if (eq > 0) {
                v = k.substring(eq + 1);
                k = k.substring(0, eq);
            } else {
                if (i + 1 >= a.length) {
                    throw new IllegalArgumentException("missing value for " + k);
                }
                v = a[++i];
            }
            switch (k) {
                case "--namesrv": namesrv = v; break;
                case "--topic": topic = v; break;
                case "--count": count = parseInt(k, v, 0); break;
                case "--mode": mode = v; break;
                case "--group": group = v; break;
                case "--run-id": runId = v; break;
                case "--tag-prefix": tagPrefix = v; break;
                case "--timeout-seconds": timeoutSeconds = parseInt(k, v, 1); break;
                case "--queues": queues = parseInt(k, v, 1); break;
                case "--interval-ms": intervalMs = parseInt(k, v, 0); break;
                case "--stop-file": stopFile = Paths.get(v); break;
                case "--quiet-seconds": quietSeconds = parseInt(k, v, 1); break;
                case "--events": events = openEvents(v); break;
                case "--threads": threads = parseInt(k, v, 1); break;
                case "--seconds": seconds = parseInt(k, v, 1); break;
                case "--body-bytes": bodyBytes = parseInt(k, v, 1); break;
                case "--access-key": accessKey = v; break;
                case "--secret-key-env": secretKey = System.getenv(v); break;
                default: throw new IllegalArgumentException("unknown option: " + k);
            }
        }
        if (!mode.equals("send") && !mode.equals("consume") && !mode.equals("both") && !mode.equals("route") && !mode.equals("pull-once")
            && !mode.equals("perf")) {
            throw new IllegalArgumentException("--mode must be send, consume, both, route or pull-once");
        }
        if (namesrv == null || namesrv.isEmpty()) {
            throw new IllegalArgumentException("--namesrv is required");
        }
        if (!mode.equals("route") && (topic == null || topic.isEmpty())) {
            throw new IllegalArgumentException("--topic is required");
        }
        if (!mode.equals("route") && !mode.equals("pull-once") && !mode.equals("perf") && count < 0) {
            throw new IllegalArgumentException("--count is required");
        }
        if (mode.equals("consume") && runId == null) {
            throw new IllegalArgumentException("--mode consume needs --run-id (the id used when sending)");
        }
        if (runId == null) {
            runId = "rt" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        }
        if (tagPrefix != null && tagPrefix.isEmpty()) {
            tagPrefix = null;
        }
    }

    /** Signs every request (ACL) when --access-key is given; the secret comes from an environment variable, not argv. */
    RPCHook rpcHook() {
        if (accessKey == null) {
            return null;
        }
        if (secretKey == null) {
            throw new IllegalArgumentException("--access-key needs --secret-key-env naming a set variable");
        }
        return new AclClientRPCHook(new SessionCredentials(accessKey, secretKey));
    }

    /** RocketMQ's ResponseCode.NO_PERMISSION: the ACL refused the request. */
    static final int NO_PERMISSION = 16;

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }

    static int parseInt(String k, String v, int min) {
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min) {
                throw new IllegalArgumentException(k + " must be >= " + min);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(k + " must be an integer, got " + v);
        }
    }

    long remaining() {
        return deadline - System.currentTimeMillis();
    }

    void log(String msg) {
        err.println("[roundtrip] " + msg);
        err.flush();
    }

    /** Safety net: whatever a client call does, the process ends shortly after the deadline. */
    void startWatchdog() {
        Thread t = new Thread(() -> {
            try {
                long wait;
                while ((wait = remaining() + 2000) > 0) {
                    Thread.sleep(Math.min(wait, 1000));
                }
            } catch (InterruptedException e) {
                return;
            }
            log("watchdog: deadline of " + timeoutSeconds + "s passed, aborting");
            halt(EXIT_TIMEOUT);
        }, "roundtrip-watchdog");
        t.setDaemon(true);
        t.start();
    }

    String tag() {
        return tagPrefix == null ? "RoundTrip" : tagPrefix + "-" + runId;
    }

    String subscription() {
        return tagPrefix == null ? "*" : tagPrefix + "-" + runId;
    }

    /** Makes and starts a client (a lambda that may throw what a client's start throws). */
    interface ClientStart<T> {
        T make() throws Exception;
    }

    /**
     * Makes and starts a client, again when the library could not read the host's network interfaces: its
     * ClientConfig looks up the local address when it is constructed and again when it is started (the client
     * instance's copy), and an interface that disappears mid-enumeration (containers of other tests stopping
     * beside us) leaves it null and throws a NullPointerException. A start that failed so cannot be repeated on
     * the same client (START_FAILED): each attempt makes a new one.
     */
    <T> T newClient(ClientStart<T> makeAndStart) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return makeAndStart.make();
            } catch (NullPointerException e) {
                if (attempt == 20) {
                    throw e;
                }
                log("could not read the local address (attempt " + attempt + "), trying again");
                Thread.sleep(100);
            }
        }
    }

    // ------------------------------------------------------------------- run

    int run() throws Exception {
        log("mode=" + mode + " namesrv=" + namesrv + " topic=" + topic + " count=" + count
            + " run-id=" + runId + " tag=" + tag() + " timeout=" + timeoutSeconds + "s");
        DefaultMQProducer producer = null;
        int code = EXIT_OK;
        try {
            if (mode.equals("pull-once")) {
                return pullOnce();
            }
            boolean needProducer = createTopic || route || !mode.equals("consume");
            if (needProducer) {
                producer = newClient(() -> {
                    DefaultMQProducer p = new DefaultMQProducer(group + "-producer", rpcHook(), trace, null);
                    p.setNamesrvAddr(namesrv);
                    p.setVipChannelEnabled(false);
                    p.setSendMsgTimeout(5000);
                    p.setRetryTimesWhenSendFailed(2);
                    p.setPollNameServerInterval(1000);
                    p.start();
                    return p;
                });
            }
            if (createTopic) {
                code = createTopic(producer);
            }
            if (code == EXIT_OK && (mode.equals("send") || mode.equals("both"))) {
                code = send(producer);
            }
            if (code == EXIT_OK && mode.equals("perf")) {
                code = perf(producer);
            }
            if (code == EXIT_OK && (mode.equals("consume") || mode.equals("both"))) {
                code = consume();
            }
            if (route || mode.equals("route")) {
                int rc = printRoute(producer);
                if (code == EXIT_OK) {
                    code = rc;
                }
            }
        } finally {
            if (producer != null) {
                shutdownQuietly(producer::shutdown, "producer");
            }
        }
        return code;
    }

    /**
     * Silence the client's logger. Used once our result is known: shutting down a lite pull
     * consumer closes channels under in-flight long-poll pulls, which the client logs as ERRORs.
     */
    static void muteClientLogging() {
        if (Boolean.getBoolean("roundtrip.keepShutdownLogs")) {
            return;
        }
        try {
            Object f = org.apache.rocketmq.logging.org.slf4j.LoggerFactory.getILoggerFactory();
            if (f instanceof org.apache.rocketmq.logging.ch.qos.logback.classic.LoggerContext) {
                ((org.apache.rocketmq.logging.ch.qos.logback.classic.LoggerContext) f)
                    .getLogger(org.apache.rocketmq.logging.org.slf4j.Logger.ROOT_LOGGER_NAME)
                    .setLevel(org.apache.rocketmq.logging.ch.qos.logback.classic.Level.OFF);
            }
        } catch (Throwable ignored) {
            // logging backend not as expected: live with the noise
        }
    }

    /** Shut a client down, but never wait on it for more than a few seconds. */
    static PrintStream openEvents(String path) {
        try {
            return new PrintStream(new java.io.FileOutputStream(path, true), true, "UTF-8");
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("--events " + path + ": " + e.getMessage());
        }
    }

    void event(String line) {
        if (events != null) {
            synchronized (events) {
                events.println(line);
            }
        }
    }

    void shutdownQuietly(Runnable r, String what) {
        muteClientLogging();
        Thread t = new Thread(() -> {
            try {
                r.run();
            } catch (Throwable e) {
                log(what + " shutdown: " + e);
            }
        }, "roundtrip-shutdown-" + what);
        t.setDaemon(true);
        t.start();
        try {
            t.join(Math.max(100, Math.min(5000, remaining() + 3000)));
        } catch (InterruptedException ignored) {
            // fall through
        }
    }

    @SuppressWarnings("deprecation")
    /**
     * Sync sends of bodyBytes from `threads` threads sharing one producer for `seconds`, after a 2 s warm-up that
     * is not counted; prints PERF {"threads","seconds","sent","failed","msgPerSec","p50Ms","p99Ms","failures"}: failures by reason.
     */
    int perf(DefaultMQProducer producer) throws InterruptedException {
        // Random bytes: the producer compresses bodies above 4 KiB, and a compressible one would not load the broker.
        byte[] body = new byte[bodyBytes];
        new java.util.Random(42).nextBytes(body);
        long warmEnd = System.nanoTime() + 2_000_000_000L;
        long end = warmEnd + seconds * 1_000_000_000L;
        java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
        // Why sends failed, counted by reason (a status other than SEND_OK, or the root cause's class and code).
        Map<String, Integer> reasons = new java.util.concurrent.ConcurrentSkipListMap<>();
        List<long[]> perThread = new ArrayList<>();
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            // Room for 20,000 sends a second per thread, more than a thread's sync sends reach.
            long[] latencies = new long[(int) Math.min(4_000_000L, seconds * 20_000L + 2)];
            int[] n = new int[1];
            perThread.add(latencies);
            Thread w = new Thread(() -> {
                int k = 0;
                for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
                    try {
                        long t0 = System.nanoTime();
                        SendResult r = producer.send(new Message(topic, tag(), body));
                        long t1 = System.nanoTime();
                        if (r.getSendStatus() != SendStatus.SEND_OK) {
                            failed.incrementAndGet();
                            reasons.merge(String.valueOf(r.getSendStatus()), 1, Integer::sum);
                        } else if (t0 >= warmEnd && k < latencies.length - 1) {
                            latencies[++k] = t1 - t0;
                        }
                    } catch (Exception e) {
                        if (System.nanoTime() >= warmEnd) {
                            failed.incrementAndGet();
                            Throwable cause = rootCause(e);
                            String reason = cause.getClass().getSimpleName()
                                + (cause instanceof MQBrokerException ? " CODE " + ((MQBrokerException) cause).getResponseCode() : "");
                            reasons.merge(reason, 1, Integer::sum);
                        }
                    }
                }
                latencies[0] = k;
            }, "perf-" + t);
            workers.add(w);
            w.start();
        }
        for (Thread w : workers) w.join();
        int total = 0;
        for (long[] l : perThread) total += (int) l[0];
        long[] all = new long[total];
        int at = 0;
        for (long[] l : perThread) {
            System.arraycopy(l, 1, all, at, (int) l[0]);
            at += (int) l[0];
        }
        java.util.Arrays.sort(all);
        double p50 = total == 0 ? 0 : all[(int) (total * 0.50)] / 1e6;
        double p99 = total == 0 ? 0 : all[Math.min(total - 1, (int) (total * 0.99))] / 1e6;
        out.println("PERF {\"threads\":" + threads + ",\"seconds\":" + seconds + ",\"sent\":" + total + ",\"failed\":" + failed.get()
            + ",\"msgPerSec\":" + (total / (double) seconds) + ",\"p50Ms\":" + p50 + ",\"p99Ms\":" + p99
            + ",\"failures\":" + jsonCounts(reasons) + "}");
        out.flush();
        return failed.get() == 0 ? EXIT_OK : EXIT_FAIL;
    }

    /** {"name":count,...}; the names are broker names, statuses, class names and codes: no quote to escape but '"'. */
    static String jsonCounts(Map<String, Integer> counts) {
        StringBuilder j = new StringBuilder("{");
        String sep = "";
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            j.append(sep).append('"').append(e.getKey().replace("\"", "'")).append("\":").append(e.getValue());
            sep = ",";
        }
        return j.append('}').toString();
    }

    static MQClientAPIImpl api(DefaultMQProducer p) {
        return p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
    }

    // ---------------------------------------------------------- create-topic

    int createTopic(DefaultMQProducer producer) throws InterruptedException {
        String lastError = null;
        while (remaining() > 0) {
            try {
                ClusterInfo ci = api(producer).getBrokerClusterInfo(Math.min(5000, Math.max(500, remaining())));
                // Masters and slaves alike: a slave copies topic configs from its master only once a minute,
                // so without this a slave could not serve the topic if its master stopped in that minute.
                List<String> masters = new ArrayList<>();
                List<String> slaves = new ArrayList<>();
                if (ci != null && ci.getBrokerAddrTable() != null) {
                    for (BrokerData bd : ci.getBrokerAddrTable().values()) {
                        if (bd.getBrokerAddrs() != null) {
                            for (Map.Entry<Long, String> e : bd.getBrokerAddrs().entrySet()) {
                                (e.getKey() == MixAll.MASTER_ID ? masters : slaves).add(e.getValue());
                            }
                        }
                    }
                }
                if (masters.isEmpty()) {
                    throw new IllegalStateException("no master broker registered at " + namesrv);
                }
                TopicConfig tc = new TopicConfig(topic, queues, queues, 6 /* PERM_READ | PERM_WRITE */);
                for (String addr : masters) {
                    api(producer).createTopic(addr, "TBW102", tc, Math.min(5000, Math.max(500, remaining())));
                }
                List<String> created = new ArrayList<>(masters);
                for (String addr : slaves) {
                    try {
                        api(producer).createTopic(addr, "TBW102", tc, Math.min(5000, Math.max(500, remaining())));
                        created.add(addr);
                    } catch (Exception e) {
                        // 4.x slaves refuse ("Can't modify topic ... from slave broker") and copy it within a minute.
                        log("slave " + addr + " did not take the topic (" + firstLine(e.getMessage()) + "); it copies it from its master within a minute");
                    }
                }
                log("created topic " + topic + " (" + queues + " queues) on " + created);
                return EXIT_OK;
            } catch (Exception e) {
                String m = e.toString();
                if (!m.equals(lastError)) {
                    log("create-topic not done yet, retrying: " + m);
                    lastError = m;
                }
                Thread.sleep(Math.max(0, Math.min(1000, remaining())));
            }
        }
        log("create-topic timed out: " + lastError);
        return EXIT_FAIL;
    }

    // ------------------------------------------------------------------ send

    int send(DefaultMQProducer producer) throws InterruptedException {
        long t0 = System.currentTimeMillis();
        int sent = 0;
        int ok = 0;
        int retries = 0;
        String lastError = null;
        Map<String, Integer> statuses = new TreeMap<>();
        Map<String, Integer> byBroker = new TreeMap<>();
        // The longest time without an acknowledged send: how long a failover kept producers waiting.
        long lastOkAt = System.currentTimeMillis();
        long maxGapMs = 0;
        outer:
        for (int i = 0; i < count; i++) {
            if (stopFile != null && Files.exists(stopFile)) {
                count = i;
                break;
            }
            String id = runId + "-" + i;
            Message msg = new Message(topic, tag(), id, id.getBytes(StandardCharsets.UTF_8));
            while (true) {
                long left = remaining();
                if (left <= 0) {
                    log("send timed out at message " + i + (lastError == null ? "" : ", last error: " + lastError));
                    break outer;
                }
                if (stopFile != null && stopCount() == 0) {
                    // Abort, even in the middle of retrying a message no broker takes.
                    log("send aborted by " + stopFile + " at message " + i + (lastError == null ? "" : ", last error: " + lastError));
                    break outer;
                }
                try {
                    SendResult r = producer.send(msg, Math.min(5000L, left));
                    sent++;
                    SendStatus st = r.getSendStatus();
                    statuses.merge(String.valueOf(st), 1, Integer::sum);
                    byBroker.merge(r.getMessageQueue().getBrokerName(), 1, Integer::sum);
                    event((st == SendStatus.SEND_OK ? "A " : "N ") + i + " " + System.currentTimeMillis() + " "
                        + (st == SendStatus.SEND_OK ? r.getMessageQueue().getBrokerName() : String.valueOf(st))
                        + " " + r.getMessageQueue().getQueueId() + "@" + r.getQueueOffset());
                    if (st == SendStatus.SEND_OK) {
                        ok++;
                        long now = System.currentTimeMillis();
                        maxGapMs = Math.max(maxGapMs, now - lastOkAt);
                        lastOkAt = now;
                    } else {
                        if (statuses.get(String.valueOf(st)) == 1) {
                            log("message " + id + " stored with status " + st);
                        }
                        if (untilOk) {
                            sent--; // stored, but not acknowledged as the mode promises: send this id again
                            continue;
                        }
                    }
                    if (intervalMs > 0) {
                        Thread.sleep(intervalMs);
                    }
                    break;
                } catch (Exception e) {
                    Throwable cause = rootCause(e);
                    if (cause instanceof MQBrokerException && ((MQBrokerException) cause).getResponseCode() == NO_PERMISSION) {
                        // The broker's ACL refused this client: retrying cannot help.
                        log("send of " + id + " refused: " + firstLine(cause.toString()));
                        out.println("SENT " + sent + " ok=" + ok);
                        return EXIT_FAIL;
                    }
                    // e.g. "No route info of this topic" right after a broker registered,
                    // or a broker restarting: wait and try the same message again.
                    retries++;
                    event("E " + i + " " + System.currentTimeMillis());
                    String m = cause == e
                        ? e.getClass().getSimpleName() + ": " + firstLine(e.getMessage())
                        : e.getClass().getSimpleName() + " caused by " + firstLine(cause.toString());
                    if (!m.equals(lastError)) {
                        log("send of " + id + " failed, retrying: " + m);
                        lastError = m;
                    }
                    Thread.sleep(Math.max(0, Math.min(500, remaining())));
                }
            }
        }
        long ms = System.currentTimeMillis() - t0;
        log("send: " + sent + "/" + count + " in " + ms + " ms, statuses=" + statuses + ", retries=" + retries);
        out.println("SENT " + sent + " ok=" + ok);
        out.println("SEND_STATS {\"maxGapMs\":" + maxGapMs + ",\"retries\":" + retries + ",\"byBroker\":" + jsonCounts(byBroker) + "}");
        out.flush();
        // Stored counts: a SYNC_MASTER may answer FLUSH_SLAVE_TIMEOUT or SLAVE_NOT_AVAILABLE (stored on the
        // master, replication late); the SENT line tells how many were SEND_OK.
        return sent == count ? EXIT_OK : EXIT_FAIL;
    }

    static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    // --------------------------------------------------------------- consume

    /**
     * One pull from the topic's first queue as consumer group G-consumer: `PULLED <status> <n>`, or the broker's
     * refusal (an ACL check) on stderr with exit 1. Unlike the push consumer, whose pulls fail quietly in the
     * background, it shows what the broker answered.
     */
    int pullOnce() throws Exception {
        DefaultMQPullConsumer consumer = newClient(() -> {
            DefaultMQPullConsumer c = new DefaultMQPullConsumer(group + "-consumer", rpcHook());
            c.setNamesrvAddr(namesrv);
            c.setVipChannelEnabled(false);
            c.start();
            return c;
        });
        try {
            MessageQueue mq = consumer.fetchSubscribeMessageQueues(topic).stream()
                .sorted((a, b) -> a.compareTo(b)).findFirst().orElseThrow();
            PullResult r = consumer.pull(mq, "*", 0, 32, 10_000);
            out.println("PULLED " + r.getPullStatus() + " " + (r.getMsgFoundList() == null ? 0 : r.getMsgFoundList().size()));
            return EXIT_OK;
        } catch (Exception e) {
            log("pull refused: " + e);
            return EXIT_FAIL;
        } finally {
            shutdownQuietly(consumer::shutdown, "pull consumer");
        }
    }

    /**
     * A started push consumer. Its start asks a name server for the topic's route and fails when none can be asked
     * (a name server stalled for seconds on a loaded machine: no answer in time, or the request could not even be
     * sent on the channel); another consumer is started then, a second later,
     * while the deadline leaves time, as an application would retry its start. Other failures end the run.
     */
    DefaultMQPushConsumer startConsumer(MessageListenerConcurrently listener) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return newClient(() -> {
                    DefaultMQPushConsumer consumer =
                        new DefaultMQPushConsumer(group + "-consumer", rpcHook(), new AllocateMessageQueueAveragely(), trace, null);
                    consumer.setNamesrvAddr(namesrv);
                    consumer.setVipChannelEnabled(false);
                    consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
                    consumer.setPollNameServerInterval(1000);
                    consumer.setPullBatchSize(64);
                    consumer.setConsumeMessageBatchMaxSize(64);
                    // The run ends as soon as its listener has counted the last message, before that batch has left
                    // the consumer's process queue; shutdown() waits for it, so the offsets it persists include the
                    // batch (else a loaded machine showed a lag of a few messages that no consumer would ever take).
                    consumer.setAwaitTerminationMillisWhenShutdown(2000);
                    consumer.registerMessageListener(listener);
                    try {
                        consumer.subscribe(topic, subscription());
                        consumer.start();
                        return consumer;
                    } catch (Exception e) {
                        shutdownQuietly(consumer::shutdown, "consumer");
                        throw e;
                    }
                });
            } catch (Exception e) {
                if (attempt == 5 || remaining() < 10_000 || !causedByNameServerFailure(e)) {
                    throw e;
                }
                log("consumer start: no name server could be asked (attempt " + attempt + "), starting another in 1 s");
                Thread.sleep(1000);
            }
        }
    }

    /** The name server could not be asked: no connection, a request that could not be sent, or no answer in time. */
    static boolean causedByNameServerFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof RemotingTimeoutException || t instanceof RemotingConnectException
                || t instanceof RemotingSendRequestException) {
                return true;
            }
        }
        return false;
    }

    int consume() throws Exception {
        long t0 = System.currentTimeMillis();
        String prefix = runId + "-";
        Set<Integer> got = ConcurrentHashMap.newKeySet();
        AtomicLong lastNewAt = new AtomicLong();
        AtomicLong seenCount = new AtomicLong();
        AtomicLong foreignCount = new AtomicLong();
        // A push consumer: it pulls with the PULL_MESSAGE request that 4.x and 5.x brokers both serve (the lite
        // pull consumer uses LITE_PULL_MESSAGE, which 4.x brokers reject).
        MessageListenerConcurrently listener = (batch, context) -> {
            for (MessageExt m : batch) {
                seenCount.incrementAndGet();
                String body = m.getBody() == null ? "" : new String(m.getBody(), StandardCharsets.UTF_8);
                if (!body.startsWith(prefix)) {
                    foreignCount.incrementAndGet();
                    continue;
                }
                try {
                    int idx = Integer.parseInt(body.substring(prefix.length()));
                    if (idx >= 0 && idx < count) {
                        if (got.add(idx)) {
                            lastNewAt.set(System.currentTimeMillis());
                        }
                        event("R " + idx + " " + System.currentTimeMillis() + " " + m.getBrokerName() + " " + m.getQueueId() + "@" + m.getQueueOffset());
                    }
                } catch (NumberFormatException ignored) {
                    foreignCount.incrementAndGet();
                }
            }
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        };
        DefaultMQPushConsumer consumer = startConsumer(listener);
        try {
            long stopCheckedAt = 0;
            while (got.size() < count && remaining() > 0) {
                Thread.sleep(Math.max(1, Math.min(100, remaining())));
                long last = lastNewAt.get();
                if (quietSeconds > 0 && last > 0 && System.currentTimeMillis() - last >= quietSeconds * 1000L) {
                    log("consume: no new message for " + quietSeconds + " s; stopping");
                    break;
                }
                if (stopFile != null && System.currentTimeMillis() - stopCheckedAt >= 500) {
                    stopCheckedAt = System.currentTimeMillis();
                    int sent = stopCount();
                    if (sent >= 0 && sent < count) {
                        // Messages got before (ids below `sent` only: the sender stopped there) keep counting.
                        count = sent;
                        deadline = Math.min(deadline, System.currentTimeMillis() + 60_000L);
                    }
                }
            }
        } finally {
            // shutdown() persists the consumed offsets, so a later run of the same group starts after them.
            shutdownQuietly(consumer::shutdown, "consumer");
        }
        long seen = seenCount.get();
        long foreign = foreignCount.get();
        long ms = System.currentTimeMillis() - t0;
        log("consume: " + got.size() + "/" + count + " distinct in " + ms + " ms (" + seen
            + " messages polled, " + foreign + " from other runs)");
        if (got.size() >= count) {
            out.println("RECEIVED " + got.size());
            out.flush();
            return EXIT_OK;
        }
        StringBuilder missing = new StringBuilder();
        int listed = 0;
        for (int i = 0; i < count && listed < 10; i++) {
            if (!got.contains(i)) {
                missing.append(listed == 0 ? "" : ",").append(prefix).append(i);
                listed++;
            }
        }
        if (count - got.size() > listed) {
            missing.append(",...");
        }
        out.println("RECEIVED " + got.size() + " MISSING " + missing);
        out.flush();
        return EXIT_TIMEOUT;
    }

    /** The number in --stop-file, or -1 while it is missing, empty or being written. */
    int stopCount() {
        try {
            String s = new String(Files.readAllBytes(stopFile), StandardCharsets.UTF_8).trim();
            return s.matches("\\d{1,9}") ? Integer.parseInt(s) : -1;
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    // ----------------------------------------------------------------- route

    int printRoute(DefaultMQProducer producer) {
        StringBuilder j = new StringBuilder();
        int rc = EXIT_OK;
        j.append('{').append(q("namesrv")).append(':').append(q(namesrv));
        long timeout = Math.max(1000, Math.min(5000, remaining()));
        try {
            ClusterInfo ci = api(producer).getBrokerClusterInfo(timeout);
            j.append(',').append(q("clusters")).append(":{");
            int n = 0;
            Map<String, Set<String>> clusters = ci.getClusterAddrTable() == null
                ? new TreeMap<>() : new TreeMap<>(ci.getClusterAddrTable());
            for (Map.Entry<String, Set<String>> e : clusters.entrySet()) {
                j.append(n++ == 0 ? "" : ",").append(q(e.getKey())).append(':');
                stringArray(j, e.getValue());
            }
            j.append("},").append(q("brokers")).append(":{");
            n = 0;
            Map<String, BrokerData> brokers = ci.getBrokerAddrTable() == null
                ? new TreeMap<>() : new TreeMap<>(ci.getBrokerAddrTable());
            for (Map.Entry<String, BrokerData> e : brokers.entrySet()) {
                j.append(n++ == 0 ? "" : ",").append(q(e.getKey())).append(':');
                brokerJson(j, e.getValue());
            }
            j.append('}');
        } catch (Exception e) {
            j.append(',').append(q("clusterError")).append(':').append(q(e.toString()));
            rc = EXIT_FAIL;
        }
        if (topic != null) {
            j.append(',').append(q("topic")).append(':').append(q(topic));
            try {
                TopicRouteData rd = api(producer).getTopicRouteInfoFromNameServer(topic, timeout, false);
                j.append(',').append(q("route")).append(":{").append(q("queues")).append(":[");
                int n = 0;
                List<QueueData> qds = rd.getQueueDatas() == null ? new ArrayList<>() : rd.getQueueDatas();
                for (QueueData qd : qds) {
                    j.append(n++ == 0 ? "" : ",").append('{')
                        .append(q("broker")).append(':').append(q(qd.getBrokerName())).append(',')
                        .append(q("read")).append(':').append(qd.getReadQueueNums()).append(',')
                        .append(q("write")).append(':').append(qd.getWriteQueueNums()).append(',')
                        .append(q("perm")).append(':').append(qd.getPerm()).append('}');
                }
                j.append("],").append(q("brokers")).append(":[");
                n = 0;
                List<BrokerData> bds = rd.getBrokerDatas() == null ? new ArrayList<>() : rd.getBrokerDatas();
                for (BrokerData bd : bds) {
                    j.append(n++ == 0 ? "" : ",");
                    brokerJson(j, bd);
                }
                j.append("]}");
            } catch (Exception e) {
                // MQClientException code 17 (TOPIC_NOT_EXIST) when the topic has no route yet.
                j.append(',').append(q("route")).append(":null,").append(q("routeError")).append(':')
                    .append(q(firstLine(e.getMessage() == null ? e.toString() : e.getMessage())));
            }
        }
        j.append('}');
        out.println("CLUSTER " + j);
        out.flush();
        return rc;
    }

    static void brokerJson(StringBuilder j, BrokerData bd) {
        j.append('{').append(q("name")).append(':').append(q(bd.getBrokerName())).append(',')
            .append(q("cluster")).append(':').append(q(bd.getCluster())).append(',')
            .append(q("addrs")).append(":{");
        int n = 0;
        Map<Long, String> addrs = bd.getBrokerAddrs() == null ? new TreeMap<>() : new TreeMap<>(bd.getBrokerAddrs());
        for (Map.Entry<Long, String> e : addrs.entrySet()) {
            j.append(n++ == 0 ? "" : ",").append(q(String.valueOf(e.getKey()))).append(':').append(q(e.getValue()));
        }
        j.append("}}");
    }

    static void stringArray(StringBuilder j, Iterable<String> values) {
        j.append('[');
        int n = 0;
        if (values != null) {
            List<String> sorted = new ArrayList<>();
            for (String v : values) {
                sorted.add(v);
            }
            sorted.sort(null);
            for (String v : sorted) {
                j.append(n++ == 0 ? "" : ",").append(q(v));
            }
        }
        j.append(']');
    }

    /** JSON string literal. */
    static String q(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
            }
        }
        return b.append('"').toString();
    }
}
