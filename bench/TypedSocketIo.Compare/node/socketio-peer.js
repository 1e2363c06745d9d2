#!/usr/bin/env node
'use strict';
// The Node peer of the comparison: socket.io 4.8 (from tests/node, NODE_PATH) on Node's http server,
// websocket only. "echo" (data, cb) -> cb(data); "bcast" (data) -> io.emit("bcast", data).
// Prints "listening <port>" once it listens on 127.0.0.1 (port 0: any free port).
const http = require('node:http');
const { Server } = require('socket.io');

const server = http.createServer();
const io = new Server(server, { transports: ['websocket'], serveClient: false });
io.on('connection', (socket) => {
  socket.on('echo', (data, cb) => cb(data));
  socket.on('bcast', (data) => io.emit('bcast', data));
});
server.listen(0, '127.0.0.1', () => console.log(`listening ${server.address().port}`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
