#!/usr/bin/env node
'use strict';
/**
 * Self-check for socketio-driver.js against the Node reference Socket.IO server.
 *
 * Starts socket.io 4.8 (allowEIO3) on 127.0.0.1:<random> with "/" and an auth-protected
 * "/admin", a second one with socket.io-msgpack-parser, a throw-away one for the shutdown
 * case, and a fake server that never answers heartbeats. Spawns the driver as a child and
 * drives it exactly as the .NET tests will: JSON lines over stdin/stdout.
 *
 * Prints PASS/FAIL per check, INFO lines with the reasons/messages the clients report, and a
 * final "N passed, N failed" line. Exit code 0 only if every check passed. Every wait is
 * bounded, and the whole run is capped by HARD_TIMEOUT_MS.
 */
const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');
const { Server } = require('socket.io');
const { WebSocketServer } = require('ws');
const msgpackParser = require('socket.io-msgpack-parser');
const { DriverProcess, sleep, until } = require('./lib/driver-process');
const { encodeArgs } = require('./lib/sio-values');

const DRIVER = path.join(__dirname, 'socketio-driver.js');
const HARD_TIMEOUT_MS = 120_000;
const WAIT_MS = 5_000;

const hardTimer = setTimeout(() => {
  console.error(`FAIL selfcheck: hard timeout of ${HARD_TIMEOUT_MS} ms exceeded`);
  process.exit(3);
}, HARD_TIMEOUT_MS);

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

/** JSON with sorted keys, for order-insensitive deep comparison. */
function canon(v) {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canon(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v === undefined ? null : v);
}

function assertEqual(actual, expected, what) {
  if (canon(actual) !== canon(expected)) {
    throw new Error(`${what}: expected ${canon(expected)}, got ${canon(actual)}`);
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

const b64 = (bytes) => Buffer.from(bytes).toString('base64');

// ---------------------------------------------------------------------------------------
// Servers
// ---------------------------------------------------------------------------------------

/**
 * Reference Socket.IO server: "/" and "/admin" (auth middleware: auth.token must be "ok",
 * else Error("not authorized") with data {code: 42}). Both namespaces ack "echo" with the
 * received arguments and record every event and the disconnect reason per socket.
 */
async function startSioServer(extraOpts = {}) {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { allowEIO3: true, pingInterval: 1000, pingTimeout: 1000, ...extraOpts });
  const sockets = new Map(); // socket.id -> record
  const setup = (nsp) => nsp.on('connection', (socket) => {
    const rec = {
      socket,
      nsp: nsp.name,
      protocol: socket.conn.protocol,
      engineId: socket.conn.id,
      auth: socket.handshake.auth,
      received: [], // { event, args (ack function stripped), hasAck }
      disconnected: null,
    };
    sockets.set(socket.id, rec);
    socket.onAny((event, ...args) => {
      const hasAck = args.length > 0 && typeof args[args.length - 1] === 'function';
      rec.received.push({ event, args: hasAck ? args.slice(0, -1) : args, hasAck });
    });
    socket.on('echo', (...args) => {
      const cb = args[args.length - 1];
      if (typeof cb === 'function') cb(...args.slice(0, -1));
    });
    // "noack" is recorded by onAny and never acknowledged (ack timeout checks).
    socket.on('disconnect', (reason) => { rec.disconnected = reason; });
  });
  setup(io.of('/'));
  const admin = io.of('/admin');
  admin.use((socket, next) => {
    if (socket.handshake.auth && socket.handshake.auth.token === 'ok') return next();
    const e = new Error('not authorized');
    e.data = { code: 42 };
    return next(e);
  });
  setup(admin);
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    io,
    sockets,
    close: () => Promise.race([io.close(), sleep(2000)]).then(() => httpServer.closeAllConnections()),
  };
}

/**
 * WebSocket-only fake that completes the Engine.IO and Socket.IO handshakes for "/" and then
 * stays silent: never pings (EIO 4 client must time out) and never answers pings (EIO 3).
 * With `eager`, it sends two events (the second one requesting ack id 7) BEFORE the
 * Socket.IO CONNECT packet, so the client must buffer them until it is connected; every
 * text frame it receives is recorded in `frames`.
 */
async function startSilentServer({ eager = false } = {}) {
  const frames = [];
  const httpServer = http.createServer((req, res) => { res.writeHead(400); res.end(); });
  const wss = new WebSocketServer({ server: httpServer });
  wss.on('connection', (ws, req) => {
    const eio = new URL(req.url, 'http://x').searchParams.get('EIO');
    const sid = crypto.randomBytes(8).toString('hex');
    // eager: heartbeats far away, so no ping timeout interferes with that check
    const hb = eager ? 20_000 : 200;
    ws.send('0' + JSON.stringify({ sid, upgrades: [], pingInterval: hb, pingTimeout: hb, maxPayload: 1e6 }));
    const early = () => {
      if (!eager) return;
      ws.send('42["early",1,{"x":"\u00e9"}]');
      ws.send('427["early-ack",2]');
    };
    if (eio === '3') { early(); ws.send('40'); } // v3: the server connects "/" by itself
    ws.on('message', (data) => {
      const text = data.toString();
      frames.push(text);
      if (eio === '4' && text.startsWith('40')) {
        early();
        ws.send('40' + JSON.stringify({ sid: `fake-${sid}` }));
      }
    });
  });
  const port = await listen(httpServer);
  return {
    url: `http://127.0.0.1:${port}`,
    frames,
    close: () => new Promise((r) => {
      for (const c of wss.clients) c.terminate();
      wss.close();
      httpServer.closeAllConnections();
      httpServer.close(r);
    }),
  };
}

// ---------------------------------------------------------------------------------------
// Check runner
// ---------------------------------------------------------------------------------------

const results = [];

