package io.rematch.train;

import io.rematch.numeric.RestorableRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One seed split into named, independent random streams, so that changing how one part of
 * training draws (say, the negatives) leaves every other draw as it was:
 * {@code init} (weights), {@code injection} (mismatches), {@code shuffle} (batch order),
 * {@code negatives} (the losses' random negatives), {@code keypoints} (L2RM's cost supervision).
 *
 * <p>Stream {@code name} starts at the SplitMix64 mix of the seed and the name's 64-bit FNV-1a
 * hash; its state is one {@code long}, saved in checkpoints.
 */
public final class Streams {

    /** The stream names. */
    public static final List<String> NAMES = List.of("init", "injection", "shuffle", "negatives", "keypoints");

    private final Map<String, RestorableRandom> streams = new LinkedHashMap<>();

    public Streams(long seed) {
        for (String name : NAMES) {
            streams.put(name, new RestorableRandom(mix(seed ^ fnv1a(name))));
        }
    }

    /** The stream called {@code name}. */
    public RestorableRandom get(String name) {
        RestorableRandom r = streams.get(name);
        if (r == null) {
            throw new IllegalArgumentException("no random stream '" + name + "'; streams are " + NAMES);
        }
        return r;
    }

    /** Every stream's state. */
    public Map<String, Long> states() {
        Map<String, Long> m = new LinkedHashMap<>();
        streams.forEach((k, v) -> m.put(k, v.state()));
        return m;
    }

    /** Restores {@link #states()}. */
    public void restore(Map<String, Long> states) {
        for (String name : NAMES) {
            Long s = states.get(name);
            if (s == null) {
                throw new IllegalArgumentException("the checkpoint lacks the state of the random stream '" + name + "'");
            }
            streams.get(name).restore(s);
        }
    }

    static long fnv1a(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }

    /** SplitMix64's finaliser (Steele, Lea and Flood 2014). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
