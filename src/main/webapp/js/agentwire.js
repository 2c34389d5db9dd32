// agentwire browser client: one ES module, no dependencies, no build step.
// It does the hard parts of the agentwire WebSocket protocol (docs/protocol.md) so that a page
// only renders: the bearer subprotocol, reconnecting with backoff and jitter, resuming every
// followed thread so each event arrives once and in order, refreshing the token before it
// expires, resending a chat whose ack did not come with the same client_msg_id, and answering
// approvals of tool calls so that an answer is sent until the server acknowledged it.
// The API is described in docs/client.md.

/**
 * @typedef {'idle'|'connecting'|'live'|'reconnecting'|'resumed'|'closed'} ConnectionState
 *   `live`: connected and ready; `resumed`: live again after a drop, every followed thread
 *   caught up; `reconnecting`: waiting for the next attempt; `closed`: given up or closed by the
 *   application (see the `statechange` detail for why).
 */

/**
 * @typedef {object} RunEvent A run event exactly as the server sent it (docs/protocol.md).
 * @property {'agent_started'|'agent_thinking'|'agent_message_delta'|'tool_executing'|'tool_completed'|'approval_requested'|'approval_resolved'|'tool_call_requested'|'agent_completed'|'agent_error'} type
 * @property {string} run_id
 * @property {string} thread_id
 * @property {number} seq grows by one per event within a thread
 * @property {string} timestamp
 * @property {string} [text] thinking, a delta, or the answer
 * @property {string} [tool]
 * @property {object} [input]
 * @property {string} [output]
 * @property {boolean} [failed]
 * @property {string} [tool_call_id] the call an approval is about, and its tool events
 * @property {string} [status] `completed`, `cancelled`, `awaiting_approval` or `awaiting_tools`
 * @property {string} [code]
 * @property {string} [message]
 * @property {boolean} [retryable]
 */

/**
 * @typedef {object} ErrorFrame An `error` frame, or a failure of the client itself.
 * @property {string} code e.g. `RATE_LIMITED`, `AUTH_EXPIRED`, `NETWORK`
 * @property {string} message for a person
 * @property {boolean} retryable
 * @property {string} [correlation_id]
 * @property {number} [close_code]
 * @property {number} [reconnect_after_ms] `SERVER_SHUTDOWN`: the server's own wait before reconnecting
 * @property {string} [client_msg_id] the chat this frame refuses
 * @property {string} [interrupt_id] the answer (approve or reject) this frame refuses
 */

/**
 * @typedef {object} Ack
 * @property {string} [client_msg_id]
 * @property {number} message_id
 * @property {string} thread_id
 * @property {string} run_id
 * @property {boolean} duplicate
 */

/**
 * @typedef {object} ApprovalEvent An `approval_requested` or `approval_resolved` run event
 *   (docs/protocol.md, "Approvals"), exactly as sent.
 * @property {'approval_requested'|'approval_resolved'} type
 * @property {string} interrupt_id what an answer names
 * @property {string} tool_call_id
 * @property {string} tool
 * @property {string} run_id `approval_requested`: the run that paused; `approval_resolved`: the run that continues
 * @property {string} thread_id
 * @property {number} seq
 * @property {object} [arguments] requested: the call's arguments; resolved (approved): those that run
 * @property {string} [fingerprint] requested: `sha256:` and the hex SHA-256 of the canonical arguments
 * @property {string} [message] requested: what the call does, for a person
 * @property {string} [expires_at] requested: answers after this instant are refused
 * @property {boolean} [editable] requested: whether an approval may replace the arguments
 * @property {'approved'|'rejected'} [decision] resolved
 * @property {boolean} [edited] resolved: the person replaced the arguments
 * @property {string} [reason] resolved (rejected): the person's reason, when given
 */

/**
 * @typedef {object} Answered The server stored an answer to an interrupt (or it repeated the first answer).
 * @property {string} interrupt_id
 * @property {string} thread_id
 * @property {'approved'|'rejected'} decision the first answer's
 * @property {string} run_id the run that continues the thread with the answer
 * @property {boolean} duplicate true when the interrupt had been answered so before (another tab, a retry)
 */

/**
 * @typedef {object} StateChange
 * @property {ConnectionState} state
 * @property {ConnectionState} previous
 * @property {number} [closeCode] the close that caused it
 * @property {string} [closeReason]
 * @property {number} [retryInMs] for `reconnecting`: when the next attempt starts
 * @property {ErrorFrame} [error] for `closed` after a refusal
 */

