package dev.custody.oci;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * An authentication challenge from a {@code WWW-Authenticate} header (RFC 9110 section 11.6.1): a scheme and its
 * parameters, as in {@code Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="..."}.
 * Parameter names are lower-cased; values are unquoted. Scopes hold commas ({@code pull,push}), so values are read
 * as quoted strings, not split on commas.
 */
record Challenge(String scheme, Map<String, String> params) {

    Challenge {
        scheme = scheme.toLowerCase(Locale.ROOT);
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    boolean isBearer() {
        return scheme.equals("bearer");
    }

    boolean isBasic() {
        return scheme.equals("basic");
    }

    String realm() {
        return params.get("realm");
    }

    String service() {
        return params.get("service");
    }

    String scope() {
        return params.get("scope");
    }

    /** The challenge to answer among all those in the headers: Bearer before Basic before anything else. */
    static Optional<Challenge> select(List<String> headerValues) {
        List<Challenge> all = new ArrayList<>();
        for (String value : headerValues) {
            all.addAll(parse(value));
        }
        return all.stream().filter(Challenge::isBearer).findFirst()
                .or(() -> all.stream().filter(Challenge::isBasic).findFirst())
                .or(() -> all.stream().findFirst());
    }

    /** Every challenge in one header value; what cannot be read is skipped, never thrown. */
    static List<Challenge> parse(String header) {
        List<Challenge> out = new ArrayList<>();
        if (header == null || header.length() > 16 * 1024) {
            return out;
        }
        Scanner s = new Scanner(header);
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (true) {
            s.skip(" \t,");
            if (s.done()) {
                break;
            }
            String token = s.token();
            if (token.isEmpty()) {
                s.pos++; // a stray character: step over it
                continue;
            }
            s.skip(" \t");
            if (!s.done() && s.peek() == '=' && scheme != null) {
                s.pos++;
                s.skip(" \t");
                String value = !s.done() && s.peek() == '"' ? s.quoted() : s.token();
                params.putIfAbsent(token.toLowerCase(Locale.ROOT), value);
            } else {
                if (scheme != null) {
                    out.add(new Challenge(scheme, params));
                    params = new LinkedHashMap<>();
                }
                scheme = token;
                // token68 credentials (base64 after the scheme) carry nothing a client needs
            }
        }
        if (scheme != null) {
            out.add(new Challenge(scheme, params));
        }
        return out;
    }

    private static final class Scanner {
        final String text;
        int pos;

        Scanner(String text) {
            this.text = text;
        }

        boolean done() {
            return pos >= text.length();
        }

        char peek() {
            return text.charAt(pos);
        }

        void skip(String chars) {
            while (!done() && chars.indexOf(peek()) >= 0) {
                pos++;
            }
        }

        String token() {
            int start = pos;
            while (!done()) {
                char c = peek();
                if (c == '=' || c == ',' || c == ' ' || c == '\t' || c == '"') {
                    break;
                }
                pos++;
            }
            return text.substring(start, pos);
        }

        String quoted() {
            pos++; // opening quote
            StringBuilder sb = new StringBuilder();
            while (!done()) {
                char c = text.charAt(pos++);
                if (c == '"') {
                    break;
                }
                if (c == '\\' && !done()) {
                    c = text.charAt(pos++);
                }
                sb.append(c);
            }
            return sb.toString();
        }
    }
}
