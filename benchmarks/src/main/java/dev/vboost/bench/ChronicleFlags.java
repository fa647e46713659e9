package dev.vboost.bench;

/**
 * The JVM flags the Chronicle forks append (see protocol-impl-chronicle/README.md), as constants because
 * {@code @Fork(jvmArgsAppend)} needs them at compile time. The same list must work on 17 and on 24+, so the
 * sun.misc.Unsafe permission is given as the system property the {@code --sun-misc-unsafe-memory-access}
 * launcher option sets (honoured by 24+, ignored by 17, which rejects the option itself).
 */
final class ChronicleFlags {
    static final String EXPORT_NIO = "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED";
    static final String OPEN_REFLECT = "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED";
    static final String EXPORT_REF = "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED";
    static final String NO_ANALYTICS = "-Dchronicle.analytics.disable=true";
    static final String NATIVE_ACCESS = "--enable-native-access=ALL-UNNAMED";
    static final String UNSAFE_ALLOW = "-Dsun.misc.unsafe.memory.access=allow";

    private ChronicleFlags() {
    }
}
