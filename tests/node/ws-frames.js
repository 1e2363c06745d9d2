#!/usr/bin/env node
'use strict';
/**
 * WebSocket framing check against a server, with the `ws` package as the client.
 *
 *   node ws-frames.js ws://127.0.0.1:PORT/engine.io/?EIO=4&transport=websocket
 *
 * The server is expected to echo Engine.IO messages. Writes JSON lines on stdout: "ready", then
 * one event per step ("open", "pong", "message", "close"), then "done" and exits. Steps: a ping
 * with a payload; a text message in three fragments with a ping between them; a 100 KB binary
 * message; 50 messages sent at once; a close with code 4001.
 */
const { emit, log } = require('./lib/jsonl');
const WebSocket = require('ws');

const url = process.argv[2];
const timer = setTimeout(() => { emit({ event: 'timeout' }); process.exit(2); }, 30000);
emit({ event: 'ready' });

const ws = new WebSocket(url, { perMessageDeflate: false });
const messages = [];
let waiting = null;

function next() {
  return new Promise((resolve) => {
    if (messages.length > 0) resolve(messages.shift());
    else waiting = resolve;
  });
}

ws.on('message', (data, isBinary) => {
  const message = isBinary ? { binary: true, length: data.length, sum: data.reduce((a, b) => (a + b) % 65536, 0) } : { text: data.toString() };
  if (waiting) { const w = waiting; waiting = null; w(message); } else messages.push(message);
});
ws.on('error', (err) => log('ws error', err.message));

ws.on('open', async () => {
  const open = await next();
  emit({ event: 'open', text: open.text });

  const pong = new Promise((resolve) => ws.once('pong', (data) => resolve(data.toString())));
  ws.ping('are you there');
  emit({ event: 'pong', text: await pong });

  ws.send('4frag', { fin: false });
  ws.ping('between');
  ws.send('men', { fin: false });
  ws.send('ted', { fin: true });
  emit({ event: 'message', ...(await next()) });

  const big = Buffer.alloc(100 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = i % 251;
  ws.send(big);
  emit({ event: 'message', ...(await next()) });

  for (let i = 0; i < 50; i++) ws.send('4burst ' + i);
  const burst = [];
  for (let i = 0; i < 50; i++) burst.push((await next()).text);
  emit({ event: 'burst', texts: burst });

  ws.on('close', (code, reason) => {
    emit({ event: 'close', code, reason: reason.toString() });
    emit({ event: 'done' });
    clearTimeout(timer);
    process.exit(0);
  });
  ws.close(4001, 'bye');
});
