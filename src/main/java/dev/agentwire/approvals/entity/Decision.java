package dev.agentwire.approvals.entity;

import java.util.Locale;

/** A person's answer to an interrupt. */
public enum Decision {
    APPROVED, REJECTED;

    /** As stored and sent: {@code approved}, {@code rejected}. */
    public String wire() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Decision ofWire(String wire) {
        return valueOf(wire.toUpperCase(Locale.ROOT));
    }
}
