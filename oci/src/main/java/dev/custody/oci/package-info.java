/**
 * An OCI distribution client: image manifests and indexes, blobs, tag resolution, discovery of signatures and
 * attestations (referrers API, referrers tag schema, cosign tags), registry authentication, all bounded in size,
 * time and concurrency. Failures are typed by {@link dev.custody.oci.RegistryException}'s subclasses so that an
 * outage is never mistaken for bad content.
 */
package dev.custody.oci;
