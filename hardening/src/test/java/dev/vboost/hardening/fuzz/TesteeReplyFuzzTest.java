package dev.vboost.hardening.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.vboost.conformance.testee.FlatJson;
import dev.vboost.conformance.testee.ProcessTestee;
import dev.vboost.conformance.testee.Reply;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * Fuzzes how the conformance runner decodes what a testee process writes to its stdout (testee protocol §2
 * framing, §3 payloads): a testee under test is as untrusted as a guest.
 *
 * <p>{@link #frames}: the bytes as the testee's stdout, through {@code ProcessTestee}'s frame reader (private;
 * reached by reflection so that the real decoder, not a copy, is fuzzed), then every frame's payload through
 * {@link FlatJson#parse} as the runner does. {@link #payload}: one payload text through {@link FlatJson#parse}
 * and the {@link Reply} accessors.
 *
 * <p>Invariants on every input: the reader ends (timeout) and ends with exactly one terminal message (an
 * end-of-stream or an error naming what was wrong) after zero or more frames; no frame is larger than 1 MiB; a
 * payload either parses or fails with {@link IllegalArgumentException}; what parses writes back and parses to
 * the same map; {@code Reply.getLong} fails only with {@link IllegalStateException}.
 */
class TesteeReplyFuzzTest {

    private static final Method READ_FRAMES = frameReader();
    private static final int MAX_PAYLOAD = 1 << 20;

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void frames(byte[] stdout) throws Exception {
        BlockingQueue<Object> out = new LinkedBlockingQueue<>();
        try {
            READ_FRAMES.invoke(null, new ByteArrayInputStream(stdout), out);
        } catch (InvocationTargetException e) {
            fail("the frame reader threw on testee output", e.getCause());
        }
        List<Object> got = new ArrayList<>(out);
        assertFalse(got.isEmpty(), "the reader always reports how the stream ended");
        assertInstanceOf(String.class, got.get(got.size() - 1), "the last message says how the stream ended");
        for (int i = 0; i < got.size() - 1; i++) {
            Object frame = got.get(i);
            assertFalse(frame instanceof String, "nothing follows a terminal message: " + got);
            String payload = (String) accessor(frame, "payload");
            assertTrue(payload.getBytes(StandardCharsets.UTF_8).length <= 3 * MAX_PAYLOAD, "payload bounded");
            parseAsTheRunnerDoes(payload);
        }
    }

    @FuzzTest(maxDuration = "60s")
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void payload(byte[] bytes) {
        parseAsTheRunnerDoes(new String(bytes, StandardCharsets.UTF_8));
    }

    private static void parseAsTheRunnerDoes(String text) {
        Map<String, String> m;
        try {
            m = FlatJson.parse(text);
        } catch (IllegalArgumentException e) {
            assertFalse(e.getMessage() == null || e.getMessage().isEmpty(), "a refusal says why");
            return;
        }
        assertEquals(m, FlatJson.parse(FlatJson.write(m)), "what parses writes back to the same object");
        Map<String, String> values = new LinkedHashMap<>(m);
        String status = values.remove("status");
        if (status == null) {
            return;   // the runner refuses a reply without status
        }
        Reply r = new Reply(status, Map.copyOf(values));
        for (String key : values.keySet()) {
            try {
                r.getLong(key);
            } catch (IllegalStateException e) {
                // a value that is not a decimal integer: the runner reports it as a malformed reply
            }
        }
        assertEquals(values.getOrDefault("code", ""), r.code());
    }

    private static Object accessor(Object record, String name) throws ReflectiveOperationException {
        Method m = record.getClass().getDeclaredMethod(name);
        m.setAccessible(true);
        return m.invoke(record);
    }

    private static Method frameReader() {
        try {
            Method m = ProcessTestee.class.getDeclaredMethod("readFrames", InputStream.class, BlockingQueue.class);
            m.setAccessible(true);
            return m;
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException("ProcessTestee.readFrames(InputStream, BlockingQueue) changed: update "
                    + "this fuzz target to the runner's frame decoder", e);
        }
    }
}