/**
 * @typedef {object} ClientOptions
 * @property {() => Promise<string>|string} token supplies a token; called for every connection
 *   attempt and before the current token expires
 * @property {string} [url] the WebSocket URL; default `/ws/chat` of the page's host
 * @property {string} [baseUrl] where `/api` is; default the page's origin
 * @property {number} [minDelayMs=500] the first reconnect's backoff window
 * @property {number} [maxDelayMs=30000] the largest backoff window
 * @property {number} [ackTimeoutMs=10000] resend a chat whose ack did not come within this
 * @property {number} [maxChatAttempts=5] sends of one chat before its promise fails
 * @property {() => number} [random] for backoff jitter; default Math.random
 */

/**
 * @typedef {object} AgentwireEventMap the events of {@link AgentwireClient}, for addEventListener
 * @property {CustomEvent<StateChange>} statechange
 * @property {CustomEvent<object>} ready
 * @property {CustomEvent<RunEvent>} runevent
 * @property {CustomEvent<ApprovalEvent>} approval
 * @property {CustomEvent<Ack>} ack
 * @property {CustomEvent<Answered>} answered
 * @property {CustomEvent<ErrorFrame>} error
 * @property {CustomEvent<{type: 'refreshed', expires_at: string}>} refreshed
 * @property {CustomEvent<{type: 'resumed', thread_id: string, last_seq: number, replayed: number}>} resumed
 */

/** Closes after which the protocol says to reconnect (docs/protocol.md, "Close codes at a glance"). */
const RETRYABLE_CLOSES = new Set([1001, 1006, 1011, 1012, 1013, 1014, 4408, 4429]);
/** Closes every client gets at once (a shutdown, a full server): their first wait is longer. */
const CROWDED_CLOSES = new Set([1001, 1012, 1013]);
const SLOW_CONSUMER = 'SLOW_CONSUMER';
/** Resumes unanswered at once; the server allows a user 4 replays at a time (agentwire.resume.per-user-max). */
const MAX_RESUMES_IN_FLIGHT = 2;
/** How long after `ready` the state waits for every `resumed` before it says resumed anyway. */
const RESUME_PATIENCE_MS = 5000;
/** How many of its own chats the client remembers for retry(). */
const SENT_RUNS_KEPT = 100;
/** Closes the application asked for. */
const NORMAL_CLOSE = 1000;
/** Run events that are also dispatched as `approval`. */
const APPROVAL_EVENTS = new Set(['approval_requested', 'approval_resolved']);
/** Refusals of an answer to an interrupt: final, sending it again changes nothing. */
const ANSWER_REFUSALS = new Set(['INTERRUPT_NOT_FOUND', 'INTERRUPT_EXPIRED', 'INTERRUPT_ANSWERED']);
/** Fields a VALIDATION_FAILED names when it refuses an approve or a reject (and no other frame). */
const ANSWER_FIELDS = /^(interrupt_id|reason|arguments)(\.|$)/;

/**
 * A connection to agentwire that survives drops. Events are dispatched as CustomEvents whose
 * `detail` is the frame:
 * - `statechange` ({@link StateChange}),
 * - `ready` (the `ready` frame),
 * - `runevent` ({@link RunEvent}): every run event of a followed thread, once, in seq order,
 * - `approval` ({@link ApprovalEvent}): those run events that ask for or report an approval, right
 *   after their `runevent`, so once and in order too,
 * - `ack` ({@link Ack}),
 * - `answered` ({@link Answered}): every `answered` frame,
 * - `error` ({@link ErrorFrame}): error frames and failures that do not end the connection,
 * - `refreshed` (the `refreshed` frame),
 * - `resumed` (the `resumed` frame).
 */
export class AgentwireClient extends EventTarget {

    /** @param {ClientOptions} options */
    constructor(options) {
        super();
        if (typeof options?.token !== 'function') {
            throw new TypeError('options.token must be a function that returns a token');
        }
        this.options = { minDelayMs: 500, maxDelayMs: 30000, ackTimeoutMs: 10000, maxChatAttempts: 5, random: Math.random, ...options };
        const page = globalThis.location;
        this.baseUrl = (this.options.baseUrl ?? page.origin).replace(/\/$/, '');
        this.url = this.options.url ?? this.baseUrl.replace(/^http/, 'ws') + '/ws/chat';
        /** @type {ConnectionState} */
        this.state = 'idle';
        /** @type {WebSocket|null} */
        this.socket = null;
        /** the last seq seen of each followed thread */
        this.lastSeqs = new Map();
        /** threads whose `resume` is unanswered on this connection */
        this.resuming = new Set();
        /** threads waiting to be resumed: a few at a time, within the server's per-user limit */
        this.resumeQueue = [];
        /** chats sent but not acknowledged, by client_msg_id */
        this.pending = new Map();
        /** the text and thread of the chats this client sent, by the run that answers them (the latest few) */
        this.sentRuns = new Map();
        /** answers to interrupts sent but not acknowledged, by interrupt_id */
        this.answers = new Map();
        /**
         * the interrupt of each approve or reject sent on this connection and not yet answered, in
         * the order sent: the server handles a connection's frames in order, so a refusal of an
         * answer from a server that names no interrupt belongs to the oldest one here
         */
        this.answersInFlight = [];
        this.attempt = 0;
        this.everReady = false;
        this.token = null;
        this.expiresAt = null;
        this.timers = { reconnect: 0, refresh: 0 };
        this.userId = null;
        // back online: no reason to wait out the backoff
        globalThis.addEventListener?.('online', () => {
            if (this.state === 'reconnecting' && !this.socket && !this.stopped) {
                clearTimeout(this.timers.reconnect);
                this.open();
            }
        });
    }

