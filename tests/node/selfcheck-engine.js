#!/usr/bin/env node
'use strict';
/**
 * Self-check for engine-driver.js against the Node reference Engine.IO server.
 *
 * Starts engine.io 6.6 (allowEIO3, fast heartbeats) on 127.0.0.1:<random> with an echo
 * handler, plus a few tiny fake servers for failure modes, spawns the driver as a child
 * and drives it exactly as the .NET tests will: JSON lines over stdin/stdout.
 *
 * Prints PASS/FAIL per check, INFO lines with the close reasons the clients report, and
 * a final "N passed, N failed" line. Exit code 0 only if every check passed. Every wait is
 * bounded, and the whole run is capped by HARD_TIMEOUT_MS.
 */
const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { Server: EngineServer } = require('engine.io');
const { WebSocketServer } = require('ws');

const DRIVER = path.join(__dirname, 'engine-driver.js');
const HARD_TIMEOUT_MS = 90_000;
const WAIT_MS = 5_000; // default bound for any single wait
const PING_INTERVAL = 300;
const PING_TIMEOUT = 300;

const hardTimer = setTimeout(() => {
  console.error(`FAIL selfcheck: hard timeout of ${HARD_TIMEOUT_MS} ms exceeded`);
  process.exit(3);
}, HARD_TIMEOUT_MS);

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

function assertEqual(actual, expected, what) {
  if (actual !== expected) {
    throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
  }
}

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** A port on 127.0.0.1 that nothing listens on (bound then released). */
async function closedPort() {
  const s = http.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

// ---------------------------------------------------------------------------------------
// Driver process wrapper
// ---------------------------------------------------------------------------------------

class Driver {
  constructor() {
    this.events = [];
    this.badLines = [];
    this.waiters = new Set();
    this.child = spawn(process.execPath, [DRIVER], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.stderr = '';
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (d) => { this.stderr += d; });
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
    const rl = readline.createInterface({ input: this.child.stdout, crlfDelay: Infinity });
    rl.on('line', (line) => this.onLine(line));
  }

  onLine(line) {
    let ev;
    // The protocol promises pure-ASCII JSON objects, one per line.
    if (!/^[\x20-\x7e]*$/.test(line)) this.badLines.push(line);
    try {
      ev = JSON.parse(line);
    } catch {
      this.badLines.push(line);
      return;
    }
    if (ev === null || typeof ev !== 'object' || typeof ev.event !== 'string') {
      this.badLines.push(line);
      return;
    }
    this.events.push(ev);
    for (const w of [...this.waiters]) w();
  }

  send(cmd) {
    this.child.stdin.write((typeof cmd === 'string' ? cmd : JSON.stringify(cmd)) + '\n');
  }

  /** Index to pass as `from` so a later wait only sees events that arrive after now. */
  mark() {
    return this.events.length;
  }

  /** Resolves with the first event (at index >= from) matching pred; rejects after timeoutMs. */
  waitFor(pred, label, { from = 0, timeoutMs = WAIT_MS } = {}) {
    return new Promise((resolve, reject) => {
      let i = from;
      const check = () => {
        for (; i < this.events.length; i++) {
          if (pred(this.events[i])) {
            cleanup();
            resolve(this.events[i]);
            return;
          }
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${label}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  eventsFor(id, event, from = 0) {
    return this.events.slice(from).filter((e) => e.id === id && (!event || e.event === event));
  }

  async waitExit(timeoutMs = WAIT_MS) {
    const timeout = sleep(timeoutMs).then(() => null);
    return Promise.race([this.exited, timeout]);
  }

  kill() {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

// ---------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------

/** Reference engine.io server with an echo handler; records what each session received. */
async function startReferenceServer() {
  const httpServer = http.createServer();
  const engine = new EngineServer({
    allowEIO3: true,
    pingInterval: PING_INTERVAL,
    pingTimeout: PING_TIMEOUT,
  });
  engine.attach(httpServer);
  const sessions = new Map(); // sid -> { socket, received: [], closed: {reason, description} | null }
  engine.on('connection', (socket) => {
    const rec = { socket, received: [], closed: null, protocol: socket.protocol };
    sessions.set(socket.id, rec);
    socket.on('message', (data) => {
      // engine.io's parser decodes an empty text message ("4") as `undefined`.
      if (data === undefined) data = '';
      rec.received.push(data);
      socket.send(data); // echo text as text, binary as binary
    });
    socket.on('close', (reason, description) => {
      rec.closed = { reason, description: description ? description.message || String(description) : null };
    });
  });
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    engine,
    sessions,
    close: () => new Promise((r) => {
      engine.close();
      httpServer.closeAllConnections();
      httpServer.close(r);
    }),
  };
}

/**
 * WebSocket server that completes an Engine.IO handshake and then stays silent forever:
 * never pings (v4 client must time out) and never answers pings (v3 client must time out).
 */
async function startSilentWsServer() {
  const httpServer = http.createServer((req, res) => { res.writeHead(400); res.end(); });
  const wss = new WebSocketServer({ server: httpServer });
  wss.on('connection', (ws) => {
    const sid = crypto.randomBytes(8).toString('hex');
    ws.send('0' + JSON.stringify({ sid, upgrades: [], pingInterval: 200, pingTimeout: 200, maxPayload: 1e6 }));
  });
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      httpServer.closeAllConnections();
      httpServer.close(r);
    }),
  };
}

/** Polling-only v4 server: hands out a session, then answers every later request with 400 (as for an unknown sid). */
async function startForgetfulPollingServer() {
  const httpServer = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    if (req.method === 'GET' && !url.searchParams.get('sid')) {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=UTF-8' });
      res.end('0' + JSON.stringify({ sid: 'forgotten', upgrades: [], pingInterval: 25000, pingTimeout: 20000, maxPayload: 1e6 }));
      return;
    }
    res.writeHead(400, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code: 1, message: 'Session ID unknown' }));
  });
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((r) => { httpServer.closeAllConnections(); httpServer.close(r); }),
  };
}

