package dev.custody.inventory;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.HttpResponse;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.zip.GZIPInputStream;

/**
 * Lists a collection of the API server page by page and hands each item to the caller as it is read off the wire,
 * as a JSON tree: no typed model objects, and no page held whole. It goes through the client's own HTTP client, so
 * the kubeconfig's TLS, tokens and impersonation apply as they do to every other request. Owners and namespaces are
 * asked for as {@code PartialObjectMetadataList}: the collector needs their metadata only.
 */
final class ApiLists {

    /** Asks for a list of objects' metadata only, with full objects as the fallback of an older server. */
    static final String METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json";
    static final String FULL = "application/json";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_SECONDS = 60;

    private final HttpClient http;
    private final URI master;
    private final int pageSize;

    ApiLists(KubernetesClient client, int pageSize) {
        this.http = client.getHttpClient();
        String url = client.getConfiguration().getMasterUrl();
        this.master = URI.create(url.endsWith("/") ? url : url + "/");
        this.pageSize = pageSize;
    }

    /**
     * Lists {@code path} (for example {@code api/v1/pods}) across every namespace, giving each item to {@code each}.
     * The next page is asked for as soon as this one's continue token is read (the API server sends it before the
     * items), so the server encodes page n+1 while the collector reads page n. Throws
     * {@link KubernetesClientException} when the API server refuses or cannot be reached.
     */
    void list(String path, String accept, Consumer<JsonNode> each) {
        URI first = master.resolve(path + "?limit=" + pageSize);
        List<CompletableFuture<HttpResponse<InputStream>>> next = new ArrayList<>(1);
        next.add(send(first, accept));
        try {
            while (!next.isEmpty()) {
                // messages name the first page's URI: every page lists the same path
                page(first, await(next.removeFirst(), first), each, cont -> {
                    if (cont != null && !cont.isEmpty()) {
                        next.add(send(master.resolve(path + "?limit=" + pageSize + "&continue=" + URLEncoder.encode(cont, StandardCharsets.UTF_8)),
                                accept));
                    }
                });
            }
        } finally {
            next.forEach(f -> f.cancel(true)); // a page asked for ahead and not read, when a page failed
        }
    }

    private CompletableFuture<HttpResponse<InputStream>> send(URI uri, String accept) {
        // gzip: a page of pods shrinks 10 to 20 times, and the bytes not sent are bytes neither side encrypts; the
        // API server compresses large answers when asked (APIResponseCompression, on by default since 1.16)
        HttpRequest request = http.newHttpRequestBuilder().uri(uri).header("Accept", accept).header("Accept-Encoding", "gzip").build();
        return http.sendAsync(request, InputStream.class);
    }

    private static HttpResponse<InputStream> await(CompletableFuture<HttpResponse<InputStream>> pending, URI uri) {
        try {
            return pending.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KubernetesClientException("interrupted while listing " + uri.getPath(), e);
        } catch (ExecutionException e) {
            throw new KubernetesClientException("cannot list " + uri.getPath() + ": " + ClusterCollector.rootMessage(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            throw new KubernetesClientException("no answer to a list of " + uri.getPath() + " within " + TIMEOUT_SECONDS + " s", e);
        }
    }

    private static void page(URI uri, HttpResponse<InputStream> response, Consumer<JsonNode> each, Consumer<String> onContinue) {
        try (InputStream body = decoded(response)) {
            if (response.code() != 200) {
                String text = body == null ? "" : new String(body.readNBytes(4096), StandardCharsets.UTF_8);
                throw new KubernetesClientException("listing " + uri.getPath() + " answered " + response.code() + ": " + status(text),
                        response.code(), null);
            }
            read(body, each, onContinue);
        } catch (IOException e) {
            throw new KubernetesClientException("cannot read the list of " + uri.getPath() + ": " + e.getMessage(), e);
        }
    }

    private static InputStream decoded(HttpResponse<InputStream> response) throws IOException {
        InputStream body = response.body();
        String encoding = response.header("Content-Encoding");
        return body != null && encoding != null && encoding.equalsIgnoreCase("gzip") ? new GZIPInputStream(body, 64 * 1024) : body;
    }

    /** Reads one list object, returning {@code metadata.continue}. */
    static String read(InputStream body, Consumer<JsonNode> each) throws IOException {
        String[] cont = new String[1];
        read(body, each, c -> cont[0] = c);
        return cont[0];
    }

    /**
     * Reads one list object: hands out its items one by one, and {@code metadata.continue} (null when absent) to
     * {@code onContinue} once, when it is read, or at the end when the list has no metadata.
     */
    static void read(InputStream body, Consumer<JsonNode> each, Consumer<String> onContinue) throws IOException {
        boolean told = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("a list is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (field.equals("items") && value == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        each.accept(JSON.readTree(p));
                    }
                    if (p.currentToken() != JsonToken.END_ARRAY) {
                        throw new IOException("an item of the list is not an object");
                    }
                } else if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                    JsonNode meta = JSON.readTree(p);
                    if (!told) {
                        told = true;
                        onContinue.accept(Pods.text(meta, "continue"));
                    }
                } else {
                    p.skipChildren();
                }
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw new IOException("the list ends before it closes");
            }
        }
        if (!told) {
            onContinue.accept(null);
        }
    }

    /** The message of a {@code Status} the API server answered with, or the text as it came. */
    private static String status(String text) {
        try {
            JsonNode s = JSON.readTree(text);
            String m = Pods.text(s, "message");
            return m != null ? m : text;
        } catch (IOException e) {
            return text;
        }
    }
}
