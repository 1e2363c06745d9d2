// expect: TS2345 (with timeout(), the callback gets the error first, then the ack's number)
import { io, type Socket } from "socket.io-client";
import type { ITsClientEvents, ITsServerEvents } from "../generated/TypedSocketIo.TestContracts.js";

const socket: Socket<ITsServerEvents, ITsClientEvents> = io();
socket.timeout(5000).emit("sum", [1], 2, (err: Error, total: string) => console.log(err, total));
