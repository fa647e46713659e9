package dev.vboost.conformance.testee;

import dev.vboost.api.VboostException;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.conformance.region.BufferMemory;
import dev.vboost.conformance.region.TracingMemory;
import dev.vboost.conformance.spi.ConformanceProvider;
import dev.vboost.conformance.spi.RegionAccess;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Runs the testee protocol's operations in this JVM against a {@link ConformanceProvider}: maps the region file
 * itself, as a separate process would, and hands each operation to the role's operations ({@link GuestOps},
 * {@link HostOps} with {@link PolicyOps}, or the codec). The provider's memory is a {@link TracingMemory} (stores
 * recorded, for the in-process {@code memory-trace} checks) over a {@link StepControlMemory} (the testee
 * protocol's {@code step-control}, §5.5) over the mapping.
 *
 * <p>In process ({@link #ProviderTestee(ConformanceProvider)}) the suite checks the seqlock steps store by store
 * through {@link #tracer()}; {@link #acrossProcess(ConformanceProvider)} is the same testee as
 * {@link JavaTesteeMain} serves it in a child JVM, where only step control can show the steps.
 */
public final class ProviderTestee implements Testee {
    private final ConformanceProvider provider;
    private final boolean traced;
    private @Nullable TracingMemory memory;
    /** The provider's own mapping when it is closeable (e.g. Chronicle), closed when the region is dropped. */
    private @Nullable AutoCloseable ownMapping;
    private String role = "";
    private @Nullable GuestOps guest;
    private @Nullable HostOps host;

    /** In process: the suite sees every store ({@code memory-trace}) and may also use step control. */
    public ProviderTestee(ConformanceProvider provider) {
        this(provider, true);
    }

    private ProviderTestee(ConformanceProvider provider, boolean traced) {
        this.provider = provider;
        this.traced = traced;
    }

    /** As a testee in another process sees it: no store trace, so the seqlock steps go through step control. */
    public static ProviderTestee acrossProcess(ConformanceProvider provider) {
        return new ProviderTestee(provider, false);
    }

    /** The features a testee program serving {@code provider} declares in {@code hello} (testee protocol §4). */
    static Set<String> programFeatures(ConformanceProvider provider) {
        Set<String> features = new HashSet<>(provider.features());
        features.add("stress");
        features.add("step-control");
        return Set.copyOf(features);
    }

    @Override
    public TesteeInfo info() {
        Set<String> features = new HashSet<>(programFeatures(provider));
        if (traced) {
            features.add("memory-trace");
        }
        return new TesteeInfo(provider.name(), provider.version(), "java", "1.0", Set.copyOf(provider.roles()),
                Set.copyOf(features), "in-process " + provider.getClass().getName());
    }

    @Override
    public Reply attach(String newRole, Path newFile, long newSize) {
        restart();
        TracingMemory wrapped;
        try {
            SharedMemory own = provider.mapRegion(newFile, Math.toIntExact(newSize));
            if (own == null) {
                try (FileChannel ch = FileChannel.open(newFile, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    own = new BufferMemory(ch.map(FileChannel.MapMode.READ_WRITE, 0, newSize));
                }
            }
            ownMapping = own instanceof AutoCloseable ? (AutoCloseable) own : null;
            StepControlMemory steps = new StepControlMemory(own);
            wrapped = new TracingMemory(steps);
            RegionAccess region = new RegionAccess(wrapped, newFile, newSize);
            guest = new GuestOps(provider, region, steps);
            host = new HostOps(provider, region, steps);
        } catch (IOException | RuntimeException e) {
            return Reply.internal("cannot map " + newFile + ": " + e.getMessage());
        }
        memory = wrapped;
        role = newRole;
        return Reply.ok();
    }

    @Override
    public @Nullable TracingMemory tracer() {
        return traced ? memory : null;
    }

    @Override
    public Reply op(String name, Map<String, String> args) {
        GuestOps g = guest;
        HostOps h = host;
        if (g == null || h == null) {
            return Reply.internal(name + " before attach");
        }
        try {
            if (name.startsWith("guest.") || name.startsWith("stress.guest_")) {
                return role.equals(ConformanceProvider.GUEST) ? g.op(name, args) : Reply.unsupported(name);
            }
            if (name.startsWith("host.") || name.startsWith("stress.host_")) {
                return role.equals(ConformanceProvider.HOST) ? h.op(name, args) : Reply.unsupported(name);
            }
            if (name.equals("codec.decode_image") && role.equals(ConformanceProvider.CODEC)) {
                byte[] image = Files.readAllBytes(Path.of(args.getOrDefault("path", "")));
                return Reply.ok(provider.decodeImage(image));
            }
            return Reply.unsupported(name);
        } catch (VboostException e) {
            return Reply.error(e.error().code(), String.valueOf(e.getMessage()));
        } catch (UnsupportedOperationException e) {
            return Reply.unsupported(String.valueOf(e.getMessage()));
        } catch (NoSuchElementException e) {
            return Reply.internal(String.valueOf(e.getMessage()));            // the runner left out an argument
        } catch (IllegalArgumentException | IllegalStateException e) {
            // the Java API refuses bad values (IllegalArgumentException) and operations its state forbids, such
            // as a request with the ids used up (IllegalStateException); the testee protocol has one code for both
            return Reply.error("E_INVALID_VALUE", String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Reply.internal("interrupted");
        } catch (IOException | RuntimeException e) {
            return Reply.internal(e.getClass().getName() + ": " + e.getMessage());
        }
    }

    @Override
    public void sync() {
        // operations run synchronously in this thread: their stores are already visible
    }

    @Override
    public void restart() {
        closeQuietly(guest);
        closeQuietly(host);
        guest = null;
        host = null;
        closeQuietly(ownMapping);
        ownMapping = null;
        memory = null;
    }

    /** The next test starts from a fresh region whatever the implementation does on close. */
    private static void closeQuietly(@Nullable AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            // the endpoints and mapping of a finished test
        }
    }

    @Override
    public void close() {
        restart();
    }
}
