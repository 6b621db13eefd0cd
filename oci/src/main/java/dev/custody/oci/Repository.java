package dev.custody.oci;

import dev.custody.imageref.Digest;
import dev.custody.imageref.ImageReference;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A repository in a registry, named as image references name it: {@code registry} is the normalized host[:port]
 * ({@code docker.io} for Docker Hub, which {@link RegistryClient} sends to {@code registry-1.docker.io}),
 * {@code name} the path inside it ({@code library/nginx}).
 */
public record Repository(String registry, String name) {

    // The distribution grammar's path components; also what keeps "..", "?" and "%" out of request paths.
    private static final Pattern NAME = Pattern.compile(
            "[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
    private static final Pattern REGISTRY = Pattern.compile("(?:[A-Za-z0-9.-]+|\\[[0-9A-Fa-f:.]+\\])(?::[0-9]{1,5})?");

    public Repository {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(name, "name");
        if (!REGISTRY.matcher(registry).matches()) {
            throw new IllegalArgumentException("registry \"" + registry + "\" is not a host[:port]");
        }
        if (name.length() > 255 || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("repository name \"" + name + "\" is not a valid distribution repository name");
        }
    }

    /** The repository an image reference points into. */
    public static Repository of(ImageReference reference) {
        return new Repository(reference.registry(), reference.repository());
    }

    /** Parses {@code registry/name} (or a short Docker Hub name) with the image reference grammar; a tag or digest is ignored. */
    public static Repository parse(String text) {
        return of(ImageReference.parse(text));
    }

    /** A reference to content in this repository by digest. */
    public ImageReference at(Digest digest) {
        Objects.requireNonNull(digest, "digest");
        return new ImageReference(this + "@" + digest, registry, name, null, digest);
    }

    /** A reference to a tag in this repository. */
    public ImageReference tagged(String tag) {
        return ImageReference.parse(this + ":" + tag);
    }

    @Override
    public String toString() {
        return registry + "/" + name;
    }
}
