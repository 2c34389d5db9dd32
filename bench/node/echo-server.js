// The Node.js `ws` reference of the agentwire benchmarks: the same behaviour as the baseline WAR
// (bench/src/main/java/dev/agentwire/bench/baseline/EchoEndpoint.java). Any connection is accepted;
// every text frame is echoed; a frame starting with {"type":"chat" gets five frames back, the fifth
// prefixed with "agent_completed ". GET /stats runs a full GC (node --expose-gc) and answers the
// memory figures as JSON. Usage: node --expose-gc echo-server.js <port>
'use strict';
const http = require('http');
const { WebSocketServer } = require('ws');

const port = Number(process.argv[2] || 9100);
const CHAT = '{"type":"chat"';

const server = http.createServer((req, res) => {
  if (req.url === '/stats') {
    if (global.gc) { global.gc(); global.gc(); }
    const m = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ pid: process.pid, heapUsed: m.heapUsed, external: m.external,
      arrayBuffers: m.arrayBuffers, rss: m.rss, connections: wss.clients.size }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end('ok');
});
const wss = new WebSocketServer({ server, path: '/ws/echo', perMessageDeflate: false });
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (isBinary) { socket.send(data, { binary: true }); return; }
    const text = data.toString();
    if (text.startsWith(CHAT)) {
      for (let i = 0; i < 4; i++) socket.send(text);
      socket.send('agent_completed ' + text);
    } else {
      socket.send(text);
    }
  });
  socket.on('error', () => {});
});
server.listen(port, '127.0.0.1', () => console.log(`node ws echo listening on ${port} pid ${process.pid}`));
process.on('SIGTERM', () => process.exit(0));
