package dev.custody.vuln.vex;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * One VEX statement, whichever document it came from (OpenVEX, CycloneDX VEX): a vulnerability, the product it is
 * about (an image digest, or a package), the subcomponents it narrows to (empty: the whole product), and the status
 * with its justification.
 *
 * @param productDigest the image digest the statement is about ({@code sha256:<hex>}), or null
 * @param productPurl   the product as a purl when it is a package, not an image; or null
 * @param subcomponents package URLs inside the product the statement is about; empty for the whole product
 */
public record VexStatement(String vulnerability, List<String> aliases, String productDigest, String productPurl, List<String> subcomponents,
                           Status status, String justification, String impact, String action, Instant timestamp) {

    /** The four statuses of VEX, as OpenVEX names them. */
    public enum Status {
        NOT_AFFECTED, AFFECTED, FIXED, UNDER_INVESTIGATION;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Status parse(String label) {
            return valueOf(label.trim().toUpperCase(Locale.ROOT));
        }
    }

    /** The justifications OpenVEX allows for not_affected. */
    public static final List<String> JUSTIFICATIONS = List.of("component_not_present", "vulnerable_code_not_present",
            "vulnerable_code_not_in_execute_path", "vulnerable_code_cannot_be_controlled_by_adversary", "inline_mitigations_already_exist");
}
