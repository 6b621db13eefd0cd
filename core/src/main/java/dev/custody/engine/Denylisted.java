package dev.custody.engine;

import dev.custody.imageref.ImageReference;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The emergency denylist as the engine reads it: image digests and repositories that must not run, whatever the
 * policies say. It is checked for every container of every workload, in every namespace, before any policy, by
 * admission, background re-evaluation and the CLI alike. Immutable and thread-safe; lookups are hash lookups.
 */
public final class Denylisted {

    /** What an entry blocks. */
    public enum Kind {
        /** One image digest, {@code sha256:<hex>}. */
        DIGEST,
        /** Every image of one repository, {@code registry/path} as {@link ImageReference#name()} spells it. */
        REPOSITORY
    }

    /** One entry: its id, what it blocks, and why (the incident or advisory). */
    public record Entry(String id, Kind kind, String value, String reason) {}

    /** Lists nothing. */
    public static final Denylisted NONE = new Denylisted(List.of());

    private final List<Entry> entries;
    private final Map<String, List<Entry>> byDigest = new HashMap<>();
    private final Map<String, List<Entry>> byRepository = new HashMap<>();
    private final int size;

    public Denylisted(Collection<Entry> entries) {
        this.entries = List.copyOf(entries);
        for (Entry e : entries) {
            (e.kind() == Kind.DIGEST ? byDigest : byRepository).computeIfAbsent(e.value(), k -> new ArrayList<>()).add(e);
        }
        this.size = entries.size();
    }

    /**
     * A repository as a user writes it, normalized as image references are ({@code nginx} is
     * {@code docker.io/library/nginx}); throws IllegalArgumentException naming what is wrong (a tag, a digest, bad syntax).
     */
    public static String repository(String text) {
        ImageReference ref = switch (ImageReference.tryParse(text)) {
            case ImageReference.ParseResult.Parsed p -> p.reference();
            case ImageReference.ParseResult.Invalid i -> throw new IllegalArgumentException("repository \"" + text + "\" is not an image name: "
                    + i.message());
        };
        if (ref.tag() != null || ref.digest() != null) {
            throw new IllegalArgumentException("a repository entry names a repository without tag or digest, found \"" + text + "\"");
        }
        return ref.name();
    }

    /** Every entry, as given. */
    public List<Entry> entries() {
        return entries;
    }

    public int size() {
        return size;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    /**
     * The entries that block an image: by the digest its reference pins, by {@code runningDigest} (what a kubelet
     * reports the container runs, when known), and by its repository.
     */
    public List<Entry> hits(ImageReference ref, String runningDigest) {
        if (size == 0) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>(1);
        if (ref.digest() != null) {
            out.addAll(byDigest.getOrDefault(ref.digest().toString(), List.of()));
        }
        if (runningDigest != null && (ref.digest() == null || !runningDigest.equals(ref.digest().toString()))) {
            out.addAll(byDigest.getOrDefault(runningDigest, List.of()));
        }
        out.addAll(byRepository.getOrDefault(ref.name(), List.of()));
        return out;
    }
}
