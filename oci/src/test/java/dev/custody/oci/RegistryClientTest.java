package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.custody.imageref.Digest;
import dev.custody.imageref.ImageReference;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Manifests, indexes, tags and blobs against the real registries on loopback, and the failures a caller must tell apart. */
@ExtendWith(LocalRegistries.Extension.class)
class RegistryClientTest {

    static RegistryClient client;
    static LocalRegistries registries;
    final Random random = new Random(1128);

    @BeforeAll
    static void setUp(LocalRegistries r) {
        registries = r;
        client = RegistryClient.builder().retryPolicy(new RetryPolicy(3, Duration.ofMillis(20), Duration.ofMillis(100))).build();
    }

    @AfterAll
    static void tearDown() {
        client.close();
    }

    static Call call() {
        return Call.within(Duration.ofSeconds(20));
    }

    @Test
    void tagResolvesByHeadAndManifestsAndBlobsComeBackDigestChecked() {
        for (LocalRegistries.Registry registry : registries.all()) {
            Repository repo = registry.repository("custody/app");
            TestContent.Pushed pushed = TestContent.image(client, repo, "v1", false, random, call());
            ImageReference tagged = repo.tagged("v1");

            Call resolve = call();
            assertThat(client.resolve(tagged, resolve)).as("%s", registry).isEqualTo(pushed.digest());
            assertThat(resolve.requests()).as("one HEAD on %s", registry).isEqualTo(1);

            Descriptor head = client.head(tagged, call());
            assertThat(head.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(head.size()).isEqualTo(pushed.bytes().length);

            Call fetch = call();
            RemoteManifest byTag = client.manifest(tagged, fetch);
            assertThat(fetch.requests()).isEqualTo(1);
            assertThat(byTag.digest()).isEqualTo(pushed.digest());
            assertThat(byTag.bytes()).isEqualTo(pushed.bytes());
            ImageManifest m = byTag.imageManifest();
            assertThat(m.layers()).hasSize(1);
            assertThat(m.annotations()).containsEntry("org.opencontainers.image.title", "v1");
            assertThat(m.subject()).isNull();

            RemoteManifest byDigest = client.manifest(repo.at(pushed.digest()), call());
            assertThat(byDigest).isEqualTo(byTag);
            assertThat(client.resolve(repo.at(pushed.digest()), call())).isEqualTo(pushed.digest());

            Descriptor layer = m.layers().getFirst();
            byte[] blob = client.blob(repo, layer, RegistryClient.DEFAULT_MAX_BLOB_BYTES, call());
            assertThat(TestContent.sha256(blob)).isEqualTo(layer.digest());
            assertThat(client.blob(repo, m.config().digest(), call())).hasSize((int) m.config().size());
        }
    }

    @Test
    void dockerManifestsAndIndexesWithPlatforms() {
        for (LocalRegistries.Registry registry : registries.all()) {
            Repository repo = registry.repository("custody/multi");
            TestContent.Pushed amd64 = TestContent.image(client, repo, "amd64", true, random, call());
            TestContent.Pushed arm64 = TestContent.image(client, repo, "arm64", false, random, call());
            Descriptor a = new Descriptor(amd64.mediaType(), amd64.digest(), amd64.bytes().length, null, Map.of(),
                    new Platform("linux", "amd64", null, null, null), null);
            Descriptor b = new Descriptor(arm64.mediaType(), arm64.digest(), arm64.bytes().length, null, Map.of(),
                    new Platform("linux", "arm64", "v8", null, null), null);
            TestContent.Pushed index = TestContent.index(client, repo, "latest", List.of(a, b), call());

            RemoteManifest fetched = client.manifest(ImageReference.parse(repo.toString()), call());
            assertThat(fetched.digest()).as("%s: no tag means latest", registry).isEqualTo(index.digest());
            ImageIndex parsed = fetched.index();
            assertThat(parsed.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
            assertThat(parsed.manifests()).extracting(d -> d.platform().toString()).containsExactly("linux/amd64", "linux/arm64/v8");
            assertThat(parsed.manifests()).extracting(Descriptor::digest).containsExactly(amd64.digest(), arm64.digest());

            RemoteManifest docker = client.manifest(repo, amd64.digest(), call());
            assertThat(docker.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
            assertThat(docker.imageManifest().config().mediaType()).isEqualTo("application/vnd.docker.container.image.v1+json");
            assertThatThrownBy(docker::index).isInstanceOfSatisfying(InvalidResponseException.class,
                    e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.MALFORMED));
        }
    }

    @Test
    void craneReadsWhatTheClientPushedAndTheClientReadsWhatCranePushed() throws Exception {
        assumeTrue(registries.craneAvailable(), "crane is not built at " + LocalRegistries.CRANE);
        LocalRegistries.Registry registry = registries.any();
        Repository repo = registry.repository("custody/interop");
        TestContent.Pushed pushed = TestContent.image(client, repo, "ours", false, random, call());
        assertThat(crane("digest", repo + ":ours").strip()).isEqualTo(pushed.digest().toString());
        assertThat(crane("manifest", repo + ":ours").strip()).isEqualTo(new String(pushed.bytes(), StandardCharsets.UTF_8));

        Path dir = Files.createTempDirectory("custody-oci-crane");
        try {
            Path file = dir.resolve("hello.txt");
            Files.writeString(file, "hello from crane\n");
            Path tar = dir.resolve("layer.tar");
            Process p = new ProcessBuilder("tar", "-C", dir.toString(), "-cf", tar.toString(), "hello.txt").start();
            assertThat(p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0).isTrue();
            crane("append", "-f", tar.toString(), "-t", repo + ":theirs");
            Digest theirs = Digest.parse(crane("digest", repo + ":theirs").strip());
            assertThat(client.resolve(repo.tagged("theirs"), call())).isEqualTo(theirs);
            RemoteManifest m = client.manifest(repo.at(theirs), call());
            assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_MANIFEST);
            Descriptor layer = m.imageManifest().layers().getFirst();
            assertThat(client.blob(repo, layer, 1 << 20, call())).hasSize((int) layer.size());
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    @Test
    void blobsOverTheLimitAreRefused() {
        LocalRegistries.Registry registry = registries.any();
        Repository repo = registry.repository("custody/big");
        Descriptor big = client.pushBlob(repo, TestContent.random(random, 64 * 1024), MediaTypes.OCTET_STREAM, call());

        Call call = call();
        assertThatThrownBy(() -> client.blob(repo, big.digest(), 1024, call)).isInstanceOfSatisfying(InvalidResponseException.class,
                e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.TOO_LARGE));
        assertThat(call.retries()).as("a body over its limit is not retried").isZero();

        Call none = call();
        assertThatThrownBy(() -> client.blob(repo, big, 1024, none)).isInstanceOfSatisfying(InvalidResponseException.class,
                e -> assertThat(e.reason()).isEqualTo(InvalidResponseException.Reason.TOO_LARGE));
        assertThat(none.requests()).as("refused by its descriptor, without a request").isZero();

        Descriptor lying = Descriptor.of(big.mediaType(), big.digest(), 1000);
        assertThatThrownBy(() -> client.blob(repo, lying, 1 << 20, call())).isInstanceOf(InvalidResponseException.class);
        assertThat(client.blob(repo, big.digest(), 64 * 1024, call())).hasSize(64 * 1024);
    }

    @Test
    void missingContentIsNotFound() {
        for (LocalRegistries.Registry registry : registries.all()) {
            Repository repo = registry.repository("custody/present");
            TestContent.image(client, repo, "v1", false, random, call());
            Digest absent = TestContent.sha256("absent".getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> client.manifest(repo.tagged("nope"), call())).as("%s", registry)
                    .isInstanceOfSatisfying(NotFoundException.class, e -> assertThat(e.code()).isEqualTo("MANIFEST_UNKNOWN"));
            assertThatThrownBy(() -> client.manifest(repo, absent, call())).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> client.resolve(repo.tagged("nope"), call())).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> client.blob(repo, absent, call())).isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> client.manifest(registry.repository("custody/never-pushed").tagged("v1"), call()))
                    .isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void aClosedPortIsUnavailableNotAbsent() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Repository repo = new Repository("127.0.0.1:" + port, "custody/app");
        Call call = call();
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), call)).isInstanceOfSatisfying(RegistryUnavailableException.class, e -> {
            assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.CONNECTION);
            assertThat(e.attempts()).isEqualTo(3);
            assertThat(e.isTransient()).isTrue();
        });
        assertThat(call.requests()).isEqualTo(3);
        assertThat(call.retries()).isEqualTo(2);
    }

    @Test
    void anExpiredCallSendsNothing() {
        Repository repo = registries.any().repository("custody/app");
        Call expired = Call.within(Duration.ZERO);
        assertThatThrownBy(() -> client.manifest(repo.tagged("v1"), expired)).isInstanceOfSatisfying(RegistryUnavailableException.class,
                e -> assertThat(e.reason()).isEqualTo(RegistryUnavailableException.Reason.DEADLINE_EXCEEDED));
        assertThat(expired.requests()).isZero();
    }

    @Test
    void pushRefusesWhatItCouldNotReadBack() {
        Repository repo = registries.any().repository("custody/app");
        assertThatThrownBy(() -> client.pushManifest(repo, "bad", MediaTypes.OCI_MANIFEST, "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8), call()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> client.pushManifest(repo, "bad tag", MediaTypes.OCI_MANIFEST, new byte[0], call()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    static String crane(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(LocalRegistries.CRANE.toString()));
        command.addAll(List.of(args));
        command.add("--insecure");
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("crane %s: %s", String.join(" ", args), err).isZero();
        return out;
    }
}
