// The approval card of the chat page: one tool call that waits for a person, inside the run that
// asked. It shows the tool, what the call does and its arguments as indented JSON, and takes the
// answer: Approve, Deny with an optional reason, and an edit of the arguments where the request
// allows it. Its state only moves forward (pending, then approved, denied or expired), so an
// event seen again, or a refusal that comes after another tab's answer, never opens it again.

const EXPIRED = 'Expired: the call was not run.';
/** setTimeout's largest delay; an expiry further away is not timed (it is checked at each render). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class ApprovalCard {

    /**
     * @param {object} request the `approval_requested` event
     * @param {{approve: (editedArgs?: object) => Promise<object>, reject: (reason: string) => Promise<object>,
     *          changed: (card: ApprovalCard) => void}} actions send the answer (resolving with
     *   `answered`, rejecting with the refusal); `changed` is told when the card stops waiting
     */
    constructor(request, actions) {
        this.request = request;
        this.actions = actions;
        /** @type {'pending'|'approved'|'denied'|'expired'} */
        this.state = 'pending';
        this.build();
        const left = Date.parse(request.expires_at) - Date.now();
        if (left <= 0) {
            this.settle('expired', EXPIRED);
        } else if (left <= MAX_TIMEOUT_MS) {
            this.expiry = setTimeout(() => this.state === 'pending' && this.settle('expired', EXPIRED), left);
        }
    }

    /** The answer every tab gets (`approval_resolved`): final, whatever the card showed before. */
    resolve(resolved) {
        if (resolved.decision === 'approved') {
            this.shown.textContent = pretty(resolved.arguments ?? this.request.arguments);
            this.settle('approved', resolved.edited ? 'Approved with edited arguments.' : 'Approved.');
        } else {
            this.settle('denied', 'Denied' + (resolved.reason ? ': ' + resolved.reason : '.'));
        }
    }

    /** Stops its timer: the card is no longer shown. */
    discard() {
        clearTimeout(this.expiry);
    }

    build() {
        const request = this.request;
        const id = 'approval-' + request.interrupt_id;
        this.box = element('section', 'approval');
        this.box.setAttribute('aria-labelledby', id + '-title');
        this.box.dataset.interruptId = request.interrupt_id;
        this.box.dataset.state = this.state;
        const title = element('h3', 'approval-title');
        title.id = id + '-title';
        title.append('Approve ', element('code', '', request.tool), '?');
        const argumentsLabel = element('p', 'approval-label', 'Arguments');
        argumentsLabel.id = id + '-arguments';
        this.shown = element('pre', 'approval-arguments', pretty(request.arguments));
        this.shown.setAttribute('aria-labelledby', argumentsLabel.id);
        this.shown.tabIndex = 0; // long arguments scroll: reachable by keyboard
        this.status = element('p', 'approval-status');
        this.status.setAttribute('role', 'status');
        this.problem = element('div', 'notice approval-problem');
        this.problem.setAttribute('role', 'alert');
        this.problem.hidden = true;
        this.box.append(title, element('p', 'approval-message', request.message), argumentsLabel, this.shown,
            this.answerControls(id), this.problem, this.status);
    }

    answerControls(id) {
        this.controls = element('div', 'approval-answer');
        this.controls.setAttribute('role', 'group');
        this.controls.setAttribute('aria-label', 'Your answer');
        this.editor = element('textarea', 'approval-editor');
        this.editor.id = id + '-editor';
        this.editor.spellcheck = false;
        this.editor.hidden = true;
        const editorLabel = element('label', 'visually-hidden', 'Edited arguments (JSON)');
        editorLabel.htmlFor = this.editor.id;
        const reason = element('input', 'approval-reason');
        reason.id = id + '-reason';
        reason.maxLength = 2000;
        reason.autocomplete = 'off';
        const reasonLabel = element('label', 'approval-label', 'Reason, if you deny (optional)');
        reasonLabel.htmlFor = reason.id;
        const approve = button('Approve', 'primary');
        const deny = button('Deny', 'secondary');
        const edit = button('Edit arguments', 'link-button');
        edit.hidden = !this.request.editable;
        const buttons = element('div', 'approval-buttons');
        buttons.append(approve, deny, edit);
        this.controls.append(editorLabel, this.editor, reasonLabel, reason, buttons);

        edit.addEventListener('click', () => this.toggleEditor(edit));
        approve.addEventListener('click', () => this.approve());
        deny.addEventListener('click', () => this.deny(reason.value.trim()));
        reason.addEventListener('keydown', (event) => {
            if (event.key === 'Enter' && !event.isComposing) {
                event.preventDefault();
                deny.click(); // the reason is for a denial: Enter never approves
            }
        });
        return this.controls;
    }

    toggleEditor(edit) {
        const editing = this.editor.hidden;
        this.editor.hidden = !editing;
        this.shown.hidden = editing;
        edit.textContent = editing ? 'Keep the arguments' : 'Edit arguments';
        if (editing) {
            this.editor.value = pretty(this.request.arguments);
            this.editor.rows = Math.min(12, this.editor.value.split('\n').length + 1);
            this.editor.focus();
        }
        this.problem.hidden = true;
    }

    approve() {
        let editedArgs;
        if (!this.editor.hidden) {
            try {
                editedArgs = JSON.parse(this.editor.value);
            } catch {
                editedArgs = undefined;
            }
            if (editedArgs === null || typeof editedArgs !== 'object' || Array.isArray(editedArgs)) {
                this.showProblem({ code: 'INVALID_JSON', message: 'The edited arguments must be a JSON object.' });
                this.editor.focus();
                return;
            }
        }
        this.send('Sending your approval…', this.actions.approve(editedArgs),
            (answered) => answered.decision === 'approved' ? 'Approved; running the call…' : 'Already denied.');
    }

    deny(reason) {
        this.send('Sending your denial…', this.actions.reject(reason),
            (answered) => answered.decision === 'rejected' ? 'Denied; telling the agent…' : 'Already approved.');
    }

    /** Sends an answer; the card settles only from `approval_resolved`, which follows an accepted one. */
    send(sending, answer, accepted) {
        this.problem.hidden = true;
        this.busy(true, sending);
        answer.then((answered) => this.state === 'pending' && this.busy(true, accepted(answered)), (refusal) => this.refused(refusal));
    }

    refused(refusal) {
        if (this.state !== 'pending') {
            return; // answered meanwhile, here or in another tab: that answer stands
        }
        if (refusal.code === 'INTERRUPT_EXPIRED') {
            this.settle('expired', EXPIRED);
        } else if (refusal.code === 'INTERRUPT_ANSWERED') {
            this.busy(true, 'Answered in another tab; its answer stands.'); // its approval_resolved follows
        } else {
            this.busy(false);
            this.showProblem(refusal);
        }
    }

    settle(state, text) {
        this.state = state;
        this.box.dataset.state = state;
        clearTimeout(this.expiry);
        this.controls.remove();
        this.shown.hidden = false;
        this.problem.hidden = true;
        this.status.textContent = text;
        this.actions.changed(this);
    }

    busy(on, text = '') {
        for (const control of this.controls.querySelectorAll('button, input, textarea')) {
            control.disabled = on;
        }
        this.status.textContent = text;
    }

    /** A refusal in the card: its message, each problem (a field of the edited arguments), its code. */
    showProblem(refusal) {
        this.problem.replaceChildren(element('span', 'notice-text', refusal.message ?? 'Something went wrong.'));
        for (const item of refusal.problems ?? []) {
            this.problem.append(element('span', 'notice-text approval-field', item.message));
        }
        this.problem.append(element('code', 'notice-code', refusal.code ?? 'ERROR'));
        this.problem.hidden = false;
        this.problem.scrollIntoView({ block: 'nearest' });
    }
}

function pretty(json) {
    return JSON.stringify(json ?? {}, null, 2);
}

function button(text, className) {
    const node = element('button', className, text);
    node.type = 'button';
    return node;
}

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
