#!/usr/bin/env node
'use strict';
/**
 * Socket.IO client driver for the .NET interop tests.
 *
 * Reads one JSON command per line on stdin, writes one JSON event per line on stdout
 * (stdout carries nothing else; diagnostics go to stderr). Controls any number of
 * Socket.IO client sockets, each named by a caller-chosen "id".
 *
 *   version 4 -> socket.io-client 4.8.x (Socket.IO protocol 5 over Engine.IO 4)
 *   version 2 -> socket.io-client 2.5.x (Socket.IO protocol 4 over Engine.IO 3)
 *
 * Event arguments use the value encoding of lib/sio-values.js (JSON, binary as
 * {"$binary": base64}). The full protocol is documented in README.md next to this file
 * ("## socketio-driver.js protocol").
 */
const readline = require('node:readline');
const { emit, log, describe, detail } = require('./lib/jsonl');
const { resolveClients } = require('./lib/clients');
const { decodeValue, decodeArgs, encodeValue, encodeArgs, ValueError } = require('./lib/sio-values');

/** Safety net: a driver whose parent forgot it must not live forever (0 disables). */
const MAX_LIFETIME_MS = Number(process.env.SOCKETIO_DRIVER_MAX_LIFETIME_MS ?? 30 * 60 * 1000);
/** How long "exit" waits for sockets/engines to close before exiting anyway. */
const EXIT_GRACE_MS = 1000;

/** Names socket.io-client 4 refuses to emit (it throws). */
const V4_RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);
/** Names socket.io-client 2 emits *locally* instead of sending them to the server. */
const V2_RESERVED = new Set(['connect', 'connect_error', 'connect_timeout', 'connecting', 'disconnect', 'error',
  'reconnect', 'reconnect_attempt', 'reconnect_failed', 'reconnect_error', 'reconnecting', 'ping', 'pong']);

/** Manager events forwarded as {"event":"manager","type":...}, per client generation. */
const MANAGER_EVENTS = {
  4: ['open', 'error', 'close', 'ping', 'reconnect_attempt', 'reconnect', 'reconnect_error', 'reconnect_failed'],
  2: ['open', 'error', 'close', 'ping', 'pong', 'connect_error', 'connect_timeout', 'reconnect_attempt',
    'reconnecting', 'reconnect', 'reconnect_error', 'reconnect_failed'],
};

/** What "suppress" may name: whole events, or single Manager event types ("manager:ping"). */
const SUPPRESSIBLE = new Set(['manager', 'any-outgoing',
  ...[...new Set([...MANAGER_EVENTS[4], ...MANAGER_EVENTS[2]])].map((t) => `manager:${t}`)]);

const hasOwn = (o, k) => Object.prototype.hasOwnProperty.call(o, k);

/** @type {Map<string, Entry>} sockets by caller id */
const entries = new Map();
/** @type {Map<string, ManagerInfo>} managers created for a caller "manager" key */
const managersByKey = new Map();
/** @type {Map<object, ManagerInfo>} every Manager the driver has seen */
const managerInfos = new Map();
/** @type {Map<number, {entry: Entry, fn: Function}>} server acks awaiting an "ack" command */
const pendingAcks = new Map();
let nextAckId = 1;
let exiting = false;

let clientLibs = null; // { 4: {lib, version}, 2: {lib, version} }
let msgpackParser = null;

function driverError(message, extra = {}) {
  emit({ event: 'driver-error', message, ...extra });
}

// ---------------------------------------------------------------------------------------
// Managers
// ---------------------------------------------------------------------------------------

class ManagerInfo {
  constructor(mgr, version, key, origin) {
    this.mgr = mgr;
    this.version = version;
    this.key = key; // caller's "manager" key, or null for io()-created managers
    this.origin = origin;
    /** @type {Set<Entry>} */
    this.entries = new Set();
    for (const type of MANAGER_EVENTS[version]) {
      mgr.on(type, (...a) => this.forward(type, a));
    }
  }