function info(line) {
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
let nextSeq = 0;

/** Sends "connect" and waits for "connect"; returns that event. */
async function connect(d, id, url, version, options = {}, extra = {}) {
  const from = d.mark();
  d.send({ cmd: 'connect', id, url, version, options, ...extra });
  const ev = await d.waitFor((e) => e.id === id && (e.event === 'connect' || e.event === 'connect_error'), `${id} connect`, { from });
  assert(ev.event === 'connect', `${id}: expected connect, got ${JSON.stringify(ev)}`);
  assert(typeof ev.sid === 'string' && ev.sid.length > 0, `${id} has no sid`);
  return ev;
}

/** Sends "connect" and waits for "connect_error"; returns that event. */
async function connectError(d, id, url, version, options = {}, extra = {}) {
  const from = d.mark();
  d.send({ cmd: 'connect', id, url, version, options, ...extra });
  const ev = await d.waitFor((e) => e.id === id && (e.event === 'connect' || e.event === 'connect_error'), `${id} connect_error`, { from });
  assert(ev.event === 'connect_error', `${id}: expected connect_error, got ${JSON.stringify(ev)}`);
  return ev;
}

/** Emits with an ack request; resolves with the "ack" or "ack-error" event. */
async function emitAck(d, id, event, args, extra = {}, timeoutMs = WAIT_MS) {
  const seq = ++nextSeq;
  const from = d.mark();
  d.send({ cmd: 'emit', id, event, args, ack: true, seq, ...extra });
  return d.waitFor((e) => e.id === id && (e.event === 'ack' || e.event === 'ack-error') && e.seq === seq, `${id} ack seq ${seq}`, { from, timeoutMs });
}

async function disconnectFromClient(d, id) {
  const from = d.mark();
  d.send({ cmd: 'disconnect', id });
  return d.waitFor((e) => e.id === id && e.event === 'disconnect', `${id} disconnect`, { from });
}

/** Server-side emit with ack (timeout); resolves with { err, res } once the client answers or it times out. */
function serverAsk(rec, event, args, timeoutMs = 3000) {
  return new Promise((resolve) => rec.socket.timeout(timeoutMs).emit(event, ...args, (err, ...res) => resolve({ err, res })));
}

function serverRec(srv, sid) {
  const rec = srv.sockets.get(sid);
  assert(rec, `server has no socket ${sid}`);
  return rec;
}

/** Values exercising the encoding: unicode, nesting, null, binary (empty, all bytes, nested). */
function sampleArgs() {
  const all = Buffer.alloc(256);
  for (let i = 0; i < 256; i++) all[i] = i;
  return [
    1.5,
    'héllo 你好 🌍🚀 "quoted" \\ \n',
    null,
    true,
    { nested: [1, { $binary: b64([0, 1, 2, 255]) }, { deep: { $binary: all.toString('base64') } }], empty: { $binary: '' } },
    [{ $binary: crypto.randomBytes(3000).toString('base64') }, 'tail'],
    { $binary: b64(Buffer.from('你好', 'utf8')) },
  ];
}

/** Round-trips sampleArgs() through "echo" and checks both the ack and what the server received. */
async function echoRoundTrip(d, srv, id, sid, extra = {}) {
  const args = sampleArgs();
  const rec = serverRec(srv, sid);
  const before = rec.received.length;
  const ev = await emitAck(d, id, 'echo', args, extra);
  assertEqual(ev.event, 'ack', `${id} echo result (${JSON.stringify(ev).slice(0, 200)})`);
  assertEqual(ev.args, args, `${id} echoed args`);
  const got = rec.received[before];
  assert(got && got.event === 'echo' && got.hasAck, `${id}: server did not record the echo`);
  assert(Buffer.isBuffer(got.args[4].nested[1]), `${id}: server received ${typeof got.args[4].nested[1]}, not a Buffer`);
  assertEqual(encodeArgs(got.args), args, `${id} server-received args`);
}

// ---------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------

async function main() {
  const srv = await startSioServer();
  const mp = await startSioServer({ parser: msgpackParser });
  const csr = await startSioServer({ connectionStateRecovery: { maxDisconnectionDuration: 10_000 } });
  const silent = await startSilentServer();
  const eager = await startSilentServer({ eager: true });
  const d = new DriverProcess(DRIVER);
  const reasons = {};

  try {
    await check('driver starts and prints ready first', async () => {
      const ev = await d.waitFor((e) => e.event === 'ready', 'ready');
      assertEqual(d.events.indexOf(ev), 0, 'index of ready');
      assertEqual(ev.clients, { 2: '2.5.0', 4: '4.8.4' }, 'client versions');
    });

    // ---- socket.io-client 4 ------------------------------------------------------------

    for (const transport of ['websocket', 'polling']) {
      await check(`v4 ${transport}: connect "/", echo with ack (nested binary, unicode)`, async () => {
        const id = newId(`v4-${transport}`);
        const ev = await connect(d, id, srv.url, 4, { transports: [transport] });
        const rec = serverRec(srv, ev.sid);
        assertEqual(rec.protocol, 4, 'server-side Engine.IO protocol');
        assertEqual(ev.recovered, false, 'recovered');
        await echoRoundTrip(d, srv, id, ev.sid);
        await echoRoundTrip(d, srv, id, ev.sid, { timeout: 3000 }); // error-first callback path
        await disconnectFromClient(d, id);
      });
    }

    await check('v4 emitWithAck reports the first ack argument; empty args work', async () => {
      const id = newId('v4-ewa');
      await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      let ev = await emitAck(d, id, 'echo', ['first', { $binary: 'AAE=' }], { ack: false, emitWithAck: true, timeout: 3000 });
      assertEqual(ev.event, 'ack', 'event');
      assertEqual(ev.args, ['first'], 'emitWithAck args');
      ev = await emitAck(d, id, 'echo', [], { ack: false, emitWithAck: true });
      assertEqual(ev.args, [null], 'emitWithAck with an empty ack');
      ev = await emitAck(d, id, 'echo', []);
      assertEqual(ev.args, [], 'plain ack with no args');
      await disconnectFromClient(d, id);
    });

    await check('v4 ack timeout: server never acks -> ack-error "operation has timed out"', async () => {
      const id = newId('v4-to');
      const ev = await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      const t0 = Date.now();
      let r = await emitAck(d, id, 'noack', [1], { timeout: 300 });
      assertEqual(r.event, 'ack-error', 'event');
      assertEqual(r.message, 'operation has timed out', 'message');
      assert(Date.now() - t0 >= 250, 'ack-error came too early');
      r = await emitAck(d, id, 'noack', [2], { ack: false, emitWithAck: true, timeout: 300 });
      assertEqual([r.event, r.message], ['ack-error', 'operation has timed out'], 'emitWithAck timeout');
      assertEqual(serverRec(srv, ev.sid).received.filter((x) => x.event === 'noack').length, 2, 'server got both noack events');
      await disconnectFromClient(d, id);
    });

    await check('v4 ackTimeout option: plain ack becomes error-first (ack and ack-error)', async () => {
      const id = newId('v4-ackto');
      await connect(d, id, srv.url, 4, { transports: ['websocket'], ackTimeout: 300 });
      let r = await emitAck(d, id, 'echo', ['x', 2]);
      assertEqual([r.event, r.args], ['ack', ['x', 2]], 'echo with ackTimeout');
      r = await emitAck(d, id, 'noack', []);
      assertEqual([r.event, r.message], ['ack-error', 'operation has timed out'], 'noack with ackTimeout');
      await disconnectFromClient(d, id);
    });

    await check('v4 emitWithAck pending on disconnect -> ack-error "socket has been disconnected"', async () => {
      const id = newId('v4-ewadc');
      await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      const seq = ++nextSeq;
      const from = d.mark();
      d.send({ cmd: 'emit', id, event: 'noack', args: [], emitWithAck: true, seq });
      await sleep(100);
      d.send({ cmd: 'disconnect', id });
      const r = await d.waitFor((e) => e.id === id && e.seq === seq, 'ack-error', { from });
      assertEqual([r.event, r.message], ['ack-error', 'socket has been disconnected'], 'result');
      info(`v4 pending emitWithAck at disconnect: ${r.event} ${JSON.stringify(r.message)} (a plain ack callback without timeout is silently dropped)`);
    });

    await check('v4 server emits with ack: answered via "ack" command (binary), plain event has ackId null', async () => {
      const id = newId('v4-sack');
      const ev = await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      const rec = serverRec(srv, ev.sid);
      const from = d.mark();
      rec.socket.emit('news', 'plain', { b: Buffer.from([9, 8, 7]) });
      const asked = serverAsk(rec, 'question', [{ q: 'life', bin: Buffer.from([1, 2, 3]) }, [Buffer.alloc(0)]]);
      const news = await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'news', 'news', { from });
      assertEqual(news.args, ['plain', { b: { $binary: b64([9, 8, 7]) } }], 'news args');
      assertEqual(news.ackId, null, 'news ackId');
      const q = await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'question', 'question', { from });
      assertEqual(q.args, [{ q: 'life', bin: { $binary: 'AQID' } }, [{ $binary: '' }]], 'question args');
      assert(Number.isInteger(q.ackId), 'question has no ackId');
      d.send({ cmd: 'ack', id, ackId: q.ackId, args: [42, { $binary: 'BAUG' }, 'ok'] });
      const { err, res } = await asked;
      assert(!err, `server ack error: ${err && err.message}`);
      assertEqual(res.length, 3, 'server ack arg count');
      assert(Buffer.isBuffer(res[1]), 'server ack arg 2 is not a Buffer');
      assertEqual(encodeArgs(res), [42, { $binary: 'BAUG' }, 'ok'], 'server ack args');
      // answering twice is refused by the driver
      const from2 = d.mark();
      d.send({ cmd: 'ack', id, ackId: q.ackId, args: [] });
      await d.waitFor((e) => e.event === 'driver-error' && e.cmd === 'ack', 'driver-error for a second ack', { from: from2 });
      await disconnectFromClient(d, id);
    });

    await check('v4 autoAck: broadcast-with-ack to 3 clients, fixed args and $echo', async () => {
      const ids = [newId('v4-auto'), newId('v4-auto'), newId('v4-auto')];
      const autoAck = { poll: ['yes', { $binary: 'AAE=' }], mirror: { $echo: true } };
      const sids = [];
      for (const id of ids) sids.push((await connect(d, id, srv.url, 4, { transports: ['websocket'] }, { autoAck })).sid);
      const from = d.mark();
      const responses = await new Promise((resolve) => srv.io.of('/').timeout(3000).emit('poll', 'question?', (err, r) => resolve({ err, r })));
      assert(!responses.err, `broadcast ack error: ${responses.err && responses.err.message}`);
      // only our three sockets are connected to "/" right now
      assertEqual(responses.r.length, 3, 'broadcast responses');
      for (const r of responses.r) assertEqual(r, 'yes', 'broadcast response (first ack arg)');
      // stdout and the server's socket are different channels: wait for the lines, do not assume them
      for (const id of ids) {
        const m = await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'poll', `${id} poll message`, { from });
        assert(m.ackId === null && m.autoAck === true, `${id}: poll message ${JSON.stringify(m)}`);
      }
      const { err, res } = await serverAsk(serverRec(srv, sids[0]), 'mirror', [1, { b: Buffer.from([5]) }, 'z']);
      assert(!err, 'mirror ack error');
      assertEqual(encodeArgs(res), [1, { b: { $binary: 'BQ==' } }, 'z'], 'mirror ($echo) ack args');
      assert(Buffer.isBuffer(res[1].b), 'mirror ack binary is not a Buffer');
      for (const id of ids) await disconnectFromClient(d, id);
    });

    await check('v4 server socket.disconnect() -> "io server disconnect"', async () => {
      const id = newId('v4-sdc');
      const ev = await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      const from = d.mark();
      serverRec(srv, ev.sid).socket.disconnect();
      const dc = await d.waitFor((e) => e.id === id && e.event === 'disconnect', 'disconnect', { from });
      assertEqual(dc.reason, 'io server disconnect', 'client reason');
      reasons['v4 server socket.disconnect()'] = dc;
    });

    await check('v4 client disconnect -> "io client disconnect"; server sees "client namespace disconnect"; connect-again', async () => {
      const id = newId('v4-cdc');
      const ev = await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      const dc = await disconnectFromClient(d, id);
      assertEqual(dc.reason, 'io client disconnect', 'client reason');
      reasons['v4 client disconnect'] = dc;
      const srvReason = await until(() => serverRec(srv, ev.sid).disconnected);
      assertEqual(srvReason, 'client namespace disconnect', 'server reason');
      const from = d.mark();
      d.send({ cmd: 'connect-again', id });
      const again = await d.waitFor((e) => e.id === id && e.event === 'connect', 'connect again', { from });
      assert(again.sid !== ev.sid, 'connect-again reused the sid');
      await echoRoundTrip(d, srv, id, again.sid);
      await disconnectFromClient(d, id);
    });

    for (const version of [4, 2]) {
      await check(`v${version} server closes the transport -> "transport close"`, async () => {
        const id = newId(`v${version}-tc`);
        const ev = await connect(d, id, srv.url, version, { transports: ['websocket'] });
        const from = d.mark();
        serverRec(srv, ev.sid).socket.conn.close();
        const dc = await d.waitFor((e) => e.id === id && e.event === 'disconnect', 'disconnect', { from });
        assertEqual(dc.reason, 'transport close', 'client reason');
        reasons[`v${version} server conn.close()`] = dc;
      });

      await check(`v${version} no heartbeat from the server -> "ping timeout"`, async () => {
        const id = newId(`v${version}-pt`);
        await connect(d, id, silent.url, version, { transports: ['websocket'] });
        const from = d.mark();
        const dc = await d.waitFor((e) => e.id === id && e.event === 'disconnect', 'disconnect', { from });
        assertEqual(dc.reason, 'ping timeout', 'client reason');
        reasons[`v${version} ping timeout`] = dc;
      });

      await check(`v${version} events received before CONNECT are buffered, reported, ackable`, async () => {
        const id = newId(`v${version}-early`);
        const from = d.mark();
        await connect(d, id, eager.url, version, { transports: ['websocket'] });
        const seen = d.eventsFor(id, null, from).filter((e) => e.event !== 'manager');
        assertEqual(seen.map((e) => e.event), ['message', 'message', 'connect'], 'event order');
        assertEqual([seen[0].name, seen[0].args, seen[0].ackId], ['early', [1, { x: 'é' }], null], 'first event');
        assertEqual([seen[1].name, seen[1].args], ['early-ack', [2]], 'second event');
        assert(Number.isInteger(seen[1].ackId), 'second event has no ackId');
        const framesBefore = eager.frames.length;
        d.send({ cmd: 'ack', id, ackId: seen[1].ackId, args: ['ok'] });
        assert(await until(() => eager.frames.slice(framesBefore).includes('437["ok"]')), `no ack frame; got ${JSON.stringify(eager.frames.slice(framesBefore))}`);
        info(`v${version} events before CONNECT: reported as ${seen.map((e) => e.event).join(', ')} (the client dispatches its buffer before "connect")`);
        await disconnectFromClient(d, id);
      });

      await check(`v${version} unknown namespace -> connect_error`, async () => {
        const ev = await connectError(d, newId(`v${version}-nonsp`), `${srv.url}/nope`, version, { transports: ['websocket'] });
        assertEqual(ev.message, 'Invalid namespace', 'message');
        reasons[`v${version} unknown namespace (connect_error)`] = ev;
      });
    }

    // websocket: "transport close". polling: "transport close" when a long-poll GET was pending
    // (the server answers it with a close packet), else "transport error" ("xhr poll error":
    // the next poll finds the server gone). Both are legitimate; the test accepts either.
    await check('server shutdown (io.close()) -> "transport close" (polling: or "transport error")', async () => {
      const tmp = await startSioServer();
      try {
        const ids = [newId('v4-shut'), newId('v2-shut'), newId('v4-shut-poll')];
        await connect(d, ids[0], tmp.url, 4, { transports: ['websocket'] });
        await connect(d, ids[1], tmp.url, 2, { transports: ['websocket'] });
        await connect(d, ids[2], tmp.url, 4, { transports: ['polling'] });
        const from = d.mark();
        await tmp.close();
        for (const id of ids) {
          const dc = await d.waitFor((e) => e.id === id && e.event === 'disconnect', `${id} disconnect`, { from });
          reasons[`${id.replace(/-\d+$/, '')} server io.close()`] = dc;
          const allowed = id.includes('poll') ? ['transport close', 'transport error'] : ['transport close'];
          assert(allowed.includes(dc.reason), `${id} reason ${JSON.stringify(dc.reason)} not in ${JSON.stringify(allowed)}`);
        }
      } finally {
        await tmp.close();
      }
    });

    for (const version of [4, 2]) {
      await check(`v${version} reconnection: manager events forwarded, socket reconnects`, async () => {
        const id = newId(`v${version}-rc`);
        const opts = { transports: ['websocket'], reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200, randomizationFactor: 0 };
        const ev = await connect(d, id, srv.url, version, opts);
        const from = d.mark();
        serverRec(srv, ev.sid).socket.conn.close();
        const again = await d.waitFor((e) => e.id === id && e.event === 'connect', 'reconnect', { from });
        const seen = d.eventsFor(id, null, from).map((e) => (e.event === 'manager' ? `manager:${e.type}` : e.event));
        for (const want of ['disconnect', 'manager:close', 'manager:reconnect_attempt', 'manager:reconnect']) {
          assert(seen.includes(want), `missing ${want} in ${seen.join(',')}`);
        }
        const attempt = d.eventsFor(id, 'manager', from).find((e) => e.type === 'reconnect_attempt');
        assertEqual(attempt.detail, 1, 'reconnect_attempt detail');
        assert(again.sid !== ev.sid, 'same sid after reconnect');
        info(`v${version} reconnection sequence: ${seen.join(' ')}`);
        await disconnectFromClient(d, id);
      });
    }

    for (const version of [4, 2]) {
      for (const transport of ['websocket', 'polling']) {
        await check(`v${version} ${transport}: connection refused -> connect_error`, async () => {
          const port = await closedPort();
          const id = newId(`v${version}-refused-${transport}`);
          const ev = await connectError(d, id, `http://127.0.0.1:${port}`, version, { transports: [transport] });
          const expected = transport === 'websocket' ? 'websocket error' : 'xhr poll error';
          assertEqual(ev.message, expected, 'message');
          reasons[`v${version} ${transport} connection refused (connect_error)`] = ev;
          d.send({ cmd: 'disconnect', id }); // stop the (never connected) socket
        });
      }
    }

    await check('v4 and v2: no handshake answer within options.timeout -> connect_error "timeout"', async () => {
      const pending = new Set();
      const blackHole = http.createServer((req, res) => { pending.add(res); }); // never answers
      const port = await listen(blackHole);
      try {
        for (const version of [4, 2]) {
          const id = newId(`v${version}-cto`);
          const from = d.mark();
          const ev = await connectError(d, id, `http://127.0.0.1:${port}`, version, { transports: ['polling'], timeout: 300 });
          assertEqual(ev.message, 'timeout', `v${version} message`);
          reasons[`v${version} connect timeout (connect_error)`] = ev;
          if (version === 2) {
            await d.waitFor((e) => e.id === id && e.event === 'manager' && e.type === 'connect_timeout', 'v2 connect_timeout', { from });
          }
          d.send({ cmd: 'disconnect', id });
        }
      } finally {
        blackHole.closeAllConnections();
        blackHole.close();
      }
    });

    await check('v4 connection state recovery: recovered:true, missed event, offset argument', async () => {
      const id = newId('v4-csr');
      const opts = { transports: ['websocket'], reconnection: true, reconnectionDelay: 100, reconnectionDelayMax: 200, randomizationFactor: 0 };
      const ev = await connect(d, id, csr.url, 4, opts);
      assertEqual(ev.recovered, false, 'first connect recovered');
      const rec = serverRec(csr, ev.sid);
      let from = d.mark();
      rec.socket.emit('e1', 'a');
      const m1 = await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'e1', 'e1', { from });
      // with connection state recovery the server appends its offset as an extra string argument
      assertEqual(m1.args.length, 2, 'e1 args (value + offset)');
      assertEqual(m1.args[0], 'a', 'e1 value');
      from = d.mark();
      rec.socket.conn.close();
      await d.waitFor((e) => e.id === id && e.event === 'disconnect', 'disconnect', { from });
      csr.io.emit('missed', 'while-away');
      const again = await d.waitFor((e) => e.id === id && e.event === 'connect', 'reconnect', { from });
      assertEqual([again.recovered, again.sid], [true, ev.sid], 'recovered connect');
      const missed = d.eventsFor(id, 'message', from).find((e) => e.name === 'missed');
      assert(missed && missed.args[0] === 'while-away', 'missed event not delivered');
      const order = d.eventsFor(id, null, from).filter((e) => e.event === 'connect' || e.name === 'missed').map((e) => e.event);
      info(`v4 recovery: ${order.join(' then ')} (missed packets are dispatched before "connect")`);
      await disconnectFromClient(d, id);
    });

    await check('v4 /admin auth middleware: rejected (message + data) and accepted', async () => {
      let ev = await connectError(d, newId('v4-admin-bad'), `${srv.url}/admin`, 4, { transports: ['websocket'], auth: { token: 'nope' } });
      assertEqual([ev.message, ev.data], ['not authorized', { code: 42 }], 'connect_error');
      reasons['v4 middleware rejection (connect_error)'] = ev;
      const id = newId('v4-admin');
      ev = await connect(d, id, `${srv.url}/admin`, 4, { transports: ['websocket'], auth: { token: 'ok' } });
      const rec = serverRec(srv, ev.sid);
      assertEqual([rec.nsp, rec.auth], ['/admin', { token: 'ok' }], 'server-side namespace/auth');
      await echoRoundTrip(d, srv, id, ev.sid);
      await disconnectFromClient(d, id);
    });

    await check('v4 id reuse after connect_error, and duplicate connected id is refused', async () => {
      const id = newId('v4-reuse');
      await connectError(d, id, `${srv.url}/admin`, 4, { transports: ['websocket'] });
      const ev = await connect(d, id, `${srv.url}/admin`, 4, { transports: ['websocket'], auth: { token: 'ok' } });
      const from = d.mark();
      d.send({ cmd: 'connect', id, url: srv.url, version: 4 });
      const err = await d.waitFor((e) => e.event === 'driver-error', 'driver-error', { from });
      assertEqual(err.id, id, 'driver-error id');
      await echoRoundTrip(d, srv, id, ev.sid);
      await disconnectFromClient(d, id);
    });

    await check('v4 multiplexing: "/" and "/admin" on one Manager (one Engine.IO connection)', async () => {
      const a = newId('v4-mx-root');
      const b = newId('v4-mx-admin');
      const key = newId('m');
      const evA = await connect(d, a, srv.url, 4, { transports: ['websocket'] }, { manager: key });
      const evB = await connect(d, b, `${srv.url}/admin`, 4, { transports: ['websocket'], auth: { token: 'ok' } }, { manager: key });
      const ra = serverRec(srv, evA.sid);
      const rb = serverRec(srv, evB.sid);
      assertEqual(ra.engineId, rb.engineId, 'server-side Engine.IO session of both sockets');
      const from = d.mark();
      d.send({ cmd: 'status', id: a });
      d.send({ cmd: 'status', id: b });
      const sa = await d.waitFor((e) => e.event === 'status' && e.id === a, 'status a', { from });
      const sb = await d.waitFor((e) => e.event === 'status' && e.id === b, 'status b', { from });
      assertEqual([sa.engineId, sa.manager, sb.manager, sb.nsp], [ra.engineId, key, key, '/admin'], 'status');
      await echoRoundTrip(d, srv, a, evA.sid);
      await echoRoundTrip(d, srv, b, evB.sid);
      // disconnecting one namespace leaves the other (and the shared connection) alone
      await disconnectFromClient(d, a);
      await echoRoundTrip(d, srv, b, evB.sid);
      assertEqual(rb.socket.connected, true, 'admin socket still connected');
      const from2 = d.mark();
      d.send({ cmd: 'connect', id: newId('v4-mx-dup'), url: `${srv.url}/admin`, version: 4, manager: key });
      await d.waitFor((e) => e.event === 'driver-error', 'driver-error for a second socket on the same namespace', { from: from2 });
      await disconnectFromClient(d, b);
    });

    for (const version of [4, 2]) {
      await check(`v${version} multiplexing: refused namespace retried under the same id with new auth`, async () => {
        const key = newId(`m-retry${version}`);
        const root = newId(`v${version}-mxr-root`);
        const id = newId(`v${version}-mxr-admin`);
        const bad = { auth: { token: 'bad' }, query: { token: 'bad' } }; // v4 uses auth, v2 query
        const good = { auth: { token: 'ok' }, query: { token: 'ok' } };
        const evRoot = await connect(d, root, srv.url, version, { transports: ['websocket'] }, { manager: key });
        await connectError(d, id, `${srv.url}/admin`, version, bad, { manager: key });
        const ev = await connect(d, id, `${srv.url}/admin`, version, good, { manager: key });
        assertEqual(serverRec(srv, ev.sid).engineId, serverRec(srv, evRoot.sid).engineId, 'shared Engine.IO session');
        await echoRoundTrip(d, srv, id, ev.sid);
        await disconnectFromClient(d, id);
        await disconnectFromClient(d, root);
      });
    }

    await check('v4 on-any / off-any / on-any-outgoing', async () => {
      const id = newId('v4-any');
      const ev = await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      const rec = serverRec(srv, ev.sid);
      let from = d.mark();
      d.send({ cmd: 'on-any', id });
      d.send({ cmd: 'on-any-outgoing', id });
      await emitAck(d, id, 'echo', ['out', { $binary: 'AQ==' }]);
      const out = d.eventsFor(id, 'any-outgoing', from);
      assertEqual(out.map((e) => [e.name, e.args]), [['echo', ['out', { $binary: 'AQ==' }]]], 'any-outgoing');
      const asked = serverAsk(rec, 'hey', ['there']);
      const any = await d.waitFor((e) => e.id === id && e.event === 'any', 'any', { from });
      const msg = d.eventsFor(id, 'message', from).find((e) => e.name === 'hey');
      assertEqual([any.name, any.args, any.ackId], ['hey', ['there'], msg.ackId], 'any event');
      d.send({ cmd: 'ack', id, ackId: any.ackId, args: ['back'] });
      assertEqual((await asked).res, ['back'], 'server got the ack');
      d.send({ cmd: 'off-any', id });
      d.send({ cmd: 'off-any-outgoing', id });
      from = d.mark();
      rec.socket.emit('quiet', 1);
      await emitAck(d, id, 'echo', []);
      await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'quiet', 'quiet message', { from });
      assertEqual(d.eventsFor(id, 'any', from).length + d.eventsFor(id, 'any-outgoing', from).length, 0, 'any events after off');
      await disconnectFromClient(d, id);
    });

    await check('v4 volatile + compress:false emit reaches the server', async () => {
      const id = newId('v4-vol');
      const ev = await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      d.send({ cmd: 'emit', id, event: 'vol', args: ['v', { $binary: 'AA==' }], volatile: true, compress: false });
      const rec = serverRec(srv, ev.sid);
      const got = await until(() => rec.received.find((x) => x.event === 'vol'));
      assert(got, 'server never got the volatile event');
      assertEqual(encodeArgs(got.args), ['v', { $binary: 'AA==' }], 'volatile args');
      await disconnectFromClient(d, id);
    });

    // ---- socket.io-client 2 ------------------------------------------------------------

    for (const transport of ['websocket', 'polling']) {
      await check(`v2 ${transport}: connect "/", echo with ack + binary, server ack via "ack"`, async () => {
        const id = newId(`v2-${transport}`);
        const ev = await connect(d, id, srv.url, 2, { transports: [transport] });
        const rec = serverRec(srv, ev.sid);
        assertEqual(rec.protocol, 3, 'server-side Engine.IO protocol');
        assertEqual(ev.recovered, null, 'recovered');
        await echoRoundTrip(d, srv, id, ev.sid);
        const from = d.mark();
        const asked = serverAsk(rec, 'question', ['v2?', { bin: Buffer.from([7, 7]) }]);
        const q = await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'question', 'question', { from });
        assertEqual(q.args, ['v2?', { bin: { $binary: 'Bwc=' } }], 'question args');
        d.send({ cmd: 'ack', id, ackId: q.ackId, args: ['v2!', { $binary: 'CAk=' }] });
        const { err, res } = await asked;
        assert(!err, 'server ack error');
        assertEqual(encodeArgs(res), ['v2!', { $binary: 'CAk=' }], 'server ack args');
        rec.socket.emit('news', 'n');
        const news = await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'news', 'news', { from });
        assertEqual([news.args, news.ackId], [['n'], null], 'news');
        const dc = await disconnectFromClient(d, id);
        assertEqual(dc.reason, 'io client disconnect', 'client reason');
        assertEqual(await until(() => rec.disconnected), 'client namespace disconnect', 'server reason');
        reasons[`v2 client disconnect (${transport})`] = dc;
      });
    }

    await check('v2 emulated ack timeout, autoAck, on-any, server disconnect', async () => {
      const id = newId('v2-misc');
      const ev = await connect(d, id, srv.url, 2, { transports: ['websocket'] }, { autoAck: { poll: ['v2-yes'], mirror: { $echo: true } } });
      const rec = serverRec(srv, ev.sid);
      const r = await emitAck(d, id, 'noack', [1], { timeout: 300 });
      assertEqual([r.event, r.message], ['ack-error', 'operation has timed out'], 'v2 timeout');
      const ok = await emitAck(d, id, 'echo', ['a'], { timeout: 3000 });
      assertEqual([ok.event, ok.args], ['ack', ['a']], 'v2 ack with timeout');
      const from = d.mark();
      d.send({ cmd: 'on-any', id });
      await emitAck(d, id, 'echo', []); // commands run in order: on-any is active after this ack
      assertEqual((await serverAsk(rec, 'poll', [])).res, ['v2-yes'], 'autoAck fixed args');
      const m = await serverAsk(rec, 'mirror', [{ b: Buffer.from([1]) }, 3]);
      assertEqual(encodeArgs(m.res), [{ b: { $binary: 'AQ==' } }, 3], 'autoAck $echo');
      await d.waitFor((e) => e.id === id && e.event === 'any' && e.name === 'mirror', 'any for mirror', { from });
      const any = d.eventsFor(id, 'any', from).map((e) => e.name);
      assertEqual(any, ['poll', 'mirror'], 'v2 any events');
      const from2 = d.mark();
      rec.socket.disconnect();
      const dc = await d.waitFor((e) => e.id === id && e.event === 'disconnect', 'disconnect', { from: from2 });
      assertEqual(dc.reason, 'io server disconnect', 'client reason');
      reasons['v2 server socket.disconnect()'] = dc;
    });

    await check('v2 /admin: query token (options.query and URL query), rejection data', async () => {
      let ev = await connectError(d, newId('v2-admin-bad'), `${srv.url}/admin`, 2, { transports: ['websocket'], query: { token: 'no' } });
      assertEqual(ev.data, { code: 42 }, 'v2 connect_error data (err.data sent as the ERROR payload)');
      reasons['v2 middleware rejection (connect_error)'] = ev;
      const id = newId('v2-admin');
      ev = await connect(d, id, `${srv.url}/admin`, 2, { transports: ['websocket'], query: { token: 'ok' } });
      let rec = serverRec(srv, ev.sid);
      assertEqual([rec.nsp, rec.auth.token, ev.sid.startsWith('/admin#')], ['/admin', 'ok', true], 'server-side namespace/auth/sid');
      await echoRoundTrip(d, srv, id, ev.sid);
      await disconnectFromClient(d, id);
      const id2 = newId('v2-admin-url');
      ev = await connect(d, id2, `${srv.url}/admin?token=ok`, 2, { transports: ['polling'] });
      rec = serverRec(srv, ev.sid);
      assertEqual([rec.nsp, rec.auth.token], ['/admin', 'ok'], 'server-side namespace/auth (URL query)');
      await echoRoundTrip(d, srv, id2, ev.sid);
      await disconnectFromClient(d, id2);
    });

    await check('v2 multiplexing: "/" and "/admin?token=ok" on one Manager', async () => {
      const key = newId('m2');
      const a = newId('v2-mx-root');
      const b = newId('v2-mx-admin');
      const evA = await connect(d, a, srv.url, 2, { transports: ['websocket'] }, { manager: key });
      const evB = await connect(d, b, `${srv.url}/admin?token=ok`, 2, {}, { manager: key });
      assertEqual(serverRec(srv, evA.sid).engineId, serverRec(srv, evB.sid).engineId, 'shared Engine.IO session');
      await echoRoundTrip(d, srv, b, evB.sid);
      await disconnectFromClient(d, b);
      await echoRoundTrip(d, srv, a, evA.sid);
      await disconnectFromClient(d, a);
    });

    // ---- msgpack -------------------------------------------------------------------------

    await check('v4 msgpack parser: echo (nested binary), server ack via "ack"', async () => {
      const id = newId('v4-mp');
      const ev = await connect(d, id, mp.url, 4, { transports: ['websocket'] }, { msgpack: true });
      await echoRoundTrip(d, mp, id, ev.sid);
      const rec = serverRec(mp, ev.sid);
      const from = d.mark();
      const asked = serverAsk(rec, 'question', [{ bin: Buffer.from([1, 2]) }, 'x']);
      const q = await d.waitFor((e) => e.id === id && e.event === 'message' && e.name === 'question', 'question', { from });
      assertEqual(q.args, [{ bin: { $binary: 'AQI=' } }, 'x'], 'question args');
      d.send({ cmd: 'ack', id, ackId: q.ackId, args: [{ $binary: '/w==' }] });
      const { res } = await asked;
      assertEqual(encodeArgs(res), [{ $binary: '/w==' }], 'server ack args');
      await disconnectFromClient(d, id);
    });

    await check('v4 polling + msgpack: echo', async () => {
      const id = newId('v4-mp-poll');
      const ev = await connect(d, id, mp.url, 4, { transports: ['polling'] }, { msgpack: true });
      await echoRoundTrip(d, mp, id, ev.sid);
      await disconnectFromClient(d, id);
    });

    // ---- Driver robustness ---------------------------------------------------------------

    await check('malformed commands -> driver-error, driver keeps working', async () => {
      const id = newId('robust');
      const id2 = newId('robust2');
      const ev = await connect(d, id, srv.url, 4, { transports: ['websocket'] });
      await connect(d, id2, srv.url, 2, { transports: ['websocket'] });
      const bad = [
        'not json at all',
        '[1,2,3]',
        '{"cmd":"frobnicate"}',
        '{"cmd":"connect","id":"x"}',
        '{"cmd":"connect","id":"x","url":"http://127.0.0.1:1","version":3}',
        '{"cmd":"connect","id":"x","url":"http://127.0.0.1:1","version":2,"msgpack":true}',
        '{"cmd":"connect","id":"x","url":"http://127.0.0.1:1","autoAck":{"a":5}}',
        '{"cmd":"connect","id":"x","url":"http://127.0.0.1:1","suppress":["nope"]}',
        '{"cmd":"emit","id":"no-such","event":"e"}',
        JSON.stringify({ cmd: 'emit', id, event: 'e', args: [{ $binary: 'not base64!' }] }),
        JSON.stringify({ cmd: 'emit', id, event: 'e', args: 'notarray' }),
        JSON.stringify({ cmd: 'emit', id, event: 'connect' }),
        JSON.stringify({ cmd: 'emit', id, event: 'e', timeout: 5 }),
        JSON.stringify({ cmd: 'emit', id: id2, event: 'ping' }),
        JSON.stringify({ cmd: 'emit', id: id2, event: 'e', volatile: true }),
        JSON.stringify({ cmd: 'emit', id: id2, event: 'e', emitWithAck: true }),
        JSON.stringify({ cmd: 'on-any-outgoing', id: id2 }),
        JSON.stringify({ cmd: 'ack', id, ackId: 999999, args: [] }),
        JSON.stringify({ cmd: 'connect-again', id }),
      ];
      for (const line of bad) {
        const from = d.mark();
        d.send(line);
        await d.waitFor((e) => e.event === 'driver-error', `driver-error for ${line}`, { from });
      }
      await echoRoundTrip(d, srv, id, ev.sid);
      await disconnectFromClient(d, id);
      await disconnectFromClient(d, id2);
    });

    await check('"suppress" drops manager events', async () => {
      const id = newId('quiet');
      const from = d.mark();
      await connect(d, id, srv.url, 4, { transports: ['websocket'] }, { suppress: ['manager:ping', 'manager:open'] });
      await sleep(1300); // > one server ping interval
      await disconnectFromClient(d, id);
      await sleep(50);
      const types = d.eventsFor(id, 'manager', from).map((e) => e.type);
      assertEqual(types, ['close'], 'manager events left');
    });

    info(`disconnect / connect_error observations: ${Object.keys(reasons).length}`);
    for (const [what, ev] of Object.entries(reasons)) {
      const fields = ev.event === 'disconnect'
        ? `reason=${JSON.stringify(ev.reason)} description=${JSON.stringify(ev.description)} detail=${JSON.stringify(ev.detail)}`
        : `message=${JSON.stringify(ev.message)} data=${JSON.stringify(ev.data)} description=${JSON.stringify(ev.description)}`;
      info(`  ${what}: ${ev.event} ${fields}`);
    }

    await check('stdout carries only pure-ASCII JSON event lines', async () => {
      assertEqual(d.badLines.length, 0, `bad stdout lines (first: ${JSON.stringify(d.badLines[0])})`);
    });

    await check('"exit" disconnects connected sockets (server sees it) and exits 0', async () => {
      const ids = [newId('exit4'), newId('exit2')];
      const sids = [(await connect(d, ids[0], srv.url, 4, { transports: ['websocket'] })).sid,
        (await connect(d, ids[1], srv.url, 2, { transports: ['polling'] })).sid];
      const from = d.mark();
      d.send({ cmd: 'exit' });
      const res = await d.waitExit(5000);
      assert(res, 'driver did not exit within 5 s');
      assertEqual(res.code, 0, 'exit code');
      for (const id of ids) {
        const c = d.eventsFor(id, 'disconnect', from);
        assertEqual(c.map((e) => e.reason), ['io client disconnect'], `${id} disconnect events`);
      }
      for (const sid of sids) {
        assertEqual(await until(() => serverRec(srv, sid).disconnected), 'client namespace disconnect', `server reason for ${sid}`);
      }
      assertEqual(d.badLines.length, 0, 'bad stdout lines');
    });

    await check('stdin EOF exits 0', async () => {
      const d2 = new DriverProcess(DRIVER);
      try {
        await d2.waitFor((e) => e.event === 'ready', 'ready');
        await connect(d2, 'eof', srv.url, 4, { transports: ['websocket'] });
        d2.child.stdin.end();
        const res = await d2.waitExit(5000);
        assert(res, 'driver did not exit within 5 s of stdin EOF');
        assertEqual(res.code, 0, 'exit code');
        assertEqual(d2.eventsFor('eof', 'disconnect').length, 1, 'disconnect event on EOF');
      } finally {
        d2.kill();
      }
    });
  } finally {
    d.kill();
    await Promise.race([Promise.all([srv.close(), mp.close(), csr.close(), silent.close(), eager.close()]), sleep(3000)]);
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
