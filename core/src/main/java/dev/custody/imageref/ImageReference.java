package dev.custody.imageref;

import java.util.Optional;

/**
 * A container image reference, parsed and normalized by the distribution reference grammar.
 *
 * <p>{@code registry} is the normalized host (with port), {@code repository} the path inside it
 * ({@code library/} added for single-component Docker Hub names), {@code tag} and {@code digest}
 * are null when absent. {@code original} is the string as written in the manifest.
 */
public record ImageReference(String original, String registry, String repository, String tag, Digest digest) {

    public static final String DOCKER_HUB = "docker.io";
    public static final String IMPLICIT_TAG = "latest";

    /** Parses {@code text}; throws {@link InvalidImageReferenceException} with the reason when it is malformed. */
    public static ImageReference parse(String text) {
        return ImageReferenceParser.parse(text);
    }

    /** Parses {@code text}, returning the reason it is malformed instead of throwing. */
    public static ParseResult tryParse(String text) {
        try {
            return new ParseResult.Parsed(ImageReferenceParser.parse(text));
        } catch (InvalidImageReferenceException e) {
            return new ParseResult.Invalid(text, e.reason(), e.getMessage());
        }
    }

    /** {@code registry/repository}, the fully qualified name without tag or digest. */
    public String name() {
        return registry + "/" + repository;
    }

    /** True when the reference pins content by digest; a tag beside the digest is ignored by runtimes. */
    public boolean isImmutable() {
        return digest != null;
    }

    /** True when neither a tag nor a digest was written, so runtimes pull {@code latest}. */
    public boolean isImplicitLatest() {
        return tag == null && digest == null;
    }

    /** The tag a runtime would resolve: the written tag, or {@code latest} when neither tag nor digest is given. */
    public Optional<String> effectiveTag() {
        if (tag != null) {
            return Optional.of(tag);
        }
        return digest == null ? Optional.of(IMPLICIT_TAG) : Optional.empty();
    }

    /** The normalized, fully qualified form: {@code registry/repository[:tag][@digest]}. */
    public String canonical() {
        StringBuilder sb = new StringBuilder(name());
        if (tag != null) {
            sb.append(':').append(tag);
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return canonical();
    }

    /** The outcome of {@link #tryParse(String)}. */
    public sealed interface ParseResult {
        /** A well-formed reference. */
        record Parsed(ImageReference reference) implements ParseResult {}

        /** A malformed reference with a stable reason and a message a person can act on. */
        record Invalid(String text, InvalidImageReferenceException.Reason reason, String message) implements ParseResult {}
    }
}
