package dev.custody.vuln.version;

import java.util.ArrayList;
import java.util.List;

/**
 * NuGet: NuGetVersion's default comparison, SemVer 2.0 widened to four numeric parts (a missing part is 0, so
 * {@code 1.0} equals {@code 1.0.0.0}), prerelease labels compared as SemVer does but ignoring case, build metadata
 * ({@code +...}) ignored. Text NuGet would reject is still ordered: each part by its leading digits (none read as 0),
 * parts past the fourth as further numbers, a leading {@code v} dropped.
 */
final class NugetOrder implements VersionOrder {

    private record Parsed(List<String> numbers, List<String> pre) {}

    static Parsed parse(String text) {
        String s = text.strip();
        if (s.startsWith("v") || s.startsWith("V")) {
            s = s.substring(1);
        }
        int plus = s.indexOf('+');
        if (plus >= 0) {
            s = s.substring(0, plus);
        }
        List<String> pre = List.of();
        int dash = s.indexOf('-');
        if (dash >= 0) {
            String labels = s.substring(dash + 1);
            if (!labels.isEmpty()) {
                pre = List.of(labels.split("\\.", -1));
            }
            s = s.substring(0, dash);
        }
        List<String> numbers = new ArrayList<>();
        for (String part : s.split("\\.", -1)) {
            int e = 0;
            while (e < part.length() && part.charAt(e) >= '0' && part.charAt(e) <= '9') {
                e++;
            }
            numbers.add(e == 0 ? "0" : part.substring(0, e));
        }
        return new Parsed(numbers, pre);
    }

    @Override
    public int compare(String a, String b) {
        Parsed x = parse(a);
        Parsed y = parse(b);
        int n = Math.max(4, Math.max(x.numbers().size(), y.numbers().size()));
        for (int k = 0; k < n; k++) {
            int c = Numbers.compareDigits(k < x.numbers().size() ? x.numbers().get(k) : "0", k < y.numbers().size() ? y.numbers().get(k) : "0");
            if (c != 0) {
                return c;
            }
        }
        if (x.pre().isEmpty() != y.pre().isEmpty()) {
            return x.pre().isEmpty() ? 1 : -1; // a release sorts after its prereleases
        }
        // NuGet compares labels ordinally ignoring case, which .NET does on the upper-cased text
        return Numbers.comparePrerelease(x.pre(), y.pre(), true);
    }
}