  forward(type, a) {
    const fields = { type, manager: this.key, detail: null };
    switch (type) {
      case 'reconnect_attempt':
      case 'reconnecting':
      case 'reconnect':
      case 'pong': // v2: latency in ms
      case 'connect_timeout': // v2: the timeout in ms
        fields.detail = typeof a[0] === 'number' ? a[0] : null;
        break;
      case 'close':
        fields.detail = describe(a[0]);
        fields.description = describe(a[1]);
        break;
      case 'error':
      case 'reconnect_error':
      case 'connect_error':
        fields.detail = describe(a[0]);
        fields.description = detail(a[0]);
        break;
      default:
        break;
    }
    for (const entry of this.entries) entry.emit('manager', fields);
  }

  /** True once the manager's Engine.IO connection is fully closed (or never existed). */
  isClosed() {
    const engine = this.mgr.engine;
    return !engine || engine.readyState === 'closed';
  }

  close() {
    const state = this.version === 4 ? this.mgr._readyState : this.mgr.readyState;
    if (state !== 'closed') this.mgr.disconnect();
    else if (this.mgr.engine && this.mgr.engine.readyState !== 'closed') this.mgr.engine.close();
  }
}

function managerInfoFor(mgr, version, key, origin) {
  let info = managerInfos.get(mgr);
  if (!info) {
    info = new ManagerInfo(mgr, version, key, origin);
    managerInfos.set(mgr, info);
  }
  return info;
}

// ---------------------------------------------------------------------------------------
// Sockets
// ---------------------------------------------------------------------------------------

class Entry {
  constructor(id, version, socket, info, autoAck, suppress) {
    this.id = id;
    this.suppress = suppress;
    this.version = version;
    this.socket = socket;
    this.info = info;
    this.autoAck = autoAck; // Map name -> {echo:true} | {args: rawJsonArray}
    this.retired = false;
    this.anyListener = null; // v4: function registered with onAny; v2: true when enabled
    this.anyOutgoingListener = null;
    /** ack function -> ackId, so the "any" report can name the same ackId */
    this.ackIds = new WeakMap();
    this.v2Timers = new Set();
    /** [event, listener] pairs this driver registered on the socket */
    this.listeners = [];
  }

  /** socket.on() that remembers the listener, so retire() removes only the driver's own. */
  on(event, fn) {
    this.listeners.push([event, fn]);
    this.socket.on(event, fn);
  }

  emit(event, fields = {}) {
    if (this.retired || this.suppress.has(event)) return;
    if (event === 'manager' && this.suppress.has(`manager:${fields.type}`)) return;
    emit({ event, id: this.id, ...fields });
  }

  isConnected() {
    return !!this.socket.connected;
  }

  isActive() {
    return this.version === 4 ? this.socket.active : !!this.socket.subs;
  }

  /**
   * One incoming event as the client dispatches it: args = [name, ...data, ackFn?].
   * A trailing function is the client-made ack callback (decoded packets never contain
   * functions, so a function can only be the one the client appended for a packet id).
   */
  onIncoming(args) {
    if (this.retired) return;
    let list = Array.from(args);
    let ackFn = null;
    if (list.length && typeof list[list.length - 1] === 'function') {
      ackFn = list[list.length - 1];
      list = list.slice(0, -1);
    }
    const [name, ...rest] = list;
    let ackId = null;
    let auto = null;
    if (ackFn) {
      auto = typeof name === 'string' && this.autoAck.has(name) ? this.autoAck.get(name) : null;
      if (!auto) {
        ackId = nextAckId++;
        pendingAcks.set(ackId, { entry: this, fn: ackFn });
        this.ackIds.set(ackFn, ackId);
      }
    }
    const fields = { name: encodeValue(name), args: encodeArgs(rest), ackId };
    if (auto) fields.autoAck = true;
    this.emit('message', fields);
    if (this.version === 2 && this.anyListener) this.emit('any', { name: fields.name, args: fields.args, ackId });
    if (auto) {
      try {
        ackFn(...(auto.echo ? rest : decodeValue(auto.args)));
      } catch (err) {
        driverError(`autoAck for "${name}" failed: ${describe(err)}`, { id: this.id });
      }
    }
  }

