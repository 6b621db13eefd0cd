package dev.custody.cli;

import dev.custody.engine.Engine;
import dev.custody.files.InputFiles;
import dev.custody.manifest.Document;
import dev.custody.manifest.InputLimits;
import dev.custody.manifest.ManifestException;
import dev.custody.manifest.ManifestReader;
import dev.custody.workload.Extraction;
import dev.custody.workload.WorkloadExtractor;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The pipeline behind {@code custody check}: read inputs, extract workloads, learn namespace labels, evaluate
 * with the shared engine. Files are parsed in parallel; results keep input order.
 */
final class CheckRun {

    private final Engine engine;
    private final InputLimits limits;
    private final String defaultNamespace;
    private final Map<String, String> flagLabels;

    private dev.custody.vuln.gate.VulnEvidence vulns;

    /** The vulnerability gate reads this stored evidence (without it, the gate reports not checked). */
    CheckRun judgingVulnerabilities(dev.custody.vuln.gate.VulnEvidence vulns) {
        this.vulns = vulns;
        return this;
    }

    CheckRun(Engine engine, InputLimits limits, String defaultNamespace, Map<String, String> flagLabels) {
        this.engine = engine;
        this.limits = limits;
        this.defaultNamespace = defaultNamespace;
        this.flagLabels = flagLabels;
    }

    private record FileResult(Extraction extraction, String problem) {}

    CheckReport run(List<String> args, InputStream stdin) {
        List<InputFiles.Problem> unusable = new ArrayList<>();
        List<Path> paths = InputFiles.expand(args, unusable);
        List<String> problems = new ArrayList<>(unusable.stream().map(InputFiles.Problem::describe).toList());
        ManifestReader reader = new ManifestReader(limits);
        List<FileResult> files = paths.parallelStream().map(p -> {
            try {
                InputFiles.Input in = InputFiles.read(p, limits.maxBytes(), stdin);
                List<Document> docs = reader.read(in.name(), in.text());
                if (docs.stream().allMatch(d -> d.root() == null || d.root().isNull())) {
                    return new FileResult(null, in.name() + ": no Kubernetes objects in this input (empty file?)");
                }
                return new FileResult(WorkloadExtractor.extract(docs), null);
            } catch (InputFiles.InputException e) {
                return new FileResult(null, e.getMessage());
            } catch (ManifestException e) {
                return new FileResult(null, e.describe());
            }
        }).toList();

        Map<String, Map<String, String>> namespaceLabels = new HashMap<>();
        List<CheckReport.Entry> entries = new ArrayList<>();
        List<dev.custody.workload.Workload> workloads = new ArrayList<>();
        for (FileResult f : files) {
            if (f.problem() != null) {
                problems.add(f.problem());
                continue;
            }
            Extraction x = f.extraction();
            x.problems().forEach(pr -> problems.add(pr.describe()));
            x.namespaces().forEach(ns -> namespaceLabels.put(ns.name(), ns.labels()));
            workloads.addAll(x.workloads());
        }
        List<CheckReport.Entry> decided = workloads.parallelStream()
                .map(w -> (CheckReport.Entry) new CheckReport.Decided(engine.evaluate(w, defaultNamespace, labelsFor(
                        w.namespace() != null ? w.namespace() : defaultNamespace != null ? defaultNamespace : "default", namespaceLabels),
                        null, null, null, vulns, null)))
                .toList();
        // merge decisions and skipped objects back into input order
        int wi = 0;
        for (FileResult f : files) {
            if (f.extraction() == null) {
                continue;
            }
            List<CheckReport.Entry> fileEntries = new ArrayList<>();
            for (int i = 0; i < f.extraction().workloads().size(); i++) {
                fileEntries.add(decided.get(wi++));
            }
            f.extraction().skipped().forEach(s -> fileEntries.add(new CheckReport.Ignored(s)));
            fileEntries.sort(java.util.Comparator.comparingInt(CheckReport.Entry::documentIndex));
            entries.addAll(fileEntries);
        }
        return new CheckReport(engine.policies().version(), entries, problems);
    }

    private Map<String, String> labelsFor(String namespace, Map<String, Map<String, String>> fromInput) {
        Map<String, String> base = fromInput.get(namespace);
        boolean flagsApply = defaultNamespace != null ? defaultNamespace.equals(namespace) : base == null;
        if (!flagsApply || flagLabels.isEmpty()) {
            return base != null ? base : Map.of();
        }
        Map<String, String> merged = new LinkedHashMap<>(base != null ? base : Map.of());
        merged.putAll(flagLabels);
        return merged;
    }
}
