package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.IndexBuffer;
import org.jocl.cl_mem;

/** Row indices in an OpenCL buffer of ints. */
final class ClIndexBuffer extends IndexBuffer {
    final cl_mem mem;

    ClIndexBuffer(Backend backend, int length, cl_mem mem) {
        super(backend, length);
        this.mem = mem;
    }
}