    /** Connects (again); resolves once the first connection is ready or given up on. */
    connect() {
        this.stopped = false;
        if (this.socket) {
            return Promise.resolve();
        }
        this.setState(this.everReady ? 'reconnecting' : 'connecting');
        return this.open();
    }

    /** Closes for good: no reconnect; unacknowledged chats fail. */
    close() {
        this.stopped = true;
        clearTimeout(this.timers.reconnect);
        clearTimeout(this.timers.refresh);
        for (const chat of this.pending.values()) {
            clearTimeout(chat.timer);
            chat.reject(clientError('CLOSED', 'The connection was closed before the message was acknowledged.', false));
        }
        this.pending.clear();
        this.rejectAnswers(clientError('CLOSED', 'The connection was closed before the answer was acknowledged.', false));
        const socket = this.socket;
        this.socket = null;
        if (socket) {
            socket.close(NORMAL_CLOSE);
        }
        this.setState('closed', {});
    }

    /**
     * Sends a message. Resolves with its ack; a chat whose ack does not come (a drop, a timeout,
     * `STORAGE_UNAVAILABLE`) is sent again with the same client_msg_id, which the server answers
     * without storing it twice. Rejects with the error frame that refuses it (`RATE_LIMITED`,
     * `APPROVAL_PENDING`, `THREAD_NOT_FOUND`, `VALIDATION_FAILED`, …), at once. Without `threadId` a new thread starts, with an id made here so
     * that the thread is followed from its first event.
     * @param {string} text
     * @param {{threadId?: string, clientMsgId?: string}} [options]
     * @returns {Promise<Ack>}
     */
    chat(text, { threadId, clientMsgId } = {}) {
        const frame = { type: 'chat', text, thread_id: threadId ?? randomId(), client_msg_id: clientMsgId ?? randomId() };
        const startsFollowing = !this.lastSeqs.has(frame.thread_id);
        if (startsFollowing) {
            this.lastSeqs.set(frame.thread_id, 0); // a chat subscribes this connection to its thread
        }
        return new Promise((resolve, reject) => {
            const chat = { frame, resolve, reject, attempts: 0, timer: 0, startsFollowing };
            this.pending.set(frame.client_msg_id, chat);
            this.sendChat(chat);
        });
    }

    /**
     * Asks again what a failed run was asked: sends a new message (a new client_msg_id) with the
     * text and in the thread of the message that started `runId`. Meant for a run that ended with
     * an `agent_error` whose `retryable` is true (the model backend was down, a restart
     * interrupted it); the failed run stays in the history as it was. The client knows the
     * messages it sent itself (the latest 100); for another run (one read from the history) pass
     * its `text` and `threadId`. Resolves and rejects as {@link AgentwireClient#chat}; rejects
     * with `RETRY_UNKNOWN` when the message is not known.
     * @param {string} runId the failed run
     * @param {{text?: string, threadId?: string}} [message] the message that started it, when this client did not send it
     * @returns {Promise<Ack>}
     */
    retry(runId, { text, threadId } = {}) {
        const sent = this.sentRuns.get(runId);
        const again = text !== undefined && threadId !== undefined ? { text, threadId } : sent;
        if (!again) {
            return Promise.reject(clientError('RETRY_UNKNOWN', 'This client did not send the message of that run: give its text and thread.', false));
        }
        return this.chat(again.text, { threadId: again.threadId });
    }

    /**
     * Asks the server to stop a run; it ends with `agent_completed`, `status: cancelled`.
     * @param {string} runId
     */
    cancel(runId) {
        return this.send({ type: 'cancel', run_id: runId });
    }

