package dev.scratchnet.data;

import dev.scratchnet.backend.Matrix;

/** The XOR truth table: [[0,0],[0,1],[1,0],[1,1]] with labels [0,1,1,0]. */
public final class Xor {
    private Xor() {
    }

    public static Dataset dataset() {
        Matrix x = Matrix.of(new double[] {0, 0}, new double[] {0, 1}, new double[] {1, 0}, new double[] {1, 1});
        return new Dataset("xor", x, new int[] {0, 1, 1, 0}, 2);
    }
}
