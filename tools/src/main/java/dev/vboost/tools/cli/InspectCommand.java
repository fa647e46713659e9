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
import dev.vboost.conformance.region.Unsigned;
import dev.vboost.tools.VboostCli;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigInteger;
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
                "Exit 0 for a valid image, 1 for an invalid one, 2 for bad options or a file that cannot be read "
                        + "(with --json, also a JSON error object)."})
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
        String problem = null;
        try {
            if (Files.isDirectory(file)) {
                problem = file + " is a directory, not a region image";
                bytes = new byte[0];
            } else if (Files.size(file) > MAX_IMAGE_BYTES) {
                problem = file + " has " + Files.size(file) + " bytes, more than the largest v1.0 region ("
                        + MAX_IMAGE_BYTES + " bytes, " + RegionLayout.MAX_SLOTS + " slots)";
                bytes = new byte[0];
            } else {
                bytes = Files.readAllBytes(file);
            }
        } catch (NoSuchFileException e) {
            problem = file + ": no such file";
            bytes = new byte[0];
        } catch (IOException e) {
            problem = "cannot read " + file + ": " + e.getMessage();
            bytes = new byte[0];
        }
        if (problem != null) {
            if (json) { // a JSON reader gets JSON, whatever happened
                ObjectNode o = JSON.createObjectNode();
                o.put("schema", SCHEMA);
                o.put("file", file.toString());
                o.put("valid", false);
                ObjectNode e = o.putObject("error");
                e.put("code", "E_UNREADABLE");
                e.put("message", problem);
                out.print(text(o));
                out.flush();
            }
            err.println("vboost inspect: " + problem);
            return VboostCli.USAGE;
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
            s.append(String.format(Locale.ROOT, "host header: magic %s, ABI %d.%d, header %d, slot size %d, "
                    + "slots %d, region size %s%n", magic(h.magic()), h.abiMajor(), h.abiMinor(), h.headerSize(),
                    h.slotSize(), h.slotCount(), Unsigned.u64(h.regionSize())));
            s.append(String.format(Locale.ROOT, "             state %s, generation %d, features %s, priority ceiling "
                    + "%d, max boost %d us%n", h.regionState(), h.hostGeneration(), hex(h.hostFeatures()),
                    h.prioCeiling(), h.maxBoostUs()));
        }
        LineImage<GuestHeader> gl = image.guestHeader();
        if (gl != null) {
            GuestHeader g = gl.value();
            s.append(g == null ? String.format(Locale.ROOT, "guest header: busy (seq %d odd)%n", gl.seq())
                    : String.format(Locale.ROOT, "guest header: seq %d, %s, ABI %d.%d, generation %d, features %s%s%n",
                            gl.seq(), g.attachState(), g.guestAbiMajor(), g.guestAbiMinor(), g.attachedGeneration(),
                            hex(g.acceptedFeatures()), mark(gl.error())));
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
        return String.format(Locale.ROOT, "%-7d %-7s %-6s %4d %4d 0x%-8s %10s %10s", line.seq(), r.request(), r.policy(),
                r.priority(), r.nice(), Integer.toHexString(r.reasons()), Unsigned.u64(r.requestId()),
                Unsigned.u64(r.hostBoostAck()));
    }

    private static String hostLine(LineImage<HostState> line) {
        HostState h = line.value();
        if (h == null) {
            return "busy (odd seq " + line.seq() + ")";
        }
        return String.format(Locale.ROOT, "%-8s %-6s %4d %-12s 0x%-4s %9d %10s %10s", h.status(), h.policy(),
                h.priority(), h.denial(), Integer.toHexString(h.hostBoostFlags()), h.budgetRemainingUs(),
                Unsigned.u64(h.actedRequestId()), Unsigned.u64(h.hostBoostId()));
    }

    private static String mark(@Nullable ImageError e) {
        return e == null ? "" : "  <- " + describe(e);
    }

    /** The JSON document's format, so that readers can tell versions apart. */
    static final String SCHEMA = "vboost-inspect/1";
    private static final ObjectMapper JSON = new ObjectMapper().setDefaultPrettyPrinter(new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER)))
            .enable(SerializationFeature.INDENT_OUTPUT);

    private static String magic(long m) {
        return String.format(Locale.ROOT, "0x%08X", m);
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v).toUpperCase(Locale.ROOT);
    }

    /** A u64 as the unsigned JSON number it is. */
    private static BigInteger u64(long v) {
        return new BigInteger(Unsigned.u64(v));
    }

    private static String text(ObjectNode o) {
        try {
            return JSON.writeValueAsString(o) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /**
     * The image as JSON (schema {@value #SCHEMA}): integers as JSON numbers, u64 fields unsigned, the magic as a hex
     * string, enum codes by name, and every error as {@code code}, {@code struct}, {@code slot} ({@code null} for
     * the headers and the region), {@code offset}, {@code rule}.
     */
    static String json(Path file, RegionImage image) {
        ObjectNode o = JSON.createObjectNode();
        o.put("schema", SCHEMA);
        o.put("file", file.toString());
        o.put("bytes", image.length());
        o.put("valid", image.accepted());
        error(o, "error", image.firstError());
        o.put("attach_outcome", image.attachOutcome().code());
        HostHeader h = image.hostHeader();
        if (h != null) {
            ObjectNode hh = o.putObject("host_header");
            hh.put("magic", magic(h.magic()));
            hh.put("abi_major", h.abiMajor());
            hh.put("abi_minor", h.abiMinor());
            hh.put("header_size", h.headerSize());
            hh.put("slot_size", h.slotSize());
            hh.put("slot_count", h.slotCount());
            hh.put("host_features", u64(h.hostFeatures()));
            hh.put("host_generation", h.hostGeneration());
            hh.put("region_state", h.regionState().name());
            hh.put("prio_ceiling", h.prioCeiling());
            hh.put("max_boost_us", h.maxBoostUs());
            hh.put("region_size", u64(h.regionSize()));
        }
        LineImage<GuestHeader> gl = image.guestHeader();
        if (gl != null) {
            ObjectNode gh = o.putObject("guest_header");
            gh.put("seq", gl.seq());
            GuestHeader g = gl.value();
            if (g != null) {
                gh.put("attach_state", g.attachState().name());
                gh.put("guest_abi_major", g.guestAbiMajor());
                gh.put("guest_abi_minor", g.guestAbiMinor());
                gh.put("attached_generation", g.attachedGeneration());
                gh.put("accepted_features", u64(g.acceptedFeatures()));
            }
            error(gh, "error", gl.error());
        }
        ArrayNode slots = o.putArray("slots");
        for (SlotImage slot : image.slots()) {
            ObjectNode so = slots.addObject();
            so.put("index", slot.index());
            ObjectNode go = so.putObject("guest");
            go.put("seq", slot.guest().seq());
            GuestRequest r = slot.guest().value();
            if (r != null) {
                go.put("request", r.request().name());
                go.put("policy", r.policy().name());
                go.put("priority", r.priority());
                go.put("nice", r.nice());
                go.put("reasons", Integer.toUnsignedLong(r.reasons()));
                go.put("request_id", u64(r.requestId()));
                go.put("host_boost_ack", u64(r.hostBoostAck()));
            }
            error(go, "error", slot.guest().error());
            ObjectNode ho = so.putObject("host");
            ho.put("seq", slot.host().seq());
            HostState hs = slot.host().value();
            if (hs != null) {
                ho.put("status", hs.status().name());
                ho.put("policy", hs.policy().name());
                ho.put("priority", hs.priority());
                ho.put("denial", hs.denial().name());
                ho.put("host_boost_flags", Integer.toUnsignedLong(hs.hostBoostFlags()));
                ho.put("budget_remaining_us", hs.budgetRemainingUs());
                ho.put("acted_request_id", u64(hs.actedRequestId()));
                ho.put("host_boost_id", u64(hs.hostBoostId()));
            }
            error(ho, "error", slot.host().error());
        }
        return text(o);
    }

    private static void error(ObjectNode parent, String key, @Nullable ImageError e) {
        if (e == null) {
            parent.putNull(key);
            return;
        }
        ObjectNode o = parent.putObject(key);
        o.put("code", e.error().code());
        o.put("struct", e.struct().wireName());
        if (e.slot() >= 0) {
            o.put("slot", e.slot());
        } else {
            o.putNull("slot");
        }
        o.put("offset", e.offset());
        o.put("rule", e.error().rule());
    }
}
