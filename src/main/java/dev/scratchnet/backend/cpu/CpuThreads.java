package dev.scratchnet.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * The CPU backend's worker threads: one per core besides the caller's, daemon, shared by every
 * CpuBackend. A small network's matrix products take a few microseconds each, so handing work to
 * a thread pool through a queue and a future would cost as much as the product; these workers
 * instead spin for a short while after each task, watching for the next, and only then park. The
 * caller runs one part itself and spins until the others are done.
 */
final class CpuThreads {
    static final int COUNT = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** How long an idle worker watches for work before parking. */
    private static final long SPIN_NANOS = 50_000;

    private static final Worker[] WORKERS = new Worker[COUNT - 1];
    private static final AtomicInteger PENDING = new AtomicInteger();
    private static volatile RuntimeException failure;

    private static final class Worker extends Thread {
        private volatile IntConsumer task;
        private volatile int part;
        private volatile boolean parked;

        Worker(int index) {
            super("scratchnet-cpu-" + index);
            setDaemon(true);
        }

        void give(IntConsumer t, int p) {
            part = p;
            task = t;
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                IntConsumer t = task;
                if (t == null) {
                    long idleSince = System.nanoTime();
                    while ((t = task) == null && System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    }
                    if (t == null) {
                        parked = true;
                        if (task == null) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        continue;
                    }
                }
                try {
                    t.accept(part);
                } catch (RuntimeException | Error e) {
                    failure = e instanceof RuntimeException ? (RuntimeException) e : new IllegalStateException(e);
                } finally {
                    task = null;
                    PENDING.decrementAndGet();
                }
            }
        }
    }

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

    private CpuThreads() {
    }

    /**
     * Runs {@code task(0..parts-1)}, part 0 on the calling thread and the others on the workers,
     * and returns when all are done. Calls must not overlap (a backend is driven from one thread).
     */
    static synchronized void parallelFor(int parts, IntConsumer task) {
        int n = Math.min(parts, COUNT);
        if (n <= 1) {
            for (int p = 0; p < parts; p++) {
                task.accept(p);
            }
            return;
        }
        failure = null;
        PENDING.set(n - 1);
        for (int p = 1; p < n; p++) {
            WORKERS[p - 1].give(task, p);
        }
        RuntimeException mine = null;
        try {
            task.accept(0);
        } catch (RuntimeException e) {
            mine = e;
        }
        while (PENDING.get() > 0) {
            Thread.onSpinWait();
        }
        if (mine != null) {
            throw mine;
        }
        if (failure != null) {
            throw failure;
        }
    }
}
