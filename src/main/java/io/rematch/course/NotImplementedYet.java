package io.rematch.course;

/**
 * What a template's methods throw until the student writes them: the check reports it as "not
 * implemented yet", where any other exception (an {@link UnsupportedOperationException} from an
 * immutable list included) is a failure of the answer.
 */
public final class NotImplementedYet extends UnsupportedOperationException {

    private static final long serialVersionUID = 1L;

    /** @param what what is still to write, e.g. {@code "write value(p, q)"} */
    public NotImplementedYet(String what) {
        super(what);
    }
}
