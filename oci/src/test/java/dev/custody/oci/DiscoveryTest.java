package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Finding signatures and attestations for a digest by each path: the referrers API (on go-containerregistry's
 * registry with it turned on), the referrers tag schema (on the registries without it), cosign's tags (on all).
 */
@ExtendWith(LocalRegistries.Extension.class)
class DiscoveryTest {

    static final String SBOM_TYPE = "application/spdx+json";
    static final String SIG_TYPE = "application/vnd.dev.sigstore.bundle.v0.3+json";

    static RegistryClient client;
    static LocalRegistries registries;
    final Random random = new Random(42);

    @BeforeAll
    static void setUp(LocalRegistries r) {
        registries = r;
        client = RegistryClient.builder().retryPolicy(new RetryPolicy(2, Duration.ofMillis(20), Duration.ofMillis(50))).build();
    }

    @AfterAll
    static void tearDown() {
        client.close();
    }

    static Call call() {
        return Call.within(Duration.ofSeconds(20));
    }

    @Test
    void referrersApiListsArtifactsAndFiltersByType() {
        LocalRegistries.Registry registry = registries.withReferrersApi();
        Repository repo = registry.repository("custody/signed");
        TestContent.Pushed image = TestContent.image(client, repo, "v1", false, random, call());
        TestContent.Pushed sbom = TestContent.artifact(client, repo, SBOM_TYPE, image.descriptor(), "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8),
                SBOM_TYPE, Map.of("org.opencontainers.image.created", "2026-11-28T00:00:00Z"), call());
        TestContent.Pushed sig = TestContent.artifact(client, repo, SIG_TYPE, image.descriptor(), "{}".getBytes(StandardCharsets.UTF_8),
                MediaTypes.SIGSTORE_BUNDLE, Map.of(), call());

        Call all = call();
        List<Referrer> found = client.referrers(repo, image.digest(), null, all);
        assertThat(all.requests()).as("one request: the registry has the API").isEqualTo(1);
        assertThat(found).extracting(Referrer::source).containsOnly(Referrer.Source.REFERRERS_API);
        assertThat(found).extracting(r -> r.descriptor().digest()).containsExactlyInAnyOrder(sbom.digest(), sig.digest());
        assertThat(found).extracting(Referrer::artifactType).containsExactlyInAnyOrder(SBOM_TYPE, SIG_TYPE);
        Referrer sbomEntry = found.stream().filter(r -> r.descriptor().digest().equals(sbom.digest())).findFirst().orElseThrow();
        assertThat(sbomEntry.descriptor().annotations()).containsEntry("org.opencontainers.image.created", "2026-11-28T00:00:00Z");

        // go-containerregistry ignores the artifactType parameter (it says nothing in OCI-Filters-Applied): filtered here
        List<Referrer> sigs = client.referrers(repo, image.digest(), SIG_TYPE, call());
        assertThat(sigs).extracting(r -> r.descriptor().digest()).containsExactly(sig.digest());

        RemoteManifest sigManifest = client.manifest(repo, sigs.getFirst().descriptor().digest(), call());
        assertThat(sigManifest.manifest().subject().digest()).isEqualTo(image.digest());

        assertThat(client.referrers(repo, sbom.digest(), null, call())).as("nothing refers to the SBOM").isEmpty();
    }

