package dev.vboost.conformance.suite;

/** Hex dumps for failure reports. */
public final class Hex {
    private Hex() {
    }

    /** First offset where the arrays differ, or -1. */
    public static int firstDifference(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return i;
            }
        }
        return a.length == b.length ? -1 : n;
    }

    /**
     * Expected and actual bytes side by side, 16 per row, for the rows around {@code at} (two before, two
     * after); differing bytes are marked with '*'. Offsets are region offsets ({@code base} + index).
     */
    public static String window(byte[] expected, byte[] actual, int at, int base) {
        int from = Math.max(0, (at / 16 - 2) * 16);
        int to = Math.min(Math.max(expected.length, actual.length), (at / 16 + 3) * 16);
        StringBuilder sb = new StringBuilder("  first difference at region offset 0x")
                .append(Integer.toHexString(base + at)).append('\n')
                .append("  offset    expected                                          actual\n");
        for (int row = from; row < to; row += 16) {
            sb.append(String.format("  0x%05x  ", base + row));
            line(sb, expected, actual, row);
            sb.append("  ");
            line(sb, actual, expected, row);
            sb.append('\n');
        }
        return sb.toString();
    }

    private static void line(StringBuilder sb, byte[] a, byte[] other, int row) {
        for (int i = row; i < row + 16; i++) {
            if (i < a.length) {
                boolean diff = i >= other.length || a[i] != other[i];
                sb.append(String.format("%02x", a[i] & 0xFF)).append(diff ? '*' : ' ');
            } else {
                sb.append("   ");
            }
        }
    }
}
