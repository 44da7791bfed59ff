package dev.scratchnet.backend.cpu;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU backend's worker threads: one per core besides the caller's, daemon, shared by every
 * CpuBackend. A small network's matrix products take microseconds, so handing work to a thread
 * pool through a queue and a future would cost as much as the product; these workers instead spin
 * for a short while after each job, watching for the next, and only then park.
 *
 * <p>A job is a number of chunks that the caller and the workers claim one at a time from a shared
 * counter. The caller works too and waits only for chunks that another thread has claimed and not
 * finished: a worker that the operating system has not scheduled yet (the machine is busy) leaves
 * its share to the caller instead of holding everyone up. Which thread runs a chunk never changes
 * what the chunk computes, so results do not depend on timing.
 */
final class CpuThreads {
    static final int COUNT = Math.max(1, Runtime.getRuntime().availableProcessors());
    /** How long an idle worker watches for work before parking. */
    private static final long SPIN_NANOS = 50_000;
    /** How long the caller spins for an unfinished chunk before it yields its core. */
    private static final long WAIT_SPIN_NANOS = 20_000;

    /** Work on chunks 0..chunks-1: {@code thread} (0 = the caller) indexes per-thread scratch. */
    @FunctionalInterface
    interface ChunkTask {
        void run(int thread, int chunk);
    }

    /** One call's chunks and their progress. */
    private static final class Job {
        final int chunks;
        final ChunkTask task;
        final AtomicInteger next = new AtomicInteger();
        final AtomicInteger done = new AtomicInteger();
        volatile Throwable failure;

        Job(int chunks, ChunkTask task) {
            this.chunks = chunks;
            this.task = task;
        }

        /** Claims and runs chunks until none is left. */
        void work(int thread) {
            int c;
            while ((c = next.getAndIncrement()) < chunks) {
                try {
                    task.run(thread, c);
                } catch (RuntimeException | Error e) {
                    failure = e;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private static final class Worker extends Thread {
        private final int id;
        private final AtomicReference<Job> job = new AtomicReference<>();
        private volatile boolean parked;

        Worker(int id) {
            super("scratchnet-cpu-" + id);
            this.id = id;
            setDaemon(true);
        }

        void give(Job j) {
            job.set(j);
            if (parked) {
                LockSupport.unpark(this);
            }
        }

        @Override
        public void run() {
            while (true) {
                Job j = job.get();
                if (j == null) {
                    long idleSince = System.nanoTime();
                    while ((j = job.get()) == null && System.nanoTime() - idleSince < SPIN_NANOS) {
                        Thread.onSpinWait();
                    }
                    if (j == null) {
                        parked = true;
                        if (job.get() == null) {
                            LockSupport.park(this);
                        }
                        parked = false;
                        continue;
                    }
                }
                j.work(id);
                // a newer job may have been given meanwhile: clear only the one just done
                job.compareAndSet(j, null);
            }
        }
    }

    private static final Worker[] WORKERS = new Worker[COUNT - 1];

    static {
        for (int i = 0; i < WORKERS.length; i++) {
            WORKERS[i] = new Worker(i + 1);
            WORKERS[i].start();
        }
    }

    private CpuThreads() {
    }

    /**
     * Runs {@code task} on chunks 0..chunks-1 with the caller and up to {@code threads − 1} workers,
     * and returns when every chunk is done. Calls must not overlap (a backend is driven from one
     * thread); the first failure of any chunk is rethrown here.
     */
    static void forEach(int chunks, int threads, ChunkTask task) {
        int helpers = Math.min(Math.min(chunks, threads), COUNT) - 1;
        if (helpers <= 0) {
            for (int c = 0; c < chunks; c++) {
                task.run(0, c);
            }
            return;
        }
        inParallel(chunks, helpers, task);
    }

    private static synchronized void inParallel(int chunks, int helpers, ChunkTask task) {
        Job job = new Job(chunks, task);
        for (int w = 0; w < helpers; w++) {
            WORKERS[w].give(job);
        }
        job.work(0);
        long waitingSince = System.nanoTime();
        while (job.done.get() < chunks) {
            if (System.nanoTime() - waitingSince < WAIT_SPIN_NANOS) {
                Thread.onSpinWait();
            } else {
                Thread.yield();
            }
        }
        Throwable f = job.failure;
        if (f instanceof RuntimeException) {
            throw (RuntimeException) f;
        }
        if (f instanceof Error) {
            throw (Error) f;
        }
    }

    /** {@code task(0..parts-1)} on up to {@link #COUNT} threads: {@link #forEach} with one chunk per part. */
    static void parallelFor(int parts, java.util.function.IntConsumer task) {
        forEach(parts, COUNT, (thread, chunk) -> task.accept(chunk));
    }
}
