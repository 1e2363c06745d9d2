#!/usr/bin/env node
'use strict';
// The Node peer of the comparison: socket.io 4.8 (from tests/node, NODE_PATH) on Node's http server,
// long-polling and websocket (the generator opens each connection on one transport and never upgrades).
// "echo" (data, cb) -> cb(data); "echoBinary" (buffer, cb) -> cb(buffer); "bcast" (data) -> io.emit("bcast", data).
// maxHttpBufferSize 4 MiB, as every peer's limit, so that a 1 MiB binary message passes.
// Prints "listening <port>" once it listens on 127.0.0.1 (port 0: any free port).
const http = require('node:http');
const { Server } = require('socket.io');

const server = http.createServer();
const io = new Server(server, { transports: ['polling', 'websocket'], serveClient: false, maxHttpBufferSize: 4 * 1024 * 1024 });
io.on('connection', (socket) => {
  socket.on('echo', (data, cb) => cb(data));
  socket.on('echoBinary', (data, cb) => cb(data));
  socket.on('bcast', (data) => io.emit('bcast', data));
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
