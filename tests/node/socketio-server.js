#!/usr/bin/env node
'use strict';
/**
 * A scenario server on Node's socket.io 4.8 for the .NET client's interop tests. The .NET tests
 * start the same scenarios on TypedSocketIo's own server (tests/TypedSocketIo.Client.Tests,
 * ScenarioServers.cs): keep both in step.
 *
 *   node socketio-server.js [--port N] [--path /socket.io] [--ping-interval ms] [--ping-timeout ms]
 *                           [--max-http-buffer-size bytes] [--parser json|msgpack]
 *                           [--recovery maxDisconnectionDuration-ms] [--recovery-run-middlewares]
 *
 * stdout carries JSON lines: {"event":"ready","port":N} once listening, then {"event":"record",
 * "kind":…,"detail":…} for what the server saw. stdin: "exit" (or EOF) stops the server.
 *
 * Scenarios (every namespace but /secure, which needs auth {token:"ok"} and refuses others with
 * the message "not authorized" and data {code:401, token}):
 *   whoami (cb)               -> cb({nsp, id, transport, auth, query, header}) (query: ?q=, header: x-test)
 *   echo (...args)            -> emits "echo" with the same arguments
 *   ack (...args, cb)         -> cb(...args)
 *   ask (question, cb)        -> emits "question" (question) with an ack, 5 s timeout; cb(answer) or cb({error})
 *   never (...args)           -> records, never answers
 *   flaky (key, cb)           -> records; answers cb(n) only from the 3rd try of the key on
 *   record (...args)          -> records the arguments (JSON)
 *   disconnect-me             -> socket.disconnect()
 *   close-engine              -> closes the Engine.IO connection
 *   types (...args, cb)       -> cb([kind of each argument]): "buffer", "date <ms>" or its typeof
 *   date (cb)                 -> cb(new Date(1700000000123))
 *   join (room, cb)           -> joins the room, sets socket.data = {room}, cb()
 *   state (cb)                -> cb({id, recovered, rooms (sorted, without its own id), data})
 *   drop-and-send (room, n)   -> closes the Engine.IO connection, then emits "missed" (1..n) to the room,
 *                                "other" to a room it is not in, and "direct" (n) to the socket itself
 *
 * --recovery turns connectionStateRecovery on (skipMiddlewares true unless --recovery-run-middlewares);
 * every namespace then records "middleware" (recovered) when its middleware runs.
 *
 * Besides the namespace sockets' "connect" and "disconnect" (nsp:reason) records, every Engine.IO
 * connection records "engine-close" with its close reason ("transport close" for a client's goodbye).
 */
const { Server } = require('socket.io');
const { emit, log } = require('./lib/jsonl');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const port = Number(option('port', '0'));
const path = option('path', '/socket.io');
const recovery = option('recovery', null);
const io = new Server({
  path,
  ...(recovery === null ? {} : {
    connectionStateRecovery: {
      maxDisconnectionDuration: Number(recovery),
      skipMiddlewares: !process.argv.includes('--recovery-run-middlewares'),
    },
  }),
  pingInterval: Number(option('ping-interval', '25000')),
  pingTimeout: Number(option('ping-timeout', '20000')),
  maxHttpBufferSize: Number(option('max-http-buffer-size', '1000000')),
  ...(option('parser', 'json') === 'msgpack' ? { parser: require('socket.io-msgpack-parser') } : {}),
});

const record = (kind, detail) => emit({ event: 'record', kind, detail });
const attempts = new Map();

function scenarios(socket) {
  const nsp = socket.nsp.name;
  record('connect', JSON.stringify({ nsp, auth: socket.handshake.auth }));
  socket.on('whoami', (cb) => cb({
    nsp,
    id: socket.id,
    transport: socket.conn.transport.name,
    auth: socket.handshake.auth,
    query: socket.handshake.query.q ?? null,
    header: socket.handshake.headers['x-test'] ?? null,
  }));
  socket.on('echo', (...args) => socket.emit('echo', ...args));
  socket.on('ack', (...args) => {
    const cb = args.pop();
    cb(...args);
  });
  socket.on('ask', (question, cb) => {
    socket.timeout(5000).emit('question', question, (err, answer) => cb(err ? { error: err.message } : answer));
  });
  socket.on('never', (...args) => record('never', JSON.stringify(args.filter((a) => typeof a !== 'function'))));
  socket.on('flaky', (key, cb) => {
    const n = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, n);
    record('flaky', `${key}:${n}`);
    if (n >= 3) cb(n);
  });
  socket.on('record', (...args) => record('record', JSON.stringify(args)));
  socket.on('disconnect-me', () => socket.disconnect());
  socket.on('close-engine', () => socket.conn.close());
  socket.on('types', (...args) => {
    const cb = args.pop();
    cb(args.map((a) => (Buffer.isBuffer(a) ? 'buffer' : a instanceof Date ? `date ${a.getTime()}` : typeof a)));
  });
  socket.on('date', (cb) => cb(new Date(1700000000123)));
  socket.on('join', (room, cb) => {
    socket.join(room);
    socket.data = { room };
    cb();
  });
  socket.on('state', (cb) => cb({
    id: socket.id,
    recovered: socket.recovered,
    rooms: [...socket.rooms].filter((r) => r !== socket.id).sort(),
    data: socket.data ?? null,
  }));
  socket.on('drop-and-send', (room, n) => {
    socket.conn.close();
    for (let i = 1; i <= n; i++) socket.nsp.to(room).emit('missed', i);
    socket.nsp.to('not-' + room).emit('other', 0);
    socket.emit('direct', n);
  });
  socket.on('disconnect', (reason) => record('disconnect', `${nsp}:${reason}`));
}

const dynamic = io.of(/^\/(?!secure$|odd$).*/);
if (recovery !== null) {
  const recordMiddleware = (socket, next) => {
    record('middleware', String(socket.recovered));
    next();
  };
  io.of('/').use(recordMiddleware);
  dynamic.use(recordMiddleware);
}
dynamic.on('connection', scenarios);
io.of('/').on('connection', scenarios);
const secure = io.of('/secure');
secure.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  if (token === 'ok') return next();
  const err = new Error('not authorized');
  err.data = { code: 401, token: token ?? null };
  return next(err);
});
secure.on('connection', scenarios);
// A refusal whose message holds a lone surrogate: JSON.stringify writes it as an escape.
io.of('/odd').use((socket, next) => next(new Error('odd \ud800 name')));

const httpServer = require('node:http').createServer();
io.attach(httpServer);
io.engine.on('connection', (conn) => conn.on('close', (reason) => record('engine-close', reason)));
httpServer.listen(port, '127.0.0.1', () => emit({ event: 'ready', port: httpServer.address().port }));

function exit() {
  io.close();
  httpServer.close();
  setTimeout(() => process.exit(0), 200).unref();
}

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  if (text.split('\n').some((line) => line.trim() === 'exit' || line.includes('"exit"'))) exit();
});
process.stdin.on('end', exit);
process.on('uncaughtException', (err) => log('uncaught', err && err.stack));
