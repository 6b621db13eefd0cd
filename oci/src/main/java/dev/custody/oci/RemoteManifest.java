package dev.custody.oci;

import dev.custody.imageref.Digest;
import java.util.Arrays;
import java.util.Objects;

/**
 * A manifest or index as fetched: the bytes received, their digest (computed here and checked against the digest
 * requested or announced), and the parsed document. Signatures cover the bytes, so they are kept as received.
 */
public record RemoteManifest(Repository repository, Digest digest, String mediaType, byte[] bytes, Manifest manifest) {

    public RemoteManifest {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(manifest, "manifest");
        bytes = bytes.clone();
    }

    /** A copy of the bytes received. */
    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public long size() {
        return bytes.length;
    }

    /** A descriptor of this manifest, as the referrers API would give it (artifact type falling back to the config's). */
    public Descriptor descriptor() {
        String artifactType = manifest instanceof ImageManifest m ? m.effectiveArtifactType() : manifest.artifactType();
        return new Descriptor(mediaType, digest, bytes.length, artifactType, manifest.annotations(), null, null);
    }

    /** The manifest as an image manifest; an index here is a malformed answer for what the caller expected. */
    public ImageManifest imageManifest() {
        if (manifest instanceof ImageManifest m) {
            return m;
        }
        throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.MALFORMED,
                repository + "@" + digest + " is an index (" + mediaType + "), not an image manifest");
    }

    /** The manifest as an index; an image manifest here is a malformed answer for what the caller expected. */
    public ImageIndex index() {
        if (manifest instanceof ImageIndex i) {
            return i;
        }
        throw new InvalidResponseException(repository.registry(), InvalidResponseException.Reason.MALFORMED,
                repository + "@" + digest + " is an image manifest (" + mediaType + "), not an index");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RemoteManifest r && repository.equals(r.repository) && digest.equals(r.digest)
                && mediaType.equals(r.mediaType) && Arrays.equals(bytes, r.bytes);
    }

    @Override
    public int hashCode() {
        return Objects.hash(repository, digest);
    }

    @Override
    public String toString() {
        return "RemoteManifest[" + repository + "@" + digest + ", " + mediaType + ", " + bytes.length + " bytes]";
    }
}
