'use strict';
/**
 * Resolves the Engine.IO / Socket.IO client libraries used by the drivers.
 *
 * Two Engine.IO client generations are installed side by side:
 *   - engine.io-client 6.6.x (top level)      -> Engine.IO protocol 4
 *   - engine.io-client 3.x, the copy that socket.io-client 2.5 (installed under
 *     the alias "socket.io-client-v2") depends on -> Engine.IO protocol 3
 *
 * The 3.x copy is nested (node_modules/socket.io-client-v2/node_modules/engine.io-client)
 * because the top-level name is taken by 6.6.x. We never hard-code that path: we build a
 * `require` that resolves exactly as socket.io-client 2.5's own lib/manager.js does, so we
 * always get the very copy that socket.io-client 2.5 uses, whatever npm's hoisting does.
 * The resolved majors are asserted, so a wrong copy fails loudly instead of silently
 * testing the wrong protocol.
 */
const path = require('node:path');
const { createRequire } = require('node:module');

const here = createRequire(__filename);

function loadPackage(req, name) {
  const pkgJsonPath = req.resolve(`${name}/package.json`);
  return { dir: path.dirname(pkgJsonPath), version: req(pkgJsonPath).version };
}

function assertMajor(name, info, major) {
  if (Number(info.version.split('.')[0]) !== major) {
    throw new Error(`${name} resolved to ${info.version} at ${info.dir}; expected ${major}.x`);
  }
}

let cache = null;

function resolveClients() {
  if (cache) return cache;

  // Engine.IO protocol 4 client (engine.io-client 6.6.x).
  const eio4Info = loadPackage(here, 'engine.io-client');
  assertMajor('engine.io-client', eio4Info, 6);
  const eio4 = here('engine.io-client');

  // socket.io-client 2.5 (npm alias) and the engine.io-client 3.x it requires.
  const sio2Info = loadPackage(here, 'socket.io-client-v2');
  assertMajor('socket.io-client-v2', sio2Info, 2);
  // Resolve relative to socket.io-client 2.5's main module, i.e. the file that does
  // `require('engine.io-client')` in that package (lib/manager.js sits next to it).
  const sio2Require = createRequire(here.resolve('socket.io-client-v2'));
  const eio3Info = loadPackage(sio2Require, 'engine.io-client');
  assertMajor('engine.io-client (socket.io-client 2.5 dependency)', eio3Info, 3);
  const eio3 = sio2Require('engine.io-client');

  cache = {
    // Socket constructors keyed by Engine.IO protocol revision.
    engine: {
      4: { Socket: eio4.Socket, protocol: eio4.protocol, version: eio4Info.version, dir: eio4Info.dir },
      // engine.io-client 3.x exports the Socket constructor itself (callable with or without `new`).
      3: { Socket: eio3, protocol: eio3.protocol, version: eio3Info.version, dir: eio3Info.dir },
    },
    socketIo: {
      4: { version: loadPackage(here, 'socket.io-client').version, require: () => here('socket.io-client') },
      2: { version: sio2Info.version, require: () => here('socket.io-client-v2') },
    },
  };
  return cache;
}

module.exports = { resolveClients };

if (require.main === module) {
  // `node lib/clients.js` prints what was resolved (handy when debugging installs).
  const c = resolveClients();
  for (const v of [4, 3]) {
    const e = c.engine[v];
    process.stderr.write(`EIO${v}: engine.io-client ${e.version} (protocol ${e.protocol}) at ${e.dir}\n`);
  }
}
