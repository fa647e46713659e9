package dev.vboost.tools.demo;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Command lines for the demo's child JVMs: this JVM's {@code java}, class path and native-access flag. */
final class JavaLauncher {
    private final String javaExecutable;
    private final String classPath;

    JavaLauncher(String javaExecutable, String classPath) {
        this.javaExecutable = javaExecutable;
        this.classPath = classPath;
    }

    /** The running JVM's launcher and class path. */
    static JavaLauncher current() {
        String home = System.getProperty("java.home", "");
        return new JavaLauncher(Path.of(home, "bin", "java").toString(), System.getProperty("java.class.path", ""));
    }

    ProcessBuilder command(List<String> jvmOptions, String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable);
        if (Runtime.version().feature() >= 22) {
            cmd.add("--enable-native-access=ALL-UNNAMED"); // JNA; keeps JDK 24+ quiet
        }
        cmd.addAll(jvmOptions);
        cmd.add("-cp");
        cmd.add(classPath);
        cmd.add(mainClass);
        cmd.addAll(args);
        return new ProcessBuilder(cmd);
    }
}
