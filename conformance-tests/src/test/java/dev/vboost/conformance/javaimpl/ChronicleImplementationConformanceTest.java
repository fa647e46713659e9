package dev.vboost.conformance.javaimpl;

import dev.vboost.conformance.testee.JavaTesteeMain;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java implementation over the Chronicle backend is CONFORMANT in process and through the testee
 * protocol. Runs only in this module's surefire execution "chronicle", whose JVM (and the child testee JVM,
 * given {@code vboost.chronicle.jvmArgs}) has the Chronicle flags.
 */
class ChronicleImplementationConformanceTest {

    @org.junit.jupiter.api.BeforeEach
    void onlyWithTheChronicleFlags() {
        // set by the surefire execution "chronicle" only; a -Dtest filter also runs this class elsewhere
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getProperty("vboost.chronicle.jvmArgs") != null,
                "needs the Chronicle JVM flags: runs in this module's surefire execution 'chronicle'");
    }

    @Test
    void chronicleBackendInProcessIsConformant(@TempDir Path out) throws Exception {
        JavaTestees.Run r = JavaTestees.run(out, "--provider", ChronicleProvider.class.getName());
        JavaTestees.assertConformant(r);
        for (String id : JavaImplementationConformanceTest.IN_PROCESS_ONLY) {
            r.assertStatus(id, "PASS");
        }
    }

    @Test
    void chronicleBackendThroughTesteeProtocolIsConformant(@TempDir Path out) throws Exception {
        String flags = System.getProperty("vboost.chronicle.jvmArgs", "");
        List<String> args = new ArrayList<>(List.of("--testee"));
        args.addAll(JavaTestees.command(flags, JavaTesteeMain.class.getName(), ChronicleProvider.class.getName()));
        JavaTestees.Run r = JavaTestees.run(out, args.toArray(new String[0]));
        JavaTestees.assertConformant(r);
        r.assertStatus("Required.Seqlock.R5.counter-wrap-around", "PASS");
    }
}
