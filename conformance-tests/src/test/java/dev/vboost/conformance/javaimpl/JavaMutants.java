package dev.vboost.conformance.javaimpl;

import dev.vboost.api.layout.HostSlotLayout;
import dev.vboost.api.layout.RegionLayout;
import dev.vboost.api.memory.SharedMemory;
import dev.vboost.api.role.GuestEndpoint;
import dev.vboost.api.role.HostEndpoint;
import dev.vboost.conformance.spi.HostSettings;
import dev.vboost.conformance.spi.RegionAccess;
import java.util.HashMap;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Deliberately broken variants of the Java implementation: the real protocol-impl code over a memory that
 * breaks one rule of spec §4 on its way to the region, as a buggy backend or writer would. They catch what a
 * cross-process run can only observe stochastically, deterministically in process.
 */
public final class JavaMutants {
    private JavaMutants() {
    }

    /** Every seqlock counter: the guest header's guest_seq and the first word of every slot line. */
    static boolean isCounter(int index) {
        return index >= RegionLayout.GUEST_HEADER_OFFSET && index % RegionLayout.LINE_SIZE == 0;
    }

    /**
     * The provider whose endpoints see {@code mutation} applied to the memory the suite hands over: the
     * broken accesses are what the implementation issues, so the suite's store trace sees them as such.
     */
    static VarHandleProvider provider(String name, UnaryOperator<SharedMemory> mutation) {
        return new VarHandleProvider() {
            @Override
            public String name() {
                return "vboost-java mutant " + name;
            }

            @Override
            public GuestEndpoint attachGuest(RegionAccess region, long features) {
                return super.attachGuest(mutated(region, mutation), features);
            }

            @Override
            public HostEndpoint createHost(RegionAccess region, HostSettings settings) {
                return super.createHost(mutated(region, mutation), settings);
            }
        };
    }

    private static RegionAccess mutated(RegionAccess region, UnaryOperator<SharedMemory> mutation) {
        return new RegionAccess(mutation.apply(region.memory()), region.file(), region.size());
    }

    /** W1 dropped: the counter never becomes odd, so readers cannot see a write in progress. */
    static SharedMemory counterNeverOdd(SharedMemory m) {
        return new ForwardingMemory(m) {
            private void counter(int index, int value, Runnable store) {
                if (isCounter(index) && (value & 1) != 0) {
                    return;
                }
                store.run();
            }

            @Override
            public void putInt(int index, int value) {
                counter(index, value, () -> inner.putInt(index, value));
            }

            @Override
            public void putIntOpaque(int index, int value) {
                counter(index, value, () -> inner.putIntOpaque(index, value));
            }

            @Override
            public void putIntRelease(int index, int value) {
                counter(index, value, () -> inner.putIntRelease(index, value));
            }
        };
    }

    /** W1 late: the odd counter is held back and stored only just before W4, after the data. */
    static SharedMemory dataBeforeCounter(SharedMemory m) {
        return new ForwardingMemory(m) {
            private final Map<Integer, Integer> heldOdd = new HashMap<>();

            private void counter(int index, int value, Runnable store) {
                if (isCounter(index) && (value & 1) != 0) {
                    heldOdd.put(index, value);
                    return;
                }
                Integer odd = heldOdd.remove(index);
                if (odd != null) {
                    inner.putIntOpaque(index, odd);
                }
                store.run();
            }

            @Override
            public void putIntOpaque(int index, int value) {
                counter(index, value, () -> inner.putIntOpaque(index, value));
            }

            @Override
            public void putIntRelease(int index, int value) {
                counter(index, value, () -> inner.putIntRelease(index, value));
            }

            @Override
            public void putInt(int index, int value) {
                counter(index, value, () -> inner.putInt(index, value));
            }
        };
    }

    /** R5 blind: the re-read of the counter after the copy returns what R1 read, so changes go unnoticed. */
    static SharedMemory readerIgnoresChange(SharedMemory m) {
        return new ForwardingMemory(m) {
            private final Map<Integer, Integer> r1 = new HashMap<>();

            @Override
            public int getIntAcquire(int index) {
                int v = inner.getIntAcquire(index);
                if (isCounter(index)) {
                    r1.put(index, v);
                }
                return v;
            }

            @Override
            public int getInt(int index) {
                int v = inner.getInt(index);
                Integer first = isCounter(index) ? r1.remove(index) : null;
                return first != null ? first : v;
            }
        };
    }

    /** One field in the wrong byte order: the host stores budget_remaining_us big-endian. */
    static SharedMemory budgetBigEndian(SharedMemory m) {
        return new ForwardingMemory(m) {
            @Override
            public void putInt(int index, int value) {
                boolean budget = index >= RegionLayout.SLOTS_OFFSET
                        && (index - RegionLayout.SLOTS_OFFSET) % RegionLayout.SLOT_SIZE
                                == RegionLayout.SLOT_HOST_LINE_OFFSET + HostSlotLayout.BUDGET_REMAINING_US_OFFSET;
                inner.putInt(index, budget ? Integer.reverseBytes(value) : value);
            }
        };
    }

    /** {@link #budgetBigEndian} as a provider with a no-argument constructor, for {@code --provider}. */
    public static final class ByteOrderMutantProvider extends VarHandleProvider {
        @Override
        public String name() {
            return "vboost-java mutant BUDGET_BIG_ENDIAN";
        }

        @Override
        public HostEndpoint createHost(RegionAccess region, HostSettings settings) {
            return super.createHost(mutated(region, JavaMutants::budgetBigEndian), settings);
        }
    }
}
