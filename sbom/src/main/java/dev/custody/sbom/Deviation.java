package dev.custody.sbom;

/**
 * A place where a stored SBOM departs from its format's schema in a way Custody tolerates (ADR 9): the document is
 * read and stored, the deviation is listed in its {@link Quality} and lowers the score, and {@code --strict}
 * refuses it. Anything not listed in {@link Reason} still refuses the document.
 *
 * @param path    the JSON path of the value, as the schema validator gives it:
 *                {@code $.components[12].externalReferences[0].url}
 * @param reason  what is wrong, a stable code to match on
 * @param message what was found, for a person
 */
public record Deviation(String path, Reason reason, String message) {

    /** The deviations Custody tolerates. Codes are never renamed or reused. */
    public enum Reason {
        /**
         * A value the schema declares {@code format: iri-reference} (external reference, license, contact and
         * service URLs) is not an RFC 3987 IRI reference. npm packages name their repository as
         * {@code git@github.com:org/repo.git}, and cyclonedx-npm copies that into the vcs reference as it is.
         */
        IRI_REFERENCE_INVALID
    }
}
