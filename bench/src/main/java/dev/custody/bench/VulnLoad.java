package dev.custody.bench;

import dev.custody.sbom.Sbom;
import dev.custody.sbom.SbomReader;
import dev.custody.store.Store;
import dev.custody.store.StoreLocation;
import dev.custody.vulns.VulnMatcher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Matching one SBOM against the advisory database a store holds, warm: {@code VulnLoad STORE BOM RUNS}. The first
 * matches warm the matcher (its parsed records and the database's pages); then each run's time is printed, and the
 * p50 and the worst of the runs.
 */
public final class VulnLoad {
    public static void main(String[] args) throws Exception {
        Path bom = Path.of(args[1]);
        int runs = Integer.parseInt(args[2]);
        Sbom sbom = SbomReader.read(Files.readAllBytes(bom), bom.toString());
        List<String> purls = new ArrayList<>();
        sbom.components().forEach(c -> {
            if (c.purl() != null) {
                purls.add(c.purl());
            }
        });
        try (Store store = Store.open(StoreLocation.parse(args[0]))) {
            VulnMatcher matcher = new VulnMatcher(store);
            long t0 = System.nanoTime();
            VulnMatcher.Result first = matcher.match(purls);
            System.out.printf("cold: %d components, %d findings, %d unmatched in %.1f ms%n", first.components(), first.findings().size(),
                    first.unmatched().size(), (System.nanoTime() - t0) / 1e6);
            for (int i = 0; i < 5; i++) {
                matcher.match(purls);
            }
            double[] ms = new double[runs];
            int findings = 0;
            for (int i = 0; i < runs; i++) {
                long t = System.nanoTime();
                findings = matcher.match(purls).findings().size();
                ms[i] = (System.nanoTime() - t) / 1e6;
            }
            Arrays.sort(ms);
            System.out.printf("warm: %d runs, %d findings each: p50 %.1f ms, worst %.1f ms%n", runs, findings, ms[runs / 2], ms[runs - 1]);
        }
    }
}
