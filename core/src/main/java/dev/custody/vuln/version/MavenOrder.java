package dev.custody.vuln.version;

import org.apache.maven.artifact.versioning.ComparableVersion;

/**
 * Maven: Maven's own {@link ComparableVersion} (maven-artifact 3.6.3, whose order the OSV corpus's 14,752 generated
 * vectors were sorted with; 3.8 and later order some mixed separators differently). One spelling is normalized first:
 * the spec's null qualifiers ({@code ga}, {@code final}, {@code release}) inside a version, as in {@code 1-ga-1}, which
 * the spec and OSV read as {@code 1-1} and ComparableVersion does not.
 */
final class MavenOrder implements VersionOrder {

    private static final java.util.regex.Pattern NULL_QUALIFIER = java.util.regex.Pattern.compile("(?i)-(ga|final|release)(?=-)");

    @Override
    public int compare(String a, String b) {
        return Integer.signum(version(a).compareTo(version(b)));
    }

    private static ComparableVersion version(String text) {
        return new ComparableVersion(NULL_QUALIFIER.matcher(text.strip()).replaceAll(""));
    }
}
