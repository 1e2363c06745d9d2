#!/usr/bin/env node
'use strict';
/**
 * Engine.IO client driver for the .NET interop tests.
 *
 * Reads one JSON command per line on stdin, writes one JSON event per line on stdout
 * (stdout carries nothing else; diagnostics go to stderr). Controls any number of
 * Engine.IO client connections, each named by a caller-chosen "id".
 *
 *   version 4 -> engine.io-client 6.6.x  (Engine.IO protocol 4)
 *   version 3 -> engine.io-client 3.x that socket.io-client 2.5 depends on (protocol 3)
 *
 * The full protocol is documented in README.md next to this file.
 */
const readline = require('node:readline');
const { emit, log, toBuffer, fromBase64, describe, detail } = require('./lib/jsonl');
const { resolveClients } = require('./lib/clients');

/** Safety net: a driver whose parent forgot it must not live forever (0 disables). */
const MAX_LIFETIME_MS = Number(process.env.ENGINE_DRIVER_MAX_LIFETIME_MS ?? 30 * 60 * 1000);
/** How long "exit" waits for sockets to report "close" before exiting anyway. */
const EXIT_GRACE_MS = 1000;

/** Client events that can be switched off per connection with "suppress". */
const SUPPRESSIBLE = new Set(['packet', 'packet-create', 'heartbeat', 'ping', 'pong', 'sent']);

/** @type {Map<string, Connection>} live connections by id */
const connections = new Map();
let exiting = false;

class Connection {
  constructor(id, version, socket, suppress) {
    this.id = id;
    this.version = version;
    this.socket = socket;
    this.suppress = suppress;
    this.sendSeq = 0;
    this.handshake = null;
    this.closed = false;
  }

  /** Emits an event for this connection unless the caller suppressed that event name. */
  emit(event, fields = {}) {
    if (this.suppress.has(event)) return;
    emit({ event, id: this.id, ...fields });
  }
}

/** Encodes packet/message data: { text } for strings, { binary: base64 } for bytes. */
function encodePayload(data) {
  if (typeof data === 'string') return { text: data };
  const buf = toBuffer(data);
  if (buf) return { binary: buf.toString('base64') };
  return { text: data === undefined ? null : String(data) };
}

/** Packet data for "packet"/"packet-create" events: "data" (string/base64/null) + "binary" flag. */
function encodePacketData(data) {
  if (data === undefined || data === null) return { data: null, binary: false };
  if (typeof data === 'string') return { data, binary: false };
  const buf = toBuffer(data);
  if (buf) return { data: buf.toString('base64'), binary: true };
  return { data: String(data), binary: false };
}

function driverError(message, extra = {}) {
  emit({ event: 'driver-error', message, ...extra });
}

// ---------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------

function cmdOpen(cmd) {
  const { id, url } = cmd;
  if (typeof id !== 'string' || id === '') return driverError('open: "id" must be a non-empty string', { cmd: 'open' });
  if (connections.has(id)) return driverError(`open: connection "${id}" already exists`, { cmd: 'open', id });
  if (typeof url !== 'string' || url === '') return driverError('open: "url" must be a non-empty string', { cmd: 'open', id });

  const version = cmd.version === undefined ? 4 : Number(cmd.version);
  if (version !== 3 && version !== 4) return driverError('open: "version" must be 3 or 4', { cmd: 'open', id });

  const options = cmd.options === undefined ? {} : cmd.options;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    return driverError('open: "options" must be an object', { cmd: 'open', id });
  }
  const suppressList = cmd.suppress === undefined ? [] : cmd.suppress;
  if (!Array.isArray(suppressList) || suppressList.some((s) => !SUPPRESSIBLE.has(s))) {
    return driverError(`open: "suppress" must be an array of: ${[...SUPPRESSIBLE].join(', ')}`, { cmd: 'open', id });
  }

  const client = resolveClients().engine[version];
  let socket;
  try {
    // Copy the options: both clients mutate the object they are given.
    socket = new client.Socket(url, { ...options });
  } catch (err) {
    return driverError(`open: client constructor threw: ${describe(err)}`, { cmd: 'open', id });
  }

  const conn = new Connection(id, version, socket, new Set(suppressList));
  connections.set(id, conn);
  wireEvents(conn, client.protocol);
}

