package dev.vboost.conformance.testee;

import dev.vboost.conformance.spi.ConformanceProvider;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * A testee program (spec/testee-protocol.md) for any JVM implementation: it serves the testee protocol on
 * stdin/stdout and runs every operation through a {@link ConformanceProvider}, so a Java implementation is
 * checked across a real process boundary exactly as a C one is.
 *
 * <pre>
 *   java -cp SUITE_AND_IMPLEMENTATION_CLASSPATH dev.vboost.conformance.testee.JavaTesteeMain [PROVIDER_CLASS]
 * </pre>
 * Without a class name it uses the single provider registered for {@link java.util.ServiceLoader}. Anything
 * the implementation prints to {@code System.out} is moved to stderr: stdout carries frames only.
 */
public final class JavaTesteeMain {
    private JavaTesteeMain() {
    }

    public static void main(String[] args) throws IOException {
        OutputStream frames = new FileOutputStream(FileDescriptor.out);
        System.setOut(new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8));
        ConformanceProvider provider;
        try {
            provider = args.length > 0 ? load(args[0]) : discover();
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.err.println("vboost java testee: cannot load the provider: " + e);
            System.exit(2);
            return;
        }
        System.exit(serve(provider, System.in, frames));
    }

    private static ConformanceProvider load(String className) throws ReflectiveOperationException {
        Class<?> type = Class.forName(className, true, JavaTesteeMain.class.getClassLoader());
        return (ConformanceProvider) type.getDeclaredConstructor().newInstance();
    }

    private static ConformanceProvider discover() {
        Iterator<ConformanceProvider> it = ServiceLoader.load(ConformanceProvider.class).iterator();
        if (!it.hasNext()) {
            throw new IllegalStateException("no ConformanceProvider registered in META-INF/services; name one");
        }
        ConformanceProvider p = it.next();
        if (it.hasNext()) {
            throw new IllegalStateException("more than one ConformanceProvider registered; name the one to test");
        }
        return p;
    }

    /** Serves requests from {@code in} until end of file or {@code bye}; returns the exit status. */
    public static int serve(ConformanceProvider provider, InputStream in, OutputStream out) throws IOException {
        DataInputStream din = new DataInputStream(in);
        try (ProviderTestee testee = ProviderTestee.acrossProcess(provider)) {
            while (true) {
                byte[] head = new byte[16];
                try {
                    din.readFully(head);
                } catch (EOFException e) {
                    return 0;
                }
                ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
                if (!Arrays.equals(Arrays.copyOf(head, 4), ProcessTestee.MAGIC)) {
                    System.err.println("vboost java testee: bad frame magic from the runner");
                    return 3;
                }
                int len = h.getInt(4);
                int id = h.getInt(8);
                if (len < 0 || len > ProcessTestee.MAX_PAYLOAD) {
                    System.err.println("vboost java testee: frame length " + dev.vboost.conformance.region.Unsigned.u32(len));
                    return 3;
                }
                byte[] body = new byte[len];
                din.readFully(body);
                Map<String, String> req = FlatJson.parse(new String(body, StandardCharsets.UTF_8));
                String cmd = req.getOrDefault("cmd", "");
                Map<String, String> reply = handle(testee, provider, cmd, req);
                write(out, id, reply);
                if (cmd.equals("bye")) {
                    return 0;
                }
            }
        }
    }

    private static Map<String, String> handle(ProviderTestee testee, ConformanceProvider provider, String cmd,
            Map<String, String> req) {
        switch (cmd) {
            case "hello": {
                if (!"1".equals(req.get("protocol"))) {
                    return reply(Reply.error("E_PROTOCOL", "this testee speaks testee protocol 1"));
                }
                Set<String> features = ProviderTestee.programFeatures(provider);
                Map<String, String> m = new LinkedHashMap<>();
                m.put("status", "ok");
                m.put("protocol", "1");
                m.put("name", provider.name());
                m.put("version", provider.version());
                m.put("language", "java");
                m.put("spec", "1.0");
                m.put("roles", String.join(",", new TreeSet<>(provider.roles())));
                m.put("features", String.join(",", new TreeSet<>(features)));
                return m;
            }
            case "attach":
                try {
                    return reply(testee.attach(req.getOrDefault("role", ""), Path.of(req.getOrDefault("path", "")),
                            Long.parseLong(req.getOrDefault("size", "0"))));
                } catch (RuntimeException e) {
                    return reply(Reply.internal("attach: " + e));
                }
            case "op": {
                Map<String, String> args = new LinkedHashMap<>(req);
                args.remove("cmd");
                String op = String.valueOf(args.remove("op"));
                return reply(testee.op(op, args));
            }
            case "sync":
            case "bye":
                return reply(Reply.ok());
            default:
                return reply(Reply.unsupported("unknown cmd '" + cmd + "'"));
        }
    }

    private static Map<String, String> reply(Reply r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("status", r.status());
        m.putAll(r.values());
        return m;
    }

    private static void write(OutputStream out, int id, Map<String, String> payload) throws IOException {
        byte[] body = FlatJson.write(payload).getBytes(StandardCharsets.UTF_8);
        ByteBuffer head = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        head.put(ProcessTestee.MAGIC).putInt(body.length).putInt(id).putInt(2);
        out.write(head.array());
        out.write(body);
        out.flush();
    }
}