  /** Stops reporting for this socket and lets it go (used when its id is reused by "connect"). */
  retire() {
    if (this.retired) return;
    const { socket } = this;
    this.retired = true;
    try { socket.disconnect(); } catch (err) { log('disconnect on retire failed:', err && err.stack); }
    try {
      // Only our listeners: socket.io-client 2's Manager has its own on every socket.
      for (const [event, fn] of this.listeners) socket.off(event, fn);
      this.listeners = [];
      if (this.version === 4) {
        socket.offAny();
        socket.offAnyOutgoing();
      } else {
        delete socket.onevent;
        delete socket.emitBuffered;
      }
    } catch (err) { log('detach on retire failed:', err && err.stack); }
    for (const t of this.v2Timers) clearTimeout(t);
    this.v2Timers.clear();
    for (const [ackId, p] of pendingAcks) if (p.entry === this) pendingAcks.delete(ackId);
    this.info.entries.delete(this);
  }
}

function connectErrorFields(entry, err) {
  if (entry.version === 4 || err instanceof Error) {
    return {
      message: describe(err) ?? 'unknown error',
      data: err && typeof err === 'object' && 'data' in err ? encodeValue(err.data) : null,
      description: detail(err),
    };
  }
  // v2 namespace refusal: the ERROR packet's payload itself (a string, or an object such as
  // {"message":"Invalid namespace"} or the server middleware's err.data).
  if (typeof err === 'string') return { message: err, data: null, description: null };
  const message = err && typeof err === 'object' && typeof err.message === 'string' ? err.message : JSON.stringify(encodeValue(err));
  return { message, data: encodeValue(err), description: null };
}

function wireV4(entry) {
  const { socket } = entry;
  entry.on('connect', () => entry.emit('connect', { sid: socket.id ?? null, recovered: !!socket.recovered }));
  entry.on('connect_error', (err) => entry.emit('connect_error', connectErrorFields(entry, err)));
  entry.on('disconnect', (reason, description) => entry.emit('disconnect', {
    reason: describe(reason),
    description: describe(description),
    detail: detail(description), // e.g. "code=1005" (websocket close code), HTTP status of a failed poll
  }));
  // Registered first, so it runs before the optional "on-any" listener.
  socket.onAny((...args) => entry.onIncoming(args));
}

/**
 * socket.io-client 2 has no onAny. Its Socket.prototype.onevent(packet) builds
 * `args = packet.data` (pushing `this.ack(packet.id)` when the server wants an ack) and
 * either dispatches it at once (when connected) or parks it in `receiveBuffer`, which
 * `emitBuffered()` dispatches on connect. We wrap both methods on the *instance* (the
 * prototype stays untouched): after the original onevent ran, the very array the client
 * dispatched (ack function included) is reported; buffered arrays are reported when
 * emitBuffered() dispatches them. Nothing of the client's own logic is re-implemented.
 */
function wireV2(entry) {
  const { socket } = entry;
  const protoOnevent = Object.getPrototypeOf(socket).onevent;
  const protoEmitBuffered = Object.getPrototypeOf(socket).emitBuffered;
  socket.onevent = function onevent(packet) {
    if (!packet.data) packet.data = []; // the original uses `packet.data || []`; keep one array
    const dispatchedNow = this.connected;
    protoOnevent.call(this, packet);
    if (dispatchedNow) entry.onIncoming(packet.data);
  };
  socket.emitBuffered = function emitBuffered() {
    const buffered = this.receiveBuffer.slice();
    protoEmitBuffered.call(this);
    for (const args of buffered) entry.onIncoming(args);
  };

  // socket.id is set by the Manager's own 'connect' listener, registered before ours.
  entry.on('connect', () => entry.emit('connect', { sid: socket.id ?? null, recovered: null }));
  entry.on('connect_error', (err) => entry.emit('connect_error', connectErrorFields(entry, err)));
  entry.on('error', (err) => {
    // Manager.onerror() re-emits transport errors (Error objects) on every socket; those
    // are reported once as {"event":"manager","type":"error"}. ERROR packets carry plain data.
    if (err instanceof Error) return;
    entry.emit(socket.connected ? 'error' : 'connect_error', connectErrorFields(entry, err));
  });
  entry.on('disconnect', (reason) => entry.emit('disconnect', { reason: describe(reason), description: null, detail: null }));
}

