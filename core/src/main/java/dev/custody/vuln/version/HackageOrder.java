package dev.custody.vuln.version;

/**
 * Hackage: Cabal's {@code Version} (and {@code Data.Version}'s {@code Ord}), a list of non-negative integers written
 * with dots, compared lexicographically by number, so {@code 0.1.0 < 0.1.0.0} and {@code 0.9 < 0.10}. The old
 * {@code Data.Version} tags ({@code 1.0-beta}) never took part in its order, so what follows the first {@code -} is
 * ignored; anything else that is not a digit is read as a separator.
 */
final class HackageOrder implements VersionOrder {

    @Override
    public int compare(String a, String b) {
        return CranOrder.compareNumberLists(CranOrder.numbers(branch(a)), CranOrder.numbers(branch(b)));
    }

    private static String branch(String text) {
        int dash = text.indexOf('-');
        return dash < 0 ? text : text.substring(0, dash);
    }
}
