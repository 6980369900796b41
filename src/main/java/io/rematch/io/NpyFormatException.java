package io.rematch.io;

/**
 * A {@code .npy} file that this library cannot read: bad magic, unsupported version, malformed
 * header, unsupported dtype or layout, or truncated data.
 *
 * <p>It extends {@link IllegalArgumentException} because the file is an input the caller chose:
 * the command line reports it like any other bad argument. The message starts with the file (or
 * stream) name so that a user processing many files knows which one to fix.
 */
public class NpyFormatException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String source;

    /**
     * @param source  the file or stream name, as given to {@link Npy#read(java.io.InputStream, String)}
     * @param problem what is wrong and, where it helps, how to fix it
     */
    public NpyFormatException(String source, String problem) {
        super(source + ": " + problem);
        this.source = source;
    }

    /** The file or stream name the problem was found in. */
    public String source() {
        return source;
    }
}