// ---------------------------------------------------------------------------------------
// Check runner
// ---------------------------------------------------------------------------------------

const results = [];
const infos = [];

function info(line) {
  infos.push(line);
  console.log(`INFO ${line}`);
}

async function check(name, fn, timeoutMs = 15_000) {
  let timer;
  try {
    await Promise.race([
      fn(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`check exceeded ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    results.push({ name, ok: true });
    console.log(`PASS ${name}`);
  } catch (err) {
    results.push({ name, ok: false, err });
    console.log(`FAIL ${name}: ${err && err.message}`);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------
// Scenario helpers (all bounded)
// ---------------------------------------------------------------------------------------

let nextId = 0;
const newId = (prefix) => `${prefix}-${++nextId}`;

async function open(d, id, url, version, options = {}, extra = {}) {
  const from = d.mark();
  d.send({ cmd: 'open', id, url, version, options, ...extra });
  const ev = await d.waitFor((e) => e.id === id && (e.event === 'open' || e.event === 'close'), `${id} open`, { from });
  assertEqual(ev.event, 'open', `${id} first open/close event`);
  assertEqual(ev.protocol, version, `${id} protocol`);
  assert(typeof ev.sid === 'string' && ev.sid.length > 0, `${id} has no sid`);
  return ev;
}

/** Sends one payload ({text} or {binary}) and waits for the echoed message; asserts exact equality both ways. */
async function echo(d, srv, id, sid, payload) {
  const rec = srv.sessions.get(sid);
  assert(rec, `server has no session ${sid}`);
  const receivedBefore = rec.received.length;
  const from = d.mark();
  d.send({ cmd: 'send', id, ...payload });
  const ev = await d.waitFor((e) => e.id === id && e.event === 'message', `${id} echo`, { from });
  if ('text' in payload) {
    assertEqual(ev.text, payload.text, `${id} echoed text`);
    assert(!('binary' in ev), `${id} text echo came back as binary`);
  } else {
    assertEqual(ev.binary, payload.binary, `${id} echoed binary`);
    assert(!('text' in ev), `${id} binary echo came back as text`);
  }
  // What the reference server itself received.
  const got = rec.received[receivedBefore];
  if ('text' in payload) {
    assertEqual(got, payload.text, `${id} server-received text`);
  } else {
    assert(Buffer.isBuffer(got), `${id} server received ${typeof got}, not a Buffer`);
    assertEqual(got.toString('base64'), payload.binary, `${id} server-received binary`);
  }
}

async function closeFromClient(d, id) {
  const from = d.mark();
  d.send({ cmd: 'close', id });
  return d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from });
}

/** Polls fn() every 20 ms until it returns a truthy value or timeoutMs passes; returns the last value. */
async function until(fn, timeoutMs = WAIT_MS) {
  const deadline = Date.now() + timeoutMs;
  let value = fn();
  while (!value && Date.now() < deadline) {
    await sleep(20);
    value = fn();
  }
  return value;
}

/** The server-side close record { reason, description } of a session, or null if it did not close in time. */
async function waitServerClosed(srv, sid, timeoutMs = WAIT_MS) {
  return (await until(() => srv.sessions.get(sid) && srv.sessions.get(sid).closed, timeoutMs)) || null;
}

const TEXTS = [
  'hello',
  '你好，世界',
  '🌍🚀👍🏽 emoji (astral plane)',
  'mixed: é ñ ü — “quotes” \u2028 \u00a0 end',
  '',
  'line1\nline2\t"quoted" \\ backslash',
  '4 looks like a packet type, b64 too: bAAEC',
];

function binaries() {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return [
    all.toString('base64'),
    crypto.randomBytes(4096).toString('base64'),
    Buffer.from([0]).toString('base64'),
    Buffer.from('你好', 'utf8').toString('base64'), // valid UTF-8 bytes must still arrive as binary
  ];
}

async function roundTripAll(d, srv, id, sid) {
  for (const text of TEXTS) await echo(d, srv, id, sid, { text });
  for (const binary of binaries()) await echo(d, srv, id, sid, { binary });
}

// ---------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------

async function main() {
  const srv = await startReferenceServer();
  const silent = await startSilentWsServer();
  const forgetful = await startForgetfulPollingServer();
  const d = new Driver();

  try {
    await check('driver starts and prints ready first', async () => {
      const ev = await d.waitFor((e) => e.event === 'ready', 'ready');
      assertEqual(d.events.indexOf(ev), 0, 'index of ready');
      assert(ev.clients && ev.clients['4'] && ev.clients['3'], 'ready lacks client versions');
      info(`driver clients: v4=engine.io-client ${ev.clients['4']}, v3=engine.io-client ${ev.clients['3']}`);
    });

    // ---- Engine.IO v4 ------------------------------------------------------------------

    await check('v4 polling-only: open, round-trips, no upgrade', async () => {
      const id = newId('v4poll');
      const ev = await open(d, id, srv.url, 4, { transports: ['polling'] });
      assertEqual(ev.transport, 'polling', 'transport');
      assert(srv.sessions.has(ev.sid), 'sid unknown to server');
      assertEqual(srv.sessions.get(ev.sid).protocol, 4, 'server-side protocol');
      assertEqual(ev.handshake.pingInterval, PING_INTERVAL, 'handshake pingInterval');
      await roundTripAll(d, srv, id, ev.sid);
      await sleep(300);
      assertEqual(d.eventsFor(id, 'upgrade').length, 0, 'upgrade events');
      assertEqual(srv.sessions.get(ev.sid).socket.transport.name, 'polling', 'server transport');
      await closeFromClient(d, id);
    });

    await check('v4 websocket-only: open, round-trips', async () => {
      const id = newId('v4ws');
      const ev = await open(d, id, srv.url, 4, { transports: ['websocket'] });
      assertEqual(ev.transport, 'websocket', 'transport');
      await roundTripAll(d, srv, id, ev.sid);
      await closeFromClient(d, id);
    });

    await check('v4 polling -> websocket upgrade, round-trips after upgrade', async () => {
      const id = newId('v4up');
      const ev = await open(d, id, srv.url, 4, {});
      assertEqual(ev.transport, 'polling', 'initial transport');
      const up = await d.waitFor((e) => e.id === id && e.event === 'upgrade', `${id} upgrade`);
      assertEqual(up.transport, 'websocket', 'upgrade transport');
      // The server switches when it reads the client's "upgrade" packet, just after the client reports it.
      await until(() => srv.sessions.get(ev.sid).socket.transport.name === 'websocket');
      assertEqual(srv.sessions.get(ev.sid).socket.transport.name, 'websocket', 'server transport');
      await roundTripAll(d, srv, id, ev.sid);
      await closeFromClient(d, id);
    });

    await check('v4 polling with forceBase64: binary round-trips', async () => {
      const id = newId('v4b64');
      const ev = await open(d, id, srv.url, 4, { transports: ['polling'], forceBase64: true });
      for (const binary of binaries()) await echo(d, srv, id, ev.sid, { binary });
      await closeFromClient(d, id);
    });

    await check('v4 heartbeats: >= 2 server pings answered within ~1 s', async () => {
      const id = newId('v4hb');
      await open(d, id, srv.url, 4, { transports: ['websocket'] });
      const from = d.mark();
      await sleep(1000);
      const pings = d.eventsFor(id, 'packet', from).filter((e) => e.type === 'ping').length;
      const pongs = d.eventsFor(id, 'packet-create', from).filter((e) => e.type === 'pong').length;
      const pingEvents = d.eventsFor(id, 'ping', from).length;
      const heartbeats = d.eventsFor(id, 'heartbeat', from).length;
      assert(pings >= 2, `only ${pings} ping packets`);
      assert(pongs >= pings - 1, `only ${pongs} pong replies to ${pings} pings`);
      assert(pingEvents >= 2 && heartbeats >= 2, `ping events ${pingEvents}, heartbeat events ${heartbeats}`);
      assertEqual(d.eventsFor(id, 'close').length, 0, 'close events during heartbeat window');
      info(`v4 over 1 s: ${pings} "ping" packets, ${pongs} "pong" packet-create, ${pingEvents} ping events, ${heartbeats} heartbeat events`);
      await closeFromClient(d, id);
    });

    await check('v4 "sent" events carry increasing seq', async () => {
      const id = newId('v4seq');
      await open(d, id, srv.url, 4, { transports: ['websocket'] });
      const from = d.mark();
      d.send({ cmd: 'send', id, text: 'a' });
      d.send({ cmd: 'send', id, binary: 'AQID' });
      d.send({ cmd: 'send', id, text: 'c' });
      await d.waitFor((e) => e.id === id && e.event === 'sent' && e.seq === 3, `${id} sent seq 3`, { from });
      const seqs = d.eventsFor(id, 'sent', from).map((e) => e.seq);
      assertEqual(JSON.stringify(seqs), '[1,2,3]', 'seq order');
      await closeFromClient(d, id);
    });

    for (const version of [4, 3]) {
      await check(`v${version} send before "open" is buffered, then delivered`, async () => {
        const id = newId(`v${version}early`);
        const from = d.mark();
        d.send({ cmd: 'open', id, url: srv.url, version, options: { transports: ['polling'] } });
        d.send({ cmd: 'send', id, text: 'early ✓' });
        d.send({ cmd: 'send', id, binary: 'AAEC' });
        const msg = await d.waitFor((e) => e.id === id && e.event === 'message' && e.binary === 'AAEC', `${id} binary echo`, { from });
        const seen = d.eventsFor(id, null, from).map((e) => e.event);
        assert(seen.indexOf('open') < seen.indexOf('sent'), `"sent" before "open": ${seen.join(',')}`);
        assertEqual(d.eventsFor(id, 'message', from)[0].text, 'early ✓', 'first echo');
        assert(msg, 'no echo');
        await closeFromClient(d, id);
      });
    }

    await check('v4 "suppress" drops the named events', async () => {
      const id = newId('v4quiet');
      await open(d, id, srv.url, 4, { transports: ['websocket'] }, { suppress: ['packet', 'packet-create', 'heartbeat'] });
      await sleep(700);
      for (const name of ['packet', 'packet-create', 'heartbeat']) assertEqual(d.eventsFor(id, name).length, 0, `${name} events`);
      assert(d.eventsFor(id, 'ping').length >= 1, 'ping events should still be reported');
      await closeFromClient(d, id);
    });

    for (const transport of ['polling', 'websocket']) {
      await check(`v4 ${transport}: close from client -> "forced close"`, async () => {
        const id = newId(`v4cc-${transport}`);
        const ev = await open(d, id, srv.url, 4, { transports: [transport] });
        const closed = await closeFromClient(d, id);
        assertEqual(closed.reason, 'forced close', 'client close reason');
        const srvClose = await waitServerClosed(srv, ev.sid);
        assert(srvClose, 'server never saw the close');
        info(`v4 ${transport} client close: client reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)}; server saw reason=${JSON.stringify(srvClose.reason)} description=${JSON.stringify(srvClose.description)}`);
      });

      await check(`v4 ${transport}: server socket.close() -> "transport close"`, async () => {
        const id = newId(`v4sc-${transport}`);
        const ev = await open(d, id, srv.url, 4, { transports: [transport] });
        const from = d.mark();
        srv.sessions.get(ev.sid).socket.close();
        const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from });
        assertEqual(closed.reason, 'transport close', 'client close reason');
        assertEqual(d.eventsFor(id, 'error', from).length, 0, 'error events');
        info(`v4 ${transport} server close: reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)} detail=${JSON.stringify(closed.detail)} closeCode=${closed.closeCode}`);
      });
    }

    await check('v4 websocket: TCP connection dropped by server -> "transport close"', async () => {
      const id = newId('v4drop');
      const ev = await open(d, id, srv.url, 4, { transports: ['websocket'] });
      const from = d.mark();
      srv.sessions.get(ev.sid).socket.transport.socket.terminate(); // ws: destroy the TCP socket, no close frame
      const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from });
      assertEqual(closed.reason, 'transport close', 'client close reason');
      assertEqual(closed.closeCode, 1006, 'websocket close code');
      info(`v4 websocket TCP drop: reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)} detail=${JSON.stringify(closed.detail)}`);
    });

    for (const transport of ['polling', 'websocket']) {
      await check(`v4 ${transport}: connection refused -> error + "transport error"`, async () => {
        const id = newId(`v4ref-${transport}`);
        const url = `http://127.0.0.1:${await closedPort()}`;
        const from = d.mark();
        d.send({ cmd: 'open', id, url, version: 4, options: { transports: [transport] } });
        const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from });
        const err = d.eventsFor(id, 'error', from)[0];
        assert(err, 'no error event before close');
        assertEqual(closed.reason, 'transport error', 'client close reason');
        assertEqual(d.eventsFor(id, 'open', from).length, 0, 'open events');
        info(`v4 ${transport} refused: error message=${JSON.stringify(err.message)} detail=${JSON.stringify(err.detail)}; close reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)} detail=${JSON.stringify(closed.detail)}`);
      });
    }

    await check('v4 polling: HTTP 400 on poll -> error + "transport error"', async () => {
      const id = newId('v4p400');
      const from = d.mark();
      d.send({ cmd: 'open', id, url: forgetful.url, version: 4, options: { transports: ['polling'] } });
      const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from });
      const err = d.eventsFor(id, 'error', from)[0];
      assert(d.eventsFor(id, 'open', from).length === 1, 'expected the handshake to succeed first');
      assert(err, 'no error event');
      assertEqual(closed.reason, 'transport error', 'client close reason');
      info(`v4 polling HTTP 400: error message=${JSON.stringify(err.message)} detail=${JSON.stringify(err.detail)}; close reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)} detail=${JSON.stringify(closed.detail)}`);
    });

    await check('v4 websocket: no server ping -> "ping timeout"', async () => {
      const id = newId('v4pt');
      const ev = await open(d, id, silent.url, 4, { transports: ['websocket'] });
      const t0 = Date.now();
      const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from: d.events.indexOf(ev) });
      assertEqual(closed.reason, 'ping timeout', 'client close reason');
      info(`v4 ping timeout after ~${Date.now() - t0} ms (pingInterval+pingTimeout=400): reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)}`);
    });

    // ---- Engine.IO v3 ------------------------------------------------------------------

    for (const forceBase64 of [false, true]) {
      await check(`v3 polling-only (forceBase64=${forceBase64}): open, round-trips, heartbeats`, async () => {
        const id = newId(`v3poll${forceBase64 ? '-b64' : ''}`);
        const ev = await open(d, id, srv.url, 3, { transports: ['polling'], forceBase64 });
        assertEqual(ev.transport, 'polling', 'transport');
        assertEqual(srv.sessions.get(ev.sid).protocol, 3, 'server-side protocol');
        const from = d.mark();
        await roundTripAll(d, srv, id, ev.sid);
        await sleep(1000);
        // v3: the CLIENT pings, the server answers "pong".
        const pongs = d.eventsFor(id, 'packet', from).filter((e) => e.type === 'pong').length;
        const pingsOut = d.eventsFor(id, 'packet-create', from).filter((e) => e.type === 'ping').length;
        assert(pongs >= 2, `only ${pongs} pong packets`);
        assert(pingsOut >= 2, `only ${pingsOut} client pings`);
        assertEqual(d.eventsFor(id, 'upgrade').length, 0, 'upgrade events');
        const closed = await closeFromClient(d, id);
        assertEqual(closed.reason, 'forced close', 'client close reason');
        const srvClose = await waitServerClosed(srv, ev.sid);
        info(`v3 polling forceBase64=${forceBase64}: ${pingsOut} client pings/${pongs} pongs; client close -> server saw ${JSON.stringify(srvClose && srvClose.reason)} ${JSON.stringify(srvClose && srvClose.description)}`);
      });
    }

    await check('v3 websocket-only: open, round-trips, heartbeats', async () => {
      const id = newId('v3ws');
      const ev = await open(d, id, srv.url, 3, { transports: ['websocket'] });
      assertEqual(ev.transport, 'websocket', 'transport');
      const from = d.mark();
      await roundTripAll(d, srv, id, ev.sid);
      await sleep(1000);
      const pongs = d.eventsFor(id, 'packet', from).filter((e) => e.type === 'pong').length;
      assert(pongs >= 2, `only ${pongs} pong packets`);
      assert(d.eventsFor(id, 'ping', from).length >= 2 && d.eventsFor(id, 'pong', from).length >= 2, 'ping/pong events');
      const closed = await closeFromClient(d, id);
      assertEqual(closed.reason, 'forced close', 'client close reason');
      const srvClose = await waitServerClosed(srv, ev.sid);
      info(`v3 websocket client close -> server saw ${JSON.stringify(srvClose && srvClose.reason)} ${JSON.stringify(srvClose && srvClose.description)}`);
    });

    await check('v3 websocket with forceBase64: binary round-trips', async () => {
      const id = newId('v3wsb64');
      const ev = await open(d, id, srv.url, 3, { transports: ['websocket'], forceBase64: true });
      for (const binary of binaries()) await echo(d, srv, id, ev.sid, { binary });
      await closeFromClient(d, id);
    });

    await check('v3 polling -> websocket upgrade, round-trips after upgrade', async () => {
      const id = newId('v3up');
      const ev = await open(d, id, srv.url, 3, {});
      assertEqual(ev.transport, 'polling', 'initial transport');
      const up = await d.waitFor((e) => e.id === id && e.event === 'upgrade', `${id} upgrade`);
      assertEqual(up.transport, 'websocket', 'upgrade transport');
      await until(() => srv.sessions.get(ev.sid).socket.transport.name === 'websocket');
      assertEqual(srv.sessions.get(ev.sid).socket.transport.name, 'websocket', 'server transport');
      await roundTripAll(d, srv, id, ev.sid);
      await closeFromClient(d, id);
    });

    for (const transport of ['polling', 'websocket']) {
      await check(`v3 ${transport}: server socket.close() -> "transport close"`, async () => {
        const id = newId(`v3sc-${transport}`);
        const ev = await open(d, id, srv.url, 3, { transports: [transport] });
        const from = d.mark();
        srv.sessions.get(ev.sid).socket.close();
        const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from });
        assertEqual(closed.reason, 'transport close', 'client close reason');
        info(`v3 ${transport} server close: reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)} closeCode=${closed.closeCode}`);
      });

      await check(`v3 ${transport}: connection refused -> error + "transport error"`, async () => {
        const id = newId(`v3ref-${transport}`);
        const url = `http://127.0.0.1:${await closedPort()}`;
        const from = d.mark();
        d.send({ cmd: 'open', id, url, version: 3, options: { transports: [transport] } });
        const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from });
        const err = d.eventsFor(id, 'error', from)[0];
        assert(err, 'no error event before close');
        assertEqual(closed.reason, 'transport error', 'client close reason');
        info(`v3 ${transport} refused: error message=${JSON.stringify(err.message)} detail=${JSON.stringify(err.detail)}; close reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)} detail=${JSON.stringify(closed.detail)}`);
      });
    }

    await check('v3 websocket: no pong from server -> "ping timeout"', async () => {
      const id = newId('v3pt');
      const ev = await open(d, id, silent.url, 3, { transports: ['websocket'] });
      const closed = await d.waitFor((e) => e.id === id && e.event === 'close', `${id} close`, { from: d.events.indexOf(ev) });
      assertEqual(closed.reason, 'ping timeout', 'client close reason');
      info(`v3 ping timeout: reason=${JSON.stringify(closed.reason)} description=${JSON.stringify(closed.description)}`);
    });

    // ---- Driver robustness -------------------------------------------------------------

    await check('malformed commands -> driver-error, driver keeps working', async () => {
      const bad = [
        'not json at all',
        '[1,2,3]',
        '{"cmd":"frobnicate"}',
        '{"cmd":"open","id":"x"}',
        '{"cmd":"open","id":"x","url":"http://127.0.0.1:1","version":5}',
        '{"cmd":"open","id":"x","url":"http://127.0.0.1:1","suppress":["nope"]}',
        '{"cmd":"send","id":"no-such-conn","text":"x"}',
        '{"cmd":"close","id":"no-such-conn"}',
      ];
      for (const line of bad) {
        const from = d.mark();
        d.send(line);
        await d.waitFor((e) => e.event === 'driver-error', `driver-error for ${line}`, { from });
      }
      const id = newId('robust');
      const ev = await open(d, id, srv.url, 4, { transports: ['websocket'] });
      for (const line of [
        JSON.stringify({ cmd: 'send', id, binary: 'not base64!' }),
        JSON.stringify({ cmd: 'send', id, text: 'a', binary: 'AA==' }),
        JSON.stringify({ cmd: 'send', id }),
        JSON.stringify({ cmd: 'send', id, text: 42 }),
        JSON.stringify({ cmd: 'open', id, url: srv.url }), // duplicate id
      ]) {
        const from = d.mark();
        d.send(line);
        const err = await d.waitFor((e) => e.event === 'driver-error', `driver-error for ${line}`, { from });
        assertEqual(err.id, id, 'driver-error id');
      }
      await echo(d, srv, id, ev.sid, { text: 'still alive ✓' });
    });

    await check('stdout carries only pure-ASCII JSON event lines', async () => {
      assertEqual(d.badLines.length, 0, `bad stdout lines (first: ${JSON.stringify(d.badLines[0])})`);
    });

    await check('"exit" closes open connections and exits 0', async () => {
      const ids = [newId('exit'), newId('exit')];
      await open(d, ids[0], srv.url, 4, { transports: ['websocket'] });
      await open(d, ids[1], srv.url, 3, { transports: ['polling'] });
      const from = d.mark();
      d.send({ cmd: 'exit' });
      const res = await d.waitExit(5000);
      assert(res, 'driver did not exit within 5 s');
      assertEqual(res.code, 0, 'exit code');
      for (const id of ids) {
        const c = d.eventsFor(id, 'close', from);
        assertEqual(c.length, 1, `${id} close events`);
        assertEqual(c[0].reason, 'forced close', `${id} close reason`);
      }
      assertEqual(d.badLines.length, 0, 'bad stdout lines');
    });

    await check('stdin EOF exits 0', async () => {
      const d2 = new Driver();
      try {
        await d2.waitFor((e) => e.event === 'ready', 'ready');
        await open(d2, 'eof', srv.url, 4, { transports: ['websocket'] });
        d2.child.stdin.end();
        const res = await d2.waitExit(5000);
        assert(res, 'driver did not exit within 5 s of stdin EOF');
        assertEqual(res.code, 0, 'exit code');
        assertEqual(d2.eventsFor('eof', 'close').length, 1, 'close event on EOF');
      } finally {
        d2.kill();
      }
    });
  } finally {
    d.kill();
    await Promise.race([Promise.all([srv.close(), silent.close(), forgetful.close()]), sleep(2000)]);
  }

  const failed = results.filter((r) => !r.ok);
  if (failed.length && d.stderr.trim()) console.log(`--- driver stderr ---\n${d.stderr.trim()}\n---`);
  console.log(`${results.length - failed.length} passed, ${failed.length} failed`);
  clearTimeout(hardTimer);
  process.exit(failed.length ? 1 : 0);
}

main().catch((err) => {
  console.error('FAIL selfcheck crashed:', err && err.stack);
  process.exit(2);
});
