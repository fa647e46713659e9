package dev.vboost.tools.demo;

import java.util.Locale;

/** The three ways the demo runs the vCPU thread. */
public enum DemoMode {
    /** Normal priority throughout; no boost. */
    VANILLA,
    /** The protocol end to end: boosted when the tick is due, restored after it. */
    DYNAMIC,
    /** Real-time priority for the whole run. */
    STATIC;

    /** Lower-case name as used on the command line and in demo.json. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses a mode name, case-insensitively. */
    public static DemoMode parse(String s) {
        for (DemoMode m : values()) {
            if (m.key().equalsIgnoreCase(s.trim())) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + s + "' (expected vanilla, dynamic or static)");
    }
}