    @Test
    void withoutTheApiTheReferrersTagIsRead() {
        for (LocalRegistries.Registry registry : registries.all()) {
            if (registry.referrersApi()) {
                continue;
            }
            Repository repo = registry.repository("custody/fallback");
            TestContent.Pushed image = TestContent.image(client, repo, "v1", false, random, call());

            Call empty = call();
            assertThat(client.referrers(repo, image.digest(), null, empty)).as("%s", registry).isEmpty();
            assertThat(empty.requests()).as("API refused, then the tag").isEqualTo(2);

            TestContent.Pushed sbom = TestContent.artifact(client, repo, SBOM_TYPE, image.descriptor(), "{}".getBytes(StandardCharsets.UTF_8),
                    SBOM_TYPE, Map.of(), call());
            Descriptor listed = new Descriptor(sbom.mediaType(), sbom.digest(), sbom.bytes().length, SBOM_TYPE,
                    Map.of("created-by", "test"), null, null);
            TestContent.Pushed sig = TestContent.artifact(client, repo, SIG_TYPE, image.descriptor(), "{}".getBytes(StandardCharsets.UTF_8),
                    MediaTypes.SIGSTORE_BUNDLE, Map.of(), call());
            Descriptor other = new Descriptor(sig.mediaType(), sig.digest(), sig.bytes().length, SIG_TYPE, Map.of(), null, null);
            // the referrers tag schema: the index a client without the API maintains under <alg>-<hex>
            TestContent.index(client, repo, "sha256-" + image.digest().hex(), List.of(listed, other), call());

            Call call = call();
            List<Referrer> found = client.referrers(repo, image.digest(), null, call);
            assertThat(found).extracting(Referrer::source).containsOnly(Referrer.Source.REFERRERS_TAG);
            assertThat(found).extracting(Referrer::tag).containsOnly("sha256-" + image.digest().hex());
            assertThat(found).extracting(r -> r.descriptor().digest()).containsExactly(sbom.digest(), other.digest());
            assertThat(call.requests()).isEqualTo(2);

            assertThat(client.referrers(repo, image.digest(), SBOM_TYPE, call())).extracting(Referrer::descriptor).containsExactly(listed);
        }
    }

    @Test
    void cosignSignatureTagsAreFoundOnEveryRegistry() {
        for (LocalRegistries.Registry registry : registries.all()) {
            Repository repo = registry.repository("custody/cosigned");
            TestContent.Pushed image = TestContent.image(client, repo, "v1", false, random, call());

            Call before = call();
            assertThat(client.discover(repo, image.digest(), before).isEmpty()).as("%s", registry).isTrue();

            TestContent.Pushed sig = TestContent.cosignSignature(client, repo, image.digest(), "MEUCIQ-test-signature", call());
            Call call = call();
            Discovery found = client.discover(repo, image.digest(), call);
            assertThat(found.referrers()).hasSize(1);
            Referrer r = found.from(Referrer.Source.COSIGN_SIGNATURE_TAG).getFirst();
            assertThat(r.tag()).isEqualTo("sha256-" + image.digest().hex() + ".sig");
            assertThat(r.descriptor().digest()).isEqualTo(sig.digest());
            assertThat(r.manifest()).as("fetched on the way: no second request needed").isNotNull();
            Descriptor layer = r.manifest().imageManifest().layers().getFirst();
            assertThat(layer.mediaType()).isEqualTo(MediaTypes.COSIGN_SIMPLE_SIGNING);
            assertThat(layer.annotation(TestContent.SIGNATURE_ANNOTATION)).isEqualTo("MEUCIQ-test-signature");
            assertThat(new String(client.blob(repo, layer, 1 << 16, call()), StandardCharsets.UTF_8)).contains(image.digest().toString());
            assertThat(found.from(Referrer.Source.COSIGN_ATTESTATION_TAG)).isEmpty();
            assertThat(call.requests()).as("referrers (API, or API and tag), .sig, .att on %s", registry)
                    .isEqualTo(registry.referrersApi() ? 3 : 4);
        }
    }

    @Test
    void anIndexUnderACosignTagIsNotCosigns() {
        LocalRegistries.Registry registry = registries.any();
        Repository repo = registry.repository("custody/odd");
        TestContent.Pushed image = TestContent.image(client, repo, "v1", false, random, call());
        TestContent.index(client, repo, CosignTag.SIGNATURE.tagFor(image.digest()), List.of(image.descriptor()), call());
        assertThatThrownBy(() -> client.cosignArtifact(repo, image.digest(), CosignTag.SIGNATURE, call()))
                .isInstanceOfSatisfying(InvalidResponseException.class, e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.MALFORMED));
    }
}
