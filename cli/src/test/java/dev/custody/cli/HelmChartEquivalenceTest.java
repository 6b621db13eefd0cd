package dev.custody.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.databind.MappingIterator;
import dev.custody.install.InstallManifests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The Helm chart under deploy/helm/custody renders the same objects as {@code custody install}, checked with the
 * real helm CLI (scripts/tools/build-helm.sh builds it; scripts/test.sh sets CUSTODY_HELM). Generated TLS
 * material (Secret data, caBundle) differs by nature and is compared for presence only.
 */
class HelmChartEquivalenceTest {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    @ParameterizedTest(name = "certManager={0} webhookUrl={1} collectorStoreSecret={2}")
    @CsvSource({"false, '', ''", "true, https://127.0.0.1:8443/validate, ''", "false, '', custody-store"})
    void chartAndInstallRenderTheSameObjects(boolean certManager, String webhookUrl, String collectorStoreSecret,
                                             @org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        String helm = System.getenv("CUSTODY_HELM");
        assumeTrue(helm != null && Files.isExecutable(Path.of(helm)), "CUSTODY_HELM is not set; scripts/test.sh builds helm and sets it");
        Path root = CheckCommandTest.ROOT;
        String policy = Files.readString(root.resolve("examples/policies/production-images.yaml"));
        ObjectNode values = YAML.createObjectNode();
        values.putObject("namespace").put("create", true);
        values.putObject("tls").put("certManager", certManager);
        values.putObject("policies").put("production-images.yaml", policy);
        values.put("webhookUrl", webhookUrl);
        values.put("image", "registry.example.com/custody:0.1.0");
        values.put("replicas", 3);
        values.put("timeoutSeconds", 7);
        if (!collectorStoreSecret.isEmpty()) {
            values.putObject("collector").put("enabled", true).put("storeSecret", collectorStoreSecret).put("clusterName", "prod-eu");
            values.put("storeSecret", collectorStoreSecret); // the webhook replicas share the collector's store
        }
        Path valuesFile = tmp.resolve("values.yaml");
        YAML.writeValue(valuesFile.toFile(), values);
        Process p = new ProcessBuilder(helm, "template", "custody", root.resolve("deploy/helm/custody").toString(), "-n", "custody-system",
                "-f", valuesFile.toString()).redirectErrorStream(false).start();
        String rendered = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        assertThat(p.waitFor()).as(err).isZero();

        Map<String, JsonNode> fromHelm = new TreeMap<>();
        try (MappingIterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(rendered)) {
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && n.size() > 0) {
                    fromHelm.put(key(n), normalize(n.deepCopy()));
                }
            }
        }
        var pems = certManager ? null : dev.custody.server.SelfSigned.mint(List.of("custody.custody-system.svc"), List.of(), java.time.Duration.ofDays(1));
        var options = new InstallManifests.Options("custody-system", "registry.example.com/custody:0.1.0", 3, 7, certManager,
                pems == null ? null : pems.caCert(), pems == null ? null : pems.cert(), pems == null ? null : pems.key(),
                Map.of("production-images.yaml", policy), webhookUrl.isEmpty() ? null : webhookUrl,
                collectorStoreSecret.isEmpty() ? null : collectorStoreSecret, collectorStoreSecret.isEmpty() ? "in-cluster" : "prod-eu",
                collectorStoreSecret.isEmpty() ? null : collectorStoreSecret);
        Map<String, JsonNode> fromInstall = new TreeMap<>();
        for (ObjectNode o : InstallManifests.objects(options)) {
            // compare through YAML, as kubectl would read what custody install prints
            fromInstall.put(key(o), normalize(YAML.readTree(YAML.writeValueAsString(o))));
        }
        assertThat(fromHelm.keySet()).containsExactlyElementsOf(fromInstall.keySet());
        List<String> differences = new ArrayList<>();
        for (String k : fromInstall.keySet()) {
            if (!fromInstall.get(k).equals(fromHelm.get(k))) {
                differences.add(k + "\n  install: " + fromInstall.get(k) + "\n  helm:    " + fromHelm.get(k));
            }
        }
        assertThat(differences).isEmpty();
    }

    static String key(JsonNode n) {
        return n.path("kind").asText() + "/" + n.path("metadata").path("name").asText();
    }

    /** Generated TLS material differs run to run; only its presence is compared. */
    static JsonNode normalize(JsonNode n) {
        ObjectNode o = (ObjectNode) n;
        if (o.path("kind").asText().equals("Secret") && o.has("data")) {
            ObjectNode data = (ObjectNode) o.get("data");
            data.fieldNames().forEachRemaining(f -> { });
            List<String> names = new ArrayList<>();
            data.fieldNames().forEachRemaining(names::add);
            names.forEach(f -> data.put(f, data.get(f).asText().isEmpty() ? "" : "<present>"));
        }
        for (JsonNode w : o.path("webhooks")) {
            ObjectNode client = (ObjectNode) w.path("clientConfig");
            if (client.has("caBundle")) {
                client.put("caBundle", client.get("caBundle").asText().isEmpty() ? "" : "<present>");
            }
        }
        return o;
    }
}
