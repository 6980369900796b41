package io.rematch.numeric;

import java.util.random.RandomGenerator;

/**
 * A seeded random stream whose whole state is one {@code long}, so that a checkpoint can save it
 * and a resumed run continue the very same stream ({@link #state()}, {@link #restore(long)}).
 *
 * <p>The generator is SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number
 * generators", OOPSLA 2014), the algorithm of {@link java.util.SplittableRandom}: the state
 * advances by the golden-ratio increment \(\gamma = \mathtt{0x9e3779b97f4a7c15}\) and each output
 * is a bit-mixing function of the new state. For the same seed this class produces exactly the
 * numbers {@code new SplittableRandom(seed)} produces ({@link #nextLong()}, {@link #nextInt()} and
 * every bounded or floating-point draw derived from them; tested), which cannot save its state.
 * Not thread-safe.
 */
public final class RestorableRandom implements RandomGenerator {

    private static final long GOLDEN_GAMMA = 0x9e3779b97f4a7c15L;

    private long seed;

    /** The stream of {@code new SplittableRandom(seed)}. */
    public RestorableRandom(long seed) {
        this.seed = seed;
    }

    /** The state: pass it to {@link #restore(long)} (or to the constructor) to continue from here. */
    public long state() {
        return seed;
    }

    /** Continues the stream from a {@link #state()} saved earlier. */
    public void restore(long state) {
        this.seed = state;
    }

    @Override
    public long nextLong() {
        return mix64(seed += GOLDEN_GAMMA);
    }

    @Override
    public int nextInt() {
        return mix32(seed += GOLDEN_GAMMA);
    }

    /** SplittableRandom's 64-bit finaliser (Stafford's variant 13 of MurmurHash3's). */
    private static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** SplittableRandom's 32-bit finaliser (the upper half of Stafford's variant 4). */
    private static int mix32(long z) {
        z = (z ^ (z >>> 33)) * 0x62a9d9ed799705f5L;
        return (int) (((z ^ (z >>> 28)) * 0xcb24d0a5c88c35b3L) >>> 32);
    }
}
