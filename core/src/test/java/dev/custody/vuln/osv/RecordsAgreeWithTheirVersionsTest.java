package dev.custody.vuln.osv;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.vuln.version.VersionOrders;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The positive oracle of the OSV corpus: osv.dev enumerated, for each affected entry, the versions its ranges hold.
 * Every such listed version must be affected by the entry's ranges alone (the {@code versions} list set aside), for
 * every record of the corpus whose ecosystem has an order here.
 */
class RecordsAgreeWithTheirVersionsTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static Path corpus() {
        Path p = Path.of("../../shared/corpora/osv");
        return p.toFile().isDirectory() ? p : Path.of("../shared/corpora/osv");
    }

    @Test
    void everyListedVersionIsInsideTheRecordsOwnRanges() throws IOException {
        List<String> failures = new ArrayList<>();
        Map<String, int[]> perEcosystem = new TreeMap<>();
        int records = 0;
        try (Stream<Path> files = Files.walk(corpus())) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json") && !p.toString().contains("osv-schema")
                    && !p.toString().contains("version-ordering")).sorted().toList()) {
                OsvRecord r;
                try {
                    r = OsvRecord.parse(JSON.readTree(f.toFile()));
                } catch (OsvRecord.InvalidRecordException | IOException e) {
                    continue; // not a record (fixtures of other shapes); the importer test covers refusals
                }
                records++;
                for (OsvRecord.Affected a : r.affected()) {
                    if (a.versions().isEmpty() || VersionOrders.forEcosystem(a.ecosystem()).isEmpty()
                            || a.ranges().stream().noneMatch(x -> !x.type().equals("GIT"))) {
                        continue;
                    }
                    int[] c = perEcosystem.computeIfAbsent(a.ecosystem().split(":")[0], k -> new int[2]);
                    for (String v : a.versions()) {
                        c[0]++;
                        if (!RangeMatcher.byRanges(a, v)) {
                            c[1]++;
                            failures.add(f.getFileName() + " " + a.ecosystem() + "/" + a.name() + "@" + v);
                        }
                    }
                }
            }
        }
        perEcosystem.forEach((k, v) -> System.out.printf("%s: %d listed versions, %d outside the ranges%n", k, v[0], v[1]));
        assertThat(records).isGreaterThan(1000);
        assertThat(failures).as(failures.size() + " listed versions fall outside their ranges; first " + failures.stream().limit(20).toList())
                .isEmpty();
    }
}