function wireEvents(conn, protocol) {
  const { socket } = conn;

  // "handshake" fires just before "open" in both client generations; keep it for "open".
  socket.on('handshake', (data) => { conn.handshake = data; });

  socket.on('open', () => {
    const hs = conn.handshake || {};
    conn.emit('open', {
      sid: socket.id,
      transport: socket.transport && socket.transport.name,
      protocol,
      handshake: {
        sid: hs.sid ?? null,
        upgrades: hs.upgrades ?? null,
        pingInterval: hs.pingInterval ?? null,
        pingTimeout: hs.pingTimeout ?? null,
        maxPayload: hs.maxPayload ?? null,
      },
    });
  });

  socket.on('upgrade', (transport) => {
    conn.emit('upgrade', { transport: (transport && transport.name) || (socket.transport && socket.transport.name) });
  });
  socket.on('upgradeError', (err) => {
    conn.emit('upgrade-error', { message: describe(err), detail: detail(err) });
  });

  // Both clients' parsers decode an empty text message ("4" on the wire) as a packet
  // without data, so "message" fires with `undefined`; report it as the empty string.
  socket.on('message', (data) => conn.emit('message', data === undefined ? { text: '' } : encodePayload(data)));

  // Every packet the client receives (v4: server "ping"s; v3: server "pong"s, "noop"s, ...).
  socket.on('packet', (packet) => conn.emit('packet', { type: packet.type, ...encodePacketData(packet.data) }));
  // Every packet the client queues for sending (v4: the client's "pong" replies; v3: its "ping"s).
  socket.on('packetCreate', (packet) => conn.emit('packet-create', { type: packet.type, ...encodePacketData(packet.data) }));

  // Heartbeat-ish events exactly as each client emits them (see README for the semantics).
  socket.on('ping', () => conn.emit('ping'));
  socket.on('pong', () => conn.emit('pong'));
  socket.on('heartbeat', () => conn.emit('heartbeat'));

  socket.on('error', (err) => {
    conn.emit('error', { message: describe(err) ?? 'unknown error', detail: detail(err) });
  });

  socket.on('close', (reason, description) => {
    if (conn.closed) return;
    conn.closed = true;
    const ctx = description && typeof description === 'object' ? description.context : undefined;
    conn.emit('close', {
      reason: describe(reason),
      description: describe(description),
      detail: detail(description),
      // WebSocket close code when the client exposes it (engine.io-client 6 only), else null.
      closeCode: ctx && typeof ctx.code === 'number' ? ctx.code : null,
    });
    if (connections.get(conn.id) === conn) connections.delete(conn.id);
    maybeFinishExit();
  });
}

function cmdSend(cmd) {
  const conn = lookup(cmd, 'send');
  if (!conn) return;
  const hasText = Object.prototype.hasOwnProperty.call(cmd, 'text');
  const hasBinary = Object.prototype.hasOwnProperty.call(cmd, 'binary');
  if (hasText === hasBinary) return driverError('send: exactly one of "text" or "binary" is required', { cmd: 'send', id: conn.id });

  let payload;
  if (hasText) {
    if (typeof cmd.text !== 'string') return driverError('send: "text" must be a string', { cmd: 'send', id: conn.id });
    payload = cmd.text;
  } else {
    payload = fromBase64(cmd.binary);
    if (!payload) return driverError('send: "binary" must be canonical base64', { cmd: 'send', id: conn.id });
  }

  const state = conn.socket.readyState;
  if (state === 'closing' || state === 'closed') {
    // Both clients silently drop packets in these states; say so instead.
    return driverError(`send: connection "${conn.id}" is ${state}; message dropped`, { cmd: 'send', id: conn.id });
  }

  const seq = ++conn.sendSeq;
  // The callback runs on the client's "flush": the packet has been handed to the transport
  // (written to the WebSocket / included in a polling POST), not acknowledged by the server.
  conn.socket.send(payload, () => conn.emit('sent', { seq }));
}

