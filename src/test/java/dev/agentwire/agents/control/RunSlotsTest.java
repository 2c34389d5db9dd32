package dev.agentwire.agents.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentwire.cluster.control.NoPeers;
import dev.agentwire.kernel.Owner;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RunSlotsTest {

    final Owner alice = new Owner("https://issuer.test", "alice");
    final Owner aliceOfAnotherIssuer = new Owner("agentwire-dev-issuer", "alice");
    final Owner bob = new Owner("https://issuer.test", "bob");

    RunSlots slots(int perUser, int max) {
        var slots = new RunSlots();
        slots.perUserMax = perUser;
        slots.max = max;
        slots.peers = new NoPeers(); // a single node
        slots.check();
        return slots;
    }

    @Test
    void aUserHasAtMostTheirShareAndTheSameNameOfAnotherIssuerIsSomeoneElse() {
        RunSlots slots = slots(2, 10);
        slots.reserve(alice);
        slots.reserve(alice);
        assertEquals(ErrorCode.RATE_LIMITED, assertThrows(GatewayException.class, () -> slots.reserve(alice)).code());
        slots.reserve(aliceOfAnotherIssuer);
        assertEquals(3, slots.going());
    }

    @Test
    void theNodeHasAtMostItsMaxAndARefusalTakesNoSlot() {
        RunSlots slots = slots(2, 3);
        slots.reserve(alice);
        slots.reserve(alice);
        RunSlots.Slot bobs = slots.reserve(bob);
        assertThrows(GatewayException.class, () -> slots.reserve(bob));
        assertEquals(3, slots.going());
        bobs.release();
        bobs.release(); // once only
        assertEquals(2, slots.going());
        slots.reserve(bob);
    }

    @Test
    void releasesRacingReservesLoseNoCount() throws Exception {
        RunSlots slots = slots(4, 1000);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> work = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            Owner owner = new Owner("i", "u" + (i % 2));
            work.add(pool.submit(() -> {
                for (int n = 0; n < 20_000; n++) {
                    try {
                        slots.reserve(owner).release();
                    } catch (GatewayException refused) {
                        // another thread of the same owner holds the slots for a moment
                    }
                }
            }));
        }
        for (Future<?> done : work) {
            done.get();
        }
        pool.shutdown();
        assertEquals(0, slots.going());
        slots.reserve(alice);
        slots.reserve(alice);
        slots.reserve(alice);
        slots.reserve(alice);
    }

    @Test
    void aMaxBelowTheUserShareFailsTheStart() {
        assertThrows(IllegalStateException.class, () -> slots(4, 2));
    }
}
