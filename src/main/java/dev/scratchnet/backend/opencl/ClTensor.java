package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.Backend;
import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import org.jocl.cl_mem;

/** A tensor in an OpenCL buffer; a view of the first rows shares its owner's buffer. */
final class ClTensor extends Tensor {
    final cl_mem mem;

    ClTensor(Backend backend, int rows, int cols, Precision precision, cl_mem mem) {
        super(backend, rows, cols, precision, null);
        this.mem = mem;
    }

    private ClTensor(ClTensor root, int rows) {
        super(root.backend(), rows, root.cols(), root.precision(), root);
        this.mem = root.mem;
    }

    @Override
    protected Tensor createView(int n, Tensor root) {
        return new ClTensor((ClTensor) root, n);
    }
}
