package dev.custody.verify.intoto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Facts read from real provenance, as the documents state them. */
class ProvenanceFactsTest {

    @Test
    void npmProvenanceV02FromSigstoreJs() throws Exception {
        Statement s = Statement.parse(Corpus.read("sigstore", "sigstore-go/examples/statement-provenance-sigstorejs1.3.0.json"), "sigstore-js");
        assertThat(s.type()).isEqualTo(Statement.TYPE_V0_1);
        assertThat(s.matchesSubject("sha512:76176ffa33808b54602c7c35de5c6e9a4deb96066dba6533f50ac234f4f1f4c6"
                + "b3527515dc17c06fbe2860030f410eee69ea20079bd3a2c6f3dcf3b329b10751")).isTrue();
        ProvenanceFacts f = ProvenanceFacts.from(s);
        assertThat(f.predicateType()).isEqualTo(SlsaProvenance.V0_2);
        assertThat(f.builderId()).isEqualTo("https://github.com/actions/runner");
        assertThat(f.buildType()).isEqualTo("https://github.com/npm/cli/gha/v2");
        assertThat(f.sourceRepository()).isEqualTo("https://github.com/sigstore/sigstore-js");
        assertThat(f.sourceRef()).isEqualTo("refs/heads/main");
        assertThat(f.sourceCommit()).isEqualTo("dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1");
        assertThat(f.workflowPath()).isEqualTo(".github/workflows/release.yml");
        assertThat(f.trigger()).isEqualTo("push");
        assertThat(f.materials()).singleElement().satisfies(m -> {
            assertThat(m.uri()).isEqualTo("git+https://github.com/sigstore/sigstore-js@refs/heads/main");
            assertThat(m.digest("sha1")).isEqualTo("dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1");
        });
    }

    @Test
    void npmProvenanceInsideASigstoreBundleReadsTheSame() throws Exception {
        Statement s = Statement.parse(Corpus.dssePayload("sigstore", "sigstore-go/examples/bundle-provenance.json"), "bundle-provenance");
        ProvenanceFacts f = ProvenanceFacts.from(s);
        assertThat(f.sourceRepository()).isEqualTo("https://github.com/sigstore/sigstore-js");
        assertThat(f.sourceCommit()).isEqualTo("dae8bd8eb433a4147b4655c00fe73e0f22bc0fb1");
    }

    @Test
    void githubArtifactAttestationV1FromConformanceBundle() throws Exception {
        Statement s = Statement.parse(Corpus.dssePayload("sigstore",
                "sigstore-conformance/test/assets/bundle-verify/happy-path-intoto-in-dsse-v3/bundle.sigstore.json"), "happy-path-intoto-in-dsse-v3");
        assertThat(s.type()).isEqualTo(Statement.TYPE_V1);
        assertThat(s.matchesSubject("sha256:A0CFC71271D6E278E57CD332FF957C3F7043FDDA354C4CBB190A30D56EFA01BF")).isTrue();
        assertThat(s.matchesSubject("sha256:" + "0".repeat(64))).isFalse();
        ProvenanceFacts f = ProvenanceFacts.from(s);
        assertThat(f.predicateType()).isEqualTo(SlsaProvenance.V1);
        assertThat(f.builderId()).isEqualTo("https://github.com/loosebazooka/aa-test/.github/workflows/provenance.yaml@refs/heads/main");
        assertThat(f.buildType()).isEqualTo("https://actions.github.io/buildtypes/workflow/v1");
        assertThat(f.sourceRepository()).isEqualTo("https://github.com/loosebazooka/aa-test");
        assertThat(f.sourceRef()).isEqualTo("refs/heads/main");
        assertThat(f.sourceCommit()).isEqualTo("ebff8dfbd609b7b22237c7719ce07f2dc7934f5f");
        assertThat(f.workflowPath()).isEqualTo(".github/workflows/provenance.yaml");
        assertThat(f.trigger()).isEqualTo("workflow_dispatch");
        assertThat(f.materials()).singleElement().extracting(ResourceDescriptor::uri)
                .isEqualTo("git+https://github.com/loosebazooka/aa-test@refs/heads/main");
    }

