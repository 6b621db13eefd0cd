package dev.custody.vulns;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.store.Advisories;
import dev.custody.store.Store;
import dev.custody.vuln.osv.OsvRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Imports OSV records into the advisory database from a record file, a directory of them (recursively), or the
 * zip files OSV publishes per ecosystem ({@code all.zip}). Incremental: a record is written only when it is new or
 * its {@code modified} is newer than the stored one, so running again after an interruption resumes where the
 * last committed batch ended. A record that cannot be read or is not OSV is refused with its file (and zip entry)
 * and the field that is wrong, and nothing of it is stored; the others go on.
 */
public final class AdvisoryImport {

    /** Counts of one import; {@code refusals} name each refused record and why (the first 1,000). */
    public record Result(int added, int updated, int unchanged, int withdrawn, int refused, List<String> refusals, List<OsvRecord> changed,
                         boolean changedTruncated) {}

    /** How many added, updated or withdrawn records an import keeps for re-matching (beyond that, the background re-matches). */
    public static final int MAX_CHANGED = 5_000;
    private final List<OsvRecord> changed = new ArrayList<>();
    private boolean changedTruncated;

    public static final long MAX_RECORD_BYTES = 8L << 20;
    static final int BATCH = 500;
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory().setStreamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).maxStringLength(4 << 20).build());
        JSON.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    }

    private final Advisories advisories;
    private final Consumer<String> progress;
    private final List<Pending> batch = new ArrayList<>();
    private int added;
    private int updated;
    private int unchanged;
    private int withdrawn;
    private int refused;
    private final List<String> refusals = new ArrayList<>();
    private String source;

    private record Pending(String where, OsvRecord record, byte[] json) {}

    public AdvisoryImport(Store store, Consumer<String> progress) {
        this.advisories = new Advisories(store);
        this.progress = progress;
    }

    /** Imports everything under each path. */
    public Result run(List<Path> paths) throws IOException {
        for (Path p : paths) {
            source = p.toString();
            if (Files.isDirectory(p)) {
                try (Stream<Path> files = Files.walk(p)) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        file(f);
                    }
                }
            } else if (Files.isRegularFile(p)) {
                file(p);
            } else {
                throw new IOException(p + ": no such file or directory");
            }
            flush();
        }
        return new Result(added, updated, unchanged, withdrawn, refused, List.copyOf(refusals), List.copyOf(changed), changedTruncated);
    }

    private void file(Path f) throws IOException {
        String name = f.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (name.endsWith(".zip")) {
            try (ZipInputStream z = new ZipInputStream(Files.newInputStream(f))) {
                ZipEntry e;
                while ((e = z.getNextEntry()) != null) {
                    if (!e.isDirectory() && e.getName().toLowerCase(java.util.Locale.ROOT).endsWith(".json")) {
                        byte[] data;
                        try {
                            data = bounded(z);
                        } catch (IOException ex) {
                            refuse(f + "!" + e.getName(), ex.getMessage());
                            continue;
                        }
                        record(f + "!" + e.getName(), data);
                    }
                }
            }
        } else if (name.endsWith(".json")) {
            if (Files.size(f) > MAX_RECORD_BYTES) {
                refuse(f.toString(), "larger than " + (MAX_RECORD_BYTES >> 20) + " MiB");
                return;
            }
            record(f.toString(), Files.readAllBytes(f));
        }
    }

    private void record(String where, byte[] data) {
        JsonNode tree;
        try {
            tree = JSON.readTree(data);
        } catch (IOException e) {
            refuse(where, "not JSON: " + e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (tree != null && tree.isObject() && !tree.has("id") && tree.has("vulns") && tree.get("vulns").isArray()) {
            int k = 0;
            for (JsonNode v : tree.get("vulns")) { // {"vulns": [...]}, as OSV's query API answers
                parsed(where + "#vulns[" + k++ + "]", v, v.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return;
        }
        parsed(where, tree, data);
    }

    private void parsed(String where, JsonNode tree, byte[] data) {
        try {
            batch.add(new Pending(where, OsvRecord.parse(tree), data));
        } catch (OsvRecord.InvalidRecordException e) {
            refuse(where, e.getMessage());
            return;
        }
        if (batch.size() >= BATCH) {
            flush();
        }
    }

    private void flush() {
        if (batch.isEmpty()) {
            return;
        }
        // the newest of each id in this batch, then only what is newer than the store's
        Map<String, Pending> byId = new LinkedHashMap<>();
        for (Pending p : batch) {
            Pending old = byId.get(p.record().id());
            if (old == null || p.record().modified().isAfter(old.record().modified())) {
                byId.put(p.record().id(), p);
            } else {
                unchanged++;
            }
        }
        Map<String, Long> stored = advisories.modifiedOf(byId.keySet());
        List<Advisories.Row> rows = new ArrayList<>();
        for (Pending p : byId.values()) {
            OsvRecord r = p.record();
            Long have = stored.get(r.id());
            long modified = r.modified().toEpochMilli();
            if (have != null && have >= modified) {
                unchanged++;
                continue;
            }
            if (r.isWithdrawn()) {
                withdrawn++;
            } else if (have == null) {
                added++;
            } else {
                updated++;
            }
            if (changed.size() < MAX_CHANGED) {
                changed.add(r);
            } else {
                changedTruncated = true;
            }
            Severities.Rated s = Severities.of(r);
            List<String[]> packages = new ArrayList<>();
            for (OsvRecord.Affected a : r.affected()) {
                if (!a.ecosystem().isEmpty()) {
                    String key = Ecosystems.key(a.ecosystem());
                    packages.add(new String[] {key, Ecosystems.name(key, a.name())});
                }
            }
            rows.add(new Advisories.Row(r.id(), modified, r.published() == null ? null : r.published().toEpochMilli(),
                    r.withdrawn() == null ? null : r.withdrawn().toEpochMilli(), r.summary(), s.label(), s.score(), r.aliases(), packages, p.json()));
        }
        advisories.write(rows, source, System.currentTimeMillis());
        batch.clear();
        if (progress != null && (added + updated) % 5000 < rows.size()) {
            progress.accept("imported " + (added + updated + withdrawn) + " records so far");
        }
    }

    private void refuse(String where, String why) {
        refused++;
        if (refusals.size() < 1000) {
            refusals.add(where + ": " + why);
        }
    }

    private static byte[] bounded(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long total = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            total += n;
            if (total > MAX_RECORD_BYTES) {
                throw new IOException("larger than " + (MAX_RECORD_BYTES >> 20) + " MiB");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }
}
