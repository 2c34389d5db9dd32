package dev.agentwire.threads.control;

import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import jakarta.persistence.PersistenceException;
import jakarta.transaction.RollbackException;
import jakarta.transaction.TransactionalException;
import java.sql.SQLException;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs a storage operation and turns a database failure (unreachable, timed out, constraint
 * race) into STORAGE_UNAVAILABLE, a retryable error; the transaction has rolled back, so
 * nothing half-written remains. Anything else passes through.
 */
public final class StorageFailures {

    private static final Logger LOG = Logger.getLogger(StorageFailures.class.getName());

    private StorageFailures() {
    }

    public static <T> T translate(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException e) {
            if (isStorageFailure(e)) {
                LOG.log(Level.WARNING, "Storage failed", e);
                throw new GatewayException(ErrorCode.STORAGE_UNAVAILABLE);
            }
            throw e;
        }
    }

    static boolean isStorageFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof PersistenceException || cause instanceof SQLException
                    || cause instanceof TransactionalException || cause instanceof RollbackException) {
                return true;
            }
        }
        return false;
    }
}