    @Test
    void conformanceStatementV1() throws Exception {
        ProvenanceFacts f = ProvenanceFacts.from(Statement.parse(Corpus.read("sigstore", "sigstore-conformance/test/assets/statement.json"),
                "statement.json"));
        assertThat(f.sourceCommit()).isEqualTo("a9cd7bf0bbfd5732800b8196ce893ae9915b1e87");
        assertThat(f.sourceRepository()).isEqualTo("https://github.com/loosebazooka/aa-test");
    }

    @Test
    void cosignAttestationIsAStatementButNotProvenance() throws Exception {
        Statement s = Statement.parse(Corpus.dssePayload("sigstore", "cosign/pkg/cosign/testdata/oci-attestation.sigstore.json"), "cosign");
        assertThat(s.type()).isEqualTo(Statement.TYPE_V0_1);
        assertThat(s.predicateType()).isEqualTo("https://cosign.sigstore.dev/attestation/v1");
        assertThat(s.subjects()).singleElement().extracting(ResourceDescriptor::name).isEqualTo("127.0.0.1:60943/repo");
        assertThat(s.matchesSubject("sha256:732112270d7e59418a8c080b134b24cabd67d250d0d0147a97ed95ba5c280aa4")).isTrue();
        assertThat(s.matchesSubject("sha512:" + "ab".repeat(64))).isFalse();
        assertThatThrownBy(() -> ProvenanceFacts.from(s)).isInstanceOfSatisfying(InvalidStatementException.class, e -> {
            assertThat(e.kind()).isEqualTo(InvalidStatementException.Kind.UNSUPPORTED_PREDICATE_TYPE);
            assertThat(e.field()).isEqualTo("predicateType");
        });
    }

    @Test
    void slsaGithubGeneratorV1ReadsWorkflowAndCommitOfTheNamedRepository() throws Exception {
        String json = """
                {"_type":"https://in-toto.io/Statement/v1",
                 "subject":[{"name":"ghcr.io/o/r","digest":{"sha256":"%s"}}],
                 "predicateType":"https://slsa.dev/provenance/v1",
                 "predicate":{"buildDefinition":{
                   "buildType":"https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1",
                   "externalParameters":{"workflow":{"ref":"refs/tags/v1.2.0","repository":"https://github.com/o/r","path":".github/workflows/release.yml"}},
                   "internalParameters":{"github":{"event_name":"push"}},
                   "resolvedDependencies":[
                     {"uri":"git+https://github.com/o/tools@refs/heads/main","digest":{"gitCommit":"%s"}},
                     {"uri":"git+https://github.com/o/r@refs/tags/v1.2.0","digest":{"gitCommit":"%s"}}]},
                  "runDetails":{"builder":{"id":"https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v2.0.0"},
                   "metadata":{"invocationId":"x","startedOn":"2024-01-01T10:00:00Z","finishedOn":"2024-01-01T10:05:00+01:00"}}}}
                """.formatted("a".repeat(64), "1".repeat(40), "2".repeat(40));
        ProvenanceFacts f = ProvenanceFacts.from(Statement.parse(json.getBytes(StandardCharsets.UTF_8), "generator"));
        assertThat(f.sourceRepository()).isEqualTo("https://github.com/o/r");
        assertThat(f.sourceRef()).isEqualTo("refs/tags/v1.2.0");
        assertThat(f.sourceCommit()).isEqualTo("2".repeat(40));
        assertThat(f.workflowPath()).isEqualTo(".github/workflows/release.yml");
        assertThat(f.trigger()).isEqualTo("push");
        assertThat(f.materials()).hasSize(2);
    }

