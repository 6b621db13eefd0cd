package dev.custody.inventory;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the manifest digest out of a kubelet's {@code containerStatuses[].imageID}. Runtimes spell it differently:
 * containerd and CRI-O give {@code repo@sha256:...}, dockershim gave {@code docker-pullable://repo@sha256:...}. A bare
 * {@code sha256:...} or {@code docker://sha256:...} is the image's config id, not a manifest digest, and names no
 * digest a registry or signature knows: it is kept as the imageID and gives no digest.
 */
public final class ImageIds {

    private static final Pattern REPO_DIGEST = Pattern.compile("@(sha256:[0-9a-f]{64})$");

    private ImageIds() {}

    /** The manifest digest the imageID names, or null. */
    public static String digest(String imageId) {
        if (imageId == null || imageId.isEmpty()) {
            return null;
        }
        Matcher m = REPO_DIGEST.matcher(imageId);
        return m.find() ? m.group(1) : null;
    }
}
