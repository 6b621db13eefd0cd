package dev.custody.admission;

/** An AdmissionReview that cannot be answered (malformed, null, partial); the server replies HTTP 400 with the message. */
public final class InvalidReviewException extends RuntimeException {
    public InvalidReviewException(String message) {
        super(message);
    }
}
