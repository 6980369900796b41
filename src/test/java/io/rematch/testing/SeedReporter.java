package io.rematch.testing;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestExecutionExceptionHandler;

/**
 * Puts the seed of a falsified QuickTheories property at the front of its failure message, with
 * the command that replays it, so that the one-line Surefire summary shows it. (QuickTheories
 * ends its message with {@code Seed was N}, after the stack trace of the cause.) Registered for
 * every test class through {@code META-INF/services} and {@code junit-platform.properties}.
 */
public final class SeedReporter implements TestExecutionExceptionHandler {

    private static final Pattern SEED = Pattern.compile("Seed was (-?\\d+)");

    @Override
    public void handleTestExecutionException(ExtensionContext context, Throwable failure) throws Throwable {
        throw withSeed(failure, context.getRequiredTestClass().getSimpleName(),
                context.getTestMethod().map(java.lang.reflect.Method::getName).orElse(""));
    }

    /** {@code failure}, or an AssertionError naming its seed first if it carries one. */
    static Throwable withSeed(Throwable failure, String testClass, String method) {
        if (!(failure instanceof AssertionError) || failure.getMessage() == null) {
            return failure;
        }
        Matcher m = SEED.matcher(failure.getMessage());
        if (!m.find()) {
            return failure;
        }
        AssertionError e = new AssertionError("property falsified with seed " + m.group(1) + "; replay with: mvn -B test -Dtest="
                + testClass + (method.isEmpty() ? "" : "#" + method) + " -DQT_SEED=" + m.group(1) + "\n"
                + failure.getMessage(), failure.getCause());
        e.setStackTrace(failure.getStackTrace());
        return e;
    }
}
