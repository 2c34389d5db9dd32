// The chat page: signs in, lists the user's threads, shows the open thread's history and its
// runs live. Everything it knows of the server comes through the client library.
import { AgentwireClient, devIssuerStatus, devTokens, randomId } from './agentwire.js';
import { ApprovalCard } from './approval-card.js';
import { renderMarkdown } from './markdown.js';

const $ = (id) => document.getElementById(id);
const SIGN_IN_KEY = 'agentwire.sign-in';

const STATE_TEXT = {
    idle: 'Not connected',
    connecting: 'Connecting',
    live: 'Live',
    reconnecting: 'Reconnecting',
    resumed: 'Live (reconnected)',
    closed: 'Disconnected',
};

/** @type {AgentwireClient|null} */
let client = null;
let threadId = null;
/** the DOM of each run in the open thread, by run id */
const runs = new Map();
/** runs of the open thread that have not ended */
const running = new Set();
/** the last seq shown of the open thread; live events at or below it are in the history already */
let shownSeq = 0;
/** live events of the open thread that came while its history loaded, or null when it is loaded */
let arrivedWhileLoading = null;
/** the approval cards of the open thread, by interrupt id (ApprovalCard) */
const cards = new Map();
/** threads with an approval waiting for its answer: marked in the thread list */
const waiting = new Set();
/** the text of the message that started each run of the open thread, for Retry */
const askedBy = new Map();

// --- signing in ---

async function start() {
    const status = await devIssuerStatus();
    if (status === 'available') {
        $('dev-sign-in').hidden = false;
        $('sign-in-divider').hidden = false;
    }
    $('dev-sign-in').addEventListener('submit', (event) => {
        event.preventDefault();
        signIn({ user: $('dev-user').value.trim() });
    });
    $('token-sign-in').addEventListener('submit', (event) => {
        event.preventDefault();
        signIn({ token: $('token').value.trim() });
    });
    $('sign-out').addEventListener('click', signOut);
    $('new-thread').addEventListener('click', () => openThread(null));
    $('composer').addEventListener('submit', (event) => {
        event.preventDefault();
        send();
    });
    $('message').addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
        }
    });
    $('message').addEventListener('input', growComposer);
    $('cancel').addEventListener('click', () => running.forEach((runId) => client.cancel(runId)));
    $('threads-toggle').addEventListener('click', () => toggleThreads());
    document.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' && $('sidebar').classList.contains('open')) {
            toggleThreads(false);
            $('threads-toggle').focus();
        }
    });
    const remembered = sessionStorage.getItem(SIGN_IN_KEY);
    if (remembered) {
        signIn(JSON.parse(remembered));
    } else {
        (status === 'available' ? $('dev-user') : $('token')).focus();
    }
}

/** @param {{user?: string, token?: string}} how */
async function signIn(how) {
    if (client) {
        return; // signing in already
    }
    showSignInError(null);
    setSignInBusy(true);
    const tokens = how.user ? devTokens(how.user) : () => how.token;
    let first;
    try {
        first = await tokens(); // fails here, on the sign-in card, rather than as a reconnect loop
    } catch (refusal) {
        showSignInError(refusal);
        sessionStorage.removeItem(SIGN_IN_KEY);
        setSignInBusy(false);
        return;
    }
    let unused = first; // the first connection takes the token that proved the sign-in works
    const token = () => {
        const next = unused ?? tokens();
        unused = null;
        return next;
    };
    client = new AgentwireClient({ token });
    client.addEventListener('statechange', (event) => connectionChanged(event.detail));
    client.addEventListener('ready', (event) => signedIn(event.detail));
    client.addEventListener('refreshed', (event) => showExpiry(event.detail.expires_at));
    client.addEventListener('runevent', (event) => runEvent(event.detail, true));
    client.addEventListener('approval', (event) => approvalChanged(event.detail));
    client.addEventListener('error', (event) => notice(event.detail));
    sessionStorage.setItem(SIGN_IN_KEY, JSON.stringify(how));
    await client.connect();
    setSignInBusy(false);
}

function setSignInBusy(busy) {
    for (const button of $('sign-in').querySelectorAll('button')) {
        button.disabled = busy;
    }
}