function cmdClose(cmd) {
  const conn = lookup(cmd, 'close');
  if (!conn) return;
  conn.socket.close();
}

function lookup(cmd, name) {
  if (typeof cmd.id !== 'string') {
    driverError(`${name}: "id" must be a string`, { cmd: name });
    return null;
  }
  const conn = connections.get(cmd.id);
  if (!conn) driverError(`${name}: unknown connection "${cmd.id}"`, { cmd: name, id: cmd.id });
  return conn || null;
}

// ---------------------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------------------

function beginExit() {
  if (exiting) return;
  exiting = true;
  for (const conn of [...connections.values()]) {
    try { conn.socket.close(); } catch (err) { log('close during exit failed:', err && err.stack); }
  }
  maybeFinishExit();
  // close() may wait for a drain or an in-flight upgrade; never wait for that unboundedly.
  setTimeout(finishExit, EXIT_GRACE_MS).unref();
}

function maybeFinishExit() {
  if (exiting && connections.size === 0) setImmediate(finishExit);
}

function finishExit() {
  // Empty write whose callback runs once everything queued before it has been flushed.
  process.stdout.write('', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------
// Main loop
// ---------------------------------------------------------------------------------------

const handlers = { open: cmdOpen, send: cmdSend, close: cmdClose, exit: beginExit };

function handleLine(line) {
  const trimmed = line.trim();
  if (trimmed === '') return;
  let cmd;
  try {
    cmd = JSON.parse(trimmed);
  } catch (err) {
    return driverError(`invalid JSON: ${err.message}`, { line: trimmed.slice(0, 200) });
  }
  if (cmd === null || typeof cmd !== 'object' || Array.isArray(cmd)) {
    return driverError('command must be a JSON object', { line: trimmed.slice(0, 200) });
  }
  const handler = handlers[cmd.cmd];
  if (!handler) return driverError(`unknown cmd: ${JSON.stringify(cmd.cmd)}`, { line: trimmed.slice(0, 200) });
  if (exiting) return driverError(`${cmd.cmd}: driver is exiting`, { cmd: cmd.cmd });
  handler(cmd);
}

function main() {
  // Never crash: report unexpected exceptions and carry on.
  process.on('uncaughtException', (err) => {
    log('uncaught exception:', err && err.stack);
    driverError(`uncaught exception: ${describe(err)}`);
  });
  process.on('unhandledRejection', (err) => {
    log('unhandled rejection:', err && err.stack);
    driverError(`unhandled rejection: ${describe(err)}`);
  });

  try {
    resolveClients(); // fail fast (and visibly) if the installed clients are wrong
  } catch (err) {
    log(err.stack);
    emit({ event: 'driver-error', message: `cannot load clients: ${err.message}` });
    process.exit(2);
  }

  if (MAX_LIFETIME_MS > 0) {
    setTimeout(() => {
      log(`engine-driver: max lifetime ${MAX_LIFETIME_MS} ms reached, exiting`);
      beginExit();
    }, MAX_LIFETIME_MS).unref();
  }

  process.stdin.setEncoding('utf8');
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  rl.on('line', (line) => {
    try {
      handleLine(line);
    } catch (err) {
      log('command failed:', err && err.stack);
      driverError(`command failed: ${describe(err)}`);
    }
  });
  rl.on('close', beginExit); // stdin ended: the parent is done with us

  const { engine } = resolveClients();
  emit({ event: 'ready', pid: process.pid, clients: { 4: engine[4].version, 3: engine[3].version } });
}

main();
