package dev.custody.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A deterministic advisory database in OSV's own export shape (one {@code all.zip} per ecosystem) and an SBOM whose
 * components meet it: {@code SyntheticAdvisories RECORDS COMPONENTS DIR}. Records spread over npm, Maven, PyPI, Go
 * and Debian packages (four records per package on average, like the big ecosystems), each with an alias, a CVSS
 * vector, one or two ranges with introduced and fixed events, and a versions list for a third of them. Of the SBOM's
 * components, one in five is a package with records, at a version some of its ranges hold.
 */
public final class SyntheticAdvisories {

    record Eco(String osv, String purlType, String namespace) {}

    static final List<Eco> ECOSYSTEMS = List.of(new Eco("npm", "npm", ""), new Eco("Maven", "maven", "org.example"),
            new Eco("PyPI", "pypi", ""), new Eco("Go", "golang", "example.com/mod"), new Eco("Debian:12", "deb", "debian"));

    public static void main(String[] args) throws IOException {
        int records = Integer.parseInt(args[0]);
        int components = Integer.parseInt(args[1]);
        Path dir = Files.createDirectories(Path.of(args[2]));
        write(records, components, dir, 42);
    }

    static String name(Eco e, int pkg) {
        return switch (e.purlType()) {
            case "maven" -> e.namespace() + ":lib-" + pkg;
            case "golang" -> e.namespace() + pkg + "/pkg";
            default -> "lib-" + pkg;
        };
    }

    static String purl(Eco e, int pkg, String version) {
        return switch (e.purlType()) {
            case "maven" -> "pkg:maven/" + e.namespace() + "/lib-" + pkg + "@" + version;
            case "golang" -> "pkg:golang/" + e.namespace() + pkg + "/pkg@v" + version;
            case "deb" -> "pkg:deb/debian/lib-" + pkg + "@" + version + "?arch=amd64&distro=debian-12";
            default -> "pkg:" + e.purlType() + "/lib-" + pkg + "@" + version;
        };
    }

    /** Writes {@code DIR/<Ecosystem>/all.zip} and {@code DIR/bom.json}. */
    static void write(int records, int components, Path dir, long seed) throws IOException {
        Random random = new Random(seed);
        int packages = Math.max(1, records / 4);
        List<ZipOutputStream> zips = new ArrayList<>();
        for (Eco e : ECOSYSTEMS) {
            Path z = Files.createDirectories(dir.resolve(e.osv().replace(':', '-'))).resolve("all.zip");
            zips.add(new ZipOutputStream(Files.newOutputStream(z)));
        }
        String[] vectors = {"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N",
                "CVSS:3.1/AV:N/AC:H/PR:N/UI:R/S:U/C:L/I:L/A:N", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"};
        for (int i = 0; i < records; i++) {
            int pkg = random.nextInt(packages);
            int ecoIndex = pkg % ECOSYSTEMS.size();
            Eco e = ECOSYSTEMS.get(ecoIndex);
            int major = random.nextInt(5);
            int fixedMinor = 1 + random.nextInt(9);
            String ecosystemType = e.purlType().equals("deb") ? "ECOSYSTEM" : e.purlType().equals("maven") || e.purlType().equals("pypi") ? "ECOSYSTEM" : "SEMVER";
            StringBuilder ranges = new StringBuilder("{\"type\": \"" + ecosystemType + "\", \"events\": [{\"introduced\": \"" + major + ".0.0\"}, {\"fixed\": \""
                    + major + "." + fixedMinor + ".0\"}]}");
            if (random.nextInt(3) == 0) {
                ranges.append(", {\"type\": \"").append(ecosystemType).append("\", \"events\": [{\"introduced\": \"").append(major + 5)
                        .append(".0.0\"}, {\"fixed\": \"").append(major + 5).append(".2.1\"}]}");
            }
            StringBuilder versions = new StringBuilder();
            if (i % 3 == 0) {
                versions.append(", \"versions\": [");
                for (int m = 0; m < fixedMinor; m++) {
                    versions.append(m == 0 ? "" : ", ").append('"').append(major).append('.').append(m).append(".0\"");
                }
                versions.append(']');
            }
            String id = "SYN-" + e.osv().replace(":", "") + "-" + i;
            String json = "{\"schema_version\": \"1.6.0\", \"id\": \"" + id + "\", \"modified\": \"2026-0" + (1 + i % 9) + "-15T10:00:00Z\", "
                    + "\"published\": \"2025-06-01T00:00:00Z\", \"aliases\": [\"CVE-2099-" + (10000 + i) + "\"], \"summary\": \"synthetic advisory " + i
                    + " in " + name(e, pkg) + "\", \"severity\": [{\"type\": \"CVSS_V3\", \"score\": \"" + vectors[i % vectors.length] + "\"}], "
                    + "\"affected\": [{\"package\": {\"ecosystem\": \"" + e.osv() + "\", \"name\": \"" + name(e, pkg) + "\"}, \"ranges\": [" + ranges + "]"
                    + versions + "}], \"references\": [{\"type\": \"ADVISORY\", \"url\": \"https://advisories.example/" + id + "\"}]}";
            ZipOutputStream zip = zips.get(ecoIndex);
            zip.putNextEntry(new ZipEntry(id + ".json"));
            zip.write(json.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
        for (ZipOutputStream z : zips) {
            z.close();
        }
        try (OutputStream out = Files.newOutputStream(dir.resolve("bom.json"))) {
            StringBuilder b = new StringBuilder("{\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.5\", \"version\": 1, \"components\": [");
            for (int c = 0; c < components; c++) {
                boolean hit = c % 5 == 0;
                int pkg = hit ? random.nextInt(packages) : packages + c; // a package without records
                Eco e = ECOSYSTEMS.get(pkg % ECOSYSTEMS.size());
                String version = random.nextInt(5) + "." + random.nextInt(10) + "." + random.nextInt(3);
                b.append(c == 0 ? "" : ",").append("{\"type\": \"library\", \"name\": \"lib-").append(pkg).append("\", \"version\": \"").append(version)
                        .append("\", \"purl\": \"").append(purl(e, pkg, version)).append("\"}");
            }
            b.append("]}");
            out.write(b.toString().getBytes(StandardCharsets.UTF_8));
        }
    }
}
