// mqadmin's entry point in the images (docker/rootfs/opt/rocketmq/bin/mqadmin): RocketMQ's MQAdminStartup, then an
// exit as soon as its command has returned. On its own the JVM outlives the command by 2 to 5 s: the admin client's
// shutdown leaves Netty's event loops a quiet period of 2 s each, on threads that keep the JVM alive. The one command
// that works on after it returns, startMonitoring (its monitor runs on its own threads), is left to run.
// Compiled with the Java runtime (docker/runtime/java-runtime.sh); it names RocketMQ's class only by its name, so
// one class file serves every RocketMQ version.
public final class MqadminLauncher {
    private MqadminLauncher() {}

    public static void main(String[] args) throws Throwable {
        try {
            Class.forName("org.apache.rocketmq.tools.command.MQAdminStartup")
                .getMethod("main", String[].class)
                .invoke(null, (Object) args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
        if (args.length > 0 && args[0].equals("startMonitoring")) return;
        System.out.flush();
        System.err.flush();
        System.exit(0);
    }
}
