package io.rematch.cli;

import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.io.NpyFormatException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.ejml.data.DMatrixRMaj;

/**
 * The commands' {@code .npy} input and output, with failures reported as bad input that names
 * the option the file came from (for example {@code --scores: no such file: S.npy}), so that a
 * user with several file options knows which one to fix. The original exception is kept as the
 * cause for {@code --debug}.
 */
final class NpyFiles {

    private NpyFiles() {
    }

    /** Reads the 2-D array given by {@code option}. */
    static DMatrixRMaj readMatrix(String option, Path path) {
        try {
            return Npy.read(path).toMatrix(option);
        } catch (NpyFormatException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + path + ": " + reason(e), e);
        }
    }

    /** Reads the 1-D array given by {@code option}. */
    static double[] readVector(String option, Path path) {
        try {
            return Npy.read(path).toVector(option);
        } catch (NpyFormatException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + path + ": " + reason(e), e);
        }
    }

    /**
     * Reads a length-{@code n} 0/1 vector of per-pair flags (1 = mismatched) given by
     * {@code option}, checking its length and values.
     */
    static double[] readPairFlags(String option, Path path, int n) {
        double[] flags = readVector(option, path);
        if (flags.length != n) {
            throw new IllegalArgumentException(option + " must have one flag per pair (" + n + "), got " + flags.length);
        }
        for (int i = 0; i < n; i++) {
            if (flags[i] != 0 && flags[i] != 1) {
                throw new IllegalArgumentException(option + "[" + i + "] is " + flags[i] + "; expected 0 or 1");
            }
        }
        return flags;
    }

    /** Writes {@code m} as float64 to the file given by {@code option}. */
    static void writeMatrix(String option, Path path, DMatrixRMaj m) {
        write(option, path, NpyArray.of(m));
    }

    /** Writes {@code array} to the file given by {@code option}. */
    static void write(String option, Path path, NpyArray array) {
        try {
            Npy.write(path, array);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot write " + path + ": " + reason(e), e);
        }
    }

    /**
     * Fails now, naming {@code option}, if {@code path} cannot be written (a missing directory, a
     * directory, no permission): before minutes of work, not after. Writes nothing.
     */
    static void requireWritable(String option, Path path) {
        Path p = path.toAbsolutePath();
        Path dir = p.getParent();
        String problem = null;
        if (Files.isDirectory(p)) {
            problem = "it is a directory; give a file name";
        } else if (dir == null || !Files.isDirectory(dir)) {
            problem = dir != null && Files.exists(dir) ? dir + " is not a directory" : "the directory " + dir + " does not exist";
        } else if (!Files.isWritable(dir)) {
            problem = "permission denied: cannot create files in " + dir;
        }
        if (problem != null) {
            throw new IllegalArgumentException(option + ": cannot write " + path + ": " + problem);
        }
    }

    /** The shape of the array in the file given by {@code option}, from its header (no data read). */
    static int[] shape(String option, Path path) {
        try {
            return Npy.shape(path);
        } catch (NpyFormatException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(option + ": cannot read " + path + ": " + reason(e), e);
        }
    }

    /** The JDK's file exceptions carry only a path as message: say what went wrong instead. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
