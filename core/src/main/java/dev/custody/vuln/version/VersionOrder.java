package dev.custody.vuln.version;

/**
 * A total order on one ecosystem's version strings, as that ecosystem's own tooling sorts them (dpkg for Debian,
 * Maven's ComparableVersion, PEP 440 for PyPI, ...). Pure: no I/O, thread-safe, never throws on any input; a
 * string the ecosystem would reject is still ordered, by the most lenient reading the ecosystem's tools give it.
 */
public interface VersionOrder {

    /** Negative, zero or positive as {@code a} sorts before, equal to, or after {@code b}. */
    int compare(String a, String b);
}
