package dev.scratchnet.profile;

import com.google.gson.stream.JsonWriter;
import dev.scratchnet.io.AtomicFile;

import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Writes a {@link Profile}'s spans as a Chrome trace-event file (the JSON object format:
 * {@code {"traceEvents": [...]}}), which Perfetto (ui.perfetto.dev) and chrome://tracing open.
 * Each op is one complete event ({@code "ph": "X"}) named with its shapes, its family as the
 * category, and its family, variant and shapes in {@code args}; {@code ts} is when the host issued
 * it and {@code dur} its time, both in microseconds. Written through {@link AtomicFile}.
 */
public final class ChromeTrace {
    private ChromeTrace() {
    }

    public static void write(Path file, Profile profile, String processName) {
        AtomicFile.write(file, out -> {
            Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
            JsonWriter j = new JsonWriter(w);
            j.beginObject();
            j.name("displayTimeUnit").value("ms");
            j.name("otherData").beginObject();
            j.name("clock").value(profile.clock());
            j.name("dropped_spans").value(profile.droppedSpans());
            j.endObject();
            j.name("traceEvents").beginArray();
            j.beginObject().name("name").value("process_name").name("ph").value("M").name("pid").value(1)
                    .name("tid").value(1).name("args").beginObject().name("name").value(processName).endObject().endObject();
            j.beginObject().name("name").value("thread_name").name("ph").value("M").name("pid").value(1)
                    .name("tid").value(1).name("args").beginObject().name("name").value("ops").endObject().endObject();
            long origin = profile.startNanos();
            for (Profile.Span s : profile.spans()) {
                j.beginObject();
                j.name("name").value(s.name);
                j.name("cat").value(s.family);
                j.name("ph").value("X");
                j.name("ts").value(Math.round((s.startNanos - origin) / 10.0) / 100.0);
                j.name("dur").value(Math.round(s.millis * 1e5) / 100.0);
                j.name("pid").value(1);
                j.name("tid").value(1);
                j.name("args").beginObject();
                j.name("family").value(s.family);
                int space = s.name.indexOf(' ');
                j.name("op").value(space < 0 ? s.name : s.name.substring(0, space));
                if (space >= 0) {
                    j.name("shapes").value(s.name.substring(space + 1));
                }
                if (!s.variant.isEmpty()) {
                    j.name("variant").value(s.variant);
                }
                j.endObject();
                j.endObject();
            }
            j.endArray();
            j.endObject();
            j.flush();
            w.flush();
        });
    }
}
