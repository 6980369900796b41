package io.rematch.testing;

import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;

import org.junit.jupiter.api.Test;

/** A falsified property's message starts with its seed and the command that replays it. */
class SeedReporterTest {

    @Test
    void theSeedComesFirst() {
        AssertionError falsified = assertThrows(AssertionError.class, () -> qt().withFixedSeed(4242)
                .forAll(integers().between(0, 10)).checkAssert(x -> assertTrue(x < 0, "x = " + x)));
        Throwable reported = SeedReporter.withSeed(falsified, "SomeProperties", "someProperty");
        assertTrue(reported.getMessage().startsWith("property falsified with seed 4242; replay with: mvn -B test"
                + " -Dtest=SomeProperties#someProperty -DQT_SEED=4242\n"), reported.getMessage());
        assertTrue(reported.getMessage().contains("x = "), "the original message follows");
    }

    @Test
    void otherFailuresPassUnchanged() {
        AssertionError plain = new AssertionError("expected 1 but was 2");
        assertSame(plain, SeedReporter.withSeed(plain, "A", "b"));
        IllegalStateException error = new IllegalStateException("Seed was 3");
        assertSame(error, SeedReporter.withSeed(error, "A", "b"));
    }
}
