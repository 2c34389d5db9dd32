package dev.agentwire.streams.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Who follows which thread; a subscriber that goes leaves every thread, a thread nobody follows is forgotten. */
class SubscriptionsTest {

    final Subscriptions subscriptions = new Subscriptions();
    final ThreadStreamsTest.RecordingSubscriber ann = new ThreadStreamsTest.RecordingSubscriber("ann");
    final ThreadStreamsTest.RecordingSubscriber bob = new ThreadStreamsTest.RecordingSubscriber("bob");

    @Test
    void aSubscriptionStartsAfterItsSeqAndIsKeptOnTheNextSubscribe() {
        var first = subscriptions.subscribe(ann, "t", 7);
        assertEquals(7, first.lastSeq);
        assertSame(first, subscriptions.subscribe(ann, "t", 0), "the seq already sent is not forgotten");
        assertEquals(7, first.lastSeq);
        assertTrue(subscriptions.follows(ann, "t"));
        assertFalse(subscriptions.follows(bob, "t"));
    }

    @Test
    void leavingEndsEverySubscriptionOfTheSubscriberAndForgetsEmptyThreads() {
        subscriptions.subscribe(ann, "t1", 0);
        subscriptions.subscribe(ann, "t2", 0);
        subscriptions.subscribe(bob, "t2", 0);
        subscriptions.leave(ann);
        assertFalse(subscriptions.follows(ann, "t1"));
        assertFalse(subscriptions.follows(ann, "t2"));
        assertNull(subscriptions.of("t1"), "nobody follows t1 any more");
        assertEquals(1, subscriptions.of("t2").subscriptions.size());
        subscriptions.leave(ann); // twice is harmless
    }

    @Test
    void theLastDeliveredSeqIsZeroForAThreadNobodyFollows() {
        assertEquals(0, subscriptions.lastDelivered("t"));
        subscriptions.subscribe(ann, "t", 0);
        subscriptions.of("t").lastDelivered = 12;
        assertEquals(12, subscriptions.lastDelivered("t"));
    }
}
