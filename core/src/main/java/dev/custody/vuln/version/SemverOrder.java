package dev.custody.vuln.version;

import java.util.ArrayList;
import java.util.List;

/**
 * Semantic Versioning 2.0 precedence, read as OSV reads npm, Go, crates.io and Hex versions: a leading {@code v} is
 * dropped, missing components are zero, numbers may be of any size, build metadata ({@code +...}) is ignored, and
 * what follows the third component is part of the build (so {@code 1.1.3.4.5} equals itself only by text).
 */
final class SemverOrder implements VersionOrder {

    private record Parsed(List<String> core, String build, List<String> pre) {}

    static Parsed parse(String text) {
        String s = text.strip();
        if (s.startsWith("v") || s.startsWith("V")) {
            s = s.substring(1);
        }
        int plus = s.indexOf('+');
        if (plus >= 0) {
            s = s.substring(0, plus);
        }
        // the core: up to three dot-separated runs of digits; what is left is the prerelease (after a '-') or build
        List<String> core = new ArrayList<>(3);
        int i = 0;
        while (core.size() < 3) {
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            core.add(i == start ? "0" : s.substring(start, i));
            if (core.size() < 3 && i < s.length() && s.charAt(i) == '.' && i + 1 < s.length() && Character.isDigit(s.charAt(i + 1))) {
                i++;
            } else {
                break;
            }
        }
        while (core.size() < 3) {
            core.add("0");
        }
        String rest = s.substring(i);
        List<String> pre = List.of();
        String build = "";
        if (rest.startsWith("-")) {
            pre = List.of(rest.substring(1).split("\\.", -1));
        } else if (!rest.isEmpty()) {
            build = rest; // e.g. the ".4.5" of 1.1.3.4.5: compared as text after everything else
        }
        return new Parsed(core, build, pre);
    }

    @Override
    public int compare(String a, String b) {
        Parsed x = parse(a);
        Parsed y = parse(b);
        for (int k = 0; k < 3; k++) {
            int c = Numbers.compareDigits(x.core().get(k), y.core().get(k));
            if (c != 0) {
                return c;
            }
        }
        if (x.pre().isEmpty() != y.pre().isEmpty()) {
            return x.pre().isEmpty() ? 1 : -1; // a release sorts after its prereleases
        }
        if (!x.pre().isEmpty()) {
            int c = Numbers.comparePrerelease(x.pre(), y.pre(), false);
            if (c != 0) {
                return c;
            }
        }
        return Integer.signum(x.build().compareTo(y.build()));
    }
}