// ---------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function parseAutoAck(autoAck) {
  const map = new Map();
  if (autoAck === undefined || autoAck === null) return map;
  if (!isPlainObject(autoAck)) throw new ValueError('"autoAck" must be an object');
  for (const [name, spec] of Object.entries(autoAck)) {
    if (Array.isArray(spec)) {
      decodeValue(spec, `autoAck.${name}`); // validate now; decoded afresh for every ack
      map.set(name, { args: spec });
    } else if (isPlainObject(spec) && spec.$echo === true && Object.keys(spec).length === 1) {
      map.set(name, { echo: true });
    } else {
      throw new ValueError(`autoAck.${name} must be an array of args or {"$echo":true}`);
    }
  }
  return map;
}

function cmdConnect(cmd) {
  const { id, url } = cmd;
  const E = (message) => driverError(`connect: ${message}`, { cmd: 'connect', ...(typeof id === 'string' ? { id } : {}) });
  if (typeof id !== 'string' || id === '') return E('"id" must be a non-empty string');
  if (typeof url !== 'string' || url === '') return E('"url" must be a non-empty string');
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return E(`"url" is not an absolute URL: ${url}`);
  }
  const version = cmd.version === undefined ? 4 : Number(cmd.version);
  if (version !== 4 && version !== 2) return E('"version" must be 4 or 2');
  const options = cmd.options === undefined ? {} : cmd.options;
  if (!isPlainObject(options)) return E('"options" must be an object');
  if (cmd.msgpack !== undefined && typeof cmd.msgpack !== 'boolean') return E('"msgpack" must be a boolean');
  if (cmd.msgpack && version !== 4) return E('"msgpack" is only supported with version 4');
  if (cmd.manager !== undefined && (typeof cmd.manager !== 'string' || cmd.manager === '')) return E('"manager" must be a non-empty string');
  const suppressList = cmd.suppress === undefined ? [] : cmd.suppress;
  if (!Array.isArray(suppressList) || suppressList.some((x) => !SUPPRESSIBLE.has(x))) {
    return E('"suppress" must be an array of: manager, manager:<type>, any-outgoing');
  }
  let autoAck;
  try {
    autoAck = parseAutoAck(cmd.autoAck);
  } catch (err) {
    return E(err.message);
  }

  const existing = entries.get(id);
  if (existing && existing.isConnected()) return E(`socket "${id}" is connected; disconnect it first`);

  // Options: copied for every consumer (the clients mutate what they are given).
  const opts = { ...options };
  if (!hasOwn(opts, 'reconnection')) opts.reconnection = false;
  if (cmd.msgpack) opts.parser = msgpackParser || (msgpackParser = require('socket.io-msgpack-parser'));

  const lib = clientLibs[version].lib;
  const nsp = parsed.pathname || '/';
  let socket;
  let info;
  if (cmd.manager !== undefined) {
    info = managersByKey.get(cmd.manager);
    if (info) {
      if (info.version !== version) return E(`manager "${cmd.manager}" belongs to version ${info.version}`);
      if (info.origin !== parsed.origin) return E(`manager "${cmd.manager}" is for ${info.origin}, not ${parsed.origin}`);
      const holder = [...entries.values()].find((e) => e.info === info && e.socket === info.mgr.nsps[nsp] && e !== existing);
      if (holder) return E(`manager "${cmd.manager}" already has a socket for namespace "${nsp}" (id "${holder.id}")`);
    }
    if (existing) existing.retire();
    try {
      if (!info) {
        const mgr = new lib.Manager(url, { ...opts });
        info = managerInfoFor(mgr, version, cmd.manager, parsed.origin);
        managersByKey.set(cmd.manager, info);
      }
      const socketOpts = { ...opts };
      if (parsed.search && !socketOpts.query) {
        socketOpts.query = version === 4 ? Object.fromEntries(parsed.searchParams) : parsed.search.slice(1);
      }
      // A Manager caches one Socket per namespace, created with the first caller's options.
      // When an id is re-connected on the same Manager, that Socket gets the new socket-level
      // options first (v4 manager.socket() may send CONNECT at once), then is restarted.
      const cached = hasOwn(info.mgr.nsps, nsp) ? info.mgr.nsps[nsp] : null;
      if (cached && version === 4) {
        cached.auth = socketOpts.auth;
        cached._opts = { ...socketOpts };
      } else if (cached) {
        cached.query = socketOpts.query;
      }
      socket = info.mgr.socket(nsp, socketOpts);
      if (cached && (version === 4 ? !socket.active : !socket.subs)) socket.connect();
    } catch (err) {
      if (existing) entries.delete(id);
      return E(`client threw: ${describe(err)}`);
    }
  } else {
    // Default: one Manager per socket (io() would otherwise share a process-wide cached
    // Manager per host, carrying over the options of whoever created it).
    if (!hasOwn(opts, 'forceNew') && !hasOwn(opts, 'multiplex') && !hasOwn(opts, 'force new connection')) opts.forceNew = true;
    if (existing) existing.retire();
    try {
      socket = lib(url, opts);
    } catch (err) {
      if (existing) entries.delete(id);
      return E(`client threw: ${describe(err)}`);
    }
    info = managerInfoFor(socket.io, version, null, parsed.origin);
  }

  const entry = new Entry(id, version, socket, info, autoAck, new Set(suppressList));
  entries.set(id, entry);
  info.entries.add(entry);
  if (version === 4) wireV4(entry); else wireV2(entry);
}