function signedIn(ready) {
    $('account-name').textContent = ready.user_id;
    showExpiry(ready.expires_at);
    if (!$('app').hidden) {
        return; // a reconnect
    }
    $('sign-in').hidden = true;
    $('app').hidden = false;
    $('account').hidden = false;
    $('threads-toggle').hidden = false;
    loadThreads().then(() => openThread(new URLSearchParams(location.hash.slice(1)).get('thread')));
}

function signOut() {
    sessionStorage.removeItem(SIGN_IN_KEY);
    client?.close();
    client = null;
    history.replaceState(null, '', location.pathname);
    location.reload();
}

function showSignInError(refusal) {
    const box = $('sign-in-error');
    box.hidden = !refusal;
    box.textContent = refusal ? describeError(refusal) : '';
}

function showExpiry(expiresAt) {
    const at = new Date(expiresAt);
    $('account-expiry').textContent = 'session until ' + at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
    $('account-expiry').dataset.expiresAt = expiresAt;
}

function connectionChanged(change) {
    const pill = $('connection');
    pill.dataset.state = change.state;
    let text = STATE_TEXT[change.state];
    if (change.state === 'reconnecting' && change.retryInMs !== undefined) {
        text += ' in ' + Math.max(1, Math.round(change.retryInMs / 1000)) + ' s';
    }
    pill.textContent = text;
    if (change.state === 'closed' && change.error) {
        if ($('app').hidden) {
            showSignInError(change.error); // refused at the handshake: sign in again
            sessionStorage.removeItem(SIGN_IN_KEY);
            client = null;
        } else {
            notice(change.error);
        }
    }
    updateComposer();
}

// --- threads ---

async function loadThreads() {
    let page, pending;
    try {
        [page, pending] = await Promise.all([client.threads({ limit: 50 }), client.pendingApprovals()]);
    } catch (refusal) {
        notice(refusal);
        return;
    }
    waiting.clear();
    pending.items.forEach((approval) => waiting.add(approval.thread_id));
    const list = $('threads');
    list.replaceChildren(...page.items.map((thread) => threadItem(thread.id, thread.title)));
    $('threads-empty').hidden = page.items.length > 0;
    markSelected();
    markWaiting();
}

/** Keeps the thread list's marks of threads waiting for an approval, from every followed thread. */
function approvalChanged(event) {
    if (event.type === 'approval_requested' && Date.parse(event.expires_at) > Date.now()) {
        waiting.add(event.thread_id);
    } else if (event.type === 'approval_resolved') {
        waiting.delete(event.thread_id);
    }
    markWaiting();
}

function markWaiting() {
    for (const button of $('threads').querySelectorAll('button')) {
        const item = button.parentElement;
        const waits = waiting.has(button.dataset.threadId);
        let mark = item.querySelector('.waiting');
        if (waits && !mark) {
            mark = element('span', 'waiting', 'needs approval');
            mark.id = 'waiting-' + button.dataset.threadId;
            item.append(mark);
            button.setAttribute('aria-describedby', mark.id);
        } else if (!waits && mark) {
            mark.remove();
            button.removeAttribute('aria-describedby');
        }
    }
}

function threadItem(id, title) {
    const item = document.createElement('li');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'thread';
    button.dataset.threadId = id;
    button.textContent = title || 'Untitled thread';
    button.addEventListener('click', () => {
        openThread(id);
        toggleThreads(false);
    });
    item.append(button);
    return item;
}

function markSelected() {
    for (const button of $('threads').querySelectorAll('button')) {
        if (button.dataset.threadId === threadId) {
            button.setAttribute('aria-current', 'true');
        } else {
            button.removeAttribute('aria-current');
        }
    }
}

