package dev.scratchnet.backend.cpu;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** The CPU backend's worker threads: one per core, daemon, shared by every CpuBackend. */
final class CpuThreads {
    static final int COUNT = Math.max(1, Runtime.getRuntime().availableProcessors());
    private static final ExecutorService POOL = Executors.newFixedThreadPool(COUNT, new java.util.concurrent.ThreadFactory() {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "scratchnet-cpu-" + next.getAndIncrement());
            t.setDaemon(true);
            return t;
        }
    });

    private CpuThreads() {
    }

    /** Runs {@code task(0..parts-1)}, the last part on the calling thread, and waits for all. */
    static void parallelFor(int parts, IntConsumer task) {
        if (parts <= 1) {
            task.accept(0);
            return;
        }
        Future<?>[] futures = new Future<?>[parts - 1];
        for (int p = 0; p < parts - 1; p++) {
            final int part = p;
            futures[p] = POOL.submit(() -> task.accept(part));
        }
        RuntimeException failure = null;
        try {
            task.accept(parts - 1);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (Future<?> f : futures) {
            try {
                f.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for a CPU worker", e);
            } catch (java.util.concurrent.ExecutionException e) {
                Throwable cause = e.getCause();
                if (failure == null) {
                    failure = cause instanceof RuntimeException ? (RuntimeException) cause
                            : new IllegalStateException(cause);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
