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
 * nothing half-written remains. A failure caused by the data itself (SQLState class 22, data
 * exception: a value the database cannot hold) would fail again the same way, so it is
 * VALIDATION_FAILED, which is not retryable. Anything else passes through.
 */
public final class StorageFailures {

    private static final Logger LOG = Logger.getLogger(StorageFailures.class.getName());

    static final String DATA_EXCEPTION = "22";
    static final String UNSTORABLE = "The request holds a value that cannot be stored; change it, as sending it again fails the same way.";

    private StorageFailures() {
    }

    public static <T> T translate(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (GatewayException e) {
            throw e;
        } catch (RuntimeException e) {
            if (isDataException(e)) {
                LOG.log(Level.WARNING, "The database refused a value", e);
                throw new GatewayException(ErrorCode.VALIDATION_FAILED, UNSTORABLE);
            }
            if (isStorageFailure(e)) {
                LOG.log(Level.WARNING, "Storage failed", e);
                throw new GatewayException(ErrorCode.STORAGE_UNAVAILABLE);
            }
            throw e;
        }
    }

    /** Whether the database refused the data itself: SQLState class 22, which retrying the same cannot change. */
    static boolean isDataException(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql) {
                for (SQLException next = sql; next != null; next = next.getNextException()) {
                    if (next.getSQLState() != null && next.getSQLState().startsWith(DATA_EXCEPTION)) {
                        return true;
                    }
                }
            }
        }
        return false;
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
