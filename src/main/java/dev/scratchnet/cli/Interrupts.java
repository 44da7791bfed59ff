package dev.scratchnet.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Turns Ctrl-C (SIGINT) and SIGTERM during training into a request to stop after the current
 * batch, so a checkpoint can be written and the exit status be 130 or 143 as a shell expects.
 * A second signal while the first is being handled exits at once with that status. Installed
 * only around the training loop; {@link #close()} puts the JVM's own handlers back.
 */
final class Interrupts implements AutoCloseable {
    private volatile int signal;
    private SignalHandler oldInt;
    private SignalHandler oldTerm;

    private Interrupts() {
    }

    static Interrupts install() {
        Interrupts i = new Interrupts();
        SignalHandler h = sig -> {
            if (i.signal != 0) {
                Runtime.getRuntime().halt(128 + sig.getNumber());
            }
            i.signal = sig.getNumber();
        };
        try {
            i.oldInt = Signal.handle(new Signal("INT"), h);
            i.oldTerm = Signal.handle(new Signal("TERM"), h);
        } catch (IllegalArgumentException e) {
            // the JVM was started with -Xrs or the signal is reserved: default handling stays
        }
        return i;
    }

    /** Whether a stop was asked for. */
    boolean requested() {
        return signal != 0;
    }

    /** 128 + the signal's number: 130 for SIGINT, 143 for SIGTERM. */
    int exitStatus() {
        return 128 + signal;
    }

    String signalName() {
        return signal == 2 ? "SIGINT" : signal == 15 ? "SIGTERM" : "signal " + signal;
    }

    @Override
    public void close() {
        if (oldInt != null) {
            Signal.handle(new Signal("INT"), oldInt);
        }
        if (oldTerm != null) {
            Signal.handle(new Signal("TERM"), oldTerm);
        }
    }
}
