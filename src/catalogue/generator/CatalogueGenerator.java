/*
 * Emits the configuration keys that RocketMQ accepts for one role (broker, namesrv or proxy), as JSON on stdout.
 *
 *   java -cp '<jars>/*' CatalogueGenerator.java <role> <config class> [<config class>...]
 *
 * The config classes are the ones the role's startup code hands to MixAll.properties2Object, in that order
 * (generate.ts reads them from BrokerStartup / NamesrvStartup), or for the proxy the two beans its JSON file is
 * read into (ProxyConfig, AuthConfig; their setters take the same value types). A key is whatever
 * properties2Object would set:
 * for every public method `setXxx` of the class (getMethods(), so inherited and static ones too) whose first
 * parameter's simple name is int/Integer, long/Long, double/Double, float/Float, boolean/Boolean or String,
 * the key is `xxx` (the fourth character lower-cased, the rest unchanged, case-sensitive). Nothing is filtered
 * by hand. Per key this writes the value type, the enum names when the getter returns an enum or a setter
 * overload takes one, the default of a freshly constructed instance (through the getter, else the field),
 * the classes that accept it and whether its field carries RocketMQ's @ImportantField.
 *
 * Machine-specific values inside defaults are replaced with tokens: the host name (as RocketMQ reads it,
 * InetAddress.getLocalHost().getHostName()) with ${hostname}, RocketMQ's auto-detected local address with
 * ${localAddress} and System.getProperty("user.home") with ${user.home}. Defaults that depend on the machine in
 * other ways (CPU count, heap size, environment) are found by generate.ts, which runs this program several
 * times under different conditions and compares the output.
 *
 * Notes on the other output: everything RocketMQ logs while the classes load is sent to stderr, so stdout
 * holds the JSON only; diagnostics go to stderr, prefixed with "[catalogue]". Needs JDK 11+ (source launch).
 */

import java.io.File;
import java.io.PrintStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.AccessibleObject;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

public class CatalogueGenerator {

    private static final String IMPORTANT_FIELD = "org.apache.rocketmq.common.annotation.ImportantField";

    /** Where RocketMQ versions keep the method that picks the broker's default IP (brokerIP1/brokerIP2). */
    private static final String[] LOCAL_ADDRESS_SOURCES = {
        "org.apache.rocketmq.common.utils.NetworkUtil", // 5.x
        "org.apache.rocketmq.remoting.common.RemotingUtil", // 4.x
    };

    /** What one class says about one key. */
    static final class ClassKey {
        final String className;
        final Set<String> types = new TreeSet<>();
        final Set<String> enumNames = new LinkedHashSet<>();
        String defaultValue;
        boolean important;

        ClassKey(String className) {
            this.className = className;
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: java -cp '<jars>/*' CatalogueGenerator.java <role> <config class>...");
            System.exit(2);
        }
        PrintStream stdout = new PrintStream(System.out, true, "UTF-8");
        // RocketMQ's logging may print to stdout while the config classes initialise; keep stdout for JSON.
        System.setOut(System.err);

        for (String name : new String[] {"NAMESRV_ADDR", "ROCKETMQ_HOME"}) {
            if (System.getenv(name) != null) {
                warn("environment variable " + name + " is set; defaults that read it will show its value");
            }
        }
        for (String name : new String[] {"rocketmq.namesrv.addr", "rocketmq.home.dir"}) {
            if (System.getProperty(name) != null) {
                warn("system property " + name + " is set; defaults that read it will show its value");
            }
        }

        String role = args[0];
        Tokens tokens = new Tokens();
        List<String> classNames = new ArrayList<>();
        // key -> per-class findings, in the order the classes were given
        Map<String, List<ClassKey>> keys = new TreeMap<>();

        for (int i = 1; i < args.length; i++) {
            Class<?> type = Class.forName(args[i]);
            classNames.add(type.getName());
            Object instance = type.getDeclaredConstructor().newInstance();
            for (Map.Entry<String, ClassKey> e : keysOf(type, instance, tokens).entrySet()) {
                keys.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue());
            }
        }