/** Opens a thread (null: a new one): its history from REST, then its live events from the history's end. */
async function openThread(id) {
    // Threads left stay followed: the connection keeps getting their events (ignored here while
    // another thread is open), so a thread opened again misses nothing between its history and them.
    threadId = id;
    runs.clear();
    running.clear();
    askedBy.clear();
    cards.forEach((card) => card.discard());
    cards.clear();
    shownSeq = 0;
    arrivedWhileLoading = id ? [] : null;
    $('notices').replaceChildren();
    $('messages').replaceChildren();
    history.replaceState(null, '', id ? '#thread=' + encodeURIComponent(id) : location.pathname);
    markSelected();
    const button = id && $('threads').querySelector(`button[data-thread-id="${CSS.escape(id)}"]`);
    $('thread-title').textContent = id ? (button?.textContent ?? 'Thread') : 'New thread';
    updateComposer();
    if (!id) {
        $('messages').append(welcome());
        $('message').focus();
        return;
    }
    let messages, events;
    try {
        [messages, events] = await Promise.all([allMessages(id), client.events(id)]);
    } catch (refusal) {
        notice(refusal);
        return;
    }
    if (threadId !== id) {
        return; // another thread was opened meanwhile
    }
    const arrived = arrivedWhileLoading;
    arrivedWhileLoading = null;
    renderHistory(messages, events);
    arrived.forEach((event) => runEvent(event, true));
    client.follow(id, shownSeq);
    updateComposer();
    $('message').focus();
}

async function allMessages(id) {
    const items = [];
    let after = 0;
    for (;;) {
        const page = await client.messages(id, { after, limit: 200 });
        items.push(...page.items);
        if (page.next === undefined || page.next === null || page.items.length === 0) {
            return items;
        }
        after = page.items[page.items.length - 1].id;
    }
}

/** The user's messages and the runs that answered them, in time order (a message is stored before its run starts). */
function renderHistory(messages, events) {
    const items = [
        ...messages.filter((m) => m.role === 'user').map((m) => ({ at: m.created_at, message: m })),
        ...events.filter((e) => e.type === 'agent_started').map((e) => ({ at: e.timestamp, runId: e.run_id })),
    ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at) || (a.message ? -1 : 1));
    let asked = null; // a run answers the message before it (a run after an approval continues a run instead: see runEvent)
    for (const item of items) {
        if (item.message) {
            $('messages').append(userMessage(item.message.text));
            asked = item.message.text;
        } else {
            runView(item.runId);
            if (asked !== null) {
                askedBy.set(item.runId, asked);
            }
        }
    }
    for (const event of events) {
        runEvent(event, false);
    }
}

// --- sending ---

function send() {
    const box = $('message');
    const text = box.value.trim();
    if (!text || !client || !isConnected()) {
        return;
    }
    box.value = '';
    growComposer();
    sendText(text).catch(() => {}); // a refusal shows as a notice, the message as not sent
}

/** Shows the message as sending and sends it; resolves once it is acknowledged, rejects with the refusal. */
function sendText(text) {
    $('welcome')?.remove();
    const bubble = userMessage(text);
    bubble.classList.add('sending');
    $('messages').append(bubble);
    scrollDown();
    const newThread = !threadId;
    if (newThread) {
        threadId = randomId(); // chosen here, so the run's events belong to this view from the first
        $('thread-title').textContent = text.length > 60 ? text.slice(0, 60) + '…' : text;
    }
    const sentIn = threadId;
    return client.chat(text, { threadId }).then((ack) => {
        bubble.classList.remove('sending');
        if (threadId === sentIn) {
            askedBy.set(ack.run_id, text);
        }
        if (newThread && threadId === sentIn) {
            history.replaceState(null, '', '#thread=' + encodeURIComponent(sentIn));
            loadThreads();
        }
    }, (refusal) => {
        bubble.classList.remove('sending');
        bubble.classList.add('failed');
        notice(refusal);
        throw refusal;
    });
}

function isConnected() {
    return client.state === 'live' || client.state === 'resumed';
}

function updateComposer() {
    const connected = client !== null && isConnected();
    // a thread waiting for an approval takes no message (APPROVAL_PENDING): answer the card first
    const waits = [...cards.values()].some((card) => card.state === 'pending');
    $('send').disabled = !connected || waits;
    $('message').placeholder = waits ? 'Answer the approval first' : 'Message';
    $('cancel').hidden = running.size === 0;
}

function growComposer() {
    const box = $('message');
    box.style.height = 'auto';
    box.style.height = Math.min(box.scrollHeight, 200) + 'px';
    box.style.overflowY = box.scrollHeight > 200 ? 'auto' : 'hidden';
}

// --- runs ---

function userMessage(text) {
    const article = element('article', 'message user');
    article.setAttribute('aria-label', 'You');
    article.append(element('p', 'message-text', text));
    return article;
}

