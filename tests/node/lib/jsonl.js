'use strict';
/**
 * JSON-lines plumbing shared by the drivers.
 *
 * stdout carries ONLY protocol lines. Every line is pure ASCII: characters outside
 * U+0020..U+007E are written as \uXXXX escapes (UTF-16 code units, so an emoji becomes a
 * surrogate pair). That makes the stream independent of whatever encoding the reading
 * process assumes; any JSON parser restores the exact string.
 */

// Anything that might print to stdout by accident (a library's console.log) goes to stderr.
console.log = console.error;
console.info = console.error;

function toAsciiJson(obj) {
  return JSON.stringify(obj).replace(/[\u007f-\uffff]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'));
}

let stdoutBroken = false;
process.stdout.on('error', () => {
  // Reader went away (EPIPE): nobody is listening any more, so just leave.
  stdoutBroken = true;
  process.exit(0);
});

/** Writes one protocol line to stdout. */
function emit(obj) {
  if (stdoutBroken) return;
  process.stdout.write(toAsciiJson(obj) + '\n');
}

/** Logs free text to stderr (never stdout). */
function log(...args) {
  process.stderr.write(args.map(String).join(' ') + '\n');
}

/** Buffer / ArrayBuffer / typed array / DataView -> Buffer (no copy where possible); otherwise null. */
function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 decode: returns a Buffer, or null when the input is not canonical base64. */
function fromBase64(s) {
  if (typeof s !== 'string' || !BASE64_RE.test(s)) return null;
  return Buffer.from(s, 'base64');
}

/**
 * Turns whatever a client passes as an error/close "description" into a string (or null):
 * Error -> its message; { description } (engine.io-client 6 close details) -> that string;
 * string -> itself; number -> decimal; other values -> JSON.
 */
function describe(value) {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Error) return value.message;
  if (typeof value === 'object') {
    if (typeof value.description === 'string') return value.description;
    if (typeof value.message === 'string') return value.message; // e.g. ws ErrorEvent
    if (typeof value.type === 'string') return value.type; // DOM-like events
    try { return JSON.stringify(value); } catch { return String(value); }
  }
  return String(value);
}

/**
 * Secondary information hidden one level deeper, as a string or null:
 * TransportError.description (HTTP status or underlying error), or an object's own nested
 * `description` when the first level was an Error.
 */
function detail(value) {
  if (!value || typeof value !== 'object') return null;
  if (value instanceof Error) return describe(value.description);
  if (value.context && typeof value.context === 'object') {
    // engine.io-client 6 websocket close: { description, context: CloseEvent }
    const ctx = value.context;
    if (typeof ctx.code === 'number') return `code=${ctx.code}` + (ctx.reason ? ` reason=${ctx.reason}` : '');
  }
  return null;
}

module.exports = { emit, log, toBuffer, fromBase64, describe, detail, toAsciiJson };
