package dev.custody.manifest;

/** An input that cannot be read as Kubernetes objects; carries the source and, where known, the line. */
public final class ManifestException extends RuntimeException {

    private final Position position;

    public ManifestException(Position position, String message) {
        super(message);
        this.position = position;
    }

    public Position position() {
        return position;
    }

    /** {@code file:line:column: message}, the form editors and CI logs link to. */
    public String describe() {
        return (position.line() > 0 ? position.toString() : position.source()) + ": " + getMessage();
    }
}
