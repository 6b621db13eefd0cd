package dev.custody.verify;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.sigstore.fulcio.client.FulcioVerifier;
import dev.sigstore.json.ProtoJson;
import dev.sigstore.proto.common.v1.TimeRange;
import dev.sigstore.proto.trustroot.v1.TrustedRoot;
import dev.sigstore.timestamp.client.TimestampVerifier;
import dev.sigstore.trustroot.CertificateAuthority;
import dev.sigstore.trustroot.SigstoreConfigurationException;
import dev.sigstore.trustroot.SigstoreTrustedRoot;
import dev.sigstore.trustroot.TransparencyLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.List;

/**
 * A Sigstore trusted root (certificate authorities, transparency logs, CT logs, timestamp authorities), parsed
 * and checked once, then shared by any number of verifications on any thread. Never fetched: it comes from a
 * file or from the public-good snapshot shipped with Custody.
 */
public final class TrustRoot {

    /** Larger trusted-root files are refused unread; the public-good one is about 10 KiB. */
    public static final long MAX_BYTES = 10L * 1024 * 1024;

    private static final String PUBLIC_GOOD = "public-good/trusted_root.json";

    private final String source;
    private final SigstoreTrustedRoot root;
    private final FulcioVerifier fulcio;
    private final TimestampVerifier timestamps;

    private TrustRoot(String source, SigstoreTrustedRoot root) throws GeneralSecurityException {
        this.source = source;
        this.root = root;
        this.fulcio = FulcioVerifier.newFulcioVerifier(root);
        this.timestamps = TimestampVerifier.newTimestampVerifier(root);
    }

    /** Reads a {@code trusted_root.json} (media type {@code application/vnd.dev.sigstore.trustedroot+json;version=0.1}). */
    public static TrustRoot load(Path file) throws TrustRootException {
        byte[] json;
        try {
            json = Inputs.readBounded(file, MAX_BYTES);
        } catch (IOException e) {
            throw new TrustRootException("cannot read trusted root " + file + ": " + Inputs.describe(e), e);
        }
        return parse(json, file.toString());
    }

    /** The Sigstore public-good trusted root shipped with Custody (see the README beside it for its date). */
    public static TrustRoot publicGood() {
        return PublicGood.ROOT;
    }

    /** Parses trusted-root JSON; {@code source} names it in messages. */
    public static TrustRoot parse(byte[] json, String source) throws TrustRootException {
        if (json.length > MAX_BYTES) {
            throw new TrustRootException(source + " is larger than the limit of " + MAX_BYTES + " bytes");
        }
        String problem = Inputs.checkJsonNesting(json);
        if (problem != null) {
            throw new TrustRootException(source + " is not a trusted root: " + problem);
        }
        TrustedRoot.Builder proto = TrustedRoot.newBuilder();
        try {
            ProtoJson.parser().merge(new String(json, StandardCharsets.UTF_8), proto);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            throw new TrustRootException(source + " is not a trusted root: " + e.getMessage(), e);
        }
        checkValidityStarts(proto, source);
        try {
            return new TrustRoot(source, SigstoreTrustedRoot.from(proto));
        } catch (SigstoreConfigurationException | GeneralSecurityException | RuntimeException e) {
            throw new TrustRootException(source + ": " + e.getMessage(), e);
        }
    }

    /**
     * A validity period without a start would be read as "valid since 1970" by sigstore-java; the trusted-root
     * specification makes the start required, so such a root is refused rather than trusted without bound.
     */
    private static void checkValidityStarts(TrustedRoot.Builder proto, String source) throws TrustRootException {
        for (int i = 0; i < proto.getTlogsCount(); i++) {
            requireStart(proto.getTlogs(i).getPublicKey().getValidFor(), source, "tlogs[" + i + "].publicKey.validFor.start",
                    proto.getTlogs(i).getBaseUrl());
        }
        for (int i = 0; i < proto.getCtlogsCount(); i++) {
            requireStart(proto.getCtlogs(i).getPublicKey().getValidFor(), source, "ctlogs[" + i + "].publicKey.validFor.start",
                    proto.getCtlogs(i).getBaseUrl());
        }
        for (int i = 0; i < proto.getCertificateAuthoritiesCount(); i++) {
            requireStart(proto.getCertificateAuthorities(i).getValidFor(), source, "certificateAuthorities[" + i + "].validFor.start",
                    proto.getCertificateAuthorities(i).getUri());
        }
        for (int i = 0; i < proto.getTimestampAuthoritiesCount(); i++) {
            requireStart(proto.getTimestampAuthorities(i).getValidFor(), source, "timestampAuthorities[" + i + "].validFor.start",
                    proto.getTimestampAuthorities(i).getUri());
        }
    }

    private static void requireStart(TimeRange validFor, String source, String field, String name) throws TrustRootException {
        if (!validFor.hasStart()) {
            throw new TrustRootException(source + ": " + field + " (" + name + ") is missing; a validity period must have a start");
        }
    }

    /** Where this root came from: a path, or {@code public-good}. */
    public String source() {
        return source;
    }

    List<CertificateAuthority> certificateAuthorities() {
        return root.getCAs();
    }

    List<TransparencyLog> transparencyLogs() {
        return root.getTLogs();
    }

    FulcioVerifier fulcio() {
        return fulcio;
    }

    TimestampVerifier timestamps() {
        return timestamps;
    }

    @Override
    public String toString() {
        return "TrustRoot[" + source + "]";
    }

    /** Loaded on first use; a broken copy in the jar is a build fault, not a user error. */
    private static final class PublicGood {
        static final TrustRoot ROOT = load();

        private static TrustRoot load() {
            try (InputStream in = TrustRoot.class.getResourceAsStream(PUBLIC_GOOD)) {
                if (in == null) {
                    throw new IllegalStateException("the public-good trusted root is missing from the classpath");
                }
                return parse(in.readNBytes((int) MAX_BYTES + 1), "public-good");
            } catch (IOException | TrustRootException e) {
                throw new IllegalStateException("the shipped public-good trusted root cannot be read", e);
            }
        }
    }
}