function lookup(cmd, name) {
  if (typeof cmd.id !== 'string') {
    driverError(`${name}: "id" must be a string`, { cmd: name });
    return null;
  }
  const entry = entries.get(cmd.id);
  if (!entry) driverError(`${name}: unknown socket "${cmd.id}"`, { cmd: name, id: cmd.id });
  return entry || null;
}

function cmdEmit(cmd) {
  const entry = lookup(cmd, 'emit');
  if (!entry) return;
  const { id, socket, version } = entry;
  const E = (message) => driverError(`emit: ${message}`, { cmd: 'emit', id });
  const { event } = cmd;
  if (typeof event !== 'string' || event === '') return E('"event" must be a non-empty string');
  let args;
  try {
    args = decodeArgs(cmd.args);
  } catch (err) {
    return E(err.message);
  }
  for (const f of ['ack', 'emitWithAck', 'volatile', 'compress', 'binary']) {
    if (cmd[f] !== undefined && typeof cmd[f] !== 'boolean') return E(`"${f}" must be a boolean`);
  }
  const wantAck = cmd.ack === true;
  const withAck = cmd.emitWithAck === true;
  if (wantAck && withAck) return E('"ack" and "emitWithAck" are mutually exclusive');
  const { timeout } = cmd;
  if (timeout !== undefined && !(typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0)) {
    return E('"timeout" must be a non-negative number');
  }
  if (timeout !== undefined && !wantAck && !withAck) return E('"timeout" needs "ack" or "emitWithAck"');
  const seq = cmd.seq === undefined ? null : cmd.seq;
  const ackOk = (res) => entry.emit('ack', { seq, args: encodeArgs(res) });
  const ackErr = (err) => entry.emit('ack-error', { seq, message: describe(err) ?? 'unknown error' });

  if (version === 4) {
    if (V4_RESERVED.has(event)) return E(`"${event}" is a reserved event name for socket.io-client 4`);
    let target = socket;
    if (cmd.compress !== undefined) target = target.compress(cmd.compress);
    if (cmd.volatile) target = target.volatile;
    if (timeout !== undefined) target = target.timeout(timeout);
    try {
      if (withAck) {
        // Resolves with the FIRST ack argument only (socket.io-client's emitWithAck contract).
        target.emitWithAck(event, ...args).then((value) => ackOk([value]), ackErr);
      } else if (wantAck) {
        // Error-first callback whenever the client uses one: explicit timeout, the ackTimeout
        // option, or retries (the retry queue always calls back error-first).
        const errorFirst = timeout !== undefined || socket._opts.ackTimeout !== undefined || !!socket._opts.retries;
        const cb = errorFirst
          ? (err, ...res) => (err ? ackErr(err) : ackOk(res))
          : (...res) => ackOk(res);
        target.emit(event, ...args, cb);
      } else {
        target.emit(event, ...args);
      }
    } catch (err) {
      socket.flags = {}; // emit() throws before resetting the flags it was given
      return E(`client threw: ${describe(err)}`);
    }
    return;
  }

  // version 2
  if (V2_RESERVED.has(event)) return E(`"${event}" is a reserved (local-only) event name for socket.io-client 2`);
  if (cmd.volatile) return E('"volatile" is not supported by socket.io-client 2');
  if (withAck) return E('"emitWithAck" is not supported by socket.io-client 2 (use "ack")');
  let target = socket;
  if (cmd.compress !== undefined) target = target.compress(cmd.compress);
  if (cmd.binary !== undefined) target = target.binary(cmd.binary);
  try {
    if (wantAck) {
      // socket.io-client 2 has no ack timeout: the driver emulates timeout(ms) with a timer.
      let done = false;
      let timer = null;
      const cb = (...res) => {
        if (done) return;
        done = true;
        if (timer) { clearTimeout(timer); entry.v2Timers.delete(timer); }
        ackOk(res);
      };
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          entry.v2Timers.delete(timer);
          if (done) return;
          done = true;
          ackErr('operation has timed out');
        }, timeout);
        entry.v2Timers.add(timer);
      }
      target.emit(event, ...args, cb);
    } else {
      target.emit(event, ...args);
    }
  } catch (err) {
    socket.flags = {};
    return E(`client threw: ${describe(err)}`);
  }
}

