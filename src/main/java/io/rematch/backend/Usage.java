package io.rematch.backend;

import java.util.LinkedHashMap;
import java.util.Map;

/** Counts of which operation ran where, for {@link Backend#report()}. */
final class Usage {

    private final Map<String, Map<String, Integer>> counts = new LinkedHashMap<>();

    synchronized void add(String operation, String where) {
        counts.computeIfAbsent(operation, k -> new LinkedHashMap<>()).merge(where, 1, Integer::sum);
    }

    /** How often {@code operation} ran on {@code where} (e.g. {@code "opencl"}). */
    synchronized int count(String operation, String where) {
        return counts.getOrDefault(operation, Map.of()).getOrDefault(where, 0);
    }

    /** How much ran somewhere whose name starts with {@code prefix}, over all operations. */
    synchronized int countWhere(String prefix) {
        int n = 0;
        for (Map<String, Integer> w : counts.values()) {
            for (Map.Entry<String, Integer> e : w.entrySet()) {
                n += e.getKey().startsWith(prefix) ? e.getValue() : 0;
            }
        }
        return n;
    }

    @Override
    public synchronized String toString() {
        if (counts.isEmpty()) {
            return "nothing computed";
        }
        StringBuilder b = new StringBuilder();
        for (Map.Entry<String, Map<String, Integer>> e : counts.entrySet()) {
            b.append(b.length() == 0 ? "" : "; ").append(e.getKey());
            String sep = " ";
            for (Map.Entry<String, Integer> w : e.getValue().entrySet()) {
                b.append(sep).append(w.getValue()).append(" x ").append(w.getKey());
                sep = ", ";
            }
        }
        return b.toString();
    }
}
