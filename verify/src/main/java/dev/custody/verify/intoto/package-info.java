/**
 * in-toto attestations as data: the Statement layer (validated as the in-toto Go library validates it) and the
 * facts a policy asks of SLSA provenance (builder, source repository, ref, commit, workflow, trigger). Signature
 * verification of the envelope is not here; this package reads payloads that were already verified.
 */
package dev.custody.verify.intoto;
