package dev.scratchnet.backend.opencl;

import dev.scratchnet.backend.Precision;
import dev.scratchnet.backend.Tensor;
import dev.scratchnet.lab.Baseline;
import dev.scratchnet.lab.BenchResult;
import dev.scratchnet.lab.KernelBench;
import org.jocl.blast.CLBlast;
import org.jocl.blast.CLBlastLayout;
import org.jocl.blast.CLBlastStatusCode;
import org.jocl.blast.CLBlastTranspose;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * CLBlast's SGEMM and DGEMM (through JOCLBlast, whose jar carries libclblast) on the OpenCL
 * backend's own context, queue and buffers: the library beside which {@code kernels bench} times
 * the OpenCL matmul variants.
 */
public final class ClBlastBaseline implements Baseline {
    private final OpenClBackend backend;
    private final String unavailable;

    public ClBlastBaseline(OpenClBackend backend) {
        this.backend = backend;
        String why = null;
        try {
            CLBlast.setExceptionsEnabled(false);
        } catch (LinkageError e) {
            why = "CLBlast unavailable: " + dev.scratchnet.backend.Probe.describeLinkFailure(e);
        }
        this.unavailable = why;
    }

    @Override
    public String describe() {
        return unavailable != null ? unavailable : "CLBlast 1.5.2 (JOCLBlast) on " + backend.deviceName();
    }

    @Override
    public boolean available() {
        return unavailable == null;
    }

    @Override
    public List<BenchResult> matmul(List<Integer> sizes, List<Precision> precisions, double minSeconds) {
        List<BenchResult> out = new ArrayList<>();
        Random r = new Random(1);
        for (Precision p : precisions) {
            if (!backend.supports(p)) {
                continue;
            }
            for (int n : sizes) {
                try (Tensor a = backend.upload(KernelBench.random(r, n, n), p); Tensor b = backend.upload(KernelBench.random(r, n, n), p);
                     Tensor c = backend.zeros(n, n, p)) {
                    Runnable gemm = () -> check(p == Precision.FP32
                            ? CLBlast.CLBlastSgemm(CLBlastLayout.CLBlastLayoutRowMajor, CLBlastTranspose.CLBlastTransposeNo,
                            CLBlastTranspose.CLBlastTransposeNo, n, n, n, 1f, OpenClBackend.mem(a), 0, n, OpenClBackend.mem(b), 0, n,
                            0f, OpenClBackend.mem(c), 0, n, backend.queue(), null)
                            : CLBlast.CLBlastDgemm(CLBlastLayout.CLBlastLayoutRowMajor, CLBlastTranspose.CLBlastTransposeNo,
                            CLBlastTranspose.CLBlastTransposeNo, n, n, n, 1.0, OpenClBackend.mem(a), 0, n, OpenClBackend.mem(b), 0, n,
                            0.0, OpenClBackend.mem(c), 0, n, backend.queue(), null));
                    double ms = KernelBench.medianMillis(backend, gemm, minSeconds);
                    out.add(new BenchResult("matmul", "CLBlast", p, Integer.toString(n), ms, 2.0 * n * n * n / (ms * 1e-3) / 1e9,
                            "GFLOP/s", true));
                }
            }
        }
        return out;
    }

    private static void check(int status) {
        if (status != CLBlastStatusCode.CLBlastSuccess) {
            throw new IllegalStateException("CLBlast GEMM failed: " + CLBlastStatusCode.stringFor(status));
        }
    }

}
