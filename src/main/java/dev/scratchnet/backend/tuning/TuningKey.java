package dev.scratchnet.backend.tuning;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What tuned parameters belong to: a backend, a device (by name), its driver version, and the hash
 * of the kernel sources they were measured with. The first three choose the cache file; the
 * sources hash chooses the entry inside it, so an edited kernel is never run with parameters tuned
 * for another version of it.
 */
public final class TuningKey {
    public final String backend;
    public final String device;
    public final String driver;
    public final String sources;

    public TuningKey(String backend, String device, String driver, String sources) {
        this.backend = backend;
        this.device = device;
        this.driver = driver;
        this.sources = sources;
    }

    /** The cache file's name: backend, the device name made safe for a file name, and a hash of device and driver. */
    public String fileName() {
        String slug = device.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        if (slug.length() > 48) {
            slug = slug.substring(0, 48);
        }
        return backend + "-" + (slug.isEmpty() ? "device" : slug) + "-" + sha256(device + "\0" + driver).substring(0, 12) + ".json";
    }

    /** The hex SHA-256 of {@code text} (UTF-8). */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return backend + " " + device + " (driver " + driver + ")";
    }
}