function cmdAck(cmd) {
  const entry = lookup(cmd, 'ack');
  if (!entry) return;
  const E = (message) => driverError(`ack: ${message}`, { cmd: 'ack', id: entry.id });
  const pending = pendingAcks.get(cmd.ackId);
  if (!pending) return E(`unknown or already answered ackId ${JSON.stringify(cmd.ackId)}`);
  if (pending.entry !== entry) return E(`ackId ${cmd.ackId} belongs to socket "${pending.entry.id}"`);
  let args;
  try {
    args = decodeArgs(cmd.args);
  } catch (err) {
    return E(err.message);
  }
  pendingAcks.delete(cmd.ackId);
  pending.fn(...args);
}

function cmdDisconnect(cmd) {
  const entry = lookup(cmd, 'disconnect');
  if (entry) entry.socket.disconnect();
}

function cmdConnectAgain(cmd) {
  const entry = lookup(cmd, 'connect-again');
  if (!entry) return;
  if (entry.isConnected()) return driverError('connect-again: socket is already connected', { cmd: 'connect-again', id: entry.id });
  if (typeof cmd.url === 'string') entry.socket.io.uri = cmd.url; // another server, as a load balancer may pick (v4)
  entry.socket.connect(); // v2: alias of open()
}

function cmdDropTransport(cmd) {
  const entry = lookup(cmd, 'drop-transport');
  if (!entry) return;
  const engine = entry.socket.io && entry.socket.io.engine;
  if (!engine) return driverError('drop-transport: the socket has no Engine.IO connection', { cmd: 'drop-transport', id: entry.id });
  engine.close(); // as a lost connection: the Manager reconnects when its reconnection is on
}

function cmdOnAny(cmd) {
  const entry = lookup(cmd, 'on-any');
  if (!entry || entry.anyListener) return;
  if (entry.version === 2) {
    entry.anyListener = true; // emulated from the onevent hook
    return;
  }
  entry.anyListener = (...args) => {
    let list = args;
    let ackId = null;
    if (list.length && typeof list[list.length - 1] === 'function') {
      ackId = entry.ackIds.get(list[list.length - 1]) ?? null;
      list = list.slice(0, -1);
    }
    const [name, ...rest] = list;
    entry.emit('any', { name: encodeValue(name), args: encodeArgs(rest), ackId });
  };
  entry.socket.onAny(entry.anyListener);
}

function cmdOffAny(cmd) {
  const entry = lookup(cmd, 'off-any');
  if (!entry || !entry.anyListener) return;
  if (entry.version === 4) entry.socket.offAny(entry.anyListener);
  entry.anyListener = null;
}

function cmdOnAnyOutgoing(cmd) {
  const entry = lookup(cmd, 'on-any-outgoing');
  if (!entry) return;
  if (entry.version !== 4) return driverError('on-any-outgoing: only supported with version 4', { cmd: 'on-any-outgoing', id: entry.id });
  if (entry.anyOutgoingListener) return;
  entry.anyOutgoingListener = (name, ...rest) => {
    if (rest.length && typeof rest[rest.length - 1] === 'function') rest = rest.slice(0, -1);
    entry.emit('any-outgoing', { name: encodeValue(name), args: encodeArgs(rest) });
  };
  entry.socket.onAnyOutgoing(entry.anyOutgoingListener);
}

