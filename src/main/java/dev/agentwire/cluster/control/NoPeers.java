package dev.agentwire.cluster.control;

import dev.agentwire.kernel.Owner;
import java.util.Map;
import java.util.function.Consumer;

/** A node on its own: the only writer of its database, with nobody to count with or to tell. */
public final class NoPeers implements Peers {

    @Override
    public boolean shareTheDatabase() {
        return false;
    }

    @Override
    public boolean take(String kind, Owner owner, int max) {
        return true;
    }

    @Override
    public void give(String kind, Owner owner) {
        // nothing was taken
    }

    @Override
    public boolean countThisMinute(String kind, Owner owner, int max) {
        return true;
    }

    @Override
    public void published(Map<String, Long> lastSeqs) {
        // nobody listens
    }

    @Override
    public void onStoredElsewhere(Consumer<Map<String, Long>> lastSeqs) {
        // nobody else stores
    }

    @Override
    public void onNodeGone(Consumer<String> nodeId) {
        // nobody leaves
    }
}
