package dev.scratchnet.backend.cpu;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;

/** Row indices in a Java array. */
final class CpuIndexBuffer extends IndexBuffer {
    final int[] values;

    CpuIndexBuffer(Backend backend, int length) {
        super(backend, length);
        this.values = new int[length];
    }
}
