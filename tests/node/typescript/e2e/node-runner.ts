// Node: plays the scenario with socket.io-client against the URL given (a TypedSocketIo server's
// /ts namespace) and prints the report as one JSON line. Exit code 1 on failure.
import { io } from "socket.io-client";
import { run, type TsSocket } from "./scenario.js";

const [url, transport] = process.argv.slice(2);
if (!url) {
  process.stderr.write("usage: node node-runner.js <url> [polling|websocket]\n");
  process.exit(2);
}

const socket: TsSocket = io(url, { transports: transport ? [transport] : ["polling", "websocket"], reconnection: false });
try {
  const report = await run(socket);
  process.stdout.write(JSON.stringify(report) + "\n");
} catch (error) {
  process.stderr.write(`scenario failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
} finally {
  socket.disconnect();
}
