package dev.custody.vuln.version;

import java.util.ArrayList;
import java.util.List;

/**
 * Pub: Dart's {@code pub_semver}, semantic versioning in which, unlike SemVer 2.0, build metadata takes part in the
 * order: a version sorts after its prereleases, and before the same version with a build ({@code 1.0.0 < 1.0.0+1});
 * prerelease and build identifiers are compared alike (numbers by value and before words, words by ASCII, a shorter
 * list that is a prefix first). As OSV reads it, a leading {@code v} is dropped and missing components are zero, and
 * whatever follows the third component that is not a prerelease is read as build.
 */
final class PubOrder implements VersionOrder {

    private record Parsed(List<String> core, List<String> pre, List<String> build) {}

    static Parsed parse(String text) {
        String s = text.strip();
        if (s.startsWith("v") || s.startsWith("V")) {
            s = s.substring(1);
        }
        List<String> core = new ArrayList<>(3);
        int i = 0;
        while (core.size() < 3) {
            int start = i;
            while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            core.add(i == start ? "0" : s.substring(start, i));
            if (core.size() < 3 && i + 1 < s.length() && s.charAt(i) == '.' && s.charAt(i + 1) >= '0' && s.charAt(i + 1) <= '9') {
                i++;
            } else {
                break;
            }
        }
        while (core.size() < 3) {
            core.add("0");
        }
        String rest = s.substring(i);
        String pre = "";
        String build = "";
        if (rest.startsWith("-")) {
            int plus = rest.indexOf('+');
            pre = plus < 0 ? rest.substring(1) : rest.substring(1, plus);
            build = plus < 0 ? "" : rest.substring(plus + 1);
        } else if (rest.startsWith("+")) {
            build = rest.substring(1);
        } else if (!rest.isEmpty()) {
            // e.g. the ".4.5" of 1.1.3.4.5, which pub rejects: kept, as build, so that it still tells versions apart
            build = rest.startsWith(".") ? rest.substring(1) : rest;
        }
        return new Parsed(core, identifiers(pre), identifiers(build));
    }

    private static List<String> identifiers(String s) {
        return s.isEmpty() ? List.of() : List.of(s.split("\\.", -1));
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
        int c = Numbers.comparePrerelease(x.pre(), y.pre(), false);
        if (c != 0) {
            return c;
        }
        if (x.build().isEmpty() != y.build().isEmpty()) {
            return x.build().isEmpty() ? -1 : 1; // and before its builds
        }
        return Numbers.comparePrerelease(x.build(), y.build(), false);
    }
}
