package dev.custody.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.files.InputFiles;
import dev.custody.files.PolicyFiles;
import dev.custody.install.InstallManifests;
import dev.custody.policy.InvalidPolicyException;
import dev.custody.policy.PolicyError;
import dev.custody.policy.PolicyParser;
import dev.custody.server.SelfSigned;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code custody install}: prints the manifests that install Custody (the same objects the Helm chart renders). */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Print the Kubernetes manifests that install Custody as a validating admission webhook:",
                "Namespace, ServiceAccount and least RBAC, policy ConfigMap, TLS (a minted Secret or cert-manager),",
                "Deployment (3 replicas, non-root, read-only root filesystem), Service, PodDisruptionBudget and",
                "the ValidatingWebhookConfiguration. Pipe to kubectl apply -f -."})
final class InstallCommand implements Callable<Integer> {

    @Option(names = {"-p", "--policy"}, required = true, paramLabel = "FILE|DIR", description = "Policies to ship in the ConfigMap (validated first).")
    List<String> policies;

    @Option(names = {"-n", "--namespace"}, defaultValue = "custody-system", description = "Namespace for Custody (default: ${DEFAULT-VALUE}).")
    String namespace;

    @Option(names = "--image", defaultValue = "custody:0.1.0", description = "Container image (default: ${DEFAULT-VALUE}).")
    String image;

    @Option(names = "--replicas", defaultValue = "3", description = "Webhook replicas (default: ${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--timeout-seconds", defaultValue = "5", description = "Webhook timeout (1-30, default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--cert-manager", description = "Provision TLS with cert-manager instead of minting a Secret now.")
    boolean certManager;

    @Option(names = "--webhook-url", paramLabel = "URL", description = "Have the API server call this URL (a webhook running outside the cluster).")
    String webhookUrl;

    @Option(names = "--tls-dir", paramLabel = "DIR", description = "Use ca.crt, tls.crt and tls.key from here instead of minting new ones.")
    Path tlsDir;

    @Option(names = "--only", paramLabel = "KIND", description = "Print only objects of these kinds (repeatable), e.g. ValidatingWebhookConfiguration.")
    List<String> only = new ArrayList<>();

    @Option(names = "--collector-store-secret", paramLabel = "SECRET",
            description = {"Also run a collector Deployment (custody collect in the cluster) writing the runtime inventory to the store",
                    "whose URL this Secret of the namespace holds under the key url (e.g. postgresql://user:pass@host/db)."})
    String collectorStoreSecret;

    @Option(names = "--store-secret", paramLabel = "SECRET",
            description = {"The webhook replicas share the store whose URL this Secret of the namespace holds under the key url: every",
                    "decision logged durably (spooled to /tmp while the store is down), the denylist and vulnerability evidence read from it."})
    String storeSecret;

    @Option(names = "--cluster-name", paramLabel = "NAME", defaultValue = "in-cluster",
            description = "The name the collector records this cluster under (default: ${DEFAULT-VALUE}).")
    String clusterName;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        if (timeoutSeconds < 1 || timeoutSeconds > 30) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--timeout-seconds must be between 1 and 30");
        }
        try {
            PolicyFiles.load(policies, new PolicyParser());
        } catch (InvalidPolicyException e) {
            for (PolicyError pe : e.errors()) {
                err.println("custody: policy error: " + pe.describe());
            }
            return ExitCodes.INPUT_ERROR;
        }
        Map<String, String> files = new LinkedHashMap<>();
        List<InputFiles.Problem> problems = new ArrayList<>(); // already reported by PolicyFiles.load
        for (Path p : InputFiles.expand(policies, problems)) {
            String key = p.getFileName().toString();
            files.put(files.containsKey(key) ? p.toString().replaceAll("[^A-Za-z0-9._-]", "_") : key, Files.readString(p));
        }
        String ca = null;
        String crt = null;
        String key = null;
        if (!certManager) {
            if (tlsDir != null) {
                ca = Files.readString(tlsDir.resolve("ca.crt"));
                crt = Files.readString(tlsDir.resolve("tls.crt"));
                key = Files.readString(tlsDir.resolve("tls.key"));
            } else {
                List<String> dns = List.of(InstallManifests.APP + "." + namespace + ".svc",
                        InstallManifests.APP + "." + namespace + ".svc.cluster.local");
                SelfSigned.Pems pems = SelfSigned.mint(dns, List.of(), Duration.ofDays(825));
                ca = pems.caCert();
                crt = pems.cert();
                key = pems.key();
            }
        }
        var options = new InstallManifests.Options(namespace, image, replicas, timeoutSeconds, certManager, ca, crt, key, files, webhookUrl,
                collectorStoreSecret, clusterName, storeSecret);
        ObjectMapper yaml = new ObjectMapper(YAMLFactory.builder().disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES).enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE).build());
        PrintWriter out = spec.commandLine().getOut();
        boolean first = true;
        for (ObjectNode o : InstallManifests.objects(options)) {
            if (!only.isEmpty() && !only.contains(o.path("kind").asText())) {
                continue;
            }
            if (!first) {
                out.println("---");
            }
            first = false;
            out.print(yaml.writeValueAsString(o));
        }
        out.flush();
        return ExitCodes.OK;
    }
}
