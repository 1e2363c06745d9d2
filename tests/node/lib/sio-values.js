'use strict';
/**
 * Value encoding of Socket.IO event arguments for socketio-driver.js (both directions).
 *
 * Arguments travel as plain JSON, except binary data, which is written as
 * {"$binary": "<standard padded base64>"} wherever it occurs (top level or nested in
 * arrays/objects).
 *
 *   decode (command -> client): {"$binary": "..."} (an object with exactly that one key)
 *     becomes a Node Buffer; everything else is copied as is.
 *   encode (client -> event line): Buffer / ArrayBuffer / typed array / DataView becomes
 *     {"$binary": "..."}; undefined, functions and symbols become null; non-finite numbers
 *     become null (as JSON.stringify would do); BigInt becomes a number when it is a safe
 *     integer, else its decimal string; objects with toJSON() (Date, ...) are encoded from
 *     what toJSON() returns; plain objects and arrays are walked recursively.
 *
 * Keys are copied with defineProperty, so a JSON key "__proto__" stays an ordinary key.
 */
// Self-contained on purpose (no ./jsonl): the self-check uses it too, and jsonl.js reroutes
// console.log to stderr, which only a driver process wants.

/** Buffer / ArrayBuffer / typed array / DataView -> Buffer (no copy where possible); otherwise null. */
function toBuffer(data) {
  if (Buffer.isBuffer(data)) return data;
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return null;
}

const BASE64_RE = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Strict base64 decode (standard alphabet, padded): a Buffer, or null when not canonical. */
function fromBase64(s) {
  if (typeof s !== 'string' || !BASE64_RE.test(s)) return null;
  return Buffer.from(s, 'base64');
}

const MAX_DEPTH = 500;

class ValueError extends Error {}

function setKey(obj, key, value) {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Decodes one value from a command; throws ValueError (with a path) on bad "$binary". */
function decodeValue(value, path = 'value', depth = 0) {
  if (depth > MAX_DEPTH) throw new ValueError(`${path}: nested too deeply`);
  if (Array.isArray(value)) return value.map((v, i) => decodeValue(v, `${path}[${i}]`, depth + 1));
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$binary') {
      const buf = fromBase64(value.$binary);
      if (!buf) throw new ValueError(`${path}.$binary must be a canonical base64 string`);
      return buf;
    }
    const out = {};
    for (const k of keys) setKey(out, k, decodeValue(value[k], `${path}.${k}`, depth + 1));
    return out;
  }
  return value;
}

/** Decodes an "args" field: undefined -> [], otherwise it must be an array. */
function decodeArgs(args, path = 'args') {
  if (args === undefined) return [];
  if (!Array.isArray(args)) throw new ValueError(`${path} must be an array`);
  return decodeValue(args, path);
}

/** Encodes one value received from a client library for an event line. */
function encodeValue(value, depth = 0) {
  if (value === undefined || value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : null;
    case 'bigint':
      return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
    case 'function':
    case 'symbol':
      return null;
    default:
      break;
  }
  const buf = toBuffer(value);
  if (buf) return { $binary: buf.toString('base64') };
  if (depth > MAX_DEPTH) return null;
  if (Array.isArray(value)) return value.map((v) => encodeValue(v, depth + 1));
  if (typeof value.toJSON === 'function') {
    try { return encodeValue(value.toJSON(), depth + 1); } catch { return null; }
  }
  const out = {};
  for (const k of Object.keys(value)) setKey(out, k, encodeValue(value[k], depth + 1));
  return out;
}

function encodeArgs(args) {
  return Array.from(args, (v) => encodeValue(v));
}

module.exports = { decodeValue, decodeArgs, encodeValue, encodeArgs, ValueError };
