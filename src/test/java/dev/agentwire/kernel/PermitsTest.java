package dev.agentwire.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class PermitsTest {

    private static final Owner ALICE = new Owner("https://issuer.test", "alice");
    private static final Owner BOB = new Owner("https://issuer.test", "bob");

    @Test
    void theOwnersLimitAndTheTotalEachRefuseTheOneTooMany() {
        var permits = new Permits(3, 2);
        assertTrue(permits.acquire(ALICE).granted().isPresent());
        assertTrue(permits.acquire(ALICE).granted().isPresent());
        assertEquals(Permits.Refusal.OWNER, permits.acquire(ALICE).refusal());
        assertTrue(permits.acquire(BOB).granted().isPresent());
        assertEquals(Permits.Refusal.TOTAL, permits.acquire(BOB).refusal());
        assertEquals(3, permits.held());
    }

    @Test
    void aPermitIsGivenBackOnceHoweverOftenItIsReleased() {
        var permits = new Permits(10, 2);
        Permits.Permit first = permits.acquire(ALICE).permit();
        permits.acquire(ALICE);
        first.release();
        first.release();
        assertEquals(1, permits.heldBy(ALICE));
        assertTrue(permits.acquire(ALICE).granted().isPresent());
        assertEquals(Permits.Refusal.OWNER, permits.acquire(ALICE).refusal());
    }

    /** Many requests of one owner at the same moment: never more granted than the limit, and all back at the end. */
    @Test
    void requestsThatComeTogetherCannotPassTheLimitTogether() throws Exception {
        for (int trial = 0; trial < 200; trial++) {
            var permits = new Permits(1000, 8);
            int callers = 32;
            ExecutorService pool = Executors.newFixedThreadPool(callers);
            var start = new CountDownLatch(1);
            var granted = new ConcurrentLinkedQueue<Permits.Permit>();
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int i = 0; i < callers; i++) {
                done.add(pool.submit(() -> {
                    start.await();
                    permits.acquire(ALICE).granted().ifPresent(granted::add);
                    return null;
                }));
            }
            start.countDown();
            for (var future : done) {
                future.get(10, TimeUnit.SECONDS);
            }
            pool.shutdown();
            assertEquals(8, granted.size(), "trial " + trial);
            granted.forEach(Permits.Permit::release);
            assertEquals(0, permits.held());
        }
    }
}
