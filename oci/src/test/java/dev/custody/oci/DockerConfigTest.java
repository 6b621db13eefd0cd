package dev.custody.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Credentials from config.json and imagePullSecrets, matched to repositories as the kubelet matches them. */
class DockerConfigTest {

    static String auth(String user, String password) {
        return Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static Credentials lookup(DockerConfig config, String repository) {
        return config.credentials(Repository.parse(repository));
    }

    @Test
    void entryFormsGiveTheirCredentials() {
        DockerConfig config = DockerConfig.parse(utf8("""
                {"auths": {
                  "https://index.docker.io/v1/": {"auth": "%s"},
                  "ghcr.io": {"username": "bob", "password": "pat_123"},
                  "myregistry.azurecr.io": {"auth": "%s", "identitytoken": "refresh-xyz"},
                  "registry.example.com:5000": {"registrytoken": "bearer-abc"},
                  "quay.io": {}
                 },
                 "credsStore": "desktop"}
                """.formatted(auth("alice", "pw:with:colons"), auth("00000000-0000-0000-0000-000000000000", ""))), "config.json");
        assertThat(lookup(config, "nginx")).isEqualTo(new Credentials.Basic("alice", "pw:with:colons"));
        assertThat(lookup(config, "docker.io/library/nginx:1.27")).isEqualTo(new Credentials.Basic("alice", "pw:with:colons"));
        assertThat(lookup(config, "ghcr.io/org/app")).isEqualTo(new Credentials.Basic("bob", "pat_123"));
        assertThat(lookup(config, "myregistry.azurecr.io/app")).isEqualTo(new Credentials.IdentityToken("refresh-xyz"));
        assertThat(lookup(config, "registry.example.com:5000/app")).isEqualTo(new Credentials.RegistryToken("bearer-abc"));
        assertThat(lookup(config, "registry.example.com/app")).as("the port is part of the key").isInstanceOf(Credentials.Anonymous.class);
        assertThat(lookup(config, "quay.io/app")).as("secret in a credential store: not read").isInstanceOf(Credentials.Anonymous.class);
        assertThat(config.keys()).hasSize(4);
        assertThat(config.toString()).doesNotContain("pat_123", "refresh-xyz", "bearer-abc", auth("alice", "pw:with:colons"));
        assertThat(lookup(config, "ghcr.io/org/app").toString()).doesNotContain("pat_123");
    }

    @Test
    void mostSpecificKeyWinsAsInTheKubelet() {
        DockerConfig config = DockerConfig.fromPullSecret(utf8("""
                {"auths": {
                  "*.example.com": {"username": "wild", "password": "1"},
                  "registry.example.com": {"username": "host", "password": "2"},
                  "registry.example.com/team": {"username": "team", "password": "3"},
                  "http://registry.example.com/team/app/": {"username": "app", "password": "4"}
                }}"""));
        assertThat(((Credentials.Basic) lookup(config, "mirror.example.com/x")).username()).isEqualTo("wild");
        assertThat(lookup(config, "a.b.example.com/x")).as("* is one label").isInstanceOf(Credentials.Anonymous.class);
        assertThat(((Credentials.Basic) lookup(config, "registry.example.com/other")).username()).isEqualTo("host");
        assertThat(((Credentials.Basic) lookup(config, "registry.example.com/team/svc")).username()).isEqualTo("team");
        assertThat(((Credentials.Basic) lookup(config, "registry.example.com/teamster/svc")).username()).isEqualTo("host");
        assertThat(((Credentials.Basic) lookup(config, "registry.example.com/team/app")).username()).isEqualTo("app");
    }

    @Test
    void legacyDockercfgHasNoAuthsWrapper() {
        DockerConfig config = DockerConfig.fromLegacyPullSecret(utf8("{\"registry.example.com\":{\"auth\":\"" + auth("u", "p") + "\",\"email\":\"x@y\"}}"));
        assertThat(lookup(config, "registry.example.com/app")).isEqualTo(new Credentials.Basic("u", "p"));
    }

    @Test
    void firstKeychainWithCredentialsWins() {
        DockerConfig a = DockerConfig.parse(utf8("{\"auths\":{\"a.io\":{\"auth\":\"" + auth("a", "1") + "\"}}}"), "a");
        DockerConfig b = DockerConfig.parse(utf8("{\"auths\":{\"a.io\":{\"auth\":\"" + auth("b", "2") + "\"},\"b.io\":{\"auth\":\"" + auth("b", "3") + "\"}}}"), "b");
        Keychain chain = Keychain.firstOf(List.of(a, b));
        assertThat(chain.credentials(Repository.parse("a.io/x"))).isEqualTo(new Credentials.Basic("a", "1"));
        assertThat(chain.credentials(Repository.parse("b.io/x"))).isEqualTo(new Credentials.Basic("b", "3"));
        assertThat(chain.credentials(Repository.parse("c.io/x"))).isInstanceOf(Credentials.Anonymous.class);
    }

    @Test
    void unreadableConfigsNameTheEntryNotTheSecret() {
        assertThatThrownBy(() -> DockerConfig.fromPullSecret(utf8("not json"))).isInstanceOf(InvalidDockerConfigException.class);
        assertThatThrownBy(() -> DockerConfig.fromPullSecret(utf8("[]"))).isInstanceOf(InvalidDockerConfigException.class);
        assertThatThrownBy(() -> DockerConfig.fromPullSecret(utf8("{\"auths\":{\"r.io\":{\"auth\":\"%%%secret%%%\"}}}")))
                .isInstanceOf(InvalidDockerConfigException.class).hasMessageContaining("r.io").hasMessageNotContaining("secret%");
        assertThatThrownBy(() -> DockerConfig.fromPullSecret(utf8("{\"auths\":{\"r.io\":{\"auth\":\""
                + Base64.getEncoder().encodeToString(utf8("nocolon")) + "\"}}}"))).isInstanceOf(InvalidDockerConfigException.class)
                .hasMessageContaining("user:password");
        assertThatThrownBy(() -> DockerConfig.fromPullSecret(utf8("{\"auths\":{\"r.io\":{\"registrytoken\":\"a\\nb\"}}}")))
                .isInstanceOf(InvalidDockerConfigException.class).hasMessageContaining("header");
        assertThatThrownBy(() -> DockerConfig.fromPullSecret(utf8("{\"auths\":{\"r.io\":{\"username\":7}}}"))).isInstanceOf(InvalidDockerConfigException.class);
        assertThat(DockerConfig.fromPullSecret(utf8("{}")).keys()).isEmpty();
    }

    @Test
    void loadsAFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("config.json");
        Files.writeString(file, "{\"auths\":{\"r.io\":{\"auth\":\"" + auth("u", "p") + "\"}}}");
        assertThat(lookup(DockerConfig.load(file), "r.io/x")).isEqualTo(new Credentials.Basic("u", "p"));
        assertThatThrownBy(() -> DockerConfig.load(dir.resolve("missing.json"))).isInstanceOf(InvalidDockerConfigException.class)
                .hasMessageContaining("missing.json");
    }
}