    /**
     * Approves a tool call that waits for a person (an `approval_requested`). Resolves with the
     * server's `answered`; sent again, like a chat, until it comes (an answer repeated is answered
     * with the first one's outcome, `duplicate: true`, and runs nothing). Rejects with the server's
     * refusal: `INTERRUPT_NOT_FOUND`, `INTERRUPT_EXPIRED`, `INTERRUPT_ANSWERED` (answered otherwise
     * before, in another tab), `VALIDATION_FAILED` (edited arguments that do not fit the tool).
     * The thread is followed: the run that continues arrives as `runevent`s.
     * @param {string} threadId the thread of the interrupt
     * @param {string} interruptId
     * @param {{editedArgs?: object}} [options] editedArgs: the arguments to run with instead, in full
     *   (only where the request says `editable`)
     * @returns {Promise<Answered>}
     */
    approve(threadId, interruptId, { editedArgs } = {}) {
        const frame = { type: 'approve', interrupt_id: interruptId };
        if (editedArgs !== undefined) {
            if (editedArgs === null || typeof editedArgs !== 'object' || Array.isArray(editedArgs)) {
                // the server would call the frame invalid, and a resend would not change that
                return Promise.reject(clientError('VALIDATION_FAILED', 'The edited arguments must be a JSON object.', false));
            }
            frame.arguments = editedArgs;
        }
        return this.answer(threadId, frame);
    }

    /**
     * Declines a tool call that waits for a person: it never runs, and the agent gets the
     * reason as the call's result. Resolves and rejects as {@link AgentwireClient#approve}.
     * @param {string} threadId
     * @param {string} interruptId
     * @param {{reason?: string}} [options] reason: at most 2,000 characters, for the agent
     * @returns {Promise<Answered>}
     */
    reject(threadId, interruptId, { reason } = {}) {
        const frame = { type: 'reject', interrupt_id: interruptId };
        if (reason !== undefined && reason !== '') {
            frame.reason = reason;
        }
        return this.answer(threadId, frame);
    }

    answer(threadId, frame) {
        const earlier = this.answers.get(frame.interrupt_id);
        if (earlier) {
            // one answer per interrupt at a time: the same one again is the same request
            return JSON.stringify(earlier.frame) === JSON.stringify(frame) ? earlier.promise
                : Promise.reject(clientError('ANSWER_IN_PROGRESS', 'Another answer to this approval is still being sent.', true));
        }
        this.follow(threadId, this.lastSeqs.get(threadId) ?? 0);
        const answer = { frame, attempts: 0, timer: 0 };
        answer.promise = new Promise((resolve, reject) => {
            answer.resolve = resolve;
            answer.reject = reject;
        });
        this.answers.set(frame.interrupt_id, answer);
        this.sendAnswer(answer);
        return answer.promise;
    }

    /**
     * The caller's approvals still waiting for an answer (of one thread, or of all), oldest first:
     * the fields of their `approval_requested`, for a page that opens on them.
     * @param {{threadId?: string}} [options]
     * @returns {Promise<{items: Array<object>}>}
     */
    pendingApprovals({ threadId } = {}) {
        return this.get('/api/approvals' + (threadId ? '?thread_id=' + encodeURIComponent(threadId) : ''));
    }

    /**
     * Follows a thread: its events from `afterSeq` on (those after the history the application
     * already shows) arrive as `runevent`, now and after every reconnect.
     * @param {string} threadId
     * @param {number} [afterSeq=0]
     */
    follow(threadId, afterSeq = 0) {
        const known = this.lastSeqs.get(threadId);
        if (known === undefined) {
            this.lastSeqs.set(threadId, afterSeq);
            this.resume(threadId);
        } else if (known < afterSeq) {
            this.lastSeqs.set(threadId, afterSeq); // already followed: the connection gets its live events
        }
    }

    /**
     * Forgets a thread: it is not resumed after reconnects and its events are no longer
     * dispatched (the server may still send them to this connection). Following it again later
     * may miss events sent in between: read its history first.
     * @param {string} threadId
     */
    unfollow(threadId) {
        this.lastSeqs.delete(threadId);
    }

    /** The caller's threads, newest first. @returns {Promise<{items: Array<{id: string, title: string, created_at: string, last_seq: number}>, next?: number}>} */
    threads({ offset = 0, limit = 20 } = {}) {
        return this.get(`/api/threads?offset=${offset}&limit=${limit}`);
    }

    /** A thread's messages, oldest first. */
    messages(threadId, { after = 0, limit = 50 } = {}) {
        return this.get(`/api/threads/${encodeURIComponent(threadId)}/messages?after=${after}&limit=${limit}`);
    }

    /**
     * Every stored event of a thread after `afterSeq`, all pages.
     * @param {string} threadId
     * @param {number} [afterSeq=0]
     * @returns {Promise<RunEvent[]>}
     */
    async events(threadId, afterSeq = 0) {
        const events = [];
        let after = afterSeq;
        for (;;) {
            const page = await this.get(`/api/threads/${encodeURIComponent(threadId)}/events?after_seq=${after}&limit=100`);
            events.push(...page.items);
            if (page.next === undefined || page.next === null || page.items.length === 0) {
                return events;
            }
            after = page.items[page.items.length - 1].seq;
        }
    }

