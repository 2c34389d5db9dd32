// Drives agentwire's AG-UI endpoint with AG-UI's own client (@ag-ui/client 1.0.0, HttpAgent),
// which validates every event and verifies the stream's order itself. AguiIT starts one scenario
// per process and reads the one JSON line it prints last:
//   node agui-client.mjs <scenario>   with AGUI_URL, AGUI_TOKEN (and AGUI_OTHER_TOKEN) set.
// A scenario that fails prints {"ok":false,"error":...}; the Java test asserts on the rest.
import { HttpAgent, buildResumeArray } from "@ag-ui/client";
import { RunAgentInputSchema, RunFinishedEventSchema } from "@ag-ui/core/schemas";
import { randomUUID } from "node:crypto";

const url = process.env.AGUI_URL;
const token = process.env.AGUI_TOKEN;

/** An agent for a new thread, or the given one, whose raw SSE is recorded (ids included) by a tee of fetch. */
function agentFor({ threadId = randomUUID(), bearer = token, headers = {}, onSse } = {}) {
  const agent = new HttpAgent({
    url,
    threadId,
    headers: { Authorization: `Bearer ${bearer}`, ...headers },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      if (!onSse || !response.body) return response;
      const [mine, theirs] = response.body.tee();
      readSse(mine, onSse).catch(() => {});
      return new Response(theirs, { status: response.status, headers: response.headers });
    },
  });
  return agent;
}

/** Calls onEvent({id, event}) for each server-sent event, as the SSE format defines ids. */
async function readSse(body, onEvent) {
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let id = null;
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("id:")) id = line.slice(3).trim();
        if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length > 0) onEvent({ id, event: JSON.parse(data.join("\n")) });
    }
  }
}

/** Runs the agent once; the events its subscriber saw (after validation and verification), and the outcome. */
async function run(agent, params = {}) {
  const events = [];
  let error = null;
  let result;
  try {
    result = await agent.runAgent(params, { onEvent: ({ event }) => { events.push(event); } });
  } catch (e) {
    error = { message: String(e.message ?? e), status: e.status, payload: e.payload, name: e.name };
  }
  return { types: events.map((e) => e.type), events, error, newMessages: result?.newMessages ?? [] };
}

const user = (content) => ({ id: randomUUID(), role: "user", content });
const answerOf = (agent) => agent.messages.filter((m) => m.role === "assistant").map((m) => m.content ?? "").join("");