function welcome() {
    const box = element('div', 'welcome');
    box.id = 'welcome';
    box.append(element('p', '', 'Ask anything. The agent does arithmetic with its calculator tool: try "what is 12*(3+4)?"'),
        element('p', '', 'Some tools wait for your approval: try "remember that the meeting is at 10".'));
    return box;
}

/** The view of one run: a list of steps and the answer. */
function runView(runId) {
    let view = runs.get(runId);
    if (!view) {
        const article = element('article', 'message agent');
        article.setAttribute('aria-label', 'Agent');
        const steps = element('ol', 'steps');
        steps.setAttribute('aria-label', 'Steps');
        const answer = element('div', 'answer');
        answer.hidden = true;
        article.append(steps, answer);
        $('messages').append(article);
        view = { article, steps, answer, tools: [], streamed: '' };
        runs.set(runId, view);
    }
    return view;
}

/** Renders one run event of the open thread; live events also scroll and update the controls. */
function runEvent(event, live) {
    if (event.thread_id !== threadId) {
        return;
    }
    if (live && arrivedWhileLoading) {
        arrivedWhileLoading.push(event);
        return;
    }
    if (event.seq <= shownSeq) {
        return;
    }
    shownSeq = event.seq;
    const view = runView(event.run_id);
    switch (event.type) {
        case 'agent_started':
            running.add(event.run_id);
            view.article.dataset.status = 'running';
            step(view, 'started', 'Started', event.agent ? 'agent ' + event.agent : '', event.seq);
            break;
        case 'agent_thinking':
            step(view, 'thinking', 'Thinking', event.text, event.seq);
            break;
        case 'tool_executing': {
            const item = step(view, 'tool', 'Tool ' + event.tool, '', event.seq);
            const detail = element('dl', 'tool-call');
            detail.append(element('dt', '', 'Input'), element('dd', 'code', formatInput(event.input)),
                element('dt', '', 'Result'), element('dd', 'code pending', 'running'));
            item.append(detail);
            view.tools.push(item);
            break;
        }
        case 'tool_completed': {
            if (event.tool_call_id && event.tool_call_id === view.declined) {
                step(view, 'declined', 'Not run', event.output, event.seq); // the person declined: the agent gets this as the result
                break;
            }
            const item = view.tools.find((candidate) => !candidate.dataset.done) ?? step(view, 'tool', 'Tool ' + event.tool, '', event.seq);
            item.dataset.done = 'true';
            const result = item.querySelector('.pending') ?? item.appendChild(element('dd', 'code'));
            result.classList.remove('pending');
            result.textContent = event.output;
            if (event.failed) {
                item.classList.add('failed');
                result.textContent = event.output + ' (the tool failed)';
            }
            item.dataset.seq += ' ' + event.seq;
            break;
        }
        case 'agent_message_delta':
            view.streamed += event.text;
            view.answer.hidden = false;
            view.answer.classList.add('streaming');
            showAnswerSoon(view);
            break;
        case 'approval_requested':
            view.article.insertBefore(approvalCard(event), view.answer); // the card is this step
            break;
        case 'approval_resolved': {
            askedBy.delete(event.run_id); // this run continues a paused one: no message of its own to ask again
            const approved = event.decision === 'approved';
            if (!approved) {
                view.declined = event.tool_call_id;
            }
            step(view, approved ? 'approved' : 'declined', approved ? 'Approved' : 'Denied',
                approved ? (event.edited ? 'with edited arguments' : '') : (event.reason ? 'Reason: ' + event.reason : ''), event.seq);
            cards.get(event.interrupt_id)?.resolve(event);
            break;
        }
        case 'agent_completed':
            endRun(event.run_id, view, event.status);
            if (event.status === 'awaiting_approval') {
                if (event.text) {
                    showAnswer(view, event.text, true);
                }
            } else if (event.status === 'cancelled') {
                step(view, 'cancelled', 'Cancelled', 'The run was stopped before it answered.', event.seq);
            } else {
                showAnswer(view, event.text ?? view.streamed, true); // not streamed (the offline agent), or not all of it
            }
            break;
        case 'agent_error': {
            endRun(event.run_id, view, 'failed');
            const box = noticeElement(event, false);
            if (event.retryable && askedBy.has(event.run_id)) {
                box.append(retryButton(askedBy.get(event.run_id)));
            }
            view.article.append(box);
            break;
        }
        default:
            return;
    }
    if (live) {
        updateComposer();
        scrollDown();
    }
}

