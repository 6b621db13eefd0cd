package dev.custody.server;

import dev.custody.logfmt.Log;
import java.io.IOException;
import java.io.Reader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.SecureRequestCustomizer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * The serving certificate and key, read from PEM files and swapped in place when the files change, so a
 * rotated certificate (cert-manager, a renewed Secret) is served on the next handshake without a restart.
 * A broken pair never replaces a good one.
 */
public final class TlsMaterial {

    private final Path certFile;
    private final Path keyFile;
    private final AtomicReference<X509ExtendedKeyManager> current = new AtomicReference<>();
    private volatile long stamp;
    private volatile String lastError;

    public TlsMaterial(Path certFile, Path keyFile) throws IOException {
        this.certFile = certFile;
        this.keyFile = keyFile;
        current.set(load());
        stamp = stamp();
    }

    /** An SSLContext whose key manager always serves the current pair. */
    public SSLContext sslContext() throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(new javax.net.ssl.KeyManager[] {new Delegating()}, null, null);
        return ctx;
    }

    /** Reloads when the files changed; returns true when a new pair is now served. */
    public boolean reloadIfChanged() {
        long now;
        try {
            now = stamp();
        } catch (IOException e) {
            lastError = "cannot stat TLS files: " + e.getMessage();
            return false;
        }
        if (now == stamp) {
            return false;
        }
        try {
            current.set(load());
            stamp = now;
            lastError = null;
            Log.info("tls certificate reloaded", "cert", certFile);
            return true;
        } catch (IOException | RuntimeException e) {
            lastError = e.getMessage();
            Log.error("tls reload failed; still serving the previous certificate", "cert", certFile, "error", e.getMessage());
            return false;
        }
    }

    public String lastError() {
        return lastError;
    }

    public X509Certificate certificate() {
        return current.get().getCertificateChain("custody")[0];
    }

    private long stamp() throws IOException {
        return Files.getLastModifiedTime(certFile).toMillis() * 31 + Files.getLastModifiedTime(keyFile).toMillis()
                + Files.size(certFile) + Files.size(keyFile);
    }

    private X509ExtendedKeyManager load() throws IOException {
        List<X509Certificate> chain = readCertificates(certFile);
        PrivateKey key = readKey(keyFile);
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("custody", key, new char[0], chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            return (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
        } catch (Exception e) {
            throw new IOException("certificate " + certFile + " and key " + keyFile + " do not make a usable pair: " + e.getMessage(), e);
        }
    }

    /** An SSLContext that trusts only the CA certificates in {@code caPem}: for clients of a self-signed server. */
    public static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        int i = 0;
        for (X509Certificate ca : readCertificates(caPem)) {
            ks.setCertificateEntry("ca" + i++, ca);
        }
        javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }

    static List<X509Certificate> readCertificates(Path file) throws IOException {
        List<X509Certificate> out = new ArrayList<>();
        try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                if (o instanceof X509CertificateHolder h) {
                    out.add(new JcaX509CertificateConverter().getCertificate(h));
                }
            }
        } catch (java.security.cert.CertificateException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        if (out.isEmpty()) {
            throw new IOException(file + ": no PEM certificate found");
        }
        return out;
    }

    static PrivateKey readKey(Path file) throws IOException {
        try (Reader r = Files.newBufferedReader(file); PEMParser p = new PEMParser(r)) {
            Object o;
            while ((o = p.readObject()) != null) {
                JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
                if (o instanceof PEMKeyPair kp) {
                    return conv.getPrivateKey(kp.getPrivateKeyInfo()); // SEC1 keys may omit the public part
                }
                if (o instanceof PrivateKeyInfo pki) {
                    return conv.getPrivateKey(pki);
                }
            }
        }
        throw new IOException(file + ": no PEM private key found (PKCS#8, PKCS#1 or SEC1)");
    }

    /** Delegates every call to the current key manager. */
    private final class Delegating extends X509ExtendedKeyManager {
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return current.get().getClientAliases(keyType, issuers);
        }

        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            return current.get().chooseClientAlias(keyType, issuers, socket);
        }

        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return current.get().getServerAliases(keyType, issuers);
        }

        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return current.get().chooseServerAlias(keyType, issuers, socket);
        }

        public X509Certificate[] getCertificateChain(String alias) {
            return current.get().getCertificateChain(alias);
        }

        public PrivateKey getPrivateKey(String alias) {
            return current.get().getPrivateKey(alias);
        }

        @Override
        public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
            return current.get().chooseEngineServerAlias(keyType, issuers, engine);
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return current.get().chooseEngineClientAlias(keyType, issuers, engine);
        }
    }

    /**
     * An HTTPS (HTTP/1.1) connector on a Jetty server that serves this material, rotating with it. Clients connect by
     * IP, so there is no SNI host check.
     */
    public ServerConnector connector(Server server, String host, int port) throws Exception {
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        http.addCustomizer(new SecureRequestCustomizer(false));
        SslContextFactory.Server ssl = new SslContextFactory.Server();
        ssl.setSslContext(sslContext());
        ServerConnector connector = new ServerConnector(server,
                new SslConnectionFactory(ssl, "http/1.1"), new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
    }
}
