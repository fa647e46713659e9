package dev.vboost.api.testutil;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Files of the {@code vboost-spec} jar, which sits on the test class path under {@code vboost/spec/}. */
public final class SpecFiles {
    private SpecFiles() {
    }

    public static byte[] bytes(String path) {
        String name = "vboost/spec/" + path;
        try (InputStream in = SpecFiles.class.getClassLoader().getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path (vboost-spec test dependency)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Map<String, Object> json(String path) {
        return MiniJson.obj(MiniJson.parse(new String(bytes(path), StandardCharsets.UTF_8)));
    }

    public static Map<String, Object> layout() {
        return json("layout/region-v1.1.json");
    }
}
