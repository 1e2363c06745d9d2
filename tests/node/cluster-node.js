#!/usr/bin/env node
'use strict';
/**
 * A Node socket.io 4.8 server in a Redis cluster (@socket.io/redis-adapter 8.3, or
 * @socket.io/redis-streams-adapter 0.3), or a @socket.io/redis-emitter 5.1, for the .NET Redis tests.
 *
 *   node cluster-node.js --redis-port N --flavour classic|sharded|streams|emitter [--key socket.io]
 *     [--specific-response] [--subscription-mode static|dynamic|dynamic-private]
 *     [--recovery maxDisconnectionDuration-ms]
 *
 * --specific-response: classic flavour with publishOnSpecificResponseChannel; --subscription-mode:
 * the sharded flavour's subscriptionMode (default dynamic).
 * --recovery turns connectionStateRecovery on; a socket then reports {"event":"connection","sid",
 * "recovered"} and, when not recovered, is sent "welcome" (so its client holds an offset).
 *
 * stdout: JSON lines. {"event":"ready","port":N} once listening (port 0 for an emitter);
 * {"event":"connection","sid":…} per socket; {"event":"s2s","name":…,"args":[…]} per server-side
 * event received (an acknowledged one is answered with {"from":"node","args":[…]});
 * {"event":"result","seq":n,"value":…} or {"event":"result","seq":n,"error":"…"} per command.
 * Values use lib/sio-values.js's encoding (binary as {"$binary": base64}).
 *
 * Sockets: data = {user: auth.user}; they join auth.room when given; "join" (room, cb) joins;
 * "go" (stamp) broadcasts "b" (stamp) to every socket of the cluster (the cluster bench).
 *
 * stdin commands ({"cmd":…,"seq":n}): emit {rooms, except, event, args, local, volatile, timeout}
 * (with timeout: emitWithAck, value = the answers); fetch {rooms} (value = [{id, rooms, data,
 * auth}]); remote {socketId, op: emit|join|leave|disconnect, room, event, args} on a fetched
 * socket; join/leave {rooms, target} (socketsJoin/socketsLeave); disconnect {rooms}; s2s {event,
 * args, ack}; count (serverCount); allRooms; exit.
 */
const http = require('node:http');
const readline = require('node:readline');
const { createClient } = require('redis');
const { emit } = require('./lib/jsonl');
const { decodeArgs, encodeArgs, encodeValue } = require('./lib/sio-values');

function option(name, fallback) {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : fallback;
}

const redisPort = Number(option('redis-port', '6379'));
const flavour = option('flavour', 'classic');
const key = option('key', 'socket.io');
const specificResponse = process.argv.includes('--specific-response');
const subscriptionMode = option('subscription-mode', 'dynamic');
const url = `redis://127.0.0.1:${redisPort}`;

async function main() {
  const pub = createClient({ url });
  pub.on('error', () => {});
  await pub.connect();
  if (flavour === 'emitter') {
    const { Emitter } = require('@socket.io/redis-emitter');
    const emitter = new Emitter(pub, { key });
    serve((c) => emitterCommand(emitter, c));
    emit({ event: 'ready', port: 0 });
    return;
  }

  const sub = pub.duplicate();
  sub.on('error', () => {});
  await sub.connect();
  const { Server } = require('socket.io');
  const { createAdapter, createShardedAdapter } = require('@socket.io/redis-adapter');
  const recovery = option('recovery', null);
  const httpServer = http.createServer();
  const adapter = flavour === 'streams'
    ? require('@socket.io/redis-streams-adapter').createAdapter(pub)
    : flavour === 'sharded'
      ? createShardedAdapter(pub, sub, { subscriptionMode })
      : createAdapter(pub, sub, { key, requestsTimeout: 3000, publishOnSpecificResponseChannel: specificResponse });
  const io = new Server(httpServer, {
    adapter,
    ...(recovery === null ? {} : { connectionStateRecovery: { maxDisconnectionDuration: Number(recovery) } }),
  });
  io.on('connection', (socket) => {
    const auth = socket.handshake.auth || {};
    if (!socket.recovered) {
      socket.data = { user: auth.user };
      if (auth.room) socket.join(auth.room);
      if (recovery !== null) socket.emit('welcome', 0);
    }
    socket.on('join', (room, cb) => { socket.join(room); if (typeof cb === 'function') cb(true); });
    socket.on('go', (stamp) => io.emit('b', stamp)); // bench/TypedSocketIo.ClusterBench
    emit({ event: 'connection', sid: socket.id, recovered: socket.recovered, rooms: [...socket.rooms].sort(), data: socket.data ?? null });
    socket.on('disconnect', (reason) => emit({ event: 'disconnect', sid: socket.id, reason }));
  });
  for (const name of ['s2s', 'ping-servers']) {
    io.on(name, (...args) => {
      const cb = typeof args[args.length - 1] === 'function' ? args.pop() : null;
      emit({ event: 's2s', name, args: encodeArgs(args) });
      if (cb) cb({ from: 'node', args });
    });
  }
  httpServer.listen(0, '127.0.0.1', () => emit({ event: 'ready', port: httpServer.address().port }));
  serve((c) => serverCommand(io, c));
}

