// expect: TS2345 (on the server, sum's handler receives number[], not string[])
import { Server } from "socket.io";
import type { ITsClientEvents, ITsServerEvents } from "../generated/TypedSocketIo.TestContracts.js";

const io = new Server<ITsClientEvents, ITsServerEvents>();
io.on("connection", (socket) => {
  socket.on("sum", (values: string[], bonus, callback) => callback(values.length + (bonus ?? 0)));
});
