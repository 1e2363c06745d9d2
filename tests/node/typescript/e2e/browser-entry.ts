// The browser: the official client from the server's /socket.io/socket.io.js (window.io) plays the
// same scenario; the page's body gets data-state="done" and the report in data-report, or
// data-state="failed" and the error in data-error.
import type { io as Io } from "socket.io-client";
import { run, type TsSocket } from "./scenario.js";

declare global {
  interface Window {
    io: typeof Io;
  }
}

const socket: TsSocket = window.io(location.origin + "/ts", { reconnection: false });
run(socket).then(
  (report) => {
    document.body.dataset.report = JSON.stringify(report);
    document.body.dataset.state = "done";
  },
  (error: unknown) => {
    document.body.dataset.error = error instanceof Error ? error.message : String(error);
    document.body.dataset.state = "failed";
  },
).finally(() => socket.disconnect());
