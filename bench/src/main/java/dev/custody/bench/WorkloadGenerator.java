package dev.custody.bench;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes N generated workloads (mixed pod-bearing kinds, 1-5 containers each, a mix of admitted and denied
 * images across production, staging and dev namespaces) as multi-document YAML, plus the Namespace objects
 * that map namespaces to tiers. Deterministic for a given seed.
 *
 * <p>Usage: {@code WorkloadGenerator OUT_DIR [COUNT] [FILES]}
 */
public final class WorkloadGenerator {

    static final String[] KINDS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "ReplicationController"};
    static final String[] NAMESPACES = {"payments", "checkout", "staging", "sandbox"};
    static final String[] TIERS = {"production", "production", "staging", "dev"};
    static final String[] IMAGES = {
        "registry.example.com/team/api:%d.%d.%d",
        "registry.example.com/team/worker@sha256:%s",
        "ghcr.io/acme/tool:%d.%d@sha256:%s",
        "nginx:1.%d",
        "quay.io/vendor/agent:%d.%d",
        "registry.example.com/team/batch",
        "registry.k8s.io/pause:3.%d",
        "docker.io/library/redis:7.%d@sha256:%s",
    };

    private WorkloadGenerator() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "bench/results/tmp/workloads");
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
        int files = args.length > 2 ? Integer.parseInt(args[2]) : 20;
        generate(out, count, files, 42);
        System.out.println("wrote " + count + " workloads in " + files + " files to " + out);
    }

    public static void generate(Path dir, int count, int files, long seed) throws IOException {
        Files.createDirectories(dir);
        Random rnd = new Random(seed);
        try (Writer w = Files.newBufferedWriter(dir.resolve("00-namespaces.yaml"))) {
            for (int i = 0; i < NAMESPACES.length; i++) {
                w.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + NAMESPACES[i]
                        + "\n  labels:\n    custody.dev/tier: " + TIERS[i] + "\n---\n");
            }
        }
        int perFile = (count + files - 1) / files;
        int written = 0;
        for (int f = 0; f < files && written < count; f++) {
            try (Writer w = Files.newBufferedWriter(dir.resolve(String.format("workloads-%03d.yaml", f + 1)))) {
                for (int i = 0; i < perFile && written < count; i++, written++) {
                    w.write(workload(rnd, written));
                    w.write("---\n");
                }
            }
        }
    }

    public static String generateText(int count, long seed) {
        Random rnd = new Random(seed);
        StringBuilder sb = new StringBuilder(count * 700);
        for (int i = 0; i < count; i++) {
            sb.append(workload(rnd, i)).append("---\n");
        }
        return sb.toString();
    }

    static String workload(Random rnd, int n) {
        String kind = KINDS[rnd.nextInt(KINDS.length)];
        String ns = NAMESPACES[rnd.nextInt(NAMESPACES.length)];
        int containers = 1 + rnd.nextInt(5);
        String indent;
        StringBuilder sb = new StringBuilder(800);
        String api = switch (kind) {
            case "Pod", "ReplicationController" -> "v1";
            case "Job", "CronJob" -> "batch/v1";
            default -> "apps/v1";
        };
        sb.append("apiVersion: ").append(api).append("\nkind: ").append(kind).append("\nmetadata:\n  name: w")
                .append(n).append("\n  namespace: ").append(ns).append("\n  labels:\n    app: w").append(n).append('\n');
        switch (kind) {
            case "Pod" -> {
                sb.append("spec:\n");
                indent = "  ";
            }
            case "CronJob" -> {
                sb.append("spec:\n  schedule: \"*/5 * * * *\"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n"
                        + "          labels:\n            app: w").append(n).append("\n        spec:\n          restartPolicy: OnFailure\n");
                indent = "          ";
            }
            default -> {
                sb.append("spec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: w").append(n)
                        .append("\n  template:\n    metadata:\n      labels:\n        app: w").append(n).append("\n    spec:\n");
                indent = "      ";
            }
        }
        if (rnd.nextInt(4) == 0) {
            sb.append(indent).append("initContainers:\n");
            container(sb, indent, rnd, "init");
        }
        sb.append(indent).append("containers:\n");
        for (int c = 0; c < containers; c++) {
            container(sb, indent, rnd, "c" + c);
        }
        return sb.toString();
    }

    private static void container(StringBuilder sb, String indent, Random rnd, String name) {
        String template = IMAGES[rnd.nextInt(IMAGES.length)];
        String digest = hex(rnd);
        String image = switch (template.chars().filter(ch -> ch == '%').count() > 0 ? (int) template.chars().filter(ch -> ch == '%').count() : 0) {
            case 1 -> template.contains("%s") ? String.format(template, digest) : String.format(template, rnd.nextInt(30));
            case 2 -> template.contains("%s") ? String.format(template, rnd.nextInt(9), digest) : String.format(template, rnd.nextInt(9), rnd.nextInt(9));
            case 3 -> template.contains("%s") ? String.format(template, rnd.nextInt(9), rnd.nextInt(9), digest)
                    : String.format(template, rnd.nextInt(9), rnd.nextInt(9), rnd.nextInt(9));
            default -> template;
        };
        sb.append(indent).append("  - name: ").append(name).append('\n')
                .append(indent).append("    image: ").append(image).append('\n')
                .append(indent).append("    ports:\n").append(indent).append("      - containerPort: 8080\n")
                .append(indent).append("    resources:\n").append(indent).append("      limits: {cpu: 500m, memory: 256Mi}\n");
    }

    private static String hex(Random rnd) {
        StringBuilder h = new StringBuilder(64);
        for (int i = 0; i < 64; i++) {
            h.append(Character.forDigit(rnd.nextInt(16), 16));
        }
        return h.toString();
    }
}
