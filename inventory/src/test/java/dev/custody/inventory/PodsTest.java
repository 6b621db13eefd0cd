package dev.custody.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import org.junit.jupiter.api.Test;

class PodsTest {

    static final String D = "sha256:" + "a".repeat(64);
    static final String E = "sha256:" + "b".repeat(64);

    @Test
    void theDigestComesFromEveryRuntimesSpellingOfAnImageId() {
        assertThat(ImageIds.digest("docker.io/library/nginx@" + D)).isEqualTo(D);
        assertThat(ImageIds.digest("docker-pullable://nginx@" + D)).isEqualTo(D);
        assertThat(ImageIds.digest("quay.io/x/y:1@" + D)).isEqualTo(D);
        assertThat(ImageIds.digest(D)).as("a bare id is the config id, not a manifest digest").isNull();
        assertThat(ImageIds.digest("docker://" + D)).isNull();
        assertThat(ImageIds.digest("")).isNull();
        assertThat(ImageIds.digest(null)).isNull();
        assertThat(ImageIds.digest("x@sha256:ABC")).isNull();
    }

    static Owners.Ref ref(String kind, String name) {
        return new Owners.Ref(kind, name, true);
    }

    Pod pod() {
        return Serialization.unmarshal("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"api-7f9-x","namespace":"shop","uid":"u1",
                  "creationTimestamp":"2026-12-01T10:00:00Z","managedFields":[{"manager":"kubectl"}],
                  "ownerReferences":[{"apiVersion":"apps/v1","kind":"ReplicaSet","name":"api-7f9","uid":"rs","controller":true}]},
                 "spec":{"nodeName":"node-1","serviceAccountName":"api",
                  "initContainers":[{"name":"migrate","image":"registry.example/tools@%1$s"}],
                  "containers":[{"name":"app","image":"registry.example/shop/api:v2"},{"name":"side","image":"registry.example/side@%1$s"}],
                  "ephemeralContainers":[{"name":"debug","image":"busybox"}]},
                 "status":{"phase":"Running",
                  "initContainerStatuses":[{"name":"migrate","image":"x","imageID":"registry.example/tools@%1$s","ready":false,"restartCount":0,
                     "state":{"terminated":{"exitCode":0,"startedAt":"2026-12-01T10:00:01Z","finishedAt":"2026-12-01T10:00:05Z"}}}],
                  "containerStatuses":[{"name":"app","image":"x","imageID":"registry.example/shop/api@%2$s","ready":true,"restartCount":2,
                     "state":{"running":{"startedAt":"2026-12-01T10:00:06Z"}}},
                    {"name":"side","image":"x","imageID":"registry.example/side@%2$s","ready":true,"restartCount":0,
                     "state":{"running":{"startedAt":"2026-12-01T10:00:06Z"}}}]}}
                """.formatted(D, E), Pod.class);
    }

    @Test
    void aPodResolvesToItsDeploymentAndRecordsEveryContainer() {
        Owners owners = (kind, ns, name) -> kind.equals("ReplicaSet") && ns.equals("shop") && name.equals("api-7f9")
                ? List.of(ref("Deployment", "api")) : null;
        var o = Pods.observe("east", pod(), owners);
        assertThat(o.workload().kind()).isEqualTo("Deployment");
        assertThat(o.workload().name()).isEqualTo("api");
        assertThat(o.ownerChain()).isEqualTo("Deployment/api > ReplicaSet/api-7f9 > Pod/api-7f9-x");
        assertThat(o.serviceAccount()).isEqualTo("api");
        assertThat(o.node()).isEqualTo("node-1");
        assertThat(o.createdAt()).isEqualTo(java.time.Instant.parse("2026-12-01T10:00:00Z").toEpochMilli());
        assertThat(o.containers()).extracting(c -> c.name() + ":" + c.list() + ":" + c.running())
                .containsExactly("migrate:initContainers:false", "app:containers:true", "side:containers:true", "debug:ephemeralContainers:false");
        var app = o.containers().get(1);
        assertThat(app.declaredDigest()).isNull();
        assertThat(app.digest()).isEqualTo(E);
        assertThat(app.restarts()).isEqualTo(2);
        var side = o.containers().get(2);
        assertThat(side.declaredDigest()).isEqualTo(D);
        assertThat(side.digest()).as("runs another digest than it pins").isEqualTo(E);
        var init = o.containers().getFirst();
        assertThat(init.stoppedAt()).isEqualTo(java.time.Instant.parse("2026-12-01T10:00:05Z").toEpochMilli());
        assertThat(o.containers().get(3).imageId()).isNull();
        assertThat(o.object()).contains("\"kind\":\"Pod\"").contains("registry.example/shop/api:v2").doesNotContain("managedFields")
                .doesNotContain("containerStatuses");
    }

    @Test
    void anUnknownOwnerEndsTheChainAtTheDirectOwnerAndABarePodIsItsOwnWorkload() {
        var o = Pods.observe("east", pod(), Owners.NONE);
        assertThat(o.workload().kind()).isEqualTo("ReplicaSet");
        Pod bare = pod();
        bare.getMetadata().setOwnerReferences(null);
        bare.getSpec().setServiceAccountName(null);
        var b = Pods.observe("east", bare, Owners.NONE);
        assertThat(b.workload().kind()).isEqualTo("Pod");
        assertThat(b.workload().name()).isEqualTo("api-7f9-x");
        assertThat(b.serviceAccount()).isEqualTo("default");
    }

    @Test
    void aCycleOfOwnersInHostileDataEnds() {
        Owners loop = (kind, ns, name) -> List.of(ref("ReplicaSet", "api-7f9"));
        var o = Pods.observe("east", pod(), loop);
        assertThat(o.ownerChain().split(" > ")).hasSizeLessThanOrEqualTo(8);
    }

    @Test
    void aFinishedPodRunsNothing() {
        Pod done = pod();
        done.getStatus().setPhase("Succeeded");
        assertThat(Pods.observe("east", done, Owners.NONE).containers()).noneMatch(c -> c.running());
    }

    @Test
    void aPodReadOffTheWireAndATypedPodGiveTheSameObservation() throws Exception {
        Owners owners = (kind, ns, name) -> kind.equals("ReplicaSet") ? List.of(ref("Deployment", "api")) : null;
        var typed = Pods.observe("east", pod(), owners);
        var wire = Pods.observe("east", new com.fasterxml.jackson.databind.ObjectMapper().readTree(Serialization.asJson(pod())), owners);
        assertThat(wire).isEqualTo(typed);
    }

    @Test
    void aListIsReadItemByItemWithItsContinueToken() throws Exception {
        String list = """
                {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"7","continue":"abc=="},
                 "items":[{"metadata":{"name":"a","namespace":"x","uid":"1"},"spec":{"containers":[{"name":"c","image":"i"}]}},
                          {"metadata":{"name":"b","namespace":"x","uid":"2"}}],"extra":{"nested":[1,2,{"x":[]}]}}
                """;
        List<String> names = new java.util.ArrayList<>();
        String cont = ApiLists.read(new java.io.ByteArrayInputStream(list.getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                n -> names.add(n.path("metadata").path("name").asText()));
        assertThat(cont).isEqualTo("abc==");
        assertThat(names).containsExactly("a", "b");
        assertThat(ApiLists.read(new java.io.ByteArrayInputStream("{\"items\":[]}".getBytes()), n -> {})).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ApiLists.read(new java.io.ByteArrayInputStream("{\"items\":[1]}".getBytes()), n -> {}))
                .isInstanceOf(java.io.IOException.class).hasMessageContaining("not an object");
    }
}
