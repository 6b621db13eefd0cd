package dev.custody.manifest;

/**
 * Bounds on untrusted input. Kubernetes objects are shallow and an API server accepts at most 3 MiB per
 * object, so these leave room for large Helm renders while refusing hostile documents before they cost
 * memory or stack.
 *
 * @param maxBytes    largest input read from one file or stream
 * @param maxDepth    deepest nesting of mappings and sequences
 * @param maxDocuments most documents in one input
 */
public record InputLimits(long maxBytes, int maxDepth, int maxDocuments) {

    public static final InputLimits DEFAULT = new InputLimits(32L * 1024 * 1024, 128, 200_000);

    /** Policies are small; a megabyte is generous. */
    public static final InputLimits POLICY = new InputLimits(1024L * 1024, 64, 1_000);
}
