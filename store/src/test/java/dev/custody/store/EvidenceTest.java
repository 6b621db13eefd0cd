package dev.custody.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.custody.sbom.Deviation;
import dev.custody.sbom.Quality;
import dev.custody.sbom.Sbom;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

class EvidenceTest {

    @StoreTest
    void anSbomIsStoredOnceAndLinkedToEachDigest(Store store) {
        SbomStore sboms = new SbomStore(store);
        var doc = Records.sbom("a", List.of(Records.D1), "pkg:npm/lodash@4.17.21", "pkg:maven/org.example/lib@1.0", "pkg:deb/debian/openssl@3.0.11");
        byte[] raw = "{\"bomFormat\":\"CycloneDX\"}".getBytes(StandardCharsets.UTF_8);
        SbomStore.IngestResult first = sboms.ingest(doc, raw, List.of(), "cli");
        assertThat(first.newDocument()).isTrue();
        assertThat(first.digests()).containsExactly(Records.D1);
        SbomStore.IngestResult again = sboms.ingest(doc, raw, List.of(Records.D2), "cli");
        assertThat(again.newDocument()).isFalse();
        assertThat(again.digests()).containsExactly(Records.D2, Records.D1);
        assertThat(sboms.document(doc.contentHash())).isEqualTo(raw);

        Evidence evidence = new Evidence(store);
        for (String d : List.of(Records.D1, Records.D2)) {
            assertThat(evidence.componentsOf(d)).extracting(Evidence.ComponentRow::purl)
                    .containsExactly("pkg:npm/lodash@4.17.21", "pkg:maven/org.example/lib@1.0", "pkg:deb/debian/openssl@3.0.11");
        }
        Evidence.ComponentRow lodash = evidence.componentsOf(Records.D1).get(0);
        assertThat(lodash.name()).isEqualTo("lodash");
        assertThat(lodash.version()).isEqualTo("4.17.21");
        assertThat(lodash.licenses()).containsExactly("MIT");
        assertThat(lodash.hashes()).containsEntry("SHA-256", "ab".repeat(32));
        Integer rows = store.read(c -> {
            try (var s = c.createStatement(); var rs = s.executeQuery("SELECT COUNT(*) FROM sbom_component")) {
                rs.next();
                return rs.getInt(1);
            }
        });
        assertThat(rows).isEqualTo(3);
        assertThat(evidence.artifact(Records.D1, 10).sboms()).singleElement()
                .satisfies(s -> assertThat(s.components()).isEqualTo(3));
        assertThat(evidence.artifact("sha256:" + "9".repeat(64), 10)).isNull();
    }

    @StoreTest
    void anSbomsSchemaDeviationsAreKeptInItsQualityRecord(Store store) {
        Sbom plain = Records.sbom("c", List.of(Records.D1), "pkg:npm/a@1.0.0");
        Deviation d = new Deviation("$.components[0].externalReferences[0].url", Deviation.Reason.IRI_REFERENCE_INVALID,
                "\"git@github.com:org/a.git\" is not an RFC 3987 IRI reference");
        Quality q = plain.quality();
        Sbom deviating = new Sbom(plain.format(), plain.specVersion(), plain.serialNumber(), plain.name(), plain.subjectDigests(),
                plain.components(), plain.dependencies(), plain.contentHash(), new Quality(q.components(), q.withPurl(), q.withVersion(),
                q.withLicense(), q.withHash(), q.supplier(), 1, List.of(d), q.score() - Quality.DEVIATION_PENALTY));
        SbomStore.IngestResult r = new SbomStore(store).ingest(deviating, new byte[] {3}, List.of(), "cli");
        assertThat(r.quality().deviations()).containsExactly(d);

        Evidence.SbomSummary stored = new Evidence(store).artifact(Records.D1, 10).sboms().getFirst();
        assertThat(stored.qualityScore()).isEqualTo(90.0);
        assertThat(stored.quality().path("deviationCount").asInt()).isEqualTo(1);
        assertThat(stored.quality().path("deviations")).singleElement().satisfies(j -> {
            assertThat(j.path("path").asText()).isEqualTo("$.components[0].externalReferences[0].url");
            assertThat(j.path("reason").asText()).isEqualTo("IRI_REFERENCE_INVALID");
        });
    }

