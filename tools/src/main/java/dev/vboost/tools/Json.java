package dev.vboost.tools;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The CLI's JSON documents ({@code inspect --json}, {@code demo.json}), written by Jackson's streaming generator
 * in the order the caller gives: objects, arrays, strings, integers, booleans, and decimals rounded to four
 * places (NaN and infinities as {@code null}). Two-space indentation, {@code "key": value}.
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private final StringWriter text = new StringWriter();
    private final JsonGenerator g;

    public Json() {
        try {
            g = FACTORY.createGenerator(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);   // a StringWriter does not fail
        }
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        g.setPrettyPrinter(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(indent).withArrayIndenter(indent));
    }

    /** One generator call; Jackson declares IOException, which a StringWriter never throws. */
    private interface Write {
        void run() throws IOException;
    }

    private Json write(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    public Json open() {
        return write(g::writeStartObject);
    }

    public Json openArray() {
        return write(g::writeStartArray);
    }

    public void close() {
        write(g::writeEndObject);
    }

    public void closeArray() {
        write(g::writeEndArray);
    }

    /** Names the next value, for {@link #open()} or {@link #openArray()} as the value. */
    public Json key(String k) {
        return write(() -> g.writeFieldName(k));
    }

    public void field(String k, @Nullable String v) {
        write(() -> {
            if (v == null) {
                g.writeNullField(k);
            } else {
                g.writeStringField(k, v);
            }
        });
    }

    public void field(String k, long v) {
        write(() -> g.writeNumberField(k, v));
    }

    public void field(String k, boolean v) {
        write(() -> g.writeBooleanField(k, v));
    }

    public void field(String k, double v) {
        write(() -> {
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                g.writeNullField(k);
            } else {
                g.writeNumberField(k, BigDecimal.valueOf(v).setScale(4, RoundingMode.HALF_EVEN));
            }
        });
    }

    @Override
    public String toString() {
        write(g::flush);
        return text + "\n";
    }
}