    /** GET over REST with the current token; a refusal rejects with the server's {code, message}. */
    async get(path) {
        const token = this.token ?? await this.options.token();
        const response = await fetch(this.baseUrl + path, { headers: { Authorization: 'Bearer ' + token, Accept: 'application/json' } });
        const body = await response.json().catch(() => null);
        if (!response.ok) {
            throw body?.code ? { retryable: false, ...body } : clientError('HTTP_' + response.status, 'The server answered ' + response.status + '.', response.status >= 500);
        }
        return body;
    }

    // --- the connection ---

    async open() {
        if (this.opening) {
            return;
        }
        this.opening = true;
        let token;
        try {
            token = await this.options.token();
        } catch (failure) {
            // no token now (the issuer is unreachable, or refused): try again later like a drop
            this.dispatch('error', clientError('TOKEN_UNAVAILABLE', 'No token could be obtained: ' + describe(failure), true));
            this.scheduleReconnect(1006, '');
            return;
        } finally {
            this.opening = false;
        }
        if (this.stopped || this.socket) {
            return;
        }
        this.token = token;
        const socket = new WebSocket(this.url, ['bearer', token]);
        this.socket = socket;
        this.refusal = null;
        socket.onmessage = (message) => this.receive(socket, message.data);
        socket.onclose = (close) => this.closed(socket, close.code, close.reason);
        return new Promise((resolve) => {
            this.readyWaiter = resolve;
        });
    }

    receive(socket, data) {
        if (socket !== this.socket) {
            return;
        }
        let frame;
        try {
            frame = JSON.parse(data);
        } catch {
            return; // the server sends JSON only; nothing to show of anything else
        }
        switch (frame.type) {
            case 'ready': return this.ready(frame);
            case 'ack': return this.acknowledged(frame);
            case 'answered': return this.answered(frame);
            case 'error': return this.failed(frame);
            case 'refreshed': return this.refreshed(frame);
            case 'resumed': return this.resumed(frame);
            case 'resume_unavailable': return this.resumeUnavailable(frame);
            case 'pong': return;
            default:
                if (frame.thread_id !== undefined && typeof frame.seq === 'number') {
                    this.runEvent(frame);
                }
        }
    }

    ready(frame) {
        const again = this.everReady;
        this.everReady = true;
        this.readyOn = this.socket;
        this.attempt = 0;
        this.userId = frame.user_id;
        this.scheduleRefresh(frame.expires_at);
        this.dispatch('ready', frame);
        this.resuming.clear();
        this.resumeQueue = [];
        const unstored = new Set([...this.pending.values()].map((chat) => chat.frame.thread_id));
        for (const threadId of this.lastSeqs.keys()) {
            if (!(unstored.has(threadId) && this.lastSeqs.get(threadId) === 0)) {
                this.resume(threadId); // a thread whose first chat is unacknowledged may not exist: the chat goes again
            }
        }
        for (const chat of this.pending.values()) {
            this.sendChat(chat);
        }
        this.answersInFlight = [];
        for (const answer of this.answers.values()) {
            this.sendAnswer(answer);
        }
        if (this.resuming.size === 0) {
            this.setState(again ? 'resumed' : 'live');
        } else {
            // a resume refused with an error frame (which names no thread) must not keep the state
            // at reconnecting: the connection is usable meanwhile, and the other threads go on
            const socket = this.socket;
            setTimeout(() => {
                if (this.socket === socket && this.state === 'reconnecting') {
                    this.resuming.clear();
                    this.pumpResumes();
                    this.setState('resumed');
                }
            }, RESUME_PATIENCE_MS);
        }
        this.readyWaiter?.();
    }

    resume(threadId) {
        if (!this.isReady() || this.resuming.has(threadId) || this.resumeQueue.includes(threadId)) {
            return; // ready() resumes every followed thread; one resume per thread at a time
        }
        this.resumeQueue.push(threadId);
        this.pumpResumes();
    }

    /** Sends queued resumes while fewer than MAX_RESUMES_IN_FLIGHT are unanswered, each from the thread's last seq then. */
    pumpResumes() {
        while (this.resuming.size < MAX_RESUMES_IN_FLIGHT && this.resumeQueue.length > 0) {
            const threadId = this.resumeQueue.shift();
            if (this.lastSeqs.has(threadId)) {
                this.resuming.add(threadId);
                this.send({ type: 'resume', thread_id: threadId, after_seq: this.lastSeqs.get(threadId) });
            }
        }
    }

