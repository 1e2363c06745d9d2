// expect: TS2345 (a number where the contract says string)
import { io, type Socket } from "socket.io-client";
import type { ITsClientEvents, ITsServerEvents } from "../generated/TypedSocketIo.TestContracts.js";

const socket: Socket<ITsServerEvents, ITsClientEvents> = io();
socket.emit("say hello", 42);
