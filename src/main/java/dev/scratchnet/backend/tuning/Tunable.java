package dev.scratchnet.backend.tuning;

import dev.scratchnet.backend.Precision;

import java.util.List;

/**
 * A backend whose matmul variants take tile parameters: what {@code scratchnet kernels tune}
 * searches, and where the parameters in use came from.
 */
public interface Tunable {

    /** The tunable variants' spaces (a variant not listed here has no parameters). */
    List<TuningSpace> tuningSpaces();

    /** The space of {@code variant}, or null when it has no parameters. */
    default TuningSpace tuningSpace(String variant) {
        for (TuningSpace s : tuningSpaces()) {
            if (s.variant.equals(variant)) {
                return s;
            }
        }
        return null;
    }

    /** This device, driver and kernel sources. */
    TuningKey tuningKey();

    /** The parameters {@code variant} runs with in {@code precision}. */
    TileParams params(String variant, Precision precision);

    /** Where the parameters in use came from, in words: the defaults (and why), or the cache file. */
    String paramsOrigin(Precision precision);

    /** Lines the user should see once about the tuning cache (an entry ignored, and why). */
    default List<String> notes() {
        return List.of();
    }

    /** One line per precision: each tunable variant's parameters in use, and where they came from. */
    default List<String> describeParams(List<Precision> precisions) {
        List<String> lines = new java.util.ArrayList<>();
        for (Precision p : precisions) {
            StringBuilder sb = new StringBuilder("matmul parameters (" + p + "): ");
            List<TuningSpace> spaces = tuningSpaces();
            for (int i = 0; i < spaces.size(); i++) {
                sb.append(i == 0 ? "" : "; ").append(spaces.get(i).variant).append(' ').append(params(spaces.get(i).variant, p));
            }
            lines.add(sb.append(" — ").append(paramsOrigin(p)).toString());
        }
        return lines;
    }

    /**
     * Why this device refuses {@code params} for {@code variant}, judged from its limits alone
     * (work-group size and shape, local or shared memory) without compiling, or null.
     */
    String refusal(String variant, Precision precision, TileParams params);

    /**
     * Makes {@code variant} run with {@code params} in {@code precision} from now on (compiling it
     * if need be); throws with the reason when the device refuses them, leaving the parameters in
     * use as they were.
     */
    void useParams(String variant, Precision precision, TileParams params) throws RefusedConfiguration;
}
