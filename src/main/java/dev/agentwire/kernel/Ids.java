package dev.agentwire.kernel;

import java.util.UUID;

/** The ids agentwire makes: connections, requests, threads, runs, correlation ids. */
public final class Ids {

    private Ids() {
    }

    /**
     * A new id: a UUID version 7 (RFC 9562), the millisecond first, then 74 random bits. Ids
     * made later sort later, so the rows and index entries a run or a thread adds go to the end
     * of their B-tree, which stays in the database's cache, where random version 4 ids send
     * every insert to a random page (docs/benchmarks.md). The JDK 17 makes only version 4, so
     * the time goes on top.
     */
    public static String newId() {
        UUID random = UUID.randomUUID();
        long timeAndVersion = (System.currentTimeMillis() << 16) | 0x7000L | (random.getMostSignificantBits() & 0x0FFFL);
        return new UUID(timeAndVersion, random.getLeastSignificantBits()).toString();
    }

}
