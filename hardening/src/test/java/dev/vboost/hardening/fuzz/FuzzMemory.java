package dev.vboost.hardening.fuzz;

import dev.vboost.api.ReadStatus;
import dev.vboost.api.WireError;
import dev.vboost.api.image.ImageError;
import dev.vboost.api.image.LineImage;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.impl.memory.ByteBufferSharedMemory;

/** Direct-memory helpers shared by the fuzz targets. */
final class FuzzMemory {
    private FuzzMemory() {
    }

    /** A page-aligned direct region holding exactly {@code raw} (which must not be empty). */
    static SharedMemory holding(byte[] raw) {
        SharedMemory m = ByteBufferSharedMemory.allocateDirect(raw.length);
        m.putBytes(0, raw, 0, raw.length);
        return m;
    }

    static byte[] copy(SharedMemory m) {
        byte[] b = new byte[m.capacity()];
        m.getBytes(0, b, 0, b.length);
        return b;
    }

    /** What a seqlock reader must report for a line the image reader judged: OK, BUSY or INVALID. */
    static ReadStatus expectedStatus(LineImage<?> line) {
        ImageError e = line.error();
        if (e == null) {
            return ReadStatus.OK;
        }
        return e.error() == WireError.BUSY ? ReadStatus.BUSY : ReadStatus.INVALID;
    }
}
