package dev.vboost.tools.metrics;

import dev.vboost.agent.stats.LoopCounters;
import dev.vboost.agent.stats.VmCounters;
import dev.vboost.agent.stats.WakeCause;
import dev.vboost.api.wire.BoostReason;
import dev.vboost.api.wire.DenialReason;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The agent's counters as Prometheus metrics, read from {@link VmCounters} copies at each scrape (nothing is
 * counted twice and the agent thread does no extra work). Per VM, label {@code vm}; grants per {@code reason},
 * refusals per {@code cause}, host boosts per {@code outcome}. A VM that is no longer served drops out. For the
 * agent itself, from its {@link LoopCounters}: wake-ups per {@code cause} and the loop's lateness as a histogram
 * (powers-of-two buckets from about 1 µs to about 1 s).
 */
public final class AgentMetrics implements MultiCollector {
    private final Supplier<? extends Collection<VmCounters>> counters;
    private final IntSupplier badVmFiles;
    private final Supplier<@Nullable LoopCounters> loop;

    /**
     * Without the agent loop's own metrics.
     *
     * @param counters   a copy of every served VM's counters (called once per scrape, from the HTTP thread)
     * @param badVmFiles VM files that cannot be served now (0 outside {@code --vm-dir} mode)
     */
    public AgentMetrics(Supplier<? extends Collection<VmCounters>> counters, IntSupplier badVmFiles) {
        this(counters, badVmFiles, () -> null);
    }

    /**
     * @param counters   a copy of every served VM's counters (called once per scrape, from the HTTP thread)
     * @param badVmFiles VM files that cannot be served now (0 outside {@code --vm-dir} mode)
     * @param loop       the agent's {@code HostAgent.loopCounters()}, or {@code null} while there is no agent
     */
    public AgentMetrics(Supplier<? extends Collection<VmCounters>> counters, IntSupplier badVmFiles,
            Supplier<@Nullable LoopCounters> loop) {
        this.counters = counters;
        this.badVmFiles = badVmFiles;
        this.loop = loop;
    }

