package dev.vboost.tools.cli;

import dev.vboost.api.GuestHeader;
import dev.vboost.api.GuestRequest;
import dev.vboost.api.HostHeader;
import dev.vboost.api.HostState;
import dev.vboost.api.image.ImageError;
import dev.vboost.api.image.LineImage;
import dev.vboost.api.image.RegionImage;
import dev.vboost.api.image.SlotImage;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.tools.Json;
import dev.vboost.tools.VboostCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.checkerframework.checker.nullness.qual.Nullable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Decodes a region file or page image at rest with protocol-api's reference decoder ({@link RegionImage}, the
 * checks of spec §6) and shows it as a table or JSON. Reads bytes only; never maps or writes the file.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Decodes a region file or page image (spec §3) into a readable table, or JSON with --json.",
                "An invalid image is reported with the rule it breaks, the structure and the byte offset (spec §6).",
                "Exit 0 for a valid image, 1 for an invalid one or an unreadable file, 2 for bad options."})
public final class InspectCommand implements Callable<Integer> {
    /** Largest image read: a region of the maximum slot count. */
    static final long MAX_IMAGE_BYTES = RegionLayout.regionSize(RegionLayout.MAX_SLOTS);

    @CommandLine.Spec
    @SuppressWarnings("nullness:initialization.field.uninitialized") // injected by picocli
    private CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "Region file or raw page image.")
    @SuppressWarnings("nullness:initialization.field.uninitialized") // required parameter, set by picocli
    Path file;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        byte[] bytes;
        try {
            if (Files.isDirectory(file)) {
                throw Usage.error(spec, file + " is a directory, not a region image");
            }
            long size = Files.size(file);
            if (size > MAX_IMAGE_BYTES) {
                err.println("vboost inspect: " + file + " has " + size + " bytes, more than the largest v1.0 region ("
                        + MAX_IMAGE_BYTES + " bytes, " + RegionLayout.MAX_SLOTS + " slots)");
                return VboostCli.FAILURE;
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw Usage.error(spec, file + ": no such file");
        } catch (IOException e) {
            throw Usage.error(spec, "cannot read " + file + ": " + e.getMessage());
        }
        RegionImage image = RegionImage.decode(bytes);
        out.print(json ? json(file, image) : table(file, image));
        out.flush();
        ImageError e = image.firstError();
        if (e != null) {
            err.println("vboost inspect: " + file + ": invalid region image: " + describe(e));
            return VboostCli.FAILURE;
        }
        return VboostCli.OK;
    }

    /** "E_BAD_MAGIC at host_header offset 0x0: magic is not ..." */
    static String describe(ImageError e) {
        return String.format(Locale.ROOT, "%s at %s%s, offset %d (0x%x): %s", e.error().code(), e.struct().wireName(),
                e.slot() >= 0 ? "[" + e.slot() + "]" : "", e.offset(), e.offset(), e.error().rule());
    }

    static String table(Path file, RegionImage image) {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s: %d bytes%n", file, image.length()));
        HostHeader h = image.hostHeader();
        if (h == null) {
            s.append("host header: (image shorter than the 128-byte header)\n");
        } else {
            s.append(String.format(Locale.ROOT, "host header: magic 0x%08x, ABI %d.%d, header %d, slot size %d, "
                    + "slots %d, region size %d%n", h.magic(), h.abiMajor(), h.abiMinor(), h.headerSize(), h.slotSize(),
                    h.slotCount(), h.regionSize()));
            s.append(String.format(Locale.ROOT, "             state %s, generation %d, features 0x%x, priority ceiling "
                    + "%d, max boost %d us%n", h.regionState(), h.hostGeneration(), h.hostFeatures(), h.prioCeiling(),
                    h.maxBoostUs()));
        }
        LineImage<GuestHeader> gl = image.guestHeader();
        if (gl != null) {
            GuestHeader g = gl.value();
            s.append(g == null ? String.format(Locale.ROOT, "guest header: busy (seq %d odd)%n", gl.seq())
                    : String.format(Locale.ROOT, "guest header: seq %d, %s, ABI %d.%d, generation %d, features 0x%x%s%n",
                            gl.seq(), g.attachState(), g.guestAbiMajor(), g.guestAbiMinor(), g.attachedGeneration(),
                            g.acceptedFeatures(), mark(gl.error())));
        }
        if (!image.slots().isEmpty()) {
            s.append(String.format(Locale.ROOT, "%-5s | %-7s %-7s %-6s %4s %4s %-10s %10s %10s | %-8s %-6s %4s %-12s "
                    + "%-6s %9s %10s %10s%n", "slot", "g.seq", "request", "policy", "prio", "nice", "reasons", "req id",
                    "hb ack", "status", "policy", "prio", "denial", "flags", "budget us", "acted id", "hb id"));
            for (SlotImage slot : image.slots()) {
                s.append(String.format(Locale.ROOT, "%-5d | %s | %s%n", slot.index(), guestLine(slot.guest()),
                        hostLine(slot.host())));
                if (slot.guest().error() != null || slot.host().error() != null) {
                    s.append("      ").append(mark(slot.guest().error())).append(mark(slot.host().error())).append('\n');
                }
            }
        }
        ImageError e = image.firstError();
        s.append(e == null ? "valid (spec §6)\n" : "INVALID: " + describe(e) + "\n");
        return s.toString();
    }

    private static String guestLine(LineImage<GuestRequest> line) {
        GuestRequest r = line.value();
        if (r == null) {
            return String.format(Locale.ROOT, "%-7d busy (odd seq)%49s", line.seq(), "");
        }
        return String.format(Locale.ROOT, "%-7d %-7s %-6s %4d %4d 0x%-8x %10d %10d", line.seq(), r.request(), r.policy(),
                r.priority(), r.nice(), r.reasons(), r.requestId(), r.hostBoostAck());
    }

    private static String hostLine(LineImage<HostState> line) {
        HostState h = line.value();
        if (h == null) {
            return "busy (odd seq " + line.seq() + ")";
        }
        return String.format(Locale.ROOT, "%-8s %-6s %4d %-12s 0x%-4x %9d %10d %10d", h.status(), h.policy(),
                h.priority(), h.denial(), h.hostBoostFlags(), h.budgetRemainingUs(), h.actedRequestId(), h.hostBoostId());
    }

    private static String mark(@Nullable ImageError e) {
        return e == null ? "" : "  <- " + describe(e);
    }

    static String json(Path file, RegionImage image) {
        Json j = new Json();
        j.open();
        j.field("file", file.toString());
        j.field("bytes", image.length());
        j.field("valid", image.accepted());
        ImageError first = image.firstError();
        error(j, "error", first);
        j.field("attach_outcome", image.attachOutcome().code());
        HostHeader h = image.hostHeader();
        if (h != null) {
            j.key("host_header").open();
            j.field("magic", h.magic());
            j.field("abi_major", h.abiMajor());
            j.field("abi_minor", h.abiMinor());
            j.field("header_size", h.headerSize());
            j.field("slot_size", h.slotSize());
            j.field("slot_count", h.slotCount());
            j.field("host_features", h.hostFeatures());
            j.field("host_generation", h.hostGeneration());
            j.field("region_state", h.regionState().name());
            j.field("prio_ceiling", h.prioCeiling());
            j.field("max_boost_us", h.maxBoostUs());
            j.field("region_size", h.regionSize());
            j.close();
        }
        LineImage<GuestHeader> gl = image.guestHeader();
        if (gl != null) {
            j.key("guest_header").open();
            j.field("seq", gl.seq());
            GuestHeader g = gl.value();
            if (g != null) {
                j.field("attach_state", g.attachState().name());
                j.field("guest_abi_major", g.guestAbiMajor());
                j.field("guest_abi_minor", g.guestAbiMinor());
                j.field("attached_generation", g.attachedGeneration());
                j.field("accepted_features", g.acceptedFeatures());
            }
            error(j, "error", gl.error());
            j.close();
        }
        j.key("slots").openArray();
        for (SlotImage slot : image.slots()) {
            j.open();
            j.field("index", slot.index());
            j.key("guest").open();
            j.field("seq", slot.guest().seq());
            GuestRequest r = slot.guest().value();
            if (r != null) {
                j.field("request", r.request().name());
                j.field("policy", r.policy().name());
                j.field("priority", r.priority());
                j.field("nice", r.nice());
                j.field("reasons", r.reasons());
                j.field("request_id", r.requestId());
                j.field("host_boost_ack", r.hostBoostAck());
            }
            error(j, "error", slot.guest().error());
            j.close();
            j.key("host").open();
            j.field("seq", slot.host().seq());
            HostState hs = slot.host().value();
            if (hs != null) {
                j.field("status", hs.status().name());
                j.field("policy", hs.policy().name());
                j.field("priority", hs.priority());
                j.field("denial", hs.denial().name());
                j.field("host_boost_flags", hs.hostBoostFlags());
                j.field("budget_remaining_us", hs.budgetRemainingUs());
                j.field("acted_request_id", hs.actedRequestId());
                j.field("host_boost_id", hs.hostBoostId());
            }
            error(j, "error", slot.host().error());
            j.close();
            j.close();
        }
        j.closeArray();
        j.close();
        return j.toString();
    }

    private static void error(Json j, String key, @Nullable ImageError e) {
        if (e == null) {
            j.field(key, (String) null);
            return;
        }
        j.key(key).open();
        j.field("code", e.error().code());
        j.field("struct", e.struct().wireName());
        j.field("slot", e.slot());
        j.field("offset", e.offset());
        j.field("rule", e.error().rule());
        j.close();
    }
}