function cmdOffAnyOutgoing(cmd) {
  const entry = lookup(cmd, 'off-any-outgoing');
  if (!entry || !entry.anyOutgoingListener) return;
  entry.socket.offAnyOutgoing(entry.anyOutgoingListener);
  entry.anyOutgoingListener = null;
}

function cmdStatus(cmd) {
  const entry = lookup(cmd, 'status');
  if (!entry) return;
  const { socket } = entry;
  const engine = socket.io && socket.io.engine;
  emit({
    event: 'status',
    id: entry.id,
    connected: !!socket.connected,
    active: entry.isActive(),
    sid: socket.id ?? null,
    recovered: entry.version === 4 ? !!socket.recovered : null,
    nsp: socket.nsp,
    manager: entry.info.key,
    engineId: (engine && engine.id) || null,
    transport: (engine && engine.transport && engine.transport.name) || null,
    engineState: (engine && engine.readyState) || null,
  });
}

// ---------------------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------------------

function beginExit() {
  if (exiting) return;
  exiting = true;
  // Disconnect every socket ("disconnect" with "io client disconnect" for connected ones),
  // then make sure every Manager is closed, and wait (bounded) for the engines to close so
  // the DISCONNECT packets actually reach the server.
  for (const entry of entries.values()) {
    // Inactive sockets are already detached; disconnect() would only re-close their Manager.
    if (!entry.isConnected() && !entry.isActive()) continue;
    try { entry.socket.disconnect(); } catch (err) { log('disconnect during exit failed:', err && err.stack); }
  }
  for (const info of managerInfos.values()) {
    try { info.close(); } catch (err) { log('manager close during exit failed:', err && err.stack); }
  }
  const deadline = Date.now() + EXIT_GRACE_MS;
  const poll = () => {
    if (Date.now() >= deadline || [...managerInfos.values()].every((i) => i.isClosed())) finishExit();
    else setTimeout(poll, 10);
  };
  poll();
}

function finishExit() {
  // Empty write whose callback runs once everything queued before it has been flushed.
  process.stdout.write('', () => process.exit(0));
}

// ---------------------------------------------------------------------------------------
// Main loop
// ---------------------------------------------------------------------------------------

const handlers = {
  connect: cmdConnect,
  emit: cmdEmit,
  ack: cmdAck,
  disconnect: cmdDisconnect,
  'connect-again': cmdConnectAgain,
  'drop-transport': cmdDropTransport,
  'on-any': cmdOnAny,
  'off-any': cmdOffAny,
  'on-any-outgoing': cmdOnAnyOutgoing,
  'off-any-outgoing': cmdOffAnyOutgoing,
  status: cmdStatus,
  exit: beginExit,
};

function handleLine(line) {
  const trimmed = line.trim();
  if (trimmed === '') return;
  let cmd;
  try {
    cmd = JSON.parse(trimmed);
  } catch (err) {
    return driverError(`invalid JSON: ${err.message}`, { line: trimmed.slice(0, 200) });
  }
  if (!isPlainObject(cmd)) return driverError('command must be a JSON object', { line: trimmed.slice(0, 200) });
  const handler = hasOwn(handlers, cmd.cmd) ? handlers[cmd.cmd] : null;
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
    const { socketIo } = resolveClients();
    clientLibs = {
      4: { lib: socketIo[4].require(), version: socketIo[4].version },
      2: { lib: socketIo[2].require(), version: socketIo[2].version },
    };
    if (!/^4\./.test(clientLibs[4].version) || !/^2\./.test(clientLibs[2].version)) {
      throw new Error(`unexpected socket.io-client versions: ${clientLibs[4].version} / ${clientLibs[2].version}`);
    }
  } catch (err) {
    log(err.stack);
    emit({ event: 'driver-error', message: `cannot load clients: ${err.message}` });
    process.exit(2);
  }

  if (MAX_LIFETIME_MS > 0) {
    setTimeout(() => {
      log(`socketio-driver: max lifetime ${MAX_LIFETIME_MS} ms reached, exiting`);
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

  emit({ event: 'ready', pid: process.pid, clients: { 2: clientLibs[2].version, 4: clientLibs[4].version } });
}

main();
