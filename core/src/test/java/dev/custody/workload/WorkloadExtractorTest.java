package dev.custody.workload;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.custody.TestPaths;
import dev.custody.manifest.Document;
import dev.custody.manifest.ManifestReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class WorkloadExtractorTest {

    final ManifestReader reader = new ManifestReader();

    /** The Kubernetes API round-trip fixtures set every field, so every container list of every kind is present. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(textBlock = """
            core.v1.Pod.json,                    Pod,                   spec
            core.v1.PodTemplate.json,            PodTemplate,           template.spec
            core.v1.ReplicationController.json,  ReplicationController, spec.template.spec
            apps.v1.Deployment.json,             Deployment,            spec.template.spec
            apps.v1.ReplicaSet.json,             ReplicaSet,            spec.template.spec
            apps.v1.StatefulSet.json,            StatefulSet,           spec.template.spec
            apps.v1.DaemonSet.json,              DaemonSet,             spec.template.spec
            batch.v1.Job.json,                   Job,                   spec.template.spec
            batch.v1.CronJob.json,               CronJob,               spec.jobTemplate.spec.template.spec
            """)
    void extractsEveryContainerListOfEveryKind(String file, String kind, String specPath) throws Exception {
        Path p = TestPaths.corpora().resolve("admission-review/k8s-api-roundtrip-fixtures").resolve(file);
        List<Document> docs = reader.read(file, Files.readString(p));
        Extraction x = WorkloadExtractor.extract(docs);
        assertThat(x.problems()).isEmpty();
        assertThat(x.workloads()).hasSize(1);
        Workload w = x.workloads().get(0);
        assertThat(w.kind().kind()).isEqualTo(kind);
        assertThat(w.containers()).extracting(c -> c.imagePath().toString()).containsExactly(
                specPath + ".containers[0].image",
                specPath + ".initContainers[0].image",
                specPath + ".ephemeralContainers[0].image");
        assertThat(w.containers()).extracting(Container::image).containsOnly("imageValue");
        assertThat(w.containers()).extracting(Container::list)
                .containsExactly(ContainerList.CONTAINERS, ContainerList.INIT_CONTAINERS, ContainerList.EPHEMERAL_CONTAINERS);
        assertThat(w.podSpecPath().toString()).isEqualTo(specPath);
    }

    @Test
    void extractsListKindsMultiDocumentAndReportsSkippedKinds() {
        String yaml = """
                apiVersion: v1
                kind: List
                items:
                  - apiVersion: v1
                    kind: Pod
                    metadata: {name: p1, namespace: a}
                    spec:
                      containers: [{name: c, image: "nginx:1"}]
                  - apiVersion: v1
                    kind: ConfigMap
                    metadata: {name: cm}
                ---
                apiVersion: apps/v1
                kind: DeploymentList
                items:
                  - apiVersion: apps/v1
                    kind: Deployment
                    metadata: {name: d1}
                    spec:
                      template:
                        spec:
                          initContainers: [{name: i, image: busybox}]
                          containers: [{name: c, image: "nginx@sha256:ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"}]
                ---
                apiVersion: v1
                kind: Namespace
                metadata:
                  name: a
                  labels: {tier: production}
                ---
                apiVersion: example.com/v1
                kind: Rollout
                metadata: {name: r}
                """;
        Extraction x = WorkloadExtractor.extract(reader.read("l.yaml", yaml));
        assertThat(x.problems()).isEmpty();
        assertThat(x.workloads()).extracting(Workload::displayName).containsExactly("Pod/a/p1", "Deployment/d1");
        assertThat(x.workloads().get(0).containers().get(0).imagePath().toString()).isEqualTo("items[0].spec.containers[0].image");
        assertThat(x.workloads().get(1).containers()).extracting(c -> c.imagePath().toString())
                .containsExactly("items[0].spec.template.spec.containers[0].image", "items[0].spec.template.spec.initContainers[0].image");
        assertThat(x.skipped()).extracting(Skipped::kind).containsExactly("ConfigMap", "Namespace", "Rollout");
        assertThat(x.skipped().get(2).reason()).contains("holds no pod template");
        assertThat(x.namespaces()).singleElement().satisfies(ns -> assertThat(ns.labels()).containsEntry("tier", "production"));
        assertThat(x.workloads().get(0).document().locate(x.workloads().get(0).containers().get(0).imagePath()).line()).isEqualTo(8);
    }

    @Test
    void cronJobTemplateAndEphemeralContainersAreFound() {
        String yaml = """
                apiVersion: batch/v1
                kind: CronJob
                metadata: {name: cj, namespace: n}
                spec:
                  schedule: "* * * * *"
                  jobTemplate:
                    spec:
                      template:
                        metadata: {labels: {app: x}}
                        spec:
                          containers: [{name: a, image: "busybox:1.36"}]
                          ephemeralContainers: [{name: debug, image: "busybox"}]
                """;
        Workload w = WorkloadExtractor.extract(reader.read("cj.yaml", yaml)).workloads().get(0);
        assertThat(w.podLabels()).containsEntry("app", "x");
        assertThat(w.containers()).extracting(c -> c.imagePath().toString()).containsExactly(
                "spec.jobTemplate.spec.template.spec.containers[0].image",
                "spec.jobTemplate.spec.template.spec.ephemeralContainers[0].image");
    }

    @Test
    void malformedObjectsAreProblemsWithLines() {
        String yaml = """
                kind: Pod
                metadata: {name: noapi}
                ---
                apiVersion: v1
                metadata: {name: nokind}
                ---
                - just
                - a list
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: badlist}
                spec:
                  containers: {name: c}
                ---
                apiVersion: v1
                kind: Pod
                metadata: {name: numimage}
                spec:
                  containers: [{name: c, image: 42}]
                """;
        Extraction x = WorkloadExtractor.extract(reader.read("bad.yaml", yaml));
        assertThat(x.problems()).extracting(Extraction.Problem::message).containsExactly(
                "Pod has no apiVersion", "object has no kind",
                "expected a Kubernetes object (a mapping with apiVersion and kind), found a list",
                "containers must be a list, found a mapping");
        assertThat(x.problems()).extracting(pr -> pr.position().line()).containsExactly(1, 4, 7, 14);
        // a non-string image is a workload whose reference is invalid, so rules can report it
        Container c = x.workloads().get(0).containers().get(0);
        assertThat(c.imageRef()).isInstanceOf(dev.custody.imageref.ImageReference.ParseResult.Invalid.class);
    }

    /** Connaisseur's AdmissionReviews name the images their workloads carry; the objects inside must extract to them. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            01_deployment.json          | Deployment            | securesystemsengineering/alice-image:test
            02_pod.json                 | Pod                   | securesystemsengineering/charlie-image@sha256:91ac9b26df583762234c1cdb2fc930364754ccc59bc752a2bfe298d2ea68f9ff
            04_cronjob.json             | CronJob               | busybox
            06_daemonset.json           | DaemonSet             | quay.io/fluentd_elasticsearch/fluentd:v2.5.2
            07_statefulset.json         | StatefulSet           | registry.k8s.io/nginx-slim:0.8
            """)
    void connaisseurReviewObjectsExtractTheirImages(String file, String kind, String image) throws Exception {
        Path p = TestPaths.corpora().resolve("admission-review/connaisseur/test/testdata/admission_requests").resolve(file);
        JsonNode review = new ObjectMapper().readTree(Files.readString(p));
        JsonNode object = review.path("request").path("object");
        Workload w = WorkloadExtractor.extractObject(Document.of(file, object), WorkloadKind.of(kind).orElseThrow(), object).orElseThrow();
        assertThat(w.containers()).extracting(Container::image).contains(image);
    }
}
