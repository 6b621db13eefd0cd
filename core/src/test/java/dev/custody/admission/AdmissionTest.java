package dev.custody.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.custody.TestPaths;
import dev.custody.engine.Engine;
import dev.custody.manifest.Document;
import dev.custody.policy.PolicyParser;
import dev.custody.workload.Container;
import dev.custody.workload.WorkloadExtractor;
import dev.custody.workload.WorkloadKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AdmissionTest {

    static final Path CONNAISSEUR = TestPaths.corpora().resolve("admission-review/connaisseur/test/testdata/admission_requests");

    static final String POLICY = """
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: prod}
            spec:
              tier: production
              namespaces: {selector: {matchLabels: {tier: production}}}
              serviceAccount: {denyDefault: false, automountToken: false}
              images:
                denyTags: {action: warn}
            ---
            apiVersion: custody.dev/v1alpha1
            kind: Policy
            metadata: {name: regulated}
            spec:
              tier: regulated
              namespaces: {include: [bank]}
              serviceAccount: {denyDefault: false, automountToken: false}
              images: {requireDigest: false, denyTags: false}
            """;

    static Admission admission(Map<String, Map<String, String>> namespaces) {
        return new Admission(new Engine(new PolicyParser().load(Map.of("p.yaml", POLICY))), namespaces::get);
    }

    static byte[] read(String file) throws Exception {
        return Files.readAllBytes(CONNAISSEUR.resolve(file));
    }

    @Test
    void everyCompleteConnaisseurReviewDecodesAndTheBrokenOnesAreRejected() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(CONNAISSEUR)) {
            files = s.sorted().toList();
        }
        assertThat(files).hasSize(29);
        int decoded = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            if (name.startsWith("21_") || name.startsWith("25_") || name.startsWith("26_")) {
                assertThatThrownBy(() -> AdmissionReviews.parse(Files.readAllBytes(f))).as(name)
                        .isInstanceOf(InvalidReviewException.class);
                continue;
            }
            AdmissionRequest r = AdmissionReviews.parse(Files.readAllBytes(f));
            assertThat(r.uid()).as(name).isNotEmpty();
            Admission.Result result = admission(Map.of()).review(r);
            assertThat(result.response().uid()).isEqualTo(r.uid());
            assertThat(result.response().toReview().path("response").path("uid").asText()).isEqualTo(r.uid());
            decoded++;
        }
        assertThat(decoded).isEqualTo(26);
        assertThatThrownBy(() -> AdmissionReviews.parse(read("21_broken_admission_request.json"))).hasMessage("request.uid is missing");
        assertThatThrownBy(() -> AdmissionReviews.parse(read("25_null_request.json"))).hasMessageContaining("null");
        assertThatThrownBy(() -> AdmissionReviews.parse("{\"apiVersion\":\"admission.k8s.io/v1\",\"kind\":\"AdmissionReview\",\"request\":{\"uid\":\"u\",\"operation\":\"CREATE\",\"kind\":{\"kind\":\"Pod\"}}}"
                .getBytes(StandardCharsets.UTF_8))).hasMessage("request.object is missing for CREATE");
        assertThatThrownBy(() -> AdmissionReviews.parse("{\"apiVersion\":".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("malformed JSON");
        assertThatThrownBy(() -> AdmissionReviews.parse(("{\"a\":" .repeat(500) + "1" + "}".repeat(500)).getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(InvalidReviewException.class);
    }

    /** The image lists Connaisseur's own tests state for its workload fixtures. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            01_deployment.json        | securesystemsengineering/alice-image:test
            02_pod.json               | securesystemsengineering/charlie-image@sha256:91ac9b26df583762234c1cdb2fc930364754ccc59bc752a2bfe298d2ea68f9ff
            04_cronjob.json           | busybox
            06_daemonset.json         | quay.io/fluentd_elasticsearch/fluentd:v2.5.2
            07_statefulset.json       | registry.k8s.io/nginx-slim:0.8
            """)
    void imageListsMatchTheManifest(String file, String image) throws Exception {
        AdmissionRequest r = AdmissionReviews.parse(read(file));
        var w = WorkloadExtractor.extractObject(Document.of(file, r.object()), WorkloadKind.of(r.kind()).orElseThrow(), r.object()).orElseThrow();
        assertThat(w.containers()).extracting(Container::image).containsExactly(image);
    }

    @Test
    void ephemeralAndInitContainersAreSeen() throws Exception {
        AdmissionRequest eph = AdmissionReviews.parse(read("20_pod_ephemeralcontainer.json"));
        var w = WorkloadExtractor.extractObject(Document.of("e", eph.object()), WorkloadKind.POD, eph.object()).orElseThrow();
        assertThat(w.containers()).extracting(c -> c.list().field()).contains("ephemeralContainers");
        AdmissionRequest init = AdmissionReviews.parse(read("19_pod_initcontainer.json"));
        var wi = WorkloadExtractor.extractObject(Document.of("i", init.object()), WorkloadKind.POD, init.object()).orElseThrow();
        assertThat(wi.containers()).extracting(c -> c.list().field()).contains("initContainers");
    }

    @Test
    void roundTripFixtureDecodes() throws Exception {
        byte[] body = Files.readAllBytes(TestPaths.corpora().resolve("admission-review/k8s-api-roundtrip-fixtures/admission.k8s.io.v1.AdmissionReview.json"));
        AdmissionRequest r = AdmissionReviews.parse(body);
        assertThat(r.uid()).isNotEmpty();
        assertThat(admission(Map.of()).review(r).response().uid()).isEqualTo(r.uid());
    }

    static AdmissionRequest review(String operation, String namespace, String kind, String subResource, String object, String oldObject) throws Exception {
        String json = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"uid-1","kind":{"group":"apps","version":"v1","kind":"%s"},
                 "subResource":"%s","namespace":"%s","operation":"%s","userInfo":{"username":"alice"},"object":%s,"oldObject":%s}}
                """.formatted(kind, subResource, namespace, operation, object, oldObject == null ? "null" : oldObject);
        return AdmissionReviews.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    static String deployment(String image) {
        return deployment(image, "shop");
    }

    static String deployment(String image, String namespace) {
        return """
                {"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api","namespace":"%s"},
                 "spec":{"replicas":%d,"template":{"spec":{"containers":[{"name":"api","image":"%s"}]}}}}
                """.formatted(namespace, image.hashCode() & 3, image);
    }

    @Test
    void productionNamespaceDeniesMutableTagsWithAMessageAndWarnsOnLatest() throws Exception {
        Admission a = admission(Map.of("shop", Map.of("tier", "production")));
        Admission.Result denied = a.review(review("CREATE", "shop", "Deployment", "", deployment("registry.example.com/api:latest"), null));
        AdmissionResponse r = denied.response();
        assertThat(r.allowed()).isFalse();
        assertThat(r.code()).isEqualTo(403);
        assertThat(r.message()).contains("[prod/images.requireDigest] DIGEST_REQUIRED at spec.template.spec.containers[0].image");
        assertThat(r.warnings()).singleElement().asString().contains("TAG_DENIED");
        assertThat(r.auditAnnotations()).containsEntry("verdict", "denied").containsKey("policy-version")
                .containsEntry("denied-by", "prod/images.requireDigest:DIGEST_REQUIRED");
        ObjectNode json = r.toReview();
        assertThat(json.path("response").path("status").path("code").asInt()).isEqualTo(403);
        assertThat(json.path("response").path("warnings").size()).isEqualTo(1);

        Admission.Result pinned = a.review(review("CREATE", "shop", "Deployment", "",
                deployment("registry.example.com/api@sha256:" + "a".repeat(64)), null));
        assertThat(pinned.response().allowed()).isTrue();
        assertThat(pinned.verdict()).isEqualTo("allowed");
        // labels come from the namespace cache: the same object in an unlabelled namespace is not production
        assertThat(admission(Map.of("shop", Map.of())).review(review("CREATE", "shop", "Deployment", "",
                deployment("registry.example.com/api:latest"), null)).response().allowed()).isTrue();
    }

    @Test
    void unknownNamespaceIsSaidInAWarning() throws Exception {
        Admission.Result r = admission(Map.of()).review(review("CREATE", "new-ns", "Deployment", "", deployment("a:1"), null));
        assertThat(r.response().warnings()).anySatisfy(w -> assertThat(w).contains("labels of namespace new-ns are not known"));
    }

    @Test
    void updatesThatChangeNoImageAreNotDeniedForEvidence() throws Exception {
        Admission a = admission(Map.of("bank", Map.of()));
        String pinned = deployment("registry.example.com/api@sha256:" + "b".repeat(64), "bank");
        Admission.Result create = a.review(review("CREATE", "bank", "Deployment", "", pinned, null));
        assertThat(create.response().allowed()).as("regulated: signature not yet verifiable").isFalse();
        Admission.Result sameImages = a.review(review("UPDATE", "bank", "Deployment", "", pinned.replace("\"replicas\":", "\"paused\":true,\"replicas\":"), pinned));
        assertThat(sameImages.response().allowed()).isTrue();
        assertThat(sameImages.response().warnings()).anySatisfy(w -> assertThat(w).contains("SIGNATURE_NOT_YET_VERIFIABLE"));
        Admission.Result newImage = a.review(review("UPDATE", "bank", "Deployment", "",
                deployment("registry.example.com/api@sha256:" + "c".repeat(64), "bank"), pinned));
        assertThat(newImage.response().allowed()).isFalse();
    }

    @Test
    void nonWorkloadsDeletesAndOtherSubresourcesPassUntouched() throws Exception {
        Admission a = admission(Map.of("shop", Map.of("tier", "production")));
        Admission.Result role = a.review(AdmissionReviews.parse(read("11_role.json")));
        assertThat(role.response().allowed()).isTrue();
        assertThat(role.response().warnings()).isEmpty();
        assertThat(role.response().auditAnnotations()).isEmpty();
        assertThat(role.verdict()).isEqualTo("skipped");
        Admission.Result status = a.review(review("UPDATE", "shop", "Deployment", "status", deployment("a:latest"), deployment("a:latest")));
        assertThat(status.verdict()).isEqualTo("skipped");
    }

    @Test
    void ephemeralContainerSubresourceIsEvaluated() throws Exception {
        Admission a = admission(Map.of("shop", Map.of("tier", "production")));
        String pod = """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"shop"},
                 "spec":{"containers":[{"name":"a","image":"registry.example.com/a@sha256:%s"}],
                         "ephemeralContainers":[{"name":"debug","image":"busybox:1.36"}]}}
                """.formatted("d".repeat(64));
        String json = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"e1","kind":{"group":"","version":"v1","kind":"Pod"},
                 "subResource":"ephemeralcontainers","namespace":"shop","operation":"UPDATE","object":%s,"oldObject":%s}}
                """.formatted(pod, pod.replace(",\n         \"ephemeralContainers\":[{\"name\":\"debug\",\"image\":\"busybox:1.36\"}]", ""));
        Admission.Result r = a.review(AdmissionReviews.parse(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.response().allowed()).isFalse();
        assertThat(r.response().message()).contains("spec.ephemeralContainers[0].image");
    }

    @Test
    void responsesEchoTheRequestApiVersion() throws Exception {
        AdmissionRequest beta = AdmissionReviews.parse(read("01_deployment.json"));
        JsonNode review = admission(Map.of()).review(beta).response().toReview();
        assertThat(review.path("apiVersion").asText()).isEqualTo("admission.k8s.io/v1beta1");
        assertThat(review.path("kind").asText()).isEqualTo("AdmissionReview");
    }

    /** Mutated reviews are either answered or rejected as invalid; nothing else may escape. */
    @Test
    void fuzzedReviewsAreAnsweredOrRejectedNeverCrash() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(CONNAISSEUR)) {
            files = s.sorted().toList();
        }
        Admission a = admission(Map.of("shop", Map.of("tier", "production")));
        java.util.Random rnd = new java.util.Random(3);
        String chars = "{}[],:\"\\0123456789abcnul -.@/";
        int answered = 0;
        int rejected = 0;
        for (int i = 0; i < 4_000; i++) {
            byte[] seed = Files.readAllBytes(files.get(rnd.nextInt(files.size())));
            StringBuilder sb = new StringBuilder(new String(seed, StandardCharsets.UTF_8));
            for (int e = 0; e < 1 + rnd.nextInt(5); e++) {
                int pos = rnd.nextInt(Math.max(1, sb.length()));
                switch (rnd.nextInt(3)) {
                    case 0 -> sb.insert(pos, chars.charAt(rnd.nextInt(chars.length())));
                    case 1 -> {
                        if (sb.length() > 0) {
                            sb.deleteCharAt(pos);
                        }
                    }
                    default -> {
                        if (sb.length() > 0) {
                            sb.setCharAt(pos, chars.charAt(rnd.nextInt(chars.length())));
                        }
                    }
                }
            }
            try {
                AdmissionRequest r = AdmissionReviews.parse(sb.toString().getBytes(StandardCharsets.UTF_8));
                Admission.Result result = a.review(r);
                assertThat(result.response().uid()).isEqualTo(r.uid());
                result.response().toReview();
                answered++;
            } catch (InvalidReviewException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                rejected++;
            }
        }
        assertThat(answered).isPositive();
        assertThat(rejected).isPositive();
    }
}
