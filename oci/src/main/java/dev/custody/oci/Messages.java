package dev.custody.oci;

/** Text from a registry, made safe to put in an exception message: bounded, printable, one line. */
final class Messages {

    static final int MAX = 200;

    private Messages() {}

    static String clip(String text) {
        if (text == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX + 3));
        for (int i = 0; i < text.length() && sb.length() < MAX; i++) {
            char c = text.charAt(i);
            sb.append(c < 0x20 || c == 0x7f || Character.isSurrogate(c) ? '?' : c);
        }
        if (text.length() > MAX) {
            sb.append("...");
        }
        return sb.toString();
    }
}