    @Test
    void otherBuildTypesGiveTheirGitDependencyButNoWorkflow() throws Exception {
        String json = """
                {"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"%s"}}],
                 "predicateType":"https://slsa.dev/provenance/v1",
                 "predicate":{"buildDefinition":{"buildType":"https://tekton.dev/chains/v2/slsa",
                   "externalParameters":{"workflow":{"repository":"https://evil.example/not-the-source"}},
                   "resolvedDependencies":[{"uri":"oci://gcr.io/tool","digest":{"sha256":"%s"}},
                                           {"uri":"git+ssh://git@github.com/o/r.git@refs/heads/main","digest":{"sha1":"%s"}}]},
                  "runDetails":{"builder":{"id":"https://tekton.dev/chains/v2"}}}}
                """.formatted("a".repeat(64), "b".repeat(64), "3".repeat(40));
        ProvenanceFacts f = ProvenanceFacts.from(Statement.parse(json.getBytes(StandardCharsets.UTF_8), "tekton"));
        assertThat(f.sourceRepository()).isEqualTo("ssh://git@github.com/o/r.git");
        assertThat(f.sourceRef()).isEqualTo("refs/heads/main");
        assertThat(f.sourceCommit()).isEqualTo("3".repeat(40));
        assertThat(f.workflowPath()).isNull();
        assertThat(f.trigger()).isNull();
    }

    @Test
    void v1PredicateErrorsNameTheFieldFromTheStatementRoot() throws Exception {
        String json = """
                {"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":"%s"}}],
                 "predicateType":"https://slsa.dev/provenance/v1",
                 "predicate":{"buildDefinition":{"buildType":"t","externalParameters":{"a":1}},
                  "runDetails":{"builder":{"id":"b"},"metadata":{"startedOn":"yesterday"}}}}
                """.formatted("a".repeat(64));
        Statement s = Statement.parse(json.getBytes(StandardCharsets.UTF_8), "bad-time");
        assertThatThrownBy(() -> ProvenanceFacts.from(s)).isInstanceOfSatisfying(InvalidStatementException.class, e -> {
            assertThat(e.kind()).isEqualTo(InvalidStatementException.Kind.INVALID_TIMESTAMP);
            assertThat(e.field()).isEqualTo("predicate.runDetails.metadata.startedOn");
        });
    }

    /** As in v1, a builder whose only member is an empty id is no builder at all. */
    @Test
    void v02NeedsBuilderIdAndBuildType() throws Exception {
        assertRefused("{\"builder\":{\"id\":\"\"},\"buildType\":\"x\"}", InvalidStatementException.Kind.BUILDER_REQUIRED, "predicate.builder");
        assertRefused("{\"builder\":{\"id\":\"b\"}}", InvalidStatementException.Kind.BUILD_TYPE_REQUIRED, "predicate.buildType");
        assertRefused("{\"builder\":{\"id\":\"b\"},\"buildType\":\"x\",\"materials\":[{\"digest\":{\"sha1\":\"ab\"}}]}",
                InvalidStatementException.Kind.INCORRECT_DIGEST_LENGTH, "predicate.materials[0].digest.sha1");
    }

    private static void assertRefused(String predicate, InvalidStatementException.Kind kind, String field) throws Exception {
        String json = """
                {"_type":"https://in-toto.io/Statement/v0.1","subject":[{"digest":{"sha256":"%s"}}],
                 "predicateType":"https://slsa.dev/provenance/v0.2","predicate":%s}
                """.formatted("a".repeat(64), predicate);
        Statement s = Statement.parse(json.getBytes(StandardCharsets.UTF_8), "v02");
        assertThatThrownBy(() -> ProvenanceFacts.from(s)).isInstanceOfSatisfying(InvalidStatementException.class, e -> {
            assertThat(e.kind()).isEqualTo(kind);
            assertThat(e.field()).isEqualTo(field);
        });
    }
}
