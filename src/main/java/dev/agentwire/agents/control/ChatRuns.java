package dev.agentwire.agents.control;

import dev.agentwire.approvals.control.Approvals;
import dev.agentwire.kernel.UserContext;
import dev.agentwire.protocol.ErrorCode;
import dev.agentwire.protocol.GatewayException;
import dev.agentwire.threads.control.Conversations;
import dev.agentwire.threads.control.StorageFailures;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The one way a chat message becomes a run, for every transport (the WebSocket's chat frame,
 * AG-UI's POST): a run slot is reserved, the message is stored with its run (one transaction),
 * the transport acknowledges it and subscribes, and only then does the run start; so an
 * acknowledged message is never lost and always gets a run that ends, and a subscriber misses
 * none of its events. A repeated client_msg_id is acknowledged again and starts nothing; it needs
 * no slot, so a client that retries while its runs are going is not refused.
 */
@ApplicationScoped
public class ChatRuns {

    /** What a user sends: the message to store, and the tools their client runs itself. */
    public record Chat(Conversations.NewMessage message, List<Agent.ClientTool> clientTools) {
        public Chat {
            clientTools = List.copyOf(clientTools);
        }
    }

    @Inject
    Conversations conversations;

    @Inject
    RunSlots slots;

    @Inject
    AgentRunner runner;

    @Inject
    Approvals approvals;

    /**
     * Stores the chat and starts its run; {@code acknowledge} runs after it is stored and before
     * the run starts (send the ack, follow the thread). A refusal (limits, storage, validation,
     * another user's thread) is thrown as a {@link GatewayException}, with nothing stored.
     */
    public Conversations.Accepted start(UserContext user, Chat chat, Consumer<Conversations.Accepted> acknowledge) {
        RunSlots.Slot slot;
        try {
            slot = slots.reserve(user.owner());
        } catch (GatewayException refused) {
            Optional<Conversations.Accepted> earlier = StorageFailures.translate(
                    () -> conversations.earlier(user.owner(), chat.message().clientMsgId()));
            if (earlier.isEmpty()) {
                throw refused;
            }
            acknowledge.accept(earlier.get());
            return earlier.get();
        }
        try {
            refuseWhileApprovalPending(user, chat.message());
            Conversations.Accepted accepted = StorageFailures.translate(() -> conversations.accept(user.owner(), chat.message()));
            acknowledge.accept(accepted);
            if (accepted.duplicate()) {
                slot.release();
                return accepted;
            }
            Conversations.NewMessage message = chat.message();
            Agent.Turn turn = message.toolCallId() == null ? new Agent.Turn("user", message.text())
                    : new Agent.Turn("tool", message.text(), message.toolCallId(), null);
            runner.start(slot, user.forRun(accepted.threadId(), accepted.runId()), turn, chat.clientTools(), accepted.messageId());
            return accepted;
        } catch (RuntimeException e) {
            slot.release();
            throw e;
        }
    }

    /**
     * A new message in a thread whose tool call waits for the person's answer is refused
     * (APPROVAL_PENDING), unless it repeats one already stored: the answer comes first.
     */
    private void refuseWhileApprovalPending(UserContext user, Conversations.NewMessage message) {
        if (message.threadId() == null) {
            return;
        }
        boolean pending = !StorageFailures.translate(() -> approvals.pendingOf(message.threadId())).isEmpty();
        if (pending && StorageFailures.translate(() -> conversations.earlier(user.owner(), message.clientMsgId())).isEmpty()
                && StorageFailures.translate(() -> conversations.owned(user.owner(), message.threadId())).isPresent()) {
            throw new GatewayException(ErrorCode.APPROVAL_PENDING);
        }
    }
}
