package dev.custody.verify.intoto;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** The shared corpora, read in place at {@code <repoRoot>/../shared/corpora}. */
final class Corpus {

    static final ObjectMapper JSON = new ObjectMapper();

    private Corpus() {}

    static Path dir(String name) {
        String prop = System.getProperty("custody.repoRoot");
        Path repo = prop != null ? Path.of(prop) : Path.of("").toAbsolutePath().getParent();
        Path dir = repo.resolve("../shared/corpora").resolve(name).normalize();
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("the corpus is missing at " + dir + "; tests read it in place");
        }
        return dir;
    }

    static byte[] read(String corpus, String path) throws IOException {
        return Files.readAllBytes(dir(corpus).resolve(path));
    }

    /** The statement inside a Sigstore bundle's DSSE envelope, checking that it says it is one. */
    static byte[] dssePayload(String corpus, String bundlePath) throws IOException {
        JsonNode envelope = JSON.readTree(read(corpus, bundlePath)).path("dsseEnvelope");
        if (!Statement.PAYLOAD_TYPE.equals(envelope.path("payloadType").asText())) {
            throw new IllegalStateException(bundlePath + " does not carry an in-toto statement");
        }
        return Base64.getDecoder().decode(envelope.path("payload").asText());
    }
}