        StringBuilder json = new StringBuilder();
        json.append("{\n  \"role\": ").append(quote(role)).append(",\n  \"classes\": [");
        for (int i = 0; i < classNames.size(); i++) {
            json.append(i == 0 ? "" : ", ").append(quote(classNames.get(i)));
        }
        json.append("],\n  \"keys\": {");
        boolean firstKey = true;
        for (Map.Entry<String, List<ClassKey>> e : keys.entrySet()) {
            json.append(firstKey ? "\n" : ",\n");
            firstKey = false;
            json.append("    ").append(quote(e.getKey())).append(": ").append(render(e.getKey(), e.getValue()));
        }
        json.append(firstKey ? "}\n}\n" : "\n  }\n}\n");
        stdout.write(json.toString().getBytes(StandardCharsets.UTF_8));
        stdout.flush();
        // Config classes may have started threads (loggers, timers); do not wait for them.
        System.exit(0);
    }

    /** The keys one config class accepts, exactly as MixAll.properties2Object finds them. */
    static Map<String, ClassKey> keysOf(Class<?> type, Object instance, Tokens tokens) {
        Map<String, ClassKey> out = new TreeMap<>();
        Map<String, Method> firstSetter = new TreeMap<>();
        Map<String, Set<Class<?>>> enumSetters = new TreeMap<>();
        for (Method method : type.getMethods()) {
            String name = method.getName();
            // properties2Object: mn.startsWith("set"), key = mn.substring(3, 4).toLowerCase() + mn.substring(4)
            // (a method named just "set" throws inside its try and is skipped).
            if (!name.startsWith("set") || name.length() < 4) {
                continue;
            }
            String key = name.substring(3, 4).toLowerCase(Locale.ROOT) + name.substring(4);
            Class<?>[] params = method.getParameterTypes();
            // properties2Object only requires pt.length > 0, then invokes with one argument: a setter with more
            // parameters fails in Method.invoke (swallowed), so it never sets anything.
            if (params.length != 1) {
                continue;
            }
            // Method.invoke from MixAll (another package, unnamed module) must be allowed.
            if (!method.canAccess(Modifier.isStatic(method.getModifiers()) ? null : instance)) {
                warn(type.getSimpleName() + "." + name + " is public but not accessible from outside; skipped");
                continue;
            }
            Class<?> param = params[0];
            String kind = valueType(param.getSimpleName());
            if (kind == null) {
                if (param.isEnum()) {
                    enumSetters.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(param);
                }
                continue;
            }
            if (Modifier.isStatic(method.getModifiers())) {
                warn(type.getSimpleName() + "." + name + " is static; properties2Object still calls it, so " + key
                    + " is a key");
            }
            ClassKey ck = out.computeIfAbsent(key, k -> new ClassKey(type.getSimpleName()));
            ck.types.add(kind);
            firstSetter.merge(key, method, (a, b) -> a.toString().compareTo(b.toString()) <= 0 ? a : b);
        }

        for (Map.Entry<String, ClassKey> e : out.entrySet()) {
            String key = e.getKey();
            ClassKey ck = e.getValue();
            String suffix = firstSetter.get(key).getName().substring(3);
            Method getter = findGetter(type, key, suffix);
            Field field = findField(type, key, suffix);

            for (Class<?> enumType : enumSetters.getOrDefault(key, Set.of())) {
                addEnumNames(ck, enumType);
            }
            if (getter != null && getter.getReturnType().isEnum()) {
                addEnumNames(ck, getter.getReturnType());
            }

            Object value = null;
            boolean read = false;
            if (getter != null) {
                try {
                    value = getter.invoke(Modifier.isStatic(getter.getModifiers()) ? null : instance);
                    read = true;
                } catch (ReflectiveOperationException | RuntimeException ex) {
                    warn(type.getSimpleName() + "." + getter.getName() + "() failed (" + ex + "); reading the field");
                }
            }
            if (!read && field != null) {
                try {
                    field.setAccessible(true);
                    value = field.get(Modifier.isStatic(field.getModifiers()) ? null : instance);
                    read = true;
                } catch (ReflectiveOperationException | RuntimeException ex) {
                    warn(type.getSimpleName() + "." + field.getName() + " could not be read (" + ex + ")");
                }
            }
            if (!read) {
                warn(type.getSimpleName() + ": no getter or field for " + key + "; default recorded as null");
            }
            ck.defaultValue = tokens.apply(render(value));
            ck.important = isImportant(field) || isImportant(getter) || isImportant(firstSetter.get(key));
        }
        return out;
    }

    /** properties2Object's parameter test: by simple name, so a boxed type counts the same as the primitive. */
    static String valueType(String simpleName) {
        switch (simpleName) {
            case "int":
            case "Integer":
                return "int";
            case "long":
            case "Long":
                return "long";
            case "double":
            case "Double":
                return "double";
            case "boolean":
            case "Boolean":
                return "boolean";
            case "float":
            case "Float":
                return "float";
            case "String":
                return "string";
            default:
                return null;
        }
    }

    /** getXxx / isXxx for setXxx, then the spellings RocketMQ uses for flags (setIsX/isX, setX/isX field). */
    static Method findGetter(Class<?> type, String key, String suffix) {
        List<String> names = new ArrayList<>();
        names.add("get" + suffix);
        names.add("is" + suffix);
        if (startsWithWord(key, "is")) {
            names.add(key); // setIsEnableX -> isEnableX()
            names.add("get" + key.substring(2));
        }
        Method[] methods = type.getMethods();
        for (boolean ignoreCase : new boolean[] {false, true}) {
            for (String wanted : names) {
                for (Method m : methods) {
                    if (m.getParameterCount() == 0 && m.getReturnType() != void.class
                        && (ignoreCase ? m.getName().equalsIgnoreCase(wanted) : m.getName().equals(wanted))) {
                        return m;
                    }
                }
            }
        }
        return null;
    }

    /** The field behind a key: `xxx`, then `isXxx` (setInBrokerContainer -> isInBrokerContainer), any case. */
    static Field findField(Class<?> type, String key, String suffix) {
        List<String> names = new ArrayList<>();
        names.add(key);
        names.add("is" + suffix);
        if (startsWithWord(key, "is")) {
            names.add(key.substring(2, 3).toLowerCase(Locale.ROOT) + key.substring(3));
        }
        for (boolean ignoreCase : new boolean[] {false, true}) {
            for (String wanted : names) {
                for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
                    for (Field f : c.getDeclaredFields()) {
                        if (ignoreCase ? f.getName().equalsIgnoreCase(wanted) : f.getName().equals(wanted)) {
                            return f;
                        }
                    }
                }
            }
        }
        return null;
    }

    static boolean startsWithWord(String s, String word) {
        return s.length() > word.length() && s.startsWith(word) && Character.isUpperCase(s.charAt(word.length()));
    }

    static boolean isImportant(AccessibleObject element) {
        if (element == null) {
            return false;
        }
        for (Annotation a : element.getAnnotations()) {
            if (a.annotationType().getName().equals(IMPORTANT_FIELD)) {
                return true;
            }
        }
        return false;
    }

    static void addEnumNames(ClassKey ck, Class<?> enumType) {
        for (Object constant : enumType.getEnumConstants()) {
            ck.enumNames.add(((Enum<?>) constant).name());
        }
    }

    /** String.valueOf, except that an enum shows its name() (what Enum.valueOf accepts back). */
    static String render(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Enum) {
            return ((Enum<?>) value).name();
        }
        return String.valueOf(value);
    }

    /** One key's JSON object, merged over the classes that accept it. */
    static String render(String key, List<ClassKey> perClass) {
        Set<String> types = new TreeSet<>();
        Set<String> enumNames = new LinkedHashSet<>();
        Map<String, String> defaults = new LinkedHashMap<>();
        Set<String> classes = new LinkedHashSet<>();
        boolean important = false;
        for (ClassKey ck : perClass) {
            types.addAll(ck.types);
            enumNames.addAll(ck.enumNames);
            defaults.put(ck.className, ck.defaultValue);
            classes.add(ck.className);
            important |= ck.important;
        }
        ClassKey first = perClass.get(0);
        // With several value types (overloads in one class, or different classes) all of them are listed in
        // "types"; "type" is "string" when the key names an enum constant (metricsExporterType takes "PROM" or
        // 2), otherwise the first class's first type in alphabetical order.
        String type = !enumNames.isEmpty() && types.contains("string") ? "string" : first.types.iterator().next();
        StringBuilder sb = new StringBuilder("{ ");
        sb.append("\"type\": ").append(quote(type));
        if (types.size() > 1) {
            sb.append(", \"types\": ").append(array(types));
            warn(key + " takes several value types: " + types);
        }
        if (!enumNames.isEmpty()) {
            sb.append(", \"enum\": ").append(array(enumNames));
        }
        sb.append(", \"default\": ").append(quote(first.defaultValue));
        if (new LinkedHashSet<>(defaults.values()).size() > 1) {
            // Each class starts from its own default; the first class (the main one for the role) is "default".
            StringBuilder d = new StringBuilder("{ ");
            boolean firstEntry = true;
            for (Map.Entry<String, String> e : defaults.entrySet()) {
                d.append(firstEntry ? "" : ", ").append(quote(e.getKey())).append(": ").append(quote(e.getValue()));
                firstEntry = false;
            }
            sb.append(", \"defaults\": ").append(d).append(" }");
            warn(key + " has different defaults per class: " + defaults);
        }
        if (important) {
            sb.append(", \"important\": true");
        }
        sb.append(", \"classes\": ").append(array(classes)).append(" }");
        return sb.toString();
    }

    static String array(Iterable<String> values) {
        StringBuilder sb = new StringBuilder("[");
        boolean first = true;
        for (String v : values) {
            sb.append(first ? "" : ", ").append(quote(v));
            first = false;
        }
        return sb.append("]").toString();
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                default:
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
        return sb.append('"').toString();
    }

    static void warn(String message) {
        System.err.println("[catalogue] " + message);
    }

    /** Replaces values that only describe this machine with tokens. */
    static final class Tokens {
        final String hostname;
        final String localAddress;
        final String userHome;

        Tokens() {
            String host = null;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (Exception e) {
                warn("no local host name (" + e + ")");
            }
            this.hostname = host;
            String address = null;
            for (String source : LOCAL_ADDRESS_SOURCES) {
                try {
                    Object v = Class.forName(source).getMethod("getLocalAddress").invoke(null);
                    address = v == null ? null : v.toString();
                    break;
                } catch (ClassNotFoundException | NoSuchMethodException e) {
                    // try the next place
                } catch (Exception e) {
                    warn(source + ".getLocalAddress() failed (" + e + ")");
                    break;
                }
            }
            this.localAddress = address;
            String home = System.getProperty("user.home");
            // A home of "/" (or "") would turn every absolute path into a token.
            this.userHome = home == null || home.length() < 2 ? null : home;
            if (userHome == null) {
                warn("user.home is " + Objects.toString(home) + "; it is not replaced by ${user.home}");
            }
        }

        String apply(String value) {
            if (value == null) {
                return null;
            }
            // Whole values only for host and address: "localhost"-like names could occur inside other defaults.
            if (hostname != null && value.equals(hostname)) {
                return "${hostname}";
            }
            if (localAddress != null && value.equals(localAddress)) {
                return "${localAddress}";
            }
            if (userHome != null) {
                if (value.equals(userHome)) {
                    return "${user.home}";
                }
                value = value.replace(userHome + File.separator, "${user.home}" + File.separator);
            }
            return value;
        }
    }
}
