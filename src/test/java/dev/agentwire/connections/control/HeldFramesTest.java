package dev.agentwire.connections.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.agentwire.connections.entity.ConnectionState;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Frames before ready: held in order, bounded in number and characters, dropped once the connection is gone. */
class HeldFramesTest {

    final HeldFrames held = new HeldFrames(1000);
    final AtomicReference<ConnectionState> state = new AtomicReference<>(ConnectionState.ACCEPTED);
    final List<String> handled = new ArrayList<>();

    @Test
    void framesBeforeReadyAreHandledInOrderWhenReleasedAndLaterOnesAtOnce() {
        held.receive("first", state::get, handled::add);
        held.receive("second", state::get, handled::add);
        assertEquals(List.of(), handled);
        held.release(() -> {
            state.set(ConnectionState.PROCESSING_READY);
            handled.add("ready");
        }, handled::add);
        held.receive("third", state::get, handled::add);
        assertEquals(List.of("ready", "first", "second", "third"), handled);
    }

    @Test
    void theHeldFramesAreBoundedInCharacters() {
        held.receive("a".repeat(900), state::get, handled::add);
        var refused = assertThrows(GatewayException.class, () -> held.receive("b".repeat(101), state::get, handled::add));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
        held.receive("c".repeat(100), state::get, handled::add); // exactly full
    }

    @Test
    void theHeldFramesAreBoundedInNumber() {
        var many = new HeldFrames(Integer.MAX_VALUE);
        for (int i = 0; i < HeldFrames.MAX_FRAMES; i++) {
            many.receive("x", state::get, handled::add);
        }
        var refused = assertThrows(GatewayException.class, () -> many.receive("x", state::get, handled::add));
        assertEquals(ErrorCode.RATE_LIMITED, refused.code());
    }

    @Test
    void aReleaseFreesTheRoomItsFramesTook() {
        held.receive("a".repeat(1000), state::get, handled::add);
        held.release(() -> { }, handled::add);
        held.receive("b".repeat(1000), state::get, handled::add);
        assertEquals(1, handled.size());
    }

    @Test
    void framesOfAConnectionThatIsNoLongerLiveAreDropped() {
        state.set(ConnectionState.CLOSING);
        held.receive("late", state::get, handled::add);
        held.release(() -> { }, handled::add);
        assertEquals(List.of(), handled);
    }
}