/** The answer as Markdown, now; a final one (agent_completed's) is not replaced by the pieces streamed. */
function showAnswer(view, text, final = false) {
    view.final ||= final;
    view.shown = text;
    view.answer.hidden = false;
    renderMarkdown(view.answer, text);
}

/** The streamed answer so far, rendered again as it grows: once per frame however many pieces came. */
function showAnswerSoon(view) {
    if (view.renderQueued) {
        return;
    }
    view.renderQueued = true;
    requestAnimationFrame(() => {
        view.renderQueued = false;
        if (!view.final && view.shown !== view.streamed) {
            showAnswer(view, view.streamed);
        }
    });
}

function endRun(runId, view, status) {
    running.delete(runId);
    view.article.dataset.status = status;
    view.answer.classList.remove('streaming');
}

function step(view, kind, title, text, seq) {
    const item = element('li', 'step ' + kind);
    item.dataset.seq = String(seq);
    item.append(element('span', 'step-title', title));
    if (text) {
        item.append(element('span', 'step-text', text));
    }
    view.steps.append(item);
    return item;
}

function formatInput(input) {
    if (input && typeof input === 'object' && Object.keys(input).length === 1 && typeof Object.values(input)[0] === 'string') {
        return Object.values(input)[0]; // the calculator's {"expression": "…"} reads best as the expression
    }
    return JSON.stringify(input, null, 1);
}

/** Retry: the same text again as a new message of the open thread, in a new run below. */
function retryButton(text) {
    const button = element('button', 'link-button', 'Retry');
    button.type = 'button';
    button.title = 'Send "' + (text.length > 60 ? text.slice(0, 60) + '…' : text) + '" again';
    button.addEventListener('click', () => {
        if (!client || !isConnected()) {
            return;
        }
        button.disabled = true;
        sendText(text).then(() => button.remove(), () => {
            button.disabled = false;
        });
    });
    return button;
}

// --- approvals ---

/** The card of an approval request of the open thread, made once per interrupt. */
function approvalCard(request) {
    let card = cards.get(request.interrupt_id);
    if (!card) {
        card = new ApprovalCard(request, {
            approve: (editedArgs) => client.approve(request.thread_id, request.interrupt_id, editedArgs ? { editedArgs } : {}),
            reject: (reason) => client.reject(request.thread_id, request.interrupt_id, { reason }),
            changed: () => updateComposer(),
        });
        cards.set(request.interrupt_id, card);
        updateComposer();
    }
    return card.box;
}

// --- notices ---

/** A readable notice for an error frame, a REST refusal or a client failure: its message and code. */
function notice(error) {
    $('notices').append(noticeElement(error, true));
    while ($('notices').children.length > 3) {
        $('notices').firstElementChild.remove();
    }
}

function noticeElement(error, dismissible) {
    const box = element('div', 'notice');
    box.setAttribute('role', 'alert');
    box.append(element('span', 'notice-text', error.message ?? 'Something went wrong.'), element('code', 'notice-code', error.code ?? 'ERROR'));
    if (error.correlation_id) {
        box.title = 'correlation id ' + error.correlation_id;
    }
    const close = element('button', 'link-button', 'Dismiss');
    close.type = 'button';
    close.addEventListener('click', () => box.remove());
    if (dismissible) {
        box.append(close);
    }
    return box;
}

function describeError(error) {
    return (error.message ?? 'Something went wrong.') + (error.code ? ' (' + error.code + ')' : '');
}

// --- small helpers ---

function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
        node.className = className;
    }
    if (text !== undefined) {
        node.textContent = text;
    }
    return node;
}

function scrollDown() {
    const messages = $('messages');
    messages.scrollTop = messages.scrollHeight;
}

function toggleThreads(open) {
    const toggle = $('threads-toggle');
    const expanded = open ?? toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(expanded));
    $('sidebar').classList.toggle('open', expanded);
}

start();
