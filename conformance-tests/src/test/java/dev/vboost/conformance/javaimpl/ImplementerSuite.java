package dev.vboost.conformance.javaimpl;

import dev.vboost.conformance.junit.ConformanceTests;
import org.junit.platform.suite.api.IncludeTags;
import org.junit.platform.suite.api.SelectClasses;
import org.junit.platform.suite.api.Suite;
import org.junit.platform.suite.api.SuiteDisplayName;

/**
 * What an implementer adds to their own build to run the suite: this one class, their provider, and a line in
 * {@code META-INF/services/dev.vboost.conformance.spi.ConformanceProvider} (here: {@link VarHandleProvider}).
 * Dependencies: {@code conformance-tests} and {@code junit-platform-suite}, test scope. Drop
 * {@code @IncludeTags} to run every level, stochastic included.
 *
 * <p>Not named {@code *Test} so that surefire does not run it twice: {@link ImplementerSuiteTest} launches it
 * and checks what it did.
 */
@Suite
@SuiteDisplayName("vboost conformance")
@SelectClasses(ConformanceTests.class)
@IncludeTags({"required", "recommended", "optional"})
public class ImplementerSuite {
}
