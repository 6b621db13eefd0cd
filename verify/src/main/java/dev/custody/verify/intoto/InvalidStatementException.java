package dev.custody.verify.intoto;

/**
 * An attestation payload that is not a valid in-toto Statement, or a predicate that is not valid provenance.
 * {@link #kind()} says which rule failed (callers and tests match on it, never on the message) and {@link #field()}
 * where, as a path such as {@code subject[0].digest.sha256}.
 */
public final class InvalidStatementException extends Exception {

    /**
     * Which rule a payload breaks. Most mirror an error of the in-toto Go library (named in each comment), so a
     * refusal here can be compared with one from cosign or the policy-controller. The codes are stable.
     */
    public enum Kind {
        /** Not JSON, too large, too deeply nested, duplicate keys, or a field of the wrong JSON type. */
        MALFORMED("malformed"),
        /** {@code _type} is not a Statement type we accept ({@code ErrInvalidStatementType}). */
        INVALID_STATEMENT_TYPE("invalid-statement-type"),
        /** No subject ({@code ErrSubjectRequired}). */
        SUBJECT_REQUIRED("subject-required"),
        /** A resource descriptor without name, uri or digest ({@code ErrRDRequiredField}). */
        RD_REQUIRED_FIELD("rd-required-field"),
        /** A subject without a digest ({@code ErrDigestRequired}). */
        DIGEST_REQUIRED("digest-required"),
        /** A digest of a known algorithm that is not hex ({@code ErrInvalidDigestEncoding}). */
        INVALID_DIGEST_ENCODING("invalid-digest-encoding"),
        /** A digest of a known algorithm with the wrong length ({@code ErrIncorrectDigestLength}). */
        INCORRECT_DIGEST_LENGTH("incorrect-digest-length"),
        /** No or empty {@code predicateType} ({@code ErrPredicateTypeRequired}). */
        PREDICATE_TYPE_REQUIRED("predicate-type-required"),
        /** No {@code predicate} ({@code ErrPredicateRequired}). */
        PREDICATE_REQUIRED("predicate-required"),
        /** The predicate is not a provenance type this package reads. */
        UNSUPPORTED_PREDICATE_TYPE("unsupported-predicate-type"),
        /** SLSA v1: no or empty {@code buildDefinition} ({@code ErrBuildDefinitionRequired}). */
        BUILD_DEFINITION_REQUIRED("build-definition-required"),
        /** No {@code buildType} ({@code ErrBuildTypeRequired}). */
        BUILD_TYPE_REQUIRED("build-type-required"),
        /** SLSA v1: no or empty {@code externalParameters} ({@code ErrExternalParamsRequired}). */
        EXTERNAL_PARAMETERS_REQUIRED("external-parameters-required"),
        /** SLSA v1: no or empty {@code runDetails} ({@code ErrRunDetailsRequired}). */
        RUN_DETAILS_REQUIRED("run-details-required"),
        /** No or empty {@code builder} ({@code ErrBuilderRequired}). */
        BUILDER_REQUIRED("builder-required"),
        /** No or empty {@code builder.id} ({@code ErrBuilderIdRequired}). */
        BUILDER_ID_REQUIRED("builder-id-required"),
        /** A build timestamp that is not RFC 3339 (the Go library's timestamp check). */
        INVALID_TIMESTAMP("invalid-timestamp");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        /** The stable, lower-case code, for reports and logs. */
        public String code() {
            return code;
        }
    }

    private final Kind kind;
    private final String field;
    private final String source;
    private final String detail;

    InvalidStatementException(Kind kind, String field, String detail) {
        this(kind, field, null, detail);
    }

    private InvalidStatementException(Kind kind, String field, String source, String detail) {
        super((source == null ? "" : source + ": ") + (field.isEmpty() ? "" : field + ": ") + detail, null, false, false);
        this.kind = kind;
        this.field = field;
        this.source = source;
        this.detail = detail;
    }

    /** The same refusal, saying which document it is about. */
    InvalidStatementException from(String source) {
        return new InvalidStatementException(kind, field, source, detail);
    }

    public Kind kind() {
        return kind;
    }

    /** Where in the document, e.g. {@code predicate.runDetails.builder.id}; empty for the document as a whole. */
    public String field() {
        return field;
    }

    /** The document it is about, as the caller named it (an image and attestation digest, a file), or null. */
    public String source() {
        return source;
    }
}
