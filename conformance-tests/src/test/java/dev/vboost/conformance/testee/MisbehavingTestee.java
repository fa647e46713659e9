package dev.vboost.conformance.testee;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * A testee that speaks the framing correctly but misbehaves on request: op {@code test.crash} exits with
 * status 7 without replying, {@code test.hang} never replies, {@code test.pid} answers with its process id.
 */
public final class MisbehavingTestee {
    private MisbehavingTestee() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        OutputStream out = new FileOutputStream(FileDescriptor.out);
        DataInputStream in = new DataInputStream(System.in);
        while (true) {
            byte[] head = new byte[16];
            try {
                in.readFully(head);
            } catch (EOFException e) {
                return;
            }
            ByteBuffer h = ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN);
            byte[] body = new byte[h.getInt(4)];
            in.readFully(body);
            Map<String, String> req = FlatJson.parse(new String(body, StandardCharsets.UTF_8));
            Map<String, String> reply = new LinkedHashMap<>();
            reply.put("status", "ok");
            String cmd = req.getOrDefault("cmd", "");
            if (cmd.equals("hello")) {
                reply.put("protocol", "1");
                reply.put("name", "misbehaving");
                reply.put("roles", "guest");
            } else if (cmd.equals("op")) {
                String op = req.getOrDefault("op", "");
                if (op.equals("test.crash")) {
                    System.err.println("misbehaving testee: crashing on purpose");
                    System.exit(7);
                } else if (op.equals("test.hang")) {
                    System.err.println("misbehaving testee: hanging on purpose");
                    new CountDownLatch(1).await();
                } else if (op.equals("test.pid")) {
                    reply.put("pid", Long.toString(ProcessHandle.current().pid()));
                } else {
                    reply.put("status", "unsupported");
                }
            }
            byte[] payload = FlatJson.write(reply).getBytes(StandardCharsets.UTF_8);
            ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
            r.put(ProcessTestee.MAGIC).putInt(payload.length).putInt(h.getInt(8)).putInt(2);
            out.write(r.array());
            out.write(payload);
            out.flush();
        }
    }
}
