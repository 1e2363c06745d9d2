// expect: TS2554 (sum expects an acknowledgement: the callback is missing)
import { io, type Socket } from "socket.io-client";
import type { ITsClientEvents, ITsServerEvents } from "../generated/TypedSocketIo.TestContracts.js";

const socket: Socket<ITsServerEvents, ITsClientEvents> = io();
socket.emit("sum", [1, 2], null);
