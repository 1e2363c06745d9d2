// expect: TS18047 (bonus is number | null: it must be checked before use)
import { Server } from "socket.io";
import type { ITsClientEvents, ITsServerEvents } from "../generated/TypedSocketIo.TestContracts.js";

const io = new Server<ITsClientEvents, ITsServerEvents>();
io.on("connection", (socket) => {
  socket.on("sum", (values, bonus, callback) => callback(values.length + bonus));
});
