package io.rematch.train;

import io.rematch.io.Json;
import io.rematch.io.JsonFields;
import io.rematch.io.Npy;
import io.rematch.io.NpyArray;
import io.rematch.io.NpyFormatException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.channels.FileChannel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * One epoch's saved state: named float64 arrays (weights, optimiser moments; one {@code .npy}
 * file each) and named scalars ({@code state.json}: counters, learning rates, random-stream
 * states as decimal strings, since a JSON number cannot hold 64 bits).
 *
 * <p>{@link #write} puts everything in a temporary folder next to the target, forces each file to
 * disk, and renames the folder into place, so a checkpoint folder either exists complete or not
 * at all. {@link #read} refuses a folder with a missing, truncated or mismatched file, naming it:
 * a checkpoint is never half-loaded.
 */
public final class Checkpoint {

    /** The scalars' file. */
    static final String STATE = "state.json";

    private final Map<String, double[]> arrays = new TreeMap<>();
    private final Map<String, Object> scalars = new LinkedHashMap<>();

    /** Adds an array (not copied: write it before changing it). */
    public void putArray(String name, double[] values) {
        if (!name.matches("[a-z0-9_.]+")) {
            throw new IllegalArgumentException("array name '" + name + "' must be [a-z0-9_.]+");
        }
        arrays.put(name, values);
    }

    public void putLong(String name, long value) {
        scalars.put(name, Long.toString(value));
    }

    public void putDouble(String name, double value) {
        scalars.put(name, value);
    }

    public void putString(String name, String value) {
        scalars.put(name, value);
    }

    /** The array called {@code name}, of exactly {@code length} values. */
    public double[] array(String name, int length) {
        double[] a = arrays.get(name);
        if (a == null) {
            throw new IllegalArgumentException("the checkpoint has no " + name + ".npy");
        }
        if (a.length != length) {
            throw new IllegalArgumentException("the checkpoint's " + name + ".npy has " + a.length
                    + " values; this run needs " + length + " (another model shape?)");
        }
        return a;
    }

    public long getLong(String name) {
        return new JsonFields(scalars, STATE).longString(name);
    }

    public double getDouble(String name) {
        return new JsonFields(scalars, STATE).number(name);
    }

    public String getString(String name) {
        return new JsonFields(scalars, STATE).string(name);
    }

    public boolean has(String name) {
        return scalars.containsKey(name) || arrays.containsKey(name);
    }

    /** Writes the checkpoint as the folder {@code dir}, which must not exist yet. */
    public void write(Path dir) throws IOException {
        Path tmp = dir.resolveSibling(dir.getFileName() + ".tmp");
        deleteTree(tmp);
        Files.createDirectories(tmp);
        for (Map.Entry<String, double[]> e : arrays.entrySet()) {
            double[] v = e.getValue();
            Npy.write(tmp.resolve(e.getKey() + ".npy"), NpyArray.of(new int[] {v.length}, v, io.rematch.io.DType.FLOAT64));
        }
        Map<String, Object> state = new LinkedHashMap<>(scalars);
        state.put("arrays", new java.util.ArrayList<Object>(arrays.keySet()));
        writeText(tmp.resolve(STATE), Json.write(state) + "\n");
        forceDirectory(tmp);
        try {
            Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, dir);
        }
        forceDirectory(dir.getParent());
    }

    /**
     * Reads a folder {@link #write} wrote.
     *
     * @throws IllegalArgumentException naming the folder and file when anything is missing or corrupt
     */
    public static Checkpoint read(Path dir) throws IOException {
        Path statePath = dir.resolve(STATE);
        if (!Files.isRegularFile(statePath)) {
            throw new IllegalArgumentException("the checkpoint " + dir + " is incomplete: it has no " + STATE);
        }
        Map<String, Object> state = Json.parseObject(Files.readString(statePath, StandardCharsets.UTF_8),
                statePath.toString());
        Checkpoint c = new Checkpoint();
        for (Object name : new JsonFields(state, statePath.toString()).list("arrays")) {
            Path f = dir.resolve(name + ".npy");
            if (!Files.isRegularFile(f)) {
                throw new IllegalArgumentException("the checkpoint " + dir + " is incomplete: " + f.getFileName()
                        + " is missing");
            }
            try {
                c.arrays.put((String) name, Npy.read(f).data());
            } catch (NpyFormatException e) {
                throw new IllegalArgumentException("the checkpoint " + dir + " is corrupt: " + e.getMessage(), e);
            }
        }
        state.remove("arrays");
        c.scalars.putAll(state);
        return c;
    }

    /** Writes {@code text} to {@code file} atomically (temporary sibling, forced, renamed). */
    static void writeText(Path file, String text) throws IOException {
        Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            ch.force(true);
        }
        try {
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** fsync of a directory, so a rename in it survives a crash (a no-op where unsupported). */
    static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // some file systems cannot open directories; the rename is still atomic
        }
    }

    /** Deletes a folder and everything in it, if it exists. */
    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) {
                    deleteTree(p);
                }
            }
        }
        Files.delete(dir);
    }
}
