package dev.agentwire.cluster.control;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ClusterNodeTest {

    static final String POSTGRES = "jdbc:postgresql://db:5432/agentwire";

    @Test
    void aSingleNodeRunsOnAnyDatabase() {
        assertDoesNotThrow(() -> ClusterNode.check(false, ClusterNode.SINGLE, ClusterNode.DEFAULT_DB_URL));
        assertDoesNotThrow(() -> ClusterNode.check(false, ClusterNode.SINGLE, POSTGRES));
    }

    @Test
    void clusterModeRefusesAnH2FileAndSaysWhatItNeeds() {
        var refused = assertThrows(IllegalStateException.class, () -> ClusterNode.check(true, "node-a", ClusterNode.DEFAULT_DB_URL));
        assertTrue(refused.getMessage().contains("needs PostgreSQL"), refused.getMessage());
        assertTrue(refused.getMessage().contains("jdbc:h2:file:./data/agentwire"), refused.getMessage());
    }

    @Test
    void clusterModeNeedsANodeIdOfItsOwn() {
        var refused = assertThrows(IllegalStateException.class, () -> ClusterNode.check(true, ClusterNode.SINGLE, POSTGRES));
        assertTrue(refused.getMessage().contains("agentwire.node.id"), refused.getMessage());
        assertDoesNotThrow(() -> ClusterNode.check(true, "agentwire-1.example", POSTGRES));
    }

    @Test
    void aNodeIdIsAShortPlainName() {
        assertThrows(IllegalStateException.class, () -> ClusterNode.check(false, "a b", POSTGRES));
        assertThrows(IllegalStateException.class, () -> ClusterNode.check(true, "x".repeat(65), POSTGRES));
        assertThrows(IllegalStateException.class, () -> ClusterNode.check(true, "", POSTGRES));
    }

    @Test
    void aNodeOnItsOwnHasNoPeers() {
        var node = new ClusterNode();
        node.enabled = false;
        var peers = node.peers();
        org.junit.jupiter.api.Assertions.assertInstanceOf(NoPeers.class, peers);
        org.junit.jupiter.api.Assertions.assertFalse(peers.shareTheDatabase());
        var owner = new dev.agentwire.kernel.Owner("https://issuer.test", "u");
        org.junit.jupiter.api.Assertions.assertTrue(peers.take("runs", owner, 1), "alone the node's own count decides");
        org.junit.jupiter.api.Assertions.assertTrue(peers.countThisMinute("connections", owner, 1));
    }
}