    @StoreTest
    void componentsAreFoundAcrossSbomsByPurlAndByName(Store store) {
        SbomStore sboms = new SbomStore(store);
        sboms.ingest(Records.sbom("a", List.of(Records.D1), "pkg:npm/lodash@4.17.21", "pkg:npm/left_pad@1.0.0"), new byte[] {1}, List.of(), "cli");
        sboms.ingest(Records.sbom("b", List.of(Records.D2), "pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.21?arch=x"), new byte[] {2}, List.of(),
                "cli");
        Evidence evidence = new Evidence(store);
        assertThat(evidence.componentsByPurl("pkg:npm/lodash@4.17.21"))
                .extracting(h -> h.component().purl()).containsExactly("pkg:npm/lodash@4.17.21", "pkg:npm/lodash@4.17.21?arch=x");
        assertThat(evidence.componentsByPurl("pkg:npm/lodash@4.17.21").get(0).digests()).containsExactly(Records.D1);
        assertThat(evidence.componentsByPurl("pkg:npm/lodash")).hasSize(3);
        assertThat(evidence.componentsByPurl("pkg:npm/left%25")).isEmpty(); // an encoded % is a literal %, never a wildcard
        assertThatThrownBy(() -> evidence.componentsByPurl("npm/lodash")).isInstanceOf(dev.custody.sbom.PackageUrl.MalformedException.class)
                .hasMessageContaining("npm/lodash");
        assertThat(evidence.componentsByPurl("pkg:npm/left_pad")).singleElement()
                .satisfies(h -> assertThat(h.component().name()).isEqualTo("left_pad"));
        assertThat(evidence.componentsByName("lodash", "4.17.20")).singleElement()
                .satisfies(h -> assertThat(h.digests()).containsExactly(Records.D2));
        assertThat(evidence.componentsByName("lodash", null)).hasSize(3);
    }

    @StoreTest
    void decisionsAreQueriedByTimeNamespaceVerdictAndRule(Store store) throws Exception {
        try (DecisionLog log = new DecisionLog(store)) {
            for (int i = 0; i < 30; i++) {
                log.append(Records.decision(i, i < 10 ? "prod" : "dev", i % 3 == 0 ? "denied" : "allowed", i % 2 == 0 ? Records.D1 : null))
                        .get(10, TimeUnit.SECONDS);
            }
        }
        Evidence evidence = new Evidence(store);
        long t0 = 1_700_000_000_000L;
        assertThat(evidence.decisions(new Evidence.DecisionQuery(null, null, null, null, null, 100))).hasSize(30);
        assertThat(evidence.decisions(new Evidence.DecisionQuery(t0 + 5, t0 + 15, null, null, null, 100)))
                .extracting(Evidence.Decision::seq).containsExactly(15L, 14L, 13L, 12L, 11L, 10L, 9L, 8L, 7L, 6L);
        assertThat(evidence.decisions(new Evidence.DecisionQuery(null, null, "prod", "denied", null, 100)))
                .extracting(d -> d.record().get("name").asText()).containsExactly("app-9", "app-6", "app-3", "app-0");
        assertThat(evidence.decisions(new Evidence.DecisionQuery(null, null, null, null, "images.requireDigest", 100))).hasSize(10);
        assertThat(evidence.decisions(new Evidence.DecisionQuery(null, null, null, null, "prod/images.requireDigest", 3))).hasSize(3);
        assertThat(evidence.decisions(new Evidence.DecisionQuery(null, null, null, null, "podSecurity.privileged", 100))).isEmpty();

        // admitted without a signature: every admitted image (no signature evidence yet); without an SBOM: all but D1 once linked
        try (DecisionLog log = new DecisionLog(store)) { // one admission of D2 that used a verified signature: not "without"
            DecisionRecord r = Records.decision(40, "prod", "allowed", Records.D2);
            log.append(new DecisionRecord(t0 + 500, r.source(), r.requestUid(), r.username(), r.operation(), r.namespace(), r.kind(), r.name(),
                    r.verdict(), false, r.policyVersion(), r.images(), r.rules(), List.of(new DecisionRecord.EvidenceRef("signature", Records.D2,
                    "prod/trust.release")))).get(10, TimeUnit.SECONDS);
        }
        assertThat(evidence.admittedWithout("signature", t0 + 400, t0 + 600)).isEmpty();
        assertThat(evidence.admittedWithout("sbom", t0 + 400, t0 + 600)).singleElement()
                .satisfies(u -> assertThat(u.digest()).isEqualTo(Records.D2)); // the same admission, seen from the SBOM side
        List<Evidence.Unevidenced> unsigned = evidence.admittedWithout("signature", t0, t0 + 100);
        assertThat(unsigned).hasSize(11); // the ten pinned admissions share one image; ten tag-only images
        assertThat(unsigned.get(0).digest()).isEqualTo(Records.D1);
        assertThat(unsigned.get(0).admissions()).isEqualTo(10);
        new SbomStore(store).ingest(Records.sbom("c", List.of(Records.D1), "pkg:npm/x@1"), new byte[] {3}, List.of(), "cli");
        List<Evidence.Unevidenced> noSbom = evidence.admittedWithout("sbom", t0, t0 + 100);
        assertThat(noSbom).allSatisfy(u -> assertThat(u.digest()).isNull()).hasSize(10);
        assertThat(evidence.artifact(Records.D1, 5).decisions()).hasSize(5);
        assertThatThrownBy(() -> evidence.admittedWithout("provenance", 0, 1)).isInstanceOf(IllegalArgumentException.class);
    }

    @StoreTest
    void theSchemaIsAtTheLatestVersionAndReopeningIsHarmless(Store store) {
        assertThat(store.schemaVersion()).isEqualTo(Migrations.latest());
        try (Store again = Store.open(store.location())) {
            assertThat(again.schemaVersion()).isEqualTo(Migrations.latest());
        }
    }
}
