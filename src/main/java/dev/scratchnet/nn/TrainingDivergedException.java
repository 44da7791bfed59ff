package dev.scratchnet.nn;

/** The loss became NaN or infinite: the run cannot go on, and the message says when and why. */
public final class TrainingDivergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TrainingDivergedException(String message) {
        super(message);
    }
}