    resumed(frame) {
        this.dispatch('resumed', frame);
        this.resumeDone(frame.thread_id);
    }

    resumeDone(threadId) {
        if (!this.resuming.delete(threadId)) {
            return;
        }
        this.pumpResumes();
        if (this.resuming.size === 0 && this.state === 'reconnecting') {
            this.setState('resumed');
        }
    }

    /** Too much to replay: read the gap over REST, then resume from its end; or the client was ahead. */
    async resumeUnavailable(frame) {
        const threadId = frame.thread_id;
        if (frame.reason === 'after_seq_ahead') {
            this.lastSeqs.set(threadId, frame.latest_seq);
        } else {
            try {
                for (const event of await this.events(threadId, this.lastSeqs.get(threadId) ?? 0)) {
                    this.runEvent(event);
                }
            } catch (failure) {
                this.dispatch('error', failure?.code ? failure : clientError('HISTORY_UNAVAILABLE', describe(failure), true));
            }
        }
        this.resuming.delete(threadId);
        this.resume(threadId); // from the new last seq; its `resumed` ends the catch-up
    }

    /** Dispatches an event of a followed thread once: a seq not above the last one seen was seen. */
    runEvent(frame) {
        const last = this.lastSeqs.get(frame.thread_id);
        if (last === undefined || frame.seq <= last) {
            return;
        }
        this.lastSeqs.set(frame.thread_id, frame.seq);
        this.dispatch('runevent', frame);
        if (APPROVAL_EVENTS.has(frame.type)) {
            this.dispatch('approval', frame);
        }
    }

    answered(frame) {
        // replies come in the order sent: the answers sent before this one had theirs already
        const index = this.answersInFlight.indexOf(frame.interrupt_id);
        if (index >= 0) {
            this.answersInFlight.splice(0, index + 1);
        }
        const answer = this.answers.get(frame.interrupt_id);
        if (answer) {
            clearTimeout(answer.timer);
            this.answers.delete(frame.interrupt_id);
            answer.resolve(frame);
        }
        this.dispatch('answered', frame);
    }

    /** Whether an error frame that names no request refuses an approve or a reject; then it refuses the oldest one in flight. */
    refusesAnswer(frame) {
        return ANSWER_REFUSALS.has(frame.code) || (frame.code === 'VALIDATION_FAILED'
            && (frame.problems ?? []).some((problem) => ANSWER_FIELDS.test(problem.field ?? '')));
    }

    acknowledged(frame) {
        const chat = this.pending.get(frame.client_msg_id);
        if (chat) {
            clearTimeout(chat.timer);
            this.pending.delete(frame.client_msg_id);
            this.sentRuns.set(frame.run_id, { text: chat.frame.text, threadId: frame.thread_id });
            if (this.sentRuns.size > SENT_RUNS_KEPT) {
                this.sentRuns.delete(this.sentRuns.keys().next().value);
            }
            chat.resolve(frame);
            if (frame.duplicate) {
                this.resume(frame.thread_id); // the first send was stored: catch up on its run
            }
        }
        this.dispatch('ack', frame);
    }

    failed(frame) {
        if (frame.close_code !== undefined) {
            this.refusal = frame; // the close that follows decides; this says why
        }
        if (frame.client_msg_id !== undefined || frame.interrupt_id !== undefined) {
            return this.refused(frame);
        }
        // a server that names no request: a storage failure concerns every chat and answer in
        // flight, and an answer's refusal the oldest answer sent on this connection
        if (frame.code === 'STORAGE_UNAVAILABLE') {
            this.resendPendingSoon();
        }
        if (this.answersInFlight.length > 0 && this.refusesAnswer(frame)) {
            const answer = this.answers.get(this.answersInFlight.shift());
            if (answer) {
                clearTimeout(answer.timer);
                this.answers.delete(answer.frame.interrupt_id);
                answer.reject(frame);
                return; // the caller of approve or reject has it
            }
        }
        this.dispatch('error', frame);
    }

    /**
     * An error frame that names the chat (client_msg_id) or the answer (interrupt_id) it refuses:
     * STORAGE_UNAVAILABLE sends that request again soon; any other refusal rejects its promise
     * with the frame (its `retryable` says whether sending it again may succeed). A refusal of a
     * request this client no longer waits for (settled already, or another client's library
     * sharing the id) is dispatched as `error`.
     */
    refused(frame) {
        const chat = frame.client_msg_id !== undefined ? this.pending.get(frame.client_msg_id) : undefined;
        const answer = frame.interrupt_id !== undefined ? this.answers.get(frame.interrupt_id) : undefined;
        if (frame.interrupt_id !== undefined) {
            const index = this.answersInFlight.indexOf(frame.interrupt_id);
            if (index >= 0) {
                this.answersInFlight.splice(index, 1);
            }
        }
        const request = chat ?? answer;
        if (!request) {
            this.dispatch('error', frame);
            return;
        }
        clearTimeout(request.timer);
        if (frame.code === 'STORAGE_UNAVAILABLE') {
            request.timer = setTimeout(() => (chat ? this.sendChat(chat) : this.sendAnswer(answer)), 1000);
            return;
        }
        if (chat) {
            this.pending.delete(frame.client_msg_id);
            this.forgetUnstartedThread(chat);
        } else {
            this.answers.delete(frame.interrupt_id);
        }
        request.reject(frame);
    }

