package dev.scratchnet.nn;

import java.util.Locale;

/**
 * A learning-rate schedule: the rate of each epoch from the base rate. Parsed from
 * {@code constant}, {@code step:EVERY:GAMMA} (the rate times GAMMA every EVERY epochs) or
 * {@code cosine[:WARMUP]} (a linear warm-up over WARMUP epochs from base/WARMUP to the base rate,
 * then half a cosine from the base rate towards 0 at the end of the last epoch).
 */
public abstract class Schedule {
    /** The rate of epoch {@code epoch} (from 0) of {@code epochs}. */
    public abstract double rate(double base, int epoch, int epochs);

    /** As {@link #parse} takes it. */
    public abstract String describe();

    public static Schedule constant() {
        return new Schedule() {
            @Override
            public double rate(double base, int epoch, int epochs) {
                return base;
            }

            @Override
            public String describe() {
                return "constant";
            }
        };
    }

    /** base · gamma^⌊epoch / every⌋. */
    public static Schedule step(int every, double gamma) {
        if (every < 1) {
            throw new IllegalArgumentException("--schedule step:" + every + ":" + gamma + ": EVERY must be at least 1 epoch");
        }
        if (!(gamma > 0) || Double.isInfinite(gamma)) {
            throw new IllegalArgumentException("--schedule step:" + every + ":" + gamma + ": GAMMA must be a positive number");
        }
        return new Schedule() {
            @Override
            public double rate(double base, int epoch, int epochs) {
                return base * Math.pow(gamma, epoch / every);
            }

            @Override
            public String describe() {
                return "step:" + every + ":" + gamma;
            }
        };
    }

    /**
     * Warm-up: epoch e &lt; W gets base·(e+1)/W. After it: base·½(1 + cos(π·(e−W)/(E−W))) for
     * epochs e of E, so the first epoch after the warm-up has the base rate.
     */
    public static Schedule cosine(int warmup) {
        if (warmup < 0) {
            throw new IllegalArgumentException("--schedule cosine:" + warmup + ": the warm-up must be at least 0 epochs");
        }
        return new Schedule() {
            @Override
            public double rate(double base, int epoch, int epochs) {
                if (epoch < warmup) {
                    return base * (epoch + 1) / warmup;
                }
                int span = Math.max(1, epochs - warmup);
                return base * 0.5 * (1 + Math.cos(Math.PI * (epoch - warmup) / span));
            }

            @Override
            public String describe() {
                return "cosine:" + warmup;
            }
        };
    }

    public static Schedule parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        String[] p = t.split(":", -1);
        try {
            switch (p[0]) {
                case "constant":
                case "none":
                    if (p.length == 1) {
                        return constant();
                    }
                    break;
                case "step":
                    if (p.length == 3) {
                        return step(Integer.parseInt(p[1]), Double.parseDouble(p[2]));
                    }
                    break;
                case "cosine":
                    if (p.length <= 2) {
                        return cosine(p.length == 2 ? Integer.parseInt(p[1]) : 0);
                    }
                    break;
                default:
                    break;
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--schedule '" + text + "': '" + e.getMessage().replaceAll(".*\"(.*)\".*", "$1")
                    + "' is not a number");
        }
        throw new IllegalArgumentException("--schedule '" + text + "': expected constant, step:EVERY:GAMMA or cosine[:WARMUP_EPOCHS]");
    }
}
