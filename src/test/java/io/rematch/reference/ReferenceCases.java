package io.rematch.reference;

import io.rematch.io.Npy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.ejml.data.DMatrixRMaj;

/** Reads a reference family's {@code cases.tsv} and its .npy files from the test classpath. */
public final class ReferenceCases {

    private ReferenceCases() {
    }

    /** One case: its columns by header name. */
    public record Case(String family, Map<String, String> fields) {
        public String get(String key) {
            return fields.get(key);
        }

        public double number(String key) {
            return Double.parseDouble(fields.get(key));
        }

        public DMatrixRMaj matrix(String key) {
            return ReferenceCases.matrix(family, fields.get(key));
        }

        public double[] vector(String key) {
            return ReferenceCases.vector(family, fields.get(key));
        }

        @Override
        public String toString() {
            return fields.get("name");
        }
    }

    /** Every case of {@code family} (a folder under {@code /reference/}). */
    public static List<Case> load(String family) {
        List<Case> cases = new ArrayList<>();
        try (InputStream in = open(family, "cases.tsv");
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String[] header = r.readLine().split("\t");
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                String[] cols = line.split("\t");
                Map<String, String> f = new HashMap<>();
                for (int k = 0; k < header.length; k++) {
                    f.put(header[k], cols[k]);
                }
                cases.add(new Case(family, f));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return cases;
    }

    /** A reference .npy file as a matrix. */
    public static DMatrixRMaj matrix(String family, String file) {
        try (InputStream in = open(family, file)) {
            return Npy.read(in, file).toMatrix(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A one-dimensional reference .npy file. */
    public static double[] vector(String family, String file) {
        try (InputStream in = open(family, file)) {
            return Npy.read(in, file).toVector(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String family, String file) {
        InputStream in = ReferenceCases.class.getResourceAsStream("/reference/" + family + "/" + file);
        if (in == null) {
            throw new IllegalStateException("missing test resource /reference/" + family + "/" + file);
        }
        return in;
    }
}
