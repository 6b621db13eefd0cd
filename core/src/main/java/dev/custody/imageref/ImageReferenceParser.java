package dev.custody.imageref;

import static dev.custody.imageref.InvalidImageReferenceException.Reason.*;

/**
 * A hand-written scanner for the distribution reference grammar, with Docker's normalization
 * (default registry {@code docker.io}, {@code library/} for official images, {@code index.docker.io}
 * folded into {@code docker.io}). Hand-written rather than regular expressions because admission parses
 * every image of every request and the errors must say which part is wrong.
 */
final class ImageReferenceParser {

    static final int MAX_NAME_LENGTH = 255;
    static final int MAX_TAG_LENGTH = 128;

    private ImageReferenceParser() {}

    static ImageReference parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new InvalidImageReferenceException(EMPTY, "image reference is empty");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                throw new InvalidImageReferenceException(INVALID_FORMAT,
                        "image reference \"" + text + "\" contains " + describe(c) + " at position " + i);
            }
        }
        String rest = text;
        Digest digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            String digestText = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (digestText.indexOf('@') >= 0) {
                throw new InvalidImageReferenceException(INVALID_FORMAT, "image reference \"" + text + "\" has more than one '@'");
            }
            digest = Digest.parse(digestText);
            if (rest.isEmpty()) {
                throw new InvalidImageReferenceException(INVALID_FORMAT, "image reference \"" + text + "\" has a digest but no repository name");
            }
        }
        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int lastColon = rest.lastIndexOf(':');
        if (lastColon > lastSlash) {
            tag = rest.substring(lastColon + 1);
            rest = rest.substring(0, lastColon);
            validateTag(text, tag);
        }
        if (rest.isEmpty()) {
            throw new InvalidImageReferenceException(INVALID_FORMAT, "image reference \"" + text + "\" has no repository name");
        }
        if (rest.length() > MAX_NAME_LENGTH) {
            throw new InvalidImageReferenceException(NAME_TOO_LONG,
                    "repository name must not be longer than " + MAX_NAME_LENGTH + " characters, found " + rest.length());
        }
        if (digest == null && tag == null && isHex64(rest)) {
            throw new InvalidImageReferenceException(NAME_NOT_CANONICAL,
                    "\"" + text + "\" is a 64-character hexadecimal string, which is an image ID, not a reference; use name@sha256:" + rest);
        }

        String registry;
        String repository;
        int slash = rest.indexOf('/');
        if (slash < 0 || !looksLikeDomain(rest.substring(0, slash))) {
            registry = ImageReference.DOCKER_HUB;
            repository = rest;
        } else {
            registry = rest.substring(0, slash);
            repository = rest.substring(slash + 1);
            validateDomain(text, registry);
            if (registry.equals("index.docker.io")) {
                registry = ImageReference.DOCKER_HUB;
            }
        }
        validateRepository(text, repository);
        if (registry.equals(ImageReference.DOCKER_HUB) && repository.indexOf('/') < 0) {
            repository = "library/" + repository;
        }
        return new ImageReference(text, registry, repository, tag, digest);
    }

    /** Docker's rule: the first component is a registry when it has a dot or colon, is localhost, or has uppercase. */
    private static boolean looksLikeDomain(String first) {
        if (first.equals("localhost")) {
            return true;
        }
        for (int i = 0; i < first.length(); i++) {
            char c = first.charAt(i);
            if (c == '.' || c == ':' || (c >= 'A' && c <= 'Z') || c == '[') {
                return true;
            }
        }
        return false;
    }

    private static void validateTag(String text, String tag) {
        if (tag.isEmpty()) {
            throw new InvalidImageReferenceException(INVALID_TAG, "image reference \"" + text + "\" ends its name with ':' but has no tag");
        }
        if (tag.length() > MAX_TAG_LENGTH) {
            throw new InvalidImageReferenceException(INVALID_TAG,
                    "tag must not be longer than " + MAX_TAG_LENGTH + " characters, found " + tag.length());
        }
        for (int i = 0; i < tag.length(); i++) {
            char c = tag.charAt(i);
            boolean word = isAlnum(c) || (c >= 'A' && c <= 'Z') || c == '_';
            if (!(word || (i > 0 && (c == '.' || c == '-')))) {
                throw new InvalidImageReferenceException(INVALID_TAG,
                        "tag \"" + tag + "\" of \"" + text + "\" has " + describe(c) + " at position " + i
                                + " (tags are letters, digits, '_', and after the first character '.' and '-')");
            }
        }
    }

    private static void validateDomain(String text, String domain) {
        String host = domain;
        String port = null;
        if (domain.startsWith("[")) {
            int close = domain.indexOf(']');
            if (close < 0) {
                throw new InvalidImageReferenceException(INVALID_DOMAIN, "registry \"" + domain + "\" has an unclosed IPv6 bracket");
            }
            String v6 = domain.substring(1, close);
            if (v6.isEmpty() || !v6.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                throw new InvalidImageReferenceException(INVALID_DOMAIN, "registry \"" + domain + "\" is not a valid IPv6 address");
            }
            String after = domain.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    throw new InvalidImageReferenceException(INVALID_DOMAIN, "registry \"" + domain + "\" has text after the IPv6 address");
                }
                port = after.substring(1);
            }
        } else {
            int colon = domain.indexOf(':');
            if (colon >= 0) {
                host = domain.substring(0, colon);
                port = domain.substring(colon + 1);
            }
            if (host.isEmpty()) {
                throw new InvalidImageReferenceException(INVALID_DOMAIN, "registry \"" + domain + "\" has no host name");
            }
            for (String component : host.split("\\.", -1)) {
                if (!isDomainComponent(component)) {
                    throw new InvalidImageReferenceException(INVALID_DOMAIN,
                            "registry host \"" + host + "\" of \"" + text + "\" has an invalid component \"" + component + "\"");
                }
            }
        }
        if (port != null) {
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new InvalidImageReferenceException(INVALID_DOMAIN,
                        "registry \"" + domain + "\" of \"" + text + "\" has an invalid port \"" + port + "\"");
            }
        }
    }

    private static boolean isDomainComponent(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alnum = isAlnum(c) || (c >= 'A' && c <= 'Z');
            if (!alnum && !(c == '-' && i > 0 && i < s.length() - 1)) {
                return false;
            }
        }
        return true;
    }

    private static void validateRepository(String text, String repository) {
        if (repository.isEmpty()) {
            throw new InvalidImageReferenceException(INVALID_FORMAT, "image reference \"" + text + "\" has a registry but no repository");
        }
        for (int i = 0; i < repository.length(); i++) {
            char c = repository.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                throw new InvalidImageReferenceException(UPPERCASE_REPOSITORY,
                        "repository name \"" + repository + "\" must be lowercase");
            }
        }
        for (String component : repository.split("/", -1)) {
            String problem = pathComponentProblem(component);
            if (problem != null) {
                throw new InvalidImageReferenceException(INVALID_FORMAT,
                        "repository path component \"" + component + "\" of \"" + text + "\" " + problem);
            }
        }
    }

    /** Path components are lowercase alphanumerics joined by '.', '_', '__' or any run of '-'. */
    private static String pathComponentProblem(String c) {
        if (c.isEmpty()) {
            return "is empty (double or trailing '/')";
        }
        if (!isAlnum(c.charAt(0)) || !isAlnum(c.charAt(c.length() - 1))) {
            return "must start and end with a lowercase letter or digit";
        }
        int i = 0;
        while (i < c.length()) {
            char ch = c.charAt(i);
            if (isAlnum(ch)) {
                i++;
                continue;
            }
            int start = i;
            while (i < c.length() && !isAlnum(c.charAt(i))) {
                i++;
            }
            String sep = c.substring(start, i);
            boolean ok = sep.equals(".") || sep.equals("_") || sep.equals("__") || sep.chars().allMatch(x -> x == '-');
            if (!ok) {
                return "has an invalid separator \"" + sep + "\"";
            }
        }
        return null;
    }

    private static boolean isAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isHex64(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    private static String describe(char c) {
        if (c == ' ') {
            return "a space";
        }
        if (c < ' ' || c == 0x7f) {
            return String.format("control character U+%04X", (int) c);
        }
        if (c > 0x7f) {
            return String.format("non-ASCII character U+%04X", (int) c);
        }
        return "'" + c + "'";
    }
}
