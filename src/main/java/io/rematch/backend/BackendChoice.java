package io.rematch.backend;

import java.util.Locale;

/** {@code --backend}: {@code auto} (an OpenCL GPU if there is one, else the CPU), {@code cpu}, {@code opencl}. */
public enum BackendChoice {
    AUTO, CPU, OPENCL;

    /**
     * @param option the option's name, for the message
     * @throws IllegalArgumentException naming {@code option} and the three values
     */
    public static BackendChoice parse(String option, String value) {
        if (value != null) {
            switch (value.trim().toLowerCase(Locale.ROOT)) {
                case "auto":
                    return AUTO;
                case "cpu":
                    return CPU;
                case "opencl":
                    return OPENCL;
                default:
                    break;
            }
        }
        throw new IllegalArgumentException(option + " must be auto, cpu or opencl, got '" + value + "'");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
