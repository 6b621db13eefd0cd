package dev.custody.cli;

/** A public key for trust rules that must find no signature: its private half signed nothing the tests push. */
final class TrustKeys {

    static final String KEY = """
            -----BEGIN PUBLIC KEY-----
            MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEusIAt6EJ3YrTHdg2qkWVS0KuotWQ
            wHDtyaXlq7Nhj8279+1u/l5pZhXJPW8PnGRRLdO5NbsuM6aT7pOcP100uw==
            -----END PUBLIC KEY-----
            """;

    private TrustKeys() {}
}
