package dev.custody.verify;

/** Control flow inside a verification: the check that failed and why. Never leaves this package. */
final class Rejected extends Exception {

    private final Failure failure;

    Rejected(Failure failure, String message) {
        super(message, null, false, false);
        this.failure = failure;
    }

    Failure failure() {
        return failure;
    }
}
