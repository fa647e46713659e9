package dev.vboost.tools.cli;

import dev.vboost.api.HostHeader;
import dev.vboost.api.HostSlotSnapshot;
import dev.vboost.api.VboostException;
import dev.vboost.api.WireError;
import dev.vboost.api.image.RegionImage;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.Feature;
import dev.vboost.api.wire.SchedPolicy;
import dev.vboost.api.wire.SlotStatus;
import dev.vboost.impl.Regions;
import dev.vboost.impl.memory.MappedRegionFile;
import dev.vboost.impl.pci.PciRegion;
import dev.vboost.impl.pci.PciRegionException;
import dev.vboost.impl.pci.PciRegionLocator;
import dev.vboost.tools.VboostCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The guest side of a region file, one step per invocation: attach, request, release, detach, status. Each
 * step that writes attaches first (spec §5.2; attaching again takes the slot lines over and keeps their request
 * ids running), so the steps work from separate processes as a guest kernel's would from one.
 */
@Command(name = "guest", mixinStandardHelpOptions = true,
        description = {"Guest side of a region file (a host agent must serve it: see 'vboost agent').",
                "Exit 0 on success, 1 if the region is unusable or the host denied or did not act in time, "
                        + "2 for bad options."},
        subcommands = {GuestCommand.Attach.class, GuestCommand.Request.class, GuestCommand.Release.class,
                GuestCommand.Detach.class, GuestCommand.Status.class})