    /**
     * Stops following the thread a refused chat started following, while nothing of it was seen
     * and no other chat waits for it: the thread may not exist, and a `resume` of it after a
     * reconnect would be refused. A chat sent to it again follows it again.
     */
    forgetUnstartedThread(chat) {
        const threadId = chat.frame.thread_id;
        const waiting = [...this.pending.values()].some((other) => other.frame.thread_id === threadId);
        if (chat.startsFollowing && !waiting && this.lastSeqs.get(threadId) === 0) {
            this.lastSeqs.delete(threadId);
        }
    }

    refreshed(frame) {
        this.scheduleRefresh(frame.expires_at);
        this.dispatch('refreshed', frame);
    }

    closed(socket, code, reason) {
        if (socket !== this.socket) {
            return;
        }
        this.socket = null;
        clearTimeout(this.timers.refresh);
        for (const chat of this.pending.values()) {
            clearTimeout(chat.timer); // sent again after the next ready
        }
        for (const answer of this.answers.values()) {
            clearTimeout(answer.timer);
        }
        this.answersInFlight = [];
        if (this.stopped) {
            return;
        }
        if (isRetryable(code, reason || this.refusal?.code)) {
            this.scheduleReconnect(code, reason);
        } else {
            const error = this.refusal ?? clientError(reason || 'CLOSED', 'The server closed the connection (' + code + ').', false);
            this.stopped = true;
            for (const chat of this.pending.values()) {
                chat.reject(error);
            }
            this.pending.clear();
            this.rejectAnswers(error);
            this.setState('closed', { closeCode: code, closeReason: reason, error });
            this.readyWaiter?.();
        }
    }

    /**
     * Full jitter: the wait is drawn from [0, window), the window doubling per failed attempt up
     * to maxDelayMs. After a close that every client got at once (shutdown, busy) the first window
     * is already eight times the minimum, so a crowd spreads out instead of coming back together.
     */
    scheduleReconnect(code, reason) {
        const { minDelayMs, maxDelayMs, random } = this.options;
        const crowded = CROWDED_CLOSES.has(code) || this.refusal?.code === 'SERVER_SHUTDOWN';
        const exponent = this.attempt + (crowded ? 3 : 0);
        const window = Math.min(maxDelayMs, minDelayMs * 2 ** exponent);
        // a shutting-down server gives each client its own wait: that, with a little jitter of ours
        const asked = this.refusal?.reconnect_after_ms;
        const retryInMs = Number.isFinite(asked) ? Math.min(maxDelayMs, asked + Math.floor(random() * minDelayMs))
            : Math.floor(random() * window);
        this.attempt += 1;
        this.setState('reconnecting', { closeCode: code, closeReason: reason, retryInMs });
        clearTimeout(this.timers.reconnect);
        this.timers.reconnect = setTimeout(() => {
            if (!this.stopped) {
                this.open();
            }
        }, retryInMs);
    }

    /**
     * Refreshes when a quarter of the token's remaining life is left, at most a minute before
     * expires_at, so that a slow token provider still has time.
     */
    scheduleRefresh(expiresAt) {
        clearTimeout(this.timers.refresh);
        this.expiresAt = expiresAt ? new Date(expiresAt) : null;
        if (!this.expiresAt) {
            return;
        }
        const remaining = this.expiresAt.getTime() - Date.now();
        const margin = Math.min(60000, remaining / 4);
        this.timers.refresh = setTimeout(() => this.refresh(), Math.max(0, remaining - margin));
    }

    async refresh() {
        try {
            const token = await this.options.token();
            if (token === this.token) {
                return; // the provider has nothing newer (a pasted token): the session ends at expires_at
            }
            if (this.send({ type: 'refresh', token })) {
                this.token = token;
            }
        } catch (failure) {
            this.dispatch('error', clientError('TOKEN_UNAVAILABLE', 'The token could not be renewed: ' + describe(failure), true));
            this.timers.refresh = setTimeout(() => this.refresh(), 5000);
        }
    }

