package dev.scratchnet.io;

/**
 * A model, checkpoint or array file that cannot be read as what it claims to be. The message is
 * one line that names the file and what is wrong with it ("model.safetensors: the header says
 * 1099511627776 bytes, the file has 8 after the length").
 */
public final class ModelFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
