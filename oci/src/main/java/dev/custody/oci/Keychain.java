package dev.custody.oci;

import java.util.List;

/** Finds the credentials to use for a repository; {@link Credentials.Anonymous} when there are none. */
@FunctionalInterface
public interface Keychain {

    Credentials credentials(Repository repository);

    /**
     * Every set of credentials this keychain has for a repository, in the order to try them: a client that is
     * refused one tries the next, as the kubelet tries each pull secret of a pod. By default the one from
     * {@link #credentials}.
     */
    default List<Credentials> candidates(Repository repository) {
        Credentials c = credentials(repository);
        return c instanceof Credentials.Anonymous ? List.of() : List.of(c);
    }

    static Keychain anonymous() {
        return repository -> new Credentials.Anonymous();
    }

    /**
     * The first keychain with credentials for a repository wins: a pod's imagePullSecrets, in the order the pod
     * lists them, then perhaps a node-wide config.
     */
    static Keychain firstOf(List<? extends Keychain> keychains) {
        List<Keychain> copy = List.copyOf(keychains);
        return new Keychain() {
            @Override
            public Credentials credentials(Repository repository) {
                for (Keychain k : copy) {
                    Credentials c = k.credentials(repository);
                    if (!(c instanceof Credentials.Anonymous)) {
                        return c;
                    }
                }
                return new Credentials.Anonymous();
            }

            @Override
            public List<Credentials> candidates(Repository repository) {
                java.util.LinkedHashSet<Credentials> all = new java.util.LinkedHashSet<>();
                for (Keychain k : copy) {
                    all.addAll(k.candidates(repository));
                }
                return List.copyOf(all);
            }
        };
    }
}
