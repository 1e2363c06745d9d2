#!/usr/bin/env node
'use strict';
/**
 * The msgpack codec of socket.io-msgpack-parser (notepack.io) for the .NET codec tests: encodes and
 * decodes values and Socket.IO packets on request, so the tests compare bytes with the reference.
 *
 * JSON lines, as the other drivers: first {"event":"ready","pid":…,"notepack":"2.2.0","parser":"3.0.2"}, then one
 * answer per command, {"event":"done","seq":n,"results":[…]} (each result {"hex":…}, {"value":…},
 * {"packet":…} or {"error":"…"}). stdin "exit" (or EOF) ends it.
 *
 *   {"cmd":"encode","seq":n,"values":[v…]}          notepack.encode(v)               -> {"hex"}
 *   {"cmd":"decode","seq":n,"inputs":["hex"…]}       notepack.decode(bytes)          -> {"value"}
 *   {"cmd":"encode-packets","seq":n,"packets":[p…]}  parser Encoder#encode(p)[0]     -> {"hex"}
 *   {"cmd":"decode-packets","seq":n,"inputs":["hex"…]} parser Decoder#add(bytes)     -> {"packet"}
 *
 * Values are JSON with tagged objects for what JSON lacks, both ways: {"$binary":base64} a Buffer,
 * {"$arraybuffer":base64} an ArrayBuffer, {"$date":ms} a Date, {"$undefined":true} undefined,
 * {"$number":"NaN"|"Infinity"|"-Infinity"|"-0"} those numbers. Object keys keep their order.
 */
const readline = require('node:readline');
const notepack = require('notepack.io');
const parser = require('socket.io-msgpack-parser');
const { emit, log } = require('./lib/jsonl');

function isTag(v, key) {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 1 && Object.prototype.hasOwnProperty.call(v, key);
}

function fromJson(v) {
  if (Array.isArray(v)) return v.map(fromJson);
  if (v === null || typeof v !== 'object') return v;
  if (isTag(v, '$binary')) return Buffer.from(v.$binary, 'base64');
  if (isTag(v, '$arraybuffer')) {
    const b = Buffer.from(v.$arraybuffer, 'base64');
    return b.buffer.slice(b.byteOffset, b.byteOffset + b.length);
  }
  if (isTag(v, '$date')) return new Date(v.$date);
  if (isTag(v, '$undefined')) return undefined;
  if (isTag(v, '$number')) return v.$number === '-0' ? -0 : Number(v.$number);
  const o = {};
  for (const k of Object.keys(v)) o[k] = fromJson(v[k]);
  return o;
}

function toJson(v) {
  if (v === undefined) return { $undefined: true };
  if (typeof v === 'number') {
    if (Number.isNaN(v) || !Number.isFinite(v)) return { $number: String(v) };
    if (Object.is(v, -0)) return { $number: '-0' };
    return v;
  }
  if (Buffer.isBuffer(v)) return { $binary: v.toString('base64') };
  if (v instanceof ArrayBuffer) return { $arraybuffer: Buffer.from(v).toString('base64') };
  if (v instanceof Date) return { $date: v.getTime() };
  if (Array.isArray(v)) return Array.from(v, toJson);
  if (v !== null && typeof v === 'object') {
    const o = {};
    for (const k of Object.keys(v)) o[k] = toJson(v[k]);
    return o;
  }
  return v;
}

function attempt(fn) {
  try {
    return fn();
  } catch (err) {
    return { error: String(err && err.message ? err.message : err) };
  }
}

function decodePacket(bytes) {
  const decoder = new parser.Decoder();
  let packet = null;
  decoder.on('decoded', (p) => { packet = p; });
  decoder.add(bytes);
  return { packet: toJson(packet) };
}

function run(command) {
  switch (command.cmd) {
    case 'encode':
      return command.values.map((v) => attempt(() => ({ hex: notepack.encode(fromJson(v)).toString('hex') })));
    case 'decode':
      return command.inputs.map((h) => attempt(() => ({ value: toJson(notepack.decode(Buffer.from(h, 'hex'))) })));
    case 'encode-packets':
      return command.packets.map((p) => attempt(() => ({ hex: Buffer.from(new parser.Encoder().encode(fromJson(p))[0]).toString('hex') })));
    case 'decode-packets':
      return command.inputs.map((h) => attempt(() => decodePacket(Buffer.from(h, 'hex'))));
    default:
      throw new Error(`unknown command ${command.cmd}`);
  }
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (!line.trim()) return;
  if (line.trim() === 'exit' || line.includes('"exit"')) process.exit(0);
  let command;
  try {
    command = JSON.parse(line);
  } catch (err) {
    emit({ event: 'driver-error', message: String(err.message), line: line.slice(0, 200) });
    return;
  }
  try {
    emit({ event: 'done', seq: command.seq ?? null, results: run(command) });
  } catch (err) {
    emit({ event: 'driver-error', seq: command.seq ?? null, message: String(err && err.message) });
  }
});
lines.on('close', () => process.exit(0));
process.on('uncaughtException', (err) => log('uncaught', err && err.stack));

emit({
  event: 'ready',
  pid: process.pid,
  notepack: require('notepack.io/package.json').version,
  parser: require('socket.io-msgpack-parser/package.json').version,
});
