package dev.custody.oci;

import java.util.List;

/** Finds the credentials to use for a repository; {@link Credentials.Anonymous} when there are none. */
@FunctionalInterface
public interface Keychain {

    Credentials credentials(Repository repository);

    static Keychain anonymous() {
        return repository -> new Credentials.Anonymous();
    }

    /**
     * The first keychain with credentials for a repository wins: a pod's imagePullSecrets, in the order the pod
     * lists them, then perhaps a node-wide config.
     */
    static Keychain firstOf(List<? extends Keychain> keychains) {
        List<Keychain> copy = List.copyOf(keychains);
        return repository -> {
            for (Keychain k : copy) {
                Credentials c = k.credentials(repository);
                if (!(c instanceof Credentials.Anonymous)) {
                    return c;
                }
            }
            return new Credentials.Anonymous();
        };
    }
}
