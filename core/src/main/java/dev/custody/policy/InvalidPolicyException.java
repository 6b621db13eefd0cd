package dev.custody.policy;

import java.util.List;
import java.util.stream.Collectors;

/** A policy set that cannot be loaded; carries every error found, not only the first. */
public final class InvalidPolicyException extends RuntimeException {

    private final List<PolicyError> errors;

    public InvalidPolicyException(List<PolicyError> errors) {
        super(errors.stream().map(PolicyError::describe).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    public List<PolicyError> errors() {
        return errors;
    }
}
