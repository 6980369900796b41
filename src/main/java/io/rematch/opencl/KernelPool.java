package io.rematch.opencl;

import com.aparapi.Kernel;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.function.Supplier;

/**
 * Built kernels kept for the next call. Aparapi builds a kernel's OpenCL program, and gives it its
 * own OpenCL context and queue, the first time an <em>instance</em> runs; a kernel made and
 * disposed per call pays that every call. On an NVIDIA H200 that was about 175 ms a call (a 128 x
 * 128 product took 181 ms, a 1024 x 1024 x 1024 one 178 ms: docs/gpu.md), against 2 to 3 ms on
 * PoCL, which caches its builds. So a host class leases its kernel here and gives it back:
 *
 * <pre>{@code
 * try (KernelPool.Lease<SimilarityKernel> lease = KernelPool.lease(device, SimilarityKernel.class, SimilarityKernel::new)) {
 *     SimilarityKernel k = lease.kernel();
 *     ... set its fields, put, Launch.run, get ...
 * }
 * }</pre>
 *
 * <p>A kernel comes out of the pool as if just constructed (the kernels here set no field but
 * their final local-memory arrays when constructed): on its return every non-final field its
 * class declares is reset to null or zero, so no argument of one call reaches the next, and the
 * pool holds no reference to the host arrays (Aparapi's own goes at the kernel's next launch).
 * Its device buffers stay allocated until that launch, which releases each one whose array
 * changed, or until {@link #clear} disposes it. A kernel whose put, launch or get failed
 * ({@link Launch} reports it with {@link #broken}) is disposed, never reused. Each lease has its
 * own instance (Aparapi's kernels are not thread-safe): two leases at once hold two kernels. At
 * most {@link #IDLE} idle kernels are kept per class and device. (The training steps'
 * {@code model.DeviceTowers} keeps one kernel for a whole run and does not lease it.)
 */
public final class KernelPool {

    /** Idle kernels kept per class and device; more are disposed on return. */
    static final int IDLE = 4;

    private static final Map<OpenClDevice, Map<Class<?>, ArrayDeque<Kernel>>> IDLE_KERNELS = new HashMap<>();
    /** Kernels whose launch or copy failed; weak, since kernels that are not leased fail too (the towers'). */
    private static final Set<Kernel> BROKEN = Collections.newSetFromMap(new WeakHashMap<>());
    private static final Map<Class<?>, List<Field>> FIELDS = new HashMap<>();
    private static long built;

    private KernelPool() {
    }

    /**
     * A kernel of {@code type} for {@code device}: an idle one if the pool has one, else
     * {@code make}'s, prepared for the device ({@link Launch#prepare}).
     */
    public static <K extends Kernel> Lease<K> lease(OpenClDevice device, Class<K> type, Supplier<K> make) {
        synchronized (KernelPool.class) {
            ArrayDeque<Kernel> idle = IDLE_KERNELS.computeIfAbsent(device, d -> new HashMap<>()).get(type);
            if (idle != null && !idle.isEmpty()) {
                // prepared again: Aparapi forgets a class's device after a failure of that class
                return new Lease<>(device, type, Launch.prepare(type.cast(idle.pop()), device));
            }
            built++;
        }
        return new Lease<>(device, type, Launch.prepare(make.get(), device));
    }

    /** Marks {@code kernel} as failed: its lease disposes it instead of returning it. */
    static void broken(Kernel kernel) {
        synchronized (KernelPool.class) {
            BROKEN.add(kernel);
        }
    }

    /**
     * Disposes every idle kernel of {@code device} (a backend's close): its buffers and its
     * context. A kernel leased at the time goes back to the pool when its lease ends.
     */
    public static void clear(OpenClDevice device) {
        List<Kernel> dispose = new ArrayList<>();
        synchronized (KernelPool.class) {
            Map<Class<?>, ArrayDeque<Kernel>> byClass = IDLE_KERNELS.remove(device);
            if (byClass != null) {
                byClass.values().forEach(dispose::addAll);
            }
        }
        dispose.forEach(Kernel::dispose);
    }

    /** How many kernels were made since the process started (each one built once): for tests. */
    static synchronized long built() {
        return built;
    }

    /** Idle kernels of {@code type} kept for {@code device}: for tests. */
    static synchronized int idle(OpenClDevice device, Class<?> type) {
        Map<Class<?>, ArrayDeque<Kernel>> byClass = IDLE_KERNELS.get(device);
        ArrayDeque<Kernel> idle = byClass == null ? null : byClass.get(type);
        return idle == null ? 0 : idle.size();
    }

    private static void giveBack(OpenClDevice device, Class<?> type, Kernel kernel) {
        boolean keep;
        synchronized (KernelPool.class) {
            keep = !BROKEN.remove(kernel);
            if (keep) {
                reset(kernel, type);
                ArrayDeque<Kernel> idle = IDLE_KERNELS.computeIfAbsent(device, d -> new HashMap<>())
                        .computeIfAbsent(type, t -> new ArrayDeque<>());
                keep = idle.size() < IDLE;
                if (keep) {
                    idle.push(kernel);
                }
            }
        }
        if (!keep) {
            kernel.dispose();
        }
    }

    /** Every non-final, non-static field from {@code type} up to (not including) Aparapi's Kernel, to its default. */
    private static void reset(Kernel kernel, Class<?> type) {
        List<Field> fields = FIELDS.computeIfAbsent(type, t -> {
            List<Field> found = new ArrayList<>();
            for (Class<?> c = t; c != null && c != Kernel.class; c = c.getSuperclass()) {
                for (Field f : c.getDeclaredFields()) {
                    int mod = f.getModifiers();
                    if (!Modifier.isStatic(mod) && !Modifier.isFinal(mod)) {
                        f.setAccessible(true);
                        found.add(f);
                    }
                }
            }
            return found;
        });
        try {
            for (Field f : fields) {
                Class<?> t = f.getType();
                if (!t.isPrimitive()) {
                    f.set(kernel, null);
                } else if (t == boolean.class) {
                    f.setBoolean(kernel, false);
                } else if (t == float.class) {
                    f.setFloat(kernel, 0f);
                } else if (t == double.class) {
                    f.setDouble(kernel, 0d);
                } else if (t == long.class) {
                    f.setLong(kernel, 0L);
                } else if (t == char.class) {
                    f.setChar(kernel, (char) 0);
                } else if (t == byte.class) {
                    f.setByte(kernel, (byte) 0);
                } else if (t == short.class) {
                    f.setShort(kernel, (short) 0);
                } else {
                    f.setInt(kernel, 0);
                }
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot reset " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** One kernel, leased for one call; {@link #close} gives it back (or disposes it if it failed). */
    public static final class Lease<K extends Kernel> implements AutoCloseable {

        private final OpenClDevice device;
        private final Class<K> type;
        private final K kernel;
        private boolean closed;

        private Lease(OpenClDevice device, Class<K> type, K kernel) {
            this.device = device;
            this.type = type;
            this.kernel = kernel;
        }

        /** The kernel, as constructed (or reset to that), prepared for the device. */
        public K kernel() {
            return kernel;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                giveBack(device, type, kernel);
            }
        }
    }
}