public final class GuestCommand implements Runnable {
    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: attach, request, release, detach or status");
    }

    /** Options every writing step shares. */
    abstract static class Step implements Callable<Integer> {
        @CommandLine.Spec
        @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", arity = "0..1", paramLabel = "REGION", description = "The region file (e.g. "
                + "/dev/shm/vboost-vm0); not with --pci.")
        @Nullable Path regionFile;

        @Option(names = "--pci", arity = "0..1", fallbackValue = "", paramLabel = "BDF", description = "Inside a guest: "
                + "use the region an ivshmem PCI device carries (spec §3.8), the device at BDF (e.g. 0000:00:03.0) or "
                + "else the first whose BAR2 holds the vboost magic; needs root in the guest.")
        @Nullable String pci;

        /** What the messages name: the region file or the PCI device. */
        String region = "";

        @Option(names = "--attach-timeout", paramLabel = "MS", description = "How long to wait for a region that is "
                + "not READY yet (default ${DEFAULT-VALUE}).")
        long attachTimeoutMillis = 2000;

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        @Override
        public final Integer call() throws Exception {
            if (attachTimeoutMillis < 0 || attachTimeoutMillis > 600_000) {
                throw Usage.error(spec, "--attach-timeout must be 0..600000 ms, got " + attachTimeoutMillis);
            }
            check();
            Path file = regionFile;
            String bdf = pci;
            if (file != null && bdf != null) {
                throw Usage.error(spec, "give either a REGION file or --pci [BDF], not both");
            }
            MappedRegionFile opened;
            if (bdf != null) {
                try {
                    PciRegion found = new PciRegionLocator().locate(bdf.isEmpty() ? null : bdf);
                    region = "PCI " + found.bdf() + " (BAR2 at 0x" + Long.toHexString(found.gpa()) + ")";
                    opened = found.mapping();
                } catch (PciRegionException e) {
                    return fail(String.valueOf(e.getMessage()));
                }
            } else if (file != null) {
                region = file.toString();
                if (!awaitRegionFile(file)) {
                    return fail("cannot attach to " + region + ": the region file is empty ["
                            + WireError.TRUNCATED.code() + "]");
                }
                try {
                    opened = MappedRegionFile.open(file);
                } catch (UncheckedIOException e) {
                    return fail(String.valueOf(e.getMessage()));
                }
            } else {
                throw Usage.error(spec, "give a REGION file, or --pci [BDF] inside a guest");
            }
            try (MappedRegionFile mapping = opened) {
                GuestEndpoint guest;
                try {
                    guest = Regions.attachGuest(mapping.memory(), Feature.DEFINED_MASK,
                            Duration.ofMillis(attachTimeoutMillis));
                } catch (VboostException e) {
                    return fail("cannot attach to " + region + ": " + e.getMessage() + " [" + e.error().code() + "]");
                }
                return run(guest);
            } catch (UncheckedIOException e) {
                return fail(String.valueOf(e.getMessage()));
            }
        }

        void check() {
        }

        /**
         * A guest may start before its host: waits, within the attach timeout, for the region file to appear and
         * be sized (a host creating it truncates first). A path that never appears, or is not a regular file, is
         * a usage error; false if the file is still empty when the timeout passes.
         */
        private boolean awaitRegionFile(Path region) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(attachTimeoutMillis);
            long pauseMillis = 1;
            while (true) {
                long size = -1;
                if (Files.exists(region)) {
                    if (!Files.isRegularFile(region)) {
                        throw Usage.error(spec, region + " is not a region file (a directory or a special file)");
                    }
                    try {
                        size = Files.size(region);
                    } catch (IOException e) {
                        size = -1;                      // removed meanwhile: look again
                    }
                }
                if (size > 0) {
                    return true;
                }
                if (System.nanoTime() - deadline >= 0) {
                    if (size < 0) {
                        throw Usage.error(spec, "region file " + region + " does not exist (waited "
                                + attachTimeoutMillis + " ms for it)");
                    }
                    return false;
                }
                Thread.sleep(pauseMillis);
                pauseMillis = Math.min(pauseMillis * 2, 50);
            }
        }

        abstract int run(GuestEndpoint guest) throws InterruptedException;

        int fail(String message) {
            spec.commandLine().getErr().println(Usage.prefix(spec) + message);
            return VboostCli.FAILURE;
        }

        int slot(GuestEndpoint guest, int slot) {
            if (slot < 0 || slot >= guest.slotCount()) {
                throw Usage.error(spec, "--slot must be 0.." + (guest.slotCount() - 1) + " for " + region + ", got " + slot);
            }
            return slot;
        }

        /** Waits for the host to act on {@code id}; prints its answer. 0 if it acted and {@code ok} holds. */
        int awaitAndReport(GuestEndpoint guest, int slot, long id, long waitMillis, boolean wantBoosted)
                throws InterruptedException {
            if (waitMillis == 0) {
                out().println("request " + id + " posted on slot " + slot + " (not waiting for the host)");
                return VboostCli.OK;
            }
            HostSlotSnapshot s = new HostSlotSnapshot();
            if (!guest.awaitActed(slot, id, TimeUnit.MILLISECONDS.toNanos(waitMillis), s)) {
                return fail("the host did not act on request " + id + " within " + waitMillis
                        + " ms (is 'vboost agent' serving " + region + "?)");
            }
            out().println("request " + id + " on slot " + slot + ": " + describe(s));
            boolean boosted = s.status() == SlotStatus.BOOSTED;
            if (wantBoosted && !boosted) {
                spec.commandLine().getErr().println(Usage.prefix(spec) + "denied: " + s.denial());
                return VboostCli.FAILURE;
            }
            return VboostCli.OK;
        }
    }

    static String describe(HostSlotSnapshot s) {
        return String.format(Locale.ROOT, "%s %s prio %d, denial %s, budget left %d us, acted id %d, host boost id %d",
                s.status(), s.policy(), s.priority(), s.denial(), s.budgetRemainingUs(), s.actedRequestId(),
                s.hostBoostId());
    }

    @Command(name = "attach", mixinStandardHelpOptions = true,
            description = "Attaches to the region (spec §5.2) and prints what was negotiated; stays attached.")
    static final class Attach extends Step {
        @Override
        int run(GuestEndpoint guest) {
            HostHeader h = guest.hostHeader();
            out().printf(Locale.ROOT, "attached to %s: ABI %d.%d, generation %d, %d slot(s), features 0x%x, "
                    + "priority ceiling %d, max boost %d us%n", region, h.abiMajor(), h.abiMinor(), h.hostGeneration(),
                    guest.slotCount(), guest.acceptedFeatures(), h.prioCeiling(), h.maxBoostUs());
            return VboostCli.OK;
        }
    }

    @Command(name = "request", mixinStandardHelpOptions = true, sortOptions = false,
            description = {"Asks the host to boost a vCPU (spec §5.3) and waits for its answer.",
                    "Exit 0 if boosted, 1 if denied or unanswered."})
    static final class Request extends Step {
        @Option(names = "--slot", paramLabel = "N", description = "vCPU slot (default ${DEFAULT-VALUE}).")
        int slot;

        @Option(names = "--policy", paramLabel = "fifo|rr|normal", description = "Class asked for (default ${DEFAULT-VALUE}).")
        String policy = "fifo";

        @Option(names = "--priority", paramLabel = "P", description = "1..99 for fifo/rr (default ${DEFAULT-VALUE}); 0 for normal.")
        int priority = 10;

        @Option(names = "--nice", paramLabel = "N", description = "-20..19, normal policy only (default ${DEFAULT-VALUE}).")
        int nice;

        @Option(names = "--reason", paramLabel = "R", split = ",", description = "Reasons: rt_task, irq, softirq, nmi, "
                + "preempt_disabled, lock_holder, user_hint (default user_hint).")
        List<String> reasons = List.of("user_hint");

        @Option(names = "--wait", paramLabel = "MS", description = "How long to wait for the host (default ${DEFAULT-VALUE}; 0: do not wait).")
        long waitMillis = 1000;

        @Option(names = "--hold", paramLabel = "MS", description = "Hold the boost this long, then release it (default: leave it).")
        long holdMillis = -1;

        private SchedPolicy schedPolicy = SchedPolicy.FIFO;
        private int reasonMask;

        @Override
        void check() {
            switch (policy.toLowerCase(Locale.ROOT)) {
                case "fifo":
                    schedPolicy = SchedPolicy.FIFO;
                    break;
                case "rr":
                    schedPolicy = SchedPolicy.RR;
                    break;
                case "normal":
                    schedPolicy = SchedPolicy.NORMAL;
                    break;
                default:
                    throw Usage.error(spec, "--policy must be fifo, rr or normal, got '" + policy + "'");
            }
            if (schedPolicy == SchedPolicy.NORMAL ? priority != 0 : priority < 1 || priority > 99) {
                throw Usage.error(spec, "--priority must be " + (schedPolicy == SchedPolicy.NORMAL ? "0 for normal"
                        : "1..99 for " + policy) + ", got " + priority);
            }
            if (nice < -20 || nice > 19 || (nice != 0 && schedPolicy != SchedPolicy.NORMAL)) {
                throw Usage.error(spec, "--nice must be -20..19 and only with --policy normal, got " + nice);
            }
            reasonMask = 0;
            for (String r : reasons) {
                try {
                    reasonMask |= BoostReason.valueOf(r.trim().toUpperCase(Locale.ROOT)).bit();
                } catch (IllegalArgumentException e) {
                    throw Usage.error(spec, "--reason: unknown reason '" + r + "'");
                }
            }
            if (waitMillis < 0 || waitMillis > 600_000) {
                throw Usage.error(spec, "--wait must be 0..600000 ms, got " + waitMillis);
            }
            if (holdMillis < -1 || holdMillis > 600_000) {
                throw Usage.error(spec, "--hold must be 0..600000 ms, got " + holdMillis);
            }
        }

        @Override
        int run(GuestEndpoint guest) throws InterruptedException {
            int s = slot(guest, slot);
            long id = guest.requestBoost(s, schedPolicy, priority, nice, reasonMask);
            int rc = awaitAndReport(guest, s, id, waitMillis, true);
            if (holdMillis >= 0) {
                Thread.sleep(holdMillis);
                long rel = guest.release(s);
                int rrc = awaitAndReport(guest, s, rel, waitMillis, false);
                return rc != VboostCli.OK ? rc : rrc;
            }
            return rc;
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = "Withdraws the boost request of a vCPU (spec §5.4) and waits for the host to act.")
    static final class Release extends Step {
        @Option(names = "--slot", paramLabel = "N", description = "vCPU slot (default ${DEFAULT-VALUE}).")
        int slot;

        @Option(names = "--wait", paramLabel = "MS", description = "How long to wait for the host (default ${DEFAULT-VALUE}; 0: do not wait).")
        long waitMillis = 1000;

        @Override
        void check() {
            if (waitMillis < 0 || waitMillis > 600_000) {
                throw Usage.error(spec, "--wait must be 0..600000 ms, got " + waitMillis);
            }
        }

        @Override
        int run(GuestEndpoint guest) throws InterruptedException {
            int s = slot(guest, slot);
            return awaitAndReport(guest, s, guest.release(s), waitMillis, false);
        }
    }

    @Command(name = "detach", mixinStandardHelpOptions = true,
            description = "Marks the guest header DETACHED (spec §5.8).")
    static final class Detach extends Step {
        @Override
        int run(GuestEndpoint guest) {
            guest.detach();
            out().println("detached from " + region);
            return VboostCli.OK;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true,
            description = {"Shows the region as a guest sees it, without writing: header, attach state and every "
                    + "slot's request and host answer (same decoder as 'vboost inspect').",
                    "Exit 0 if the region is valid, 1 otherwise."})
    static final class Status implements Callable<Integer> {
        @CommandLine.Spec
        @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
        CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "REGION", description = "The region file.")
        @SuppressWarnings("nullness:initialization.field.uninitialized") // required parameter
        Path region;

        @Override
        public Integer call() {
            byte[] bytes;
            try {
                if (Files.isDirectory(region)) {
                    throw Usage.error(spec, region + " is a directory, not a region file");
                }
                if (Files.size(region) > InspectCommand.MAX_IMAGE_BYTES) {
                    spec.commandLine().getErr().println(Usage.prefix(spec) + region + " is larger than any region");
                    return VboostCli.FAILURE;
                }
                bytes = Files.readAllBytes(region);
            } catch (NoSuchFileException e) {
                throw Usage.error(spec, "region file " + region + " does not exist");
            } catch (IOException e) {
                throw Usage.error(spec, "cannot read " + region + ": " + e.getMessage());
            }
            RegionImage image = RegionImage.decode(bytes);
            spec.commandLine().getOut().print(InspectCommand.table(region, image));
            spec.commandLine().getOut().flush();
            var e = image.firstError();
            if (e != null) {
                spec.commandLine().getErr().println(Usage.prefix(spec) + region + ": " + InspectCommand.describe(e));
                return VboostCli.FAILURE;
            }
            return VboostCli.OK;
        }
    }
}
