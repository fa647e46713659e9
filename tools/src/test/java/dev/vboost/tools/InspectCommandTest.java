package dev.vboost.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.vboost.api.layout.GuestSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectCommandTest {
    @TempDir
    Path dir;

    private Path region(int slots) {
        Path f = dir.resolve("region-" + slots);
        CliRun r = CliRun.of("region", f.toString(), "--slots", Integer.toString(slots), "--ready");
        assertEquals(0, r.exit, r::toString);
        return f;
    }

    @Test
    void validRegionIsATableWithEverySlotAndExitZero() {
        Path f = region(3);
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.out.contains("state READY"), r::toString);
        assertTrue(r.out.contains("slots 3"), r::toString);
        assertTrue(r.out.contains("\n2     | "), r::toString);
        assertTrue(r.out.contains("valid (spec §6)"), r::toString);
        assertEquals("", r.err, r::toString);
    }

    @Test
    void jsonCarriesTheHeaderAndSlots() {
        Path f = region(2);
        CliRun r = CliRun.of("inspect", "--json", f.toString());
        assertEquals(0, r.exit, r::toString);
        assertTrue(r.out.contains("\"valid\": true"), r::toString);
        assertTrue(r.out.contains("\"region_state\": \"READY\""), r::toString);
        assertTrue(r.out.contains("\"slot_count\": 2"), r::toString);
        assertEquals(2, r.out.split("\"index\": ", -1).length - 1, r::toString);
    }

    @Test
    void badMagicNamesOffsetZeroAndTheRule() throws IOException {
        Path f = region(1);
        byte[] b = Files.readAllBytes(f);
        b[0] ^= 0x5a;
        Files.write(f, b);
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.err.contains("E_BAD_MAGIC at host_header, offset 0 (0x0): magic is not"), r::toString);
        CliRun j = CliRun.of("inspect", "--json", f.toString());
        assertEquals(VboostCli.FAILURE, j.exit, j::toString);
        assertTrue(j.out.contains("\"code\": \"E_BAD_MAGIC\"") && j.out.contains("\"offset\": 0"), j::toString);
    }

    @Test
    void truncatedImageNamesWhereTheBytesRanOut() throws IOException {
        Path f = dir.resolve("short");
        Files.write(f, new byte[20]);
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.err.contains("E_TRUNCATED at region, offset 20 (0x14)"), r::toString);
    }

    @Test
    void badSlotLineIsReportedWithItsSlotAndOffset() throws IOException {
        Path f = region(2);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        int at = RegionLayout.guestLineOffset(1) + GuestSlotLayout.REQUEST_OFFSET;
        b.put(at, (byte) 77); // no such request code
        String where = "at slot_guest_line[1], offset " + at;
        Files.write(f, b.array());
        CliRun r = CliRun.of("inspect", f.toString());
        assertEquals(VboostCli.FAILURE, r.exit, r::toString);
        assertTrue(r.err.contains(where), r::toString);
        assertTrue(r.out.contains("INVALID: "), r::toString);
    }

    @Test
    void missingFileAndDirectoryAreUsageErrors() {
        CliRun missing = CliRun.of("inspect", dir.resolve("nope").toString());
        assertEquals(VboostCli.USAGE, missing.exit, missing::toString);
        assertTrue(missing.err.contains("no such file"), missing::toString);
        assertEquals("", missing.out, missing::toString);
        CliRun d = CliRun.of("inspect", dir.toString());
        assertEquals(VboostCli.USAGE, d.exit, d::toString);
        assertTrue(d.err.contains("is a directory"), d::toString);
    }

    @Test
    void anUnreadableFileIsAJsonErrorObjectWithJson() throws IOException {
        CliRun missing = CliRun.of("inspect", "--json", dir.resolve("nope").toString());
        assertEquals(VboostCli.USAGE, missing.exit, missing::toString);
        JsonNode o = new ObjectMapper().readTree(missing.out);
        assertEquals("vboost-inspect/1", o.path("schema").asText(), missing::toString);
        assertFalse(o.path("valid").asBoolean(true), missing::toString);
        assertEquals("E_UNREADABLE", o.path("error").path("code").asText(), missing::toString);
        assertTrue(o.path("error").path("message").asText().contains("no such file"), missing::toString);
    }

    @Test
    void u64FieldsAreUnsignedTheMagicIsHexAndHeaderErrorsHaveNoSlot() throws IOException {
        Path f = region(1);
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(RegionLayout.guestLineOffset(0) + GuestSlotLayout.REQUEST_ID_OFFSET, -1L); // 2^64 - 1: invalid id
        b.putLong(RegionLayout.hostLineOffset(0) + 0x18, Long.MIN_VALUE + 2); // host_boost_id 2^63 + 2
        Files.write(f, b.array());
        CliRun t = CliRun.of("inspect", f.toString());
        assertEquals(VboostCli.FAILURE, t.exit, t::toString);
        assertTrue(t.out.contains("18446744073709551615") && t.out.contains("9223372036854775810"), t::toString);
        assertFalse(t.out.contains(" -1 ") || t.out.contains("-9223372036854775806"), t::toString);
        assertTrue(t.out.contains("magic 0x54534256"), t::toString);
        CliRun j = CliRun.of("inspect", "--json", f.toString());
        JsonNode o = new ObjectMapper().readTree(j.out);
        assertEquals("vboost-inspect/1", o.path("schema").asText(), j::toString);
        assertEquals("0x54534256", o.path("host_header").path("magic").asText(), j::toString);
        assertEquals("18446744073709551615", o.path("slots").path(0).path("guest").path("request_id").bigIntegerValue()
                .toString(), j::toString);
        assertEquals("9223372036854775810", o.path("slots").path(0).path("host").path("host_boost_id")
                .bigIntegerValue().toString(), j::toString);
        assertEquals(0, o.path("error").path("slot").asInt(-1), j::toString);

        byte[] bad = Files.readAllBytes(f);
        bad[0] ^= 0x5a;
        Files.write(f, bad);
        JsonNode h = new ObjectMapper().readTree(CliRun.of("inspect", "--json", f.toString()).out);
        assertTrue(h.path("error").has("slot") && h.path("error").path("slot").isNull(), h::toString);
    }

    @Test
    void missingArgumentOrUnknownFlagIsUsage() {
        CliRun none = CliRun.of("inspect");
        assertEquals(VboostCli.USAGE, none.exit, none::toString);
        assertTrue(none.err.contains("Missing required parameter: 'FILE'"), none::toString);
        CliRun flag = CliRun.of("inspect", "--yaml", "x");
        assertEquals(VboostCli.USAGE, flag.exit, flag::toString);
    }
}