    sendChat(chat) {
        clearTimeout(chat.timer);
        if (!this.isReady()) {
            return; // sent after the next ready
        }
        if (chat.attempts >= this.options.maxChatAttempts) {
            this.pending.delete(chat.frame.client_msg_id);
            chat.reject(clientError('NOT_ACKNOWLEDGED', 'The message was sent ' + chat.attempts + ' times without an answer.', true));
            return;
        }
        chat.attempts += 1;
        this.send(chat.frame);
        chat.timer = setTimeout(() => this.sendChat(chat), this.options.ackTimeoutMs);
    }

    resendPendingSoon() {
        for (const chat of this.pending.values()) {
            clearTimeout(chat.timer);
            chat.timer = setTimeout(() => this.sendChat(chat), 1000);
        }
        for (const answer of this.answers.values()) {
            clearTimeout(answer.timer);
            answer.timer = setTimeout(() => this.sendAnswer(answer), 1000);
        }
    }

    /** Sends an answer now (when ready), and again after ackTimeoutMs without its `answered`. */
    sendAnswer(answer) {
        clearTimeout(answer.timer);
        if (!this.isReady()) {
            return; // sent after the next ready
        }
        if (answer.attempts >= this.options.maxChatAttempts) {
            this.answers.delete(answer.frame.interrupt_id);
            answer.reject(clientError('NOT_ACKNOWLEDGED', 'The answer was sent ' + answer.attempts + ' times without an acknowledgement.', true));
            return;
        }
        answer.attempts += 1;
        if (this.send(answer.frame)) {
            this.answersInFlight.push(answer.frame.interrupt_id);
        }
        answer.timer = setTimeout(() => this.sendAnswer(answer), this.options.ackTimeoutMs);
    }

    rejectAnswers(error) {
        for (const answer of this.answers.values()) {
            clearTimeout(answer.timer);
            answer.reject(error);
        }
        this.answers.clear();
        this.answersInFlight = [];
    }

    /** Whether the current socket got its `ready`: frames sent before it would only be held. */
    isReady() {
        return this.socket !== null && this.socket.readyState === WebSocket.OPEN && this.readyOn === this.socket;
    }

    /** Sends a frame when the connection is open; false when it is not (nothing is queued). */
    send(frame) {
        if (!this.socket || this.socket.readyState !== WebSocket.OPEN) {
            return false;
        }
        this.socket.send(JSON.stringify(frame));
        return true;
    }

    setState(state, detail = {}) {
        const previous = this.state;
        this.state = state;
        this.dispatch('statechange', { state, previous, ...detail });
    }

    dispatch(type, detail) {
        this.dispatchEvent(new CustomEvent(type, { detail }));
    }
}

/** Whether the protocol says to reconnect after this close (reason: the close reason, an error code). */
export function isRetryable(code, reason) {
    if (code === 1008) {
        return reason === SLOW_CONSUMER; // 1008 is also TOO_MANY_INVALID_FRAMES, which a retry repeats
    }
    return RETRYABLE_CLOSES.has(code);
}

/** A random id that fits thread_id and client_msg_id; crypto.randomUUID needs a secure context. */
export function randomId() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A token provider for agentwire's development issuer (POST /api/dev/tokens), for pages served
 * by agentwire while it runs it.
 * @param {string} user 1 to 64 of a-z 0-9 . _ -
 * @param {string} [baseUrl] default the page's origin
 * @returns {() => Promise<string>}
 */
export function devTokens(user, baseUrl = globalThis.location.origin) {
    return async () => {
        const response = await fetch(baseUrl.replace(/\/$/, '') + '/api/dev/tokens', { method: 'POST', body: new URLSearchParams({ user }) });
        const body = await response.json().catch(() => null);
        if (!response.ok) {
            throw body?.code ? { retryable: response.status === 429, ...body } : clientError('HTTP_' + response.status, 'The development issuer answered ' + response.status + '.', false);
        }
        return body.token;
    };
}

/**
 * Whether the development issuer serves this page: a POST without a user is answered 400 by a
 * running issuer that would serve it (and costs no token), 403 when it runs but not for this
 * machine, 404 when it is off.
 * @returns {Promise<'available'|'remote'|'off'>}
 */
export async function devIssuerStatus(baseUrl = globalThis.location.origin) {
    try {
        const response = await fetch(baseUrl.replace(/\/$/, '') + '/api/dev/tokens', { method: 'POST', body: new URLSearchParams({}) });
        return response.status === 400 ? 'available' : response.status === 403 ? 'remote' : 'off';
    } catch {
        return 'off';
    }
}

function clientError(code, message, retryable) {
    return { code, message, retryable };
}

function describe(failure) {
    return failure?.message ?? String(failure);
}