const scenarios = {
  /** The offline-style calculator run: reasoning, the calculator's call and result, the answer. */
  async calculator() {
    const agent = agentFor();
    agent.addMessage(user("what is 12*(3+4)?"));
    const outcome = await run(agent);
    return { ...outcome, messages: agent.messages, threadId: agent.threadId };
  },

  /** An answer streamed in deltas. */
  async deltas() {
    const agent = agentFor();
    agent.addMessage(user("say hello"));
    const outcome = await run(agent);
    return { ...outcome, answer: answerOf(agent) };
  },

  /** A front-end tool: the run ends with its call; the client runs it and sends the result in its next run. */
  async frontendTool() {
    const agent = agentFor();
    const tools = [{
      name: "get_weather",
      description: "The weather in a city now.",
      parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    }];
    agent.addMessage(user("what is the weather in Oslo?"));
    const first = await run(agent, { tools });
    const call = agent.messages.flatMap((m) => m.toolCalls ?? []).find((c) => c.function.name === "get_weather");
    if (!call) return { first, error: { message: "no get_weather call reached the client" } };
    agent.addMessage({ id: randomUUID(), role: "tool", toolCallId: call.id, content: "sunny, 21 C" });
    const second = await run(agent, { tools });
    return { first, second, call, answer: answerOf(agent), messages: agent.messages };
  },

  /**
   * A stream cut in the middle of a streamed answer, then the same request again with the last
   * event id the client saw: the rest of the run arrives, each event once.
   */
  async resume() {
    const firstIds = [];
    const secondIds = [];
    const contentTimes = [];
    const abort = new AbortController();
    let contents = 0;
    const threadId = randomUUID();
    const runId = randomUUID();
    const agent = agentFor({
      threadId,
      onSse: ({ id, event }) => {
        if (abort.signal.aborted) return; // read in the same chunk, but never handed to the client
        if (id !== null) firstIds.push(id);
        if (event.type === "TEXT_MESSAGE_CONTENT") {
          contentTimes.push(Date.now());
          if (++contents === 3) abort.abort();
        }
      },
    });
    agent.addMessage(user("count slowly"));
    const first = await run(agent, { runId, abortController: abort });
    const lastEventId = firstIds[firstIds.length - 1];
    const resumed = agentFor({
      threadId,
      headers: { "Last-Event-ID": lastEventId },
      onSse: ({ id, event }) => { secondIds.push({ id, type: event.type }); },
    });
    resumed.setMessages(agent.messages); // the client's state after the cut, partial answer included
    const second = await run(resumed, { runId });
    return { first, second, firstIds, secondIds, lastEventId, answer: answerOf(resumed),
      streamedOverMillis: contentTimes[contentTimes.length - 1] - contentTimes[0] };
  },

  /** Another user's thread: refused before any stream. */
  async otherUsersThread() {
    const owner = agentFor();
    owner.addMessage(user("what is 1+1?"));
    await run(owner);
    const stranger = agentFor({ threadId: owner.threadId, bearer: process.env.AGUI_OTHER_TOKEN });
    stranger.addMessage(user("what is 2+2?"));
    return await run(stranger);
  },

  /**
   * A tool call that waits for approval: the run ends with the interrupt outcome; new input
   * without an answer is RUN_ERROR; the answer, built by the client's own buildResumeArray with
   * edited arguments, streams the continuing run; the same body again runs nothing more.
   */
  async approval() {
    const agent = agentFor();
    agent.addMessage(user("please remember that I like tea"));
    const first = await run(agent);
    const finished = first.events[first.events.length - 1];
    const interruptValid = RunFinishedEventSchema.safeParse(finished).success;
    const pending = structuredClone(agent.pendingInterrupts);
    const interruptId = pending[0]?.id;

    // new input without resume: the client refuses it itself; a raw request gets RUN_ERROR
    const headers = { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "text/event-stream" };
    const other = await fetch(url, { method: "POST", headers, body: JSON.stringify({ threadId: agent.threadId, runId: randomUUID(),
      messages: [{ id: randomUUID(), role: "user", content: "something else" }] }) });
    const refusedWithoutResume = { status: other.status, body: await other.text() };

    const resume = buildResumeArray(agent.pendingInterrupts, {
      [interruptId]: { status: "resolved", payload: { editedArgs: { text: "I like green tea" } } },
    });
    const runId = randomUUID();
    const body = { threadId: agent.threadId, runId, messages: agent.messages, resume };
    const inputValid = RunAgentInputSchema.safeParse(body).success;
    const second = await run(agent, { runId, resume });
    const pendingAfter = agent.pendingInterrupts.length;

    const joined = await fetch(`${url}/runs/${runId}`, { headers: { Authorization: `Bearer ${token}`, Accept: "text/event-stream" } });
    const secondTab = { status: joined.status, body: await joined.text() };

    const replayed = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
    const replay = await replayed.text();
    const other2 = await fetch(url, { method: "POST", headers, body: JSON.stringify({ ...body, runId: randomUUID(),
      resume: [{ interruptId, status: "cancelled" }] }) });
    const answeredOtherwise = await other2.text();
    return { first, finished, interruptValid, pending, refusedWithoutResume, resume, inputValid, second, pendingAfter,
      replay, answeredOtherwise, secondTab, threadId: agent.threadId };
  },

  /** Input the AG-UI schema allows but agentwire refuses (a thread id with spaces), and a body that is not a RunAgentInput. */
  async badInput() {
    const agent = agentFor({ threadId: "not a valid id" });
    agent.addMessage(user("hello"));
    const refused = await run(agent);
    const raw = await fetch(url, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "text/event-stream" },
      body: JSON.stringify({ threadId: randomUUID(), runId: "r", messages: [] }),
    });
    return { refused, raw: { status: raw.status, body: await raw.json() } };
  },
};

const name = process.argv[2];
try {
  const outcome = await scenarios[name]();
  console.log(JSON.stringify({ ok: true, scenario: name, ...outcome }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, scenario: name, error: { message: String(e?.stack ?? e) } }));
}