    @Override
    public MetricSnapshots collect() {
        Collection<VmCounters> all = counters.get();
        CounterSnapshot.Builder grants = counter("vboost_grants", "Guest boost requests granted, per boost reason "
                + "(a request with two reasons counts for each).");
        CounterSnapshot.Builder denials = counter("vboost_denials", "Guest boost requests refused, per cause.");
        CounterSnapshot.Builder expiries = counter("vboost_expiries", "Boosts ended by the host at their longest duration.");
        CounterSnapshot.Builder throttles = counter("vboost_throttled", "Boosts ended by the host when the budget ran out.");
        CounterSnapshot.Builder releases = counter("vboost_releases", "Boosts ended by the guest.");
        CounterSnapshot.Builder invalid = counter("vboost_invalid_writes", "Guest slot lines that broke a protocol rule.");
        CounterSnapshot.Builder actuator = counter("vboost_actuator_failures", "Priority changes that failed "
                + "(permission, vanished thread, ...).");
        CounterSnapshot.Builder boosted = counter("vboost_boosted_seconds", "Total time vCPU threads spent boosted "
                + "(ended boosts).");
        CounterSnapshot.Builder hostBoosts = counter("vboost_host_boosts", "Host-initiated boosts, per outcome.");
        CounterSnapshot.Builder notifies = counter("vboost_notify_wakeups", "Agent wake-ups by a NOTIFY from the VM.");
        CounterSnapshot.Builder busy = counter("vboost_busy_reads", "Guest lines still busy after a bounded read.");
        CounterSnapshot.Builder protocol = counter("vboost_guest_protocol_errors", "Guest writes ignored and counted "
                + "(spec §9 T5/T7), per kind: invalid_id, id_backwards, id_jump, ack_out_of_range, guest_header.");
        for (VmCounters c : all) {
            String vm = c.vm();
            for (BoostReason r : BoostReason.values()) {
                grants.dataPoint(point(c.grantedFor(r), "vm", vm, "reason", r.name().toLowerCase(Locale.ROOT)));
            }
            for (DenialReason d : DenialReason.values()) {
                if (d != DenialReason.NONE && d != DenialReason.UNKNOWN) {
                    denials.dataPoint(point(c.deniedFor(d), "vm", vm, "cause", d.name().toLowerCase(Locale.ROOT)));
                }
            }
            expiries.dataPoint(point(c.expired(), "vm", vm));
            throttles.dataPoint(point(c.throttled(), "vm", vm));
            releases.dataPoint(point(c.released(), "vm", vm));
            invalid.dataPoint(point(c.invalid(), "vm", vm));
            actuator.dataPoint(point(c.actuatorFailures(), "vm", vm));
            boosted.dataPoint(CounterDataPointSnapshot.builder().value(c.boostedNanos() / 1e9)
                    .labels(Labels.of("vm", vm)).build());
            hostBoosts.dataPoint(point(c.hostGranted(), "vm", vm, "outcome", "granted"));
            hostBoosts.dataPoint(point(c.hostDenied(), "vm", vm, "outcome", "denied"));
            hostBoosts.dataPoint(point(c.hostAcked(), "vm", vm, "outcome", "acked"));
            hostBoosts.dataPoint(point(c.hostTimedOut(), "vm", vm, "outcome", "timed_out"));
            notifies.dataPoint(point(c.notifies(), "vm", vm));
            busy.dataPoint(point(c.busyReads(), "vm", vm));
            protocol.dataPoint(point(c.invalidIds(), "vm", vm, "kind", "invalid_id"));
            protocol.dataPoint(point(c.idsBackwards(), "vm", vm, "kind", "id_backwards"));
            protocol.dataPoint(point(c.idJumps(), "vm", vm, "kind", "id_jump"));
            protocol.dataPoint(point(c.acksOutOfRange(), "vm", vm, "kind", "ack_out_of_range"));
            protocol.dataPoint(point(c.guestHeaderErrors(), "vm", vm, "kind", "guest_header"));
        }
        GaugeSnapshot vms = GaugeSnapshot.builder().name("vboost_vms").help("VMs served now.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(all.size()).build()).build();
        GaugeSnapshot bad = GaugeSnapshot.builder().name("vboost_vm_files_bad")
                .help("VM files in --vm-dir that cannot be served now (see the log for file and key).")
                .dataPoint(GaugeDataPointSnapshot.builder().value(badVmFiles.getAsInt()).build()).build();
        List<MetricSnapshot> out = new ArrayList<>(List.of(grants.build(),
                denials.build(), expiries.build(), throttles.build(), releases.build(), invalid.build(),
                actuator.build(), boosted.build(), hostBoosts.build(), notifies.build(), busy.build(),
                protocol.build(), vms, bad));
        LoopCounters l = loop.get();
        if (l != null) {
            addLoop(l, out);
        }
        return new MetricSnapshots(out);
    }

    /** The agent loop's wake-ups per cause and its lateness histogram. */
    private static void addLoop(LoopCounters l, List<MetricSnapshot> out) {
        CounterSnapshot.Builder wakeUps = counter("vboost_agent_wakeups", "Agent loop wake-ups, per cause: poll "
                + "(idle poll interval), deadline (boost expiry, throttle refill, restore retry), ring (a guest's "
                + "doorbell), signal (NOTIFY, host boost request, VM change), other.");
        for (WakeCause c : WakeCause.values()) {
            wakeUps.dataPoint(point(l.wakeUps(c), "cause", c.name().toLowerCase(Locale.ROOT)));
        }
        out.add(wakeUps.build());
        long[] counts = l.latenessBuckets();
        double[] bounds = new double[counts.length];
        for (int i = 0; i < LoopCounters.BOUNDED_BUCKETS; i++) {
            bounds[i] = LoopCounters.bucketUpperNanos(i) / 1e9;
        }
        bounds[LoopCounters.BOUNDED_BUCKETS] = Double.POSITIVE_INFINITY;
        out.add(HistogramSnapshot.builder().name("vboost_agent_loop_lateness_seconds")
                .help("How late the agent thread woke after a wait that ran to its deadline (a boost expiry or "
                        + "the idle poll).")
                .dataPoint(HistogramDataPointSnapshot.builder()
                        .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, counts))
                        .sum(l.latenessSumNanos() / 1e9).build())
                .build());
        out.add(GaugeSnapshot.builder().name("vboost_agent_loop_lateness_max_seconds")
                .help("The largest lateness of the agent loop since it started.")
                .dataPoint(GaugeDataPointSnapshot.builder().value(l.maxLatenessNanos() / 1e9).build()).build());
    }

    private static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    private static CounterDataPointSnapshot point(long value, String... labels) {
        return CounterDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
    }
}
