package dev.scratchnet.random;

/**
 * MT19937, the 32-bit Mersenne Twister, seeded as NumPy's legacy {@code RandomState.seed(int)}
 * seeds it (Matsumoto and Nishimura's {@code init_genrand}).
 */
public final class MersenneTwister {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_MASK = 0x80000000;
    private static final int LOWER_MASK = 0x7fffffff;

    private final int[] mt = new int[N];
    private int index;

    public MersenneTwister(long seed) {
        seed(seed);
    }

    /** Seeds with a value in 0..2³²−1, as {@code np.random.seed(seed)}. */
    public void seed(long seed) {
        if (seed < 0 || seed > 0xffffffffL) {
            throw new IllegalArgumentException("seed " + seed + ": must be between 0 and 2**32 - 1, as NumPy requires");
        }
        mt[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
        }
        index = N;
    }

    /** The 624 state words followed by the position in them: what a checkpoint saves. */
    public int[] state() {
        int[] s = java.util.Arrays.copyOf(mt, N + 1);
        s[N] = index;
        return s;
    }

    /** Restores a {@link #state()}. */
    public void restore(int[] state) {
        if (state.length != N + 1 || state[N] < 0 || state[N] > N) {
            throw new IllegalArgumentException("an MT19937 state is 624 words and a position 0..624, got "
                    + state.length + " values" + (state.length == N + 1 ? " and position " + state[N] : ""));
        }
        System.arraycopy(state, 0, mt, 0, N);
        index = state[N];
    }

    /** The next 32 random bits, as an unsigned value in a long. */
    public long nextUint32() {
        if (index >= N) {
            twist();
        }
        int y = mt[index++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y & 0xffffffffL;
    }

    /** A double in [0, 1) with 53 random bits, as NumPy's {@code random_sample}. */
    public double nextDouble() {
        long a = nextUint32() >>> 5;
        long b = nextUint32() >>> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (mt[i] & UPPER_MASK) | (mt[(i + 1) % N] & LOWER_MASK);
            int next = mt[(i + M) % N] ^ (y >>> 1);
            if ((y & 1) != 0) {
                next ^= MATRIX_A;
            }
            mt[i] = next;
        }
        index = 0;
    }
}
