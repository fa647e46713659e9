package dev.vboost.conformance.testee;

import java.nio.file.Path;
import java.util.Map;

/**
 * The implementation under test as the suite drives it: the commands of the testee protocol, whether
 * the implementation runs in another process ({@link ProcessTestee}) or in this JVM through the SPI.
 */
public interface Testee extends AutoCloseable {

    /** What the implementation declares; asked once per start. */
    TesteeInfo info() throws TesteeException;

    /** Forgets all state and maps {@code file} ({@code size} bytes) for {@code role}. */
    Reply attach(String role, Path file, long size) throws TesteeException;

    /** One abstract operation (testee protocol §5). */
    Reply op(String name, Map<String, String> args) throws TesteeException;

    /** All effects of earlier operations are visible in the region once this returns. */
    void sync() throws TesteeException;

    /** After a CRASH or TIMEOUT: start afresh. */
    void restart() throws TesteeException;

    /**
     * For in-process testees: the memory wrapper that records the implementation's stores, so the suite
     * can check writer ordering (spec §4.2); {@code null} for testees in another process.
     */
    default dev.vboost.conformance.region.@org.checkerframework.checker.nullness.qual.Nullable TracingMemory tracer() {
        return null;
    }

    /** The last lines the testee wrote to stderr, for failure reports; empty in process. */
    default String stderrTail() {
        return "";
    }

    @Override
    void close();
}
