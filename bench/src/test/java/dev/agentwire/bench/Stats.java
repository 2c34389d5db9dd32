package dev.agentwire.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Percentiles of the latencies the live-session simulations time themselves (nearest rank). */
final class Stats {

    private Stats() {
    }

    static double percentile(Collection<Double> values, double p) {
        List<Double> sorted = new ArrayList<>(values);
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        sorted.sort(null);
        if (p == 50 && sorted.size() % 2 == 0) { // the median of an even count: the mean of the middle two
            return (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank - 1)));
    }
}
