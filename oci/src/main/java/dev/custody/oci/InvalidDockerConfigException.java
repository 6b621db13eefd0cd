package dev.custody.oci;

/** A docker config.json or imagePullSecret that cannot be read; the message names the source and entry, never a secret. */
public final class InvalidDockerConfigException extends IllegalArgumentException {

    InvalidDockerConfigException(String message) {
        super(message);
    }

    InvalidDockerConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
