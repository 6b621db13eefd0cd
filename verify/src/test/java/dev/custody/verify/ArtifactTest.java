package dev.custody.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactTest {

    @TempDir
    Path dir;

    @Test
    void aFileIsHashedAsItStreams() throws Exception {
        byte[] content = new byte[3 * 1024 * 1024 + 17];
        new Random(1).nextBytes(content);
        Path file = Files.write(dir.resolve("blob"), content);
        Artifact a = Artifact.ofFile(file);
        assertThat(a.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
        assertThat(a.sha512()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-512").digest(content)));
        assertThat(a.digest()).isEqualTo("sha256:" + a.sha256());
    }

    @Test
    void anArgumentIsADigestOnlyWhenItHasTheFormAndIsNoFile() throws Exception {
        String hex = "AB".repeat(32);
        assertThat(Artifact.fromArgument("sha256:" + hex)).isEqualTo(new Artifact(hex.toLowerCase(), null));
        assertThat(Artifact.fromArgument("sha512:" + "0".repeat(128)).digest()).isEqualTo("sha512:" + "0".repeat(128));
        // one hex digit short: a path, which does not exist
        assertThatThrownBy(() -> Artifact.fromArgument("sha256:" + "a".repeat(63))).isInstanceOf(NoSuchFileException.class);
        Path file = Files.writeString(dir.resolve("a.txt"), "hello");
        assertThat(Artifact.fromArgument(file.toString())).isEqualTo(Artifact.ofFile(file));
    }

    @Test
    void malformedDigestsAreRefused() {
        assertThatThrownBy(() -> Artifact.ofDigest("sha1:" + "a".repeat(40))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Artifact.ofDigest("sha256:" + "g".repeat(64))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Artifact(null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
