package dev.scratchnet.io;

/**
 * A model, checkpoint or array file that cannot be read as what it claims to be. The message is
 * one line that names the file and what is wrong with it ("model.safetensors: the header says
 * 1099511627776 bytes, the file has 8 after the length").
 */
public final class ModelFormatException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public ModelFormatException(String message) {
        super(oneLine(message));
    }

    public ModelFormatException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /** Control characters (a newline inside a name read from the file, say) shown as '?', so the message stays one line. */
    static String oneLine(String message) {
        StringBuilder b = new StringBuilder(message.length());
        message.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || c == 0x2028 || c == 0x2029 || c == 0x85) {
                b.append('?');
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