function serve(handle) {
  const rl = readline.createInterface({ input: process.stdin });
  rl.on('line', async (line) => {
    let c;
    try { c = JSON.parse(line); } catch { return; }
    if (c.cmd === 'exit') process.exit(0);
    try {
      const value = await handle(c);
      emit({ event: 'result', seq: c.seq, value: value === undefined ? null : encodeValue(value) });
    } catch (e) {
      emit({ event: 'result', seq: c.seq, error: String(e && e.message ? e.message : e) });
    }
  });
  rl.on('close', () => process.exit(0));
}

function target(op, c) {
  if (c.rooms && c.rooms.length) op = op.to(c.rooms);
  if (c.except && c.except.length) op = op.except(c.except);
  if (c.local) op = op.local;
  if (c.volatile) op = op.volatile;
  return op;
}

async function serverCommand(io, c) {
  switch (c.cmd) {
    case 'emit': {
      const op = target(io, c);
      if (c.timeout) return await op.timeout(c.timeout).emitWithAck(c.event, ...decodeArgs(c.args || []));
      op.emit(c.event, ...decodeArgs(c.args || []));
      return true;
    }
    case 'fetch': {
      const sockets = await target(io, c).fetchSockets();
      return sockets.map((s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, auth: s.handshake.auth }));
    }
    case 'remote': {
      const sockets = await io.fetchSockets();
      const s = sockets.find((x) => x.id === c.socketId);
      if (!s) throw new Error('no such socket');
      if (c.op === 'emit') s.emit(c.event, ...decodeArgs(c.args || []));
      else if (c.op === 'join') s.join(c.room);
      else if (c.op === 'leave') s.leave(c.room);
      else if (c.op === 'disconnect') s.disconnect(true);
      return true;
    }
    case 'join': target(io, c).socketsJoin(c.target); return true;
    case 'leave': target(io, c).socketsLeave(c.target); return true;
    case 'disconnect': target(io, c).disconnectSockets(true); return true;
    case 's2s':
      if (c.ack) return await io.serverSideEmitWithAck(c.event, ...decodeArgs(c.args || []));
      io.serverSideEmit(c.event, ...decodeArgs(c.args || []));
      return true;
    case 'count': return await io.of('/').adapter.serverCount();
    case 'allRooms': return [...await io.of('/').adapter.allRooms()];
    default: throw new Error(`unknown command ${c.cmd}`);
  }
}

function emitterCommand(emitter, c) {
  switch (c.cmd) {
    case 'emit': target(emitter, c).emit(c.event, ...decodeArgs(c.args || [])); return true;
    case 'join': target(emitter, c).socketsJoin(c.target); return true;
    case 'leave': target(emitter, c).socketsLeave(c.target); return true;
    case 'disconnect': target(emitter, c).disconnectSockets(true); return true;
    case 's2s': emitter.serverSideEmit(c.event, ...decodeArgs(c.args || [])); return true;
    default: throw new Error(`unknown command ${c.cmd}`);
  }
}

main().catch((e) => { process.stderr.write(String(e && e.stack || e) + '\n'); process.exit(1); });
