package io.rematch.course;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What a self-check found: one line per requirement, each passed or failed with the reason in
 * plain words (the value expected, the value found, and where to look). An exercise passes when
 * every requirement passes; lines marked as notes (a bonus part, a hint) do not count.
 */
public final class Verdict {

    /** One requirement and its outcome. */
    public record Line(Outcome outcome, String requirement, String detail) {
    }

    /** How a requirement came out. */
    public enum Outcome { PASS, FAIL, NOTE }

    private final List<Line> lines = new ArrayList<>();

    /** Records a requirement that passes when {@code ok}; {@code detail} says what was found. */
    public Verdict require(boolean ok, String requirement, String detail) {
        lines.add(new Line(ok ? Outcome.PASS : Outcome.FAIL, requirement, detail));
        return this;
    }

    /** Records a line that does not count (a bonus part, a figure worth seeing). */
    public Verdict note(String requirement, String detail) {
        lines.add(new Line(Outcome.NOTE, requirement, detail));
        return this;
    }

    /** Records a failure (an exception in the answer, a compile error). */
    public Verdict fail(String requirement, String detail) {
        return require(false, requirement, detail);
    }

    /** Whether at least one requirement was checked and none failed. */
    public boolean passed() {
        boolean any = false;
        for (Line l : lines) {
            if (l.outcome() == Outcome.FAIL) {
                return false;
            }
            any |= l.outcome() == Outcome.PASS;
        }
        return any;
    }

    /** The lines, in the order they were checked. */
    public List<Line> lines() {
        return Collections.unmodifiableList(lines);
    }

    /** The first failed line, or {@code null}. */
    public Line firstFailure() {
        for (Line l : lines) {
            if (l.outcome() == Outcome.FAIL) {
                return l;
            }
        }
        return null;
    }
}
