package dev.agentwire.threads.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.persistence.PersistenceException;
import java.sql.BatchUpdateException;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class StorageFailuresTest {

    @Test
    void aValueTheDatabaseCannotHoldIsNotRetryable() {
        // PostgreSQL: 22021 invalid byte sequence (a NUL in text), 22001 value too long
        GatewayException refused = refusal(new PersistenceException(new SQLException("invalid byte sequence", "22021")));
        assertEquals(ErrorCode.VALIDATION_FAILED, refused.code());
        assertFalse(refused.code().retryable());
        var batch = new BatchUpdateException("batch failed", "XX000", new int[0]);
        batch.setNextException(new SQLException("value too long", "22001"));
        assertEquals(ErrorCode.VALIDATION_FAILED, refusal(new PersistenceException(batch)).code());
    }

    @Test
    void anUnreachableDatabaseIsRetryable() {
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, refusal(new PersistenceException(new SQLException("refused", "08001"))).code());
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, refusal(new PersistenceException("no state")).code());
    }

    private static GatewayException refusal(RuntimeException failure) {
        return assertThrows(GatewayException.class, () -> StorageFailures.translate(() -> {
            throw failure;
        }));
    }
}
