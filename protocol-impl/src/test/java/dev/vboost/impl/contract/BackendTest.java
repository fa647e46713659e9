package dev.vboost.impl.contract;

import dev.vboost.api.memory.SharedMemory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;

/**
 * Base of the tests that run unchanged on every backend: they take memory from {@link #memory(int)}, which
 * comes from {@link #backend()} and is released after each test. A backend module subclasses the test and
 * overrides {@link #backend()}.
 */
public abstract class BackendTest {
    private final List<SharedMemory> allocated = new ArrayList<>();

    /** The backend under test; protocol-impl's own runs use the default one. */
    protected TestBackend backend() {
        return TestBackend.DIRECT_BUFFER;
    }

    /** Fresh, zeroed memory of {@code size} bytes from the backend under test, released after the test. */
    protected final SharedMemory memory(int size) {
        SharedMemory m = backend().allocate(size);
        allocated.add(m);
        return m;
    }

    @AfterEach
    final void releaseMemory() {
        allocated.forEach(backend()::release);
        allocated.clear();
    }
}
